package format_test

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// issuedAt has nanoseconds and a zone on purpose: the files must show 2025-06-03T08:15:30Z.
var issuedAt = time.Date(2025, time.June, 3, 10, 15, 30, 123456789, time.FixedZone("CEST", 2*3600))

// testKey is the fixed key of the golden files.
func testKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte("lms licensefile test key seed 01"))
}

func testSigner() *format.Signer { return format.NewSigner(testKey()) }

func testKeyring() format.Keyring { return format.Keyring{testSigner().PublicKey()} }

const locationID = "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17"

// sv8100 is a PBX payload; its features are not sorted, and one name needs HTML escaping in
// a default json.Marshal, which the canonical form must not do.
func sv8100() format.Payload {
	return format.Payload{
		LocationID:      locationID,
		SystemType:      "SV8100",
		SystemName:      "SV8100",
		HardwareKeyCode: "190400324412",
		Features: []format.Feature{
			{PartNumber: "BE107585", Name: "LK-SYS-IP-TERMINAL-1-LIC", Stacking: format.StackingQuantity, Quantity: 24},
			{PartNumber: "BE107573", Name: "LK-SYS-256 PORT LIC", Stacking: format.StackingQuantity, Quantity: 1},
			{PartNumber: "BE114045", Name: "System software R10 & <upgrades>", Stacking: format.StackingVersion, Version: 10},
		},
		IssuedAt: issuedAt,
		Sequence: 3,
	}
}

// srMGC is an SR-MGC child, whose HWKC is its temporary key.
func srMGC() format.Payload {
	return format.Payload{
		LocationID:      "9c0e4d52-1b7f-4a3e-8f21-6d4b0a9e7c35",
		SystemType:      "SR_MGC",
		SystemName:      "SV8500 (SR-MGC)",
		HardwareKeyCode: "22-130320025726-607-TEMP-KEY",
		Features: []format.Feature{
			{PartNumber: "ILL-UMOB-USER", Name: "uMobility User License (illustrative)", Stacking: format.StackingQuantity, Quantity: 50},
		},
		IssuedAt: issuedAt,
		Sequence: 1,
	}
}

// bxPrimary and bxSecondary are the two units of a redundant BX pair.
func bxPrimary() format.Payload {
	expires := issuedAt.Add(30 * 24 * time.Hour)
	return format.Payload{
		LocationID:               "5a7d1c9e-3b2f-4e6a-9d8c-1f0b2e4a6c8d",
		SystemType:               "BX_OVOC",
		SystemName:               "BX / OVOC",
		HardwareKeyCode:          "9551484",
		SecondaryHardwareKeyCode: "358744541284567",
		ProductKey:               "V1D50EAF7FF016S3",
		Features: []format.Feature{
			{PartNumber: "ILL-BX800-SBC-100", Name: "BX800 SBC 100 Sessions (illustrative)", Stacking: format.StackingQuantity, Quantity: 2},
			{PartNumber: "ILL-BX9000-HA", Name: "BX9000 High Availability (illustrative)", Stacking: format.StackingQuantity, Quantity: 1},
		},
		IssuedAt:  issuedAt,
		Sequence:  2,
		ExpiresAt: &expires,
	}
}

func bxSecondary() format.Payload {
	p := bxPrimary()
	p.LocationID = "e1c2a3b4-5d6e-4f70-8192-a3b4c5d6e7f8" // the secondary is a location of its own
	p.HardwareKeyCode, p.SecondaryHardwareKeyCode = "358744541284567", "9551484"
	p.ProductKey = "NEC890D3BFF01RC2"
	p.IssuedAt = issuedAt.Add(time.Second)
	return p
}

// bxWithoutProductKey is a single BX unit without a product key: it is named after its HWKC.
func bxWithoutProductKey() format.Payload {
	p := bxPrimary()
	p.HardwareKeyCode, p.SecondaryHardwareKeyCode, p.ProductKey, p.ExpiresAt = "66E55234A97A", "", "", nil
	return p
}

type buildCase struct {
	name        string
	layout      format.Layout
	payloads    []format.Payload
	wantName    string
	wantEntries []string
}

func buildCases() []buildCase {
	return []buildCase{
		{
			name: "svi", layout: format.LayoutSVI, payloads: []format.Payload{sv8100()},
			wantName: "190400324412-svi.zip", wantEntries: []string{"190400324412-svi.lic"},
		},
		{
			name: "svi_sr_mgc", layout: format.LayoutSVI, payloads: []format.Payload{srMGC()},
			wantName:    "22-130320025726-607-TEMP-KEY-svi.zip",
			wantEntries: []string{"22-130320025726-607-TEMP-KEY-svi.lic"},
		},
		{
			name: "bx_single", layout: format.LayoutBX, payloads: []format.Payload{bxPrimary()},
			wantName:    "AA_V1D50EAF7FF016S3_out.zip",
			wantEntries: []string{"AA_V1D50EAF7FF016S3_out.lic", "AA_V1D50EAF7FF016S3_out.log"},
		},
		{
			name: "bx_single_no_product_key", layout: format.LayoutBX, payloads: []format.Payload{bxWithoutProductKey()},
			wantName:    "AA_66E55234A97A_out.zip",
			wantEntries: []string{"AA_66E55234A97A_out.lic", "AA_66E55234A97A_out.log"},
		},
		{
			name: "svi_demo", layout: format.LayoutSVI, payloads: []format.Payload{sv8100Demo()},
			wantName: "190400324412-svi.zip", wantEntries: []string{"190400324412-svi.lic"},
		},
		{
			name: "bx_pair", layout: format.LayoutBX, payloads: []format.Payload{bxPrimary(), bxSecondary()},
			wantName:    "AA_V1D50EAF7FF016S3_out.zip",
			wantEntries: []string{"AA_V1D50EAF7FF016S3_out.lic", "AA_NEC890D3BFF01RC2_out.lic", "AA_V1D50EAF7FF016S3_out.log"},
		},
	}
}

func TestBuildVerify_RoundTrip(t *testing.T) {
	t.Parallel()

	for _, tt := range buildCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			f, err := format.Build(testSigner(), tt.layout, tt.payloads...)
			require.NoError(t, err)
			require.Equal(t, tt.wantName, f.FileName)
			require.Equal(t, testSigner().KeyID(), f.KeyID)
			sum := sha256.Sum256(f.Zip)
			require.Equal(t, hex.EncodeToString(sum[:]), f.SHA256)
			require.Len(t, f.Payloads, len(tt.payloads))

			// Any zip tool reads it: stored entries in the fixed order, no extras or comments,
			// timestamps from the payload (DOS time, UTC, even seconds).
			zr, err := zip.NewReader(bytes.NewReader(f.Zip), int64(len(f.Zip)))
			require.NoError(t, err)
			require.Empty(t, zr.Comment)
			var names []string
			for _, e := range zr.File {
				names = append(names, e.Name)
				require.Equal(t, zip.Store, e.Method, e.Name)
				require.Empty(t, e.Extra, e.Name)
				require.Empty(t, e.Comment, e.Name)
				require.Equal(t, "2025-06-03T08:15", e.Modified.Format("2006-01-02T15:04"), e.Name)
				rc, err := e.Open()
				require.NoError(t, err)
				data, err := io.ReadAll(rc)
				require.NoError(t, err)
				requireGolden(t, tt.name+"_"+e.Name+".golden", data)
			}
			require.Equal(t, tt.wantEntries, names)
			// The zip itself is golden too: files issued today must verify with every later
			// build of this package, so its bytes must never change by accident.
			requireGolden(t, tt.name+".zip.golden", f.Zip)

			got, err := format.Verify(f.Zip, testKeyring())
			require.NoError(t, err)
			require.Equal(t, f, got)
		})
	}
}

// The first unit's .lic shows the activation code of File, and each .lic the code of its own
// signature.
func TestBuild_ActivationCodeLines(t *testing.T) {
	t.Parallel()

	f, err := format.Build(testSigner(), format.LayoutBX, bxPrimary(), bxSecondary())
	require.NoError(t, err)
	entries := readEntries(t, f.Zip)
	primary, secondary := string(entries[0].data), string(entries[1].data)
	require.Contains(t, primary, "\nactivation-code: "+f.ActivationCode+"\n")
	require.NotContains(t, secondary, f.ActivationCode)
	require.Contains(t, string(entries[2].data), "activation code: "+f.ActivationCode+"\n")
}

func TestBuild_NormalisesWithoutChangingInput(t *testing.T) {
	t.Parallel()

	in := sv8100()
	before := sv8100()
	f, err := format.Build(testSigner(), format.LayoutSVI, in)
	require.NoError(t, err)
	require.Equal(t, before, in, "Build must not sort the caller's features")

	got := f.Payloads[0]
	require.Equal(t, format.FormatVersion, got.FormatVersion)
	require.Equal(t, time.Date(2025, time.June, 3, 8, 15, 30, 0, time.UTC), got.IssuedAt)
	var parts []string
	for _, ft := range got.Features {
		parts = append(parts, ft.PartNumber)
	}
	require.Equal(t, []string{"BE107573", "BE107585", "BE114045"}, parts)
}

// Same payloads and key give the same bytes, however the caller ordered the features or
// spelled the instant.
func TestBuild_Deterministic(t *testing.T) {
	t.Parallel()

	reordered := sv8100()
	reordered.Features = []format.Feature{reordered.Features[2], reordered.Features[0], reordered.Features[1]}
	reordered.IssuedAt = issuedAt.In(time.UTC).Add(-100 * time.Millisecond)

	tests := []struct {
		name   string
		layout format.Layout
		a, b   []format.Payload
	}{
		{name: "Same", layout: format.LayoutSVI, a: []format.Payload{sv8100()}, b: []format.Payload{sv8100()}},
		{name: "ReorderedFeaturesOtherZone", layout: format.LayoutSVI, a: []format.Payload{sv8100()}, b: []format.Payload{reordered}},
		{name: "Pair", layout: format.LayoutBX, a: []format.Payload{bxPrimary(), bxSecondary()}, b: []format.Payload{bxPrimary(), bxSecondary()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			a, err := format.Build(testSigner(), tt.layout, tt.a...)
			require.NoError(t, err)
			b, err := format.Build(testSigner(), tt.layout, tt.b...)
			require.NoError(t, err)
			require.Equal(t, a.Zip, b.Zip)
		})
	}
}

func TestBuild_Errors(t *testing.T) {
	t.Parallel()

	with := func(change func(p *format.Payload)) format.Payload {
		p := sv8100()
		change(&p)
		return p
	}
	otherSequence := bxSecondary()
	otherSequence.Sequence = 3
	sameKey := bxSecondary()
	sameKey.ProductKey = bxPrimary().ProductKey

	tests := []struct {
		name     string
		signer   *format.Signer
		layout   format.Layout
		payloads []format.Payload
		wantErr  string
	}{
		{name: "NilSigner", layout: format.LayoutSVI, payloads: []format.Payload{sv8100()}, wantErr: "no valid Ed25519 private key"},
		{name: "MalformedKey", signer: format.NewSigner(make([]byte, 10)), layout: format.LayoutSVI, payloads: []format.Payload{sv8100()}, wantErr: "no valid Ed25519 private key"},
		{name: "UnknownLayout", layout: "PDF", payloads: []format.Payload{sv8100()}, wantErr: `unknown layout "PDF"`},
		{name: "SVINoPayload", layout: format.LayoutSVI, wantErr: "takes exactly one payload, got 0"},
		{name: "SVITwoPayloads", layout: format.LayoutSVI, payloads: []format.Payload{sv8100(), sv8100()}, wantErr: "takes exactly one payload, got 2"},
		{name: "BXThreePayloads", layout: format.LayoutBX, payloads: []format.Payload{bxPrimary(), bxSecondary(), bxSecondary()}, wantErr: "takes one or two payloads, got 3"},
		{name: "NoHWKC", payloads: []format.Payload{with(func(p *format.Payload) { p.HardwareKeyCode = "" })}, wantErr: "hardware key code is empty"},
		{name: "HWKCWithSlash", payloads: []format.Payload{with(func(p *format.Payload) { p.HardwareKeyCode = "../19040" })}, wantErr: `hardware key code "../19040" may only hold`},
		{name: "ProductKeyWithSpace", payloads: []format.Payload{with(func(p *format.Payload) { p.ProductKey = "V1D5 0EAF" })}, wantErr: `product key "V1D5 0EAF" may only hold`},
		{name: "NoSystemType", payloads: []format.Payload{with(func(p *format.Payload) { p.SystemType = "" })}, wantErr: "system type is empty"},
		{name: "NoLocation", payloads: []format.Payload{with(func(p *format.Payload) { p.LocationID = "" })}, wantErr: "location id is empty"},
		{name: "ControlCharacter", payloads: []format.Payload{with(func(p *format.Payload) { p.SystemName = "SV\n8100" })}, wantErr: "system name \"SV\\n8100\" contains control characters"},
		{name: "InvalidUTF8", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[0].Name = "\xff" })}, wantErr: "name is not valid UTF-8"},
		{name: "SequenceZero", payloads: []format.Payload{with(func(p *format.Payload) { p.Sequence = 0 })}, wantErr: "sequence 0 is less than 1"},
		{name: "FormatVersion2", payloads: []format.Payload{with(func(p *format.Payload) { p.FormatVersion = 2 })}, wantErr: "format version 2 is not supported"},
		{name: "NoIssuedAt", payloads: []format.Payload{with(func(p *format.Payload) { p.IssuedAt = time.Time{} })}, wantErr: "is not between 1980 and 2107"},
		{name: "ExpiresBeforeIssued", payloads: []format.Payload{with(func(p *format.Payload) { p.ExpiresAt = &issuedAt })}, wantErr: "expires at 2025-06-03T08:15:30Z is not after issued at"},
		{name: "NoFeatures", payloads: []format.Payload{with(func(p *format.Payload) { p.Features = nil })}, wantErr: "no features"},
		{name: "NoPartNumber", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[0].PartNumber = "" })}, wantErr: "part number is empty"},
		{name: "QuantityZero", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[0].Quantity = 0 })}, wantErr: `feature 2 ("BE107585"): QUANTITY part needs a quantity > 0, got 0`},
		{name: "QuantityWithVersion", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[0].Version = 3 })}, wantErr: "QUANTITY part must not have a version, got 3"},
		{name: "VersionZero", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[2].Version = 0 })}, wantErr: "VERSION part needs a version > 0, got 0"},
		{name: "UnlimitedWithQuantity", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[0].Unlimited = true })}, wantErr: `feature 2 ("BE107585"): unlimited QUANTITY part must not have a quantity, got 24`},
		{name: "UnlimitedVersion", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[2].Unlimited = true })}, wantErr: "VERSION part cannot be unlimited"},
		{name: "VersionWithQuantity", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[2].Quantity = 1 })}, wantErr: "VERSION part must not have a quantity, got 1"},
		{name: "UnknownStacking", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[0].Stacking = "quantity" })}, wantErr: `stacking "quantity" is neither QUANTITY nor VERSION`},
		{name: "DuplicatePart", payloads: []format.Payload{with(func(p *format.Payload) { p.Features[0].PartNumber = "BE107573" })}, wantErr: "part number listed twice"},
		{
			name: "AllProblemsAtOnce", payloads: []format.Payload{with(func(p *format.Payload) { p.HardwareKeyCode, p.Sequence = "", 0 })},
			wantErr: "payload 1: hardware key code is empty; sequence 0 is less than 1",
		},
		{name: "PairOtherSequence", layout: format.LayoutBX, payloads: []format.Payload{bxPrimary(), otherSequence}, wantErr: "sequences differ (2, 3)"},
		{name: "PairSameKey", layout: format.LayoutBX, payloads: []format.Payload{bxPrimary(), sameKey}, wantErr: `both units are named "V1D50EAF7FF016S3"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			signer := tt.signer
			if signer == nil && tt.name != "NilSigner" {
				signer = testSigner()
			}
			layout := tt.layout
			if layout == "" {
				layout = format.LayoutSVI
			}
			f, err := format.Build(signer, layout, tt.payloads...)
			require.ErrorContains(t, err, tt.wantErr)
			require.Nil(t, f)
		})
	}
}

// Changing any single byte of a built file, wherever it is, makes Verify fail: the payloads
// are signed, and everything else must equal what Build makes of them.
func TestVerify_EveryByteFlipped(t *testing.T) {
	t.Parallel()

	for _, tt := range buildCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			f, err := format.Build(testSigner(), tt.layout, tt.payloads...)
			require.NoError(t, err)
			keys := testKeyring()
			for i := range f.Zip {
				_, err := format.Verify(flipped(f.Zip, i), keys)
				require.Error(t, err, "byte %d flipped", i)
				require.True(t, isVerifyError(err), "byte %d: %v", i, err)
			}
		})
	}
}

// isVerifyError reports whether err is one of the errors Verify documents.
func isVerifyError(err error) bool {
	for _, target := range []error{format.ErrNotLicenseFile, format.ErrUnknownKey, format.ErrSignature, format.ErrAltered} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func TestVerify_Errors(t *testing.T) {
	t.Parallel()

	svi, err := format.Build(testSigner(), format.LayoutSVI, sv8100())
	require.NoError(t, err)
	pair, err := format.Build(testSigner(), format.LayoutBX, bxPrimary(), bxSecondary())
	require.NoError(t, err)
	sviEntries := readEntries(t, svi.Zip)
	pairEntries := readEntries(t, pair.Zip)

	otherKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	otherSigner := format.NewSigner(otherKey)
	// An impostor key published under the real key's id must not be accepted.
	impostor := format.Keyring{{ID: testSigner().KeyID(), Key: otherSigner.PublicKey().Key}}

	replace := func(entries []entry, i int, old, new string) []entry {
		out := append([]entry(nil), entries...)
		require.Contains(t, string(out[i].data), old)
		out[i].data = []byte(strings.Replace(string(out[i].data), old, new, 1))
		return out
	}
	codeLine := regexp.MustCompile(`activation-code: [0-9-]+`)
	badCode := append([]entry(nil), sviEntries...)
	badCode[0].data = codeLine.ReplaceAll(badCode[0].data, []byte("activation-code: 0000-0000-0000-0000"))
	mixedKeys, err := format.Build(otherSigner, format.LayoutBX, bxPrimary(), bxSecondary())
	require.NoError(t, err)
	mixed := append([]entry(nil), pairEntries...)
	mixed[1] = readEntries(t, mixedKeys.Zip)[1]

	tests := []struct {
		name    string
		zip     []byte
		keys    format.Keyring
		want    error
		wantErr string
	}{
		{name: "Empty", zip: nil, want: format.ErrNotLicenseFile, wantErr: "not a license file: zip: not a valid zip file"},
		{name: "NotAZip", zip: []byte("hello"), want: format.ErrNotLicenseFile, wantErr: "not a license file"},
		{name: "Truncated", zip: svi.Zip[:len(svi.Zip)-1], want: format.ErrNotLicenseFile, wantErr: "not a license file"},
		{name: "TooBig", zip: make([]byte, format.MaxZipSize+1), want: format.ErrNotLicenseFile, wantErr: "more than the 10485760 byte limit"},
		{name: "UnknownKey", zip: svi.Zip, keys: format.Keyring{otherSigner.PublicKey()}, want: format.ErrUnknownKey, wantErr: "unknown key id " + svi.KeyID + " in 190400324412-svi.lic"},
		{name: "NoKeys", zip: svi.Zip, keys: format.Keyring{}, want: format.ErrUnknownKey, wantErr: "unknown key id"},
		{name: "WrongKeySameID", zip: svi.Zip, keys: impostor, want: format.ErrSignature, wantErr: "signature does not match: 190400324412-svi.lic"},
		{name: "MalformedTrustedKey", zip: svi.Zip, keys: format.Keyring{{ID: svi.KeyID, Key: []byte{1, 2}}}, wantErr: "has 2 bytes, an Ed25519 public key has 32"},
		{
			name: "OldKeyStillTrusted", zip: svi.Zip,
			keys: format.Keyring{otherSigner.PublicKey(), testSigner().PublicKey()},
		},
		{
			name: "PayloadEdited", zip: storeZip(t, replace(sviEntries, 0, `"quantity":24`, `"quantity":99`)),
			want: format.ErrSignature, wantErr: "signature does not match",
		},
		{name: "ContentFlipped", zip: flipped(svi.Zip, 200), want: format.ErrAltered, wantErr: "file was altered: 190400324412-svi.lic: zip: checksum error"},
		{name: "ActivationCodeEdited", zip: storeZip(t, badCode), want: format.ErrAltered, wantErr: "file was altered: 190400324412-svi.lic: activation code 0000-0000-0000-0000 does not belong to its signature"},
		{
			name: "LogEdited", zip: storeZip(t, replace(pairEntries, 2, "  BX9000", "  BX9900")),
			want: format.ErrAltered, wantErr: "file was altered: AA_V1D50EAF7FF016S3_out.log differs from what the signed content gives",
		},
		{
			name: "LicRenamed", zip: storeZip(t, renamed(sviEntries, 0, "190400324413-svi.lic")),
			want: format.ErrAltered, wantErr: `file was altered: entry "190400324413-svi.lic" should be named "190400324412-svi.lic"`,
		},
		{
			// Same names and contents, packed by archive/zip: only the metadata differs.
			name: "Repacked", zip: storeZip(t, sviEntries),
			want: format.ErrAltered, wantErr: "file was altered: zip structure differs from the canonical one at byte",
		},
		{
			name: "UnitsSwapped", zip: storeZip(t, []entry{pairEntries[1], pairEntries[0], pairEntries[2]}),
			want: format.ErrAltered, wantErr: "file was altered",
		},
		{name: "UnitsWithDifferentKeys", zip: storeZip(t, mixed), keys: format.Keyring{testSigner().PublicKey(), otherSigner.PublicKey()}, want: format.ErrAltered, wantErr: "is signed with key"},
		{name: "ExtraEntry", zip: storeZip(t, append(append([]entry(nil), sviEntries...), entry{name: "readme.txt", data: []byte("hi")})), want: format.ErrNotLicenseFile, wantErr: "are neither <HWKC>-svi.lic nor"},
		{name: "LogMissing", zip: storeZip(t, pairEntries[:2]), want: format.ErrNotLicenseFile, wantErr: "are neither"},
		{name: "Compressed", zip: deflateZip(t, sviEntries), want: format.ErrNotLicenseFile, wantErr: "is compressed (method 8)"},
		{name: "LicNotText", zip: storeZip(t, renamed([]entry{{data: []byte("\x00\xff")}}, 0, "1-svi.lic")), want: format.ErrNotLicenseFile, wantErr: "1-svi.lic: not UTF-8 text"},
		{name: "LicHeaderChanged", zip: storeZip(t, replace(sviEntries, 0, "# LMS", "# XMS")), want: format.ErrNotLicenseFile, wantErr: "line 1 is not the license file header"},
		{name: "LicExtraLine", zip: storeZip(t, replace(sviEntries, 0, "key-id", "\nkey-id")), want: format.ErrNotLicenseFile, wantErr: "has 6 lines, want 5"},
		{name: "LicKeyIDUpperCase", zip: storeZip(t, replace(sviEntries, 0, "key-id: "+svi.KeyID, "key-id: "+strings.ToUpper(svi.KeyID))), want: format.ErrNotLicenseFile, wantErr: "line 3 is not"},
		{name: "LicSignatureCR", zip: storeZip(t, replace(sviEntries, 0, "==\n", "==\r\n")), want: format.ErrNotLicenseFile, wantErr: "line 4 is not a base64 Ed25519 signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			keys := tt.keys
			if keys == nil {
				keys = testKeyring()
			}
			f, err := format.Verify(tt.zip, keys)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, svi, f)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
			}
			require.Nil(t, f)
		})
	}
}

func TestActivationCode(t *testing.T) {
	t.Parallel()

	codeShape := regexp.MustCompile(`^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{4}$`)
	tests := []struct {
		name string
		sig  []byte
		want string
	}{
		// Pinned (and checked with Python's hashlib) so the derivation never changes for files
		// already issued.
		{name: "Empty", sig: nil, want: "6829-2328-2426-1652"},
		{name: "Zeros", sig: make([]byte, ed25519.SignatureSize), want: "0832-3738-7266-4624"},
		{name: "Text", sig: []byte("signature"), want: "6940-5456-5277-5466"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got := format.ActivationCode(tt.sig)
			require.Regexp(t, codeShape, got)
			require.Equal(t, tt.want, got)
		})
	}
	t.Run("ManySignatures", func(t *testing.T) {
		t.Parallel()

		seen := map[string]bool{}
		for i := range 1000 {
			got := format.ActivationCode([]byte(fmt.Sprint(i)))
			require.Regexp(t, codeShape, got)
			seen[got] = true
		}
		require.Len(t, seen, 1000)
	})
}

// entry is a zip entry as a test reads or writes it.
type entry struct {
	name string
	data []byte
}

// readEntries returns the entries of z in order.
func readEntries(t *testing.T, z []byte) []entry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	require.NoError(t, err)
	var out []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		out = append(out, entry{name: f.Name, data: data})
	}
	return out
}

// flipped returns a copy of b with the lowest bit of byte i inverted.
func flipped(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0x01
	return out
}

func renamed(entries []entry, i int, name string) []entry {
	out := append([]entry(nil), entries...)
	out[i].name = name
	return out
}

// storeZip packs entries with archive/zip, uncompressed.
func storeZip(t *testing.T, entries []entry) []byte { return packZip(t, entries, zip.Store) }

// deflateZip packs entries with archive/zip, compressed.
func deflateZip(t *testing.T, entries []entry) []byte { return packZip(t, entries, zip.Deflate) }

func packZip(t *testing.T, entries []entry, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		require.NoError(t, err)
		_, err = w.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// requireGolden compares got with testdata/name, or rewrites that file when the test runs with
// -update.
func requireGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./licensefile -update to create it")
	require.Equal(t, string(want), string(got), "%s differs; if the change is intended, run go test ./licensefile -update (files issued before will no longer verify)", path)
}
