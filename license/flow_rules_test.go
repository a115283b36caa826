package license_test

// API tests of the per-system license rules: what attach and activate accept
// or refuse depending on the system type and on what the system already holds
// (LOC-5, LOC-6, LOC-7, LOC-10, LIC-3, LIC-6, LIC-11, DECT-1, DECT-2).

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
	"lms/lmstest"
)

// randomDigits returns n random decimal digits.
func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic(err)
		}
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}

// newSV8500 creates an SV8500 location with a fresh HWKC.
func newSV8500(t *testing.T, env *lmstest.Env, user string) apiLocation {
	t.Helper()
	return createLocation(t, env, user, "SV8500", map[string]any{"hardwareKeyCode": "22" + randomHex(26)})
}

// newDECT creates an IP_DECT or DECT_NS location with a fresh PARI.
func newDECT(t *testing.T, env *lmstest.Env, user, systemType string) apiLocation {
	t.Helper()
	return createLocation(t, env, user, systemType, map[string]any{"hardwareKeyCode": "1" + randomHex(7)})
}

// attachRefused attaches and requires exactly one error with code.
func attachRefused(t *testing.T, env *lmstest.Env, user, locationID, code string, sels ...sel) userError {
	t.Helper()
	lics, errs := attach(t, env, user, locationID, sels...)
	e := requireError(t, errs, code)
	require.Empty(t, lics)
	return e
}

// activateRefused activates and requires exactly one error with code.
func activateRefused(t *testing.T, env *lmstest.Env, user, locationID, code string, lics ...apiLicense) userError {
	t.Helper()
	p := activate(t, env, user, locationID, ids(lics)...)
	e := requireError(t, p.Errors, code)
	require.Nil(t, p.LicenseFile)
	return e
}

// mustDetach detaches licenses of a location and fails on errors.
func mustDetach(t *testing.T, env *lmstest.Env, user, locationID string, lics ...apiLicense) {
	t.Helper()
	p := mutate[struct {
		Licenses []apiLicense
		Errors   []userError
	}](t, env, user, "detachLicenses", "licenses { id }", map[string]any{"locationId": locationID, "licenseIds": ids(lics)})
	require.Empty(t, p.Errors)
	require.Len(t, p.Licenses, len(lics))
}

// readyZip waits for a license file, downloads it (checking the download's
// name is the file's name) and verifies it.
func readyZip(t *testing.T, env *lmstest.Env, user, fileID string) (apiFile, []byte, *format.File) {
	t.Helper()
	f := waitFile(t, env, user, fileID)
	require.NotNil(t, f.FileName)
	z, name := download(t, env, user, f)
	require.Equal(t, *f.FileName, name)
	v, err := format.Verify(z, keys(env))
	require.NoError(t, err)
	require.Equal(t, *f.FileName, v.FileName)
	return f, z, v
}

// zipNames lists the entries of a zip.
func zipNames(t *testing.T, z []byte) []string {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	require.NoError(t, err)
	var out []string
	for _, f := range r.File {
		out = append(out, f.Name)
	}
	return out
}

// amounts is a payload's features as users read them: "500" or "V6".
func amounts(p format.Payload) map[string]string {
	out := map[string]string{}
	for _, f := range p.Features {
		if f.Stacking == "VERSION" {
			out[f.PartNumber] = "V" + strconv.Itoa(f.Version)
		} else {
			out[f.PartNumber] = strconv.Itoa(f.Quantity)
		}
	}
	return out
}

// fieldPath is an error's field path joined with dots; the service writes a
// list element's path either as one segment ("lines.1.quantity") or as
// several, and both read the same here.
func fieldPath(e userError) string { return strings.Join(e.Field, ".") }

// attachedCount is the number of licenses attached (not activated) to a location.
func attachedCount(t *testing.T, env *lmstest.Env, user, locationID string) int {
	t.Helper()
	var got struct {
		Node struct {
			AttachedLicenses struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { attachedLicenses(first: 100) { edges { node { id } } } } } }`,
		map[string]any{"id": locationID}).Decode(t, &got)
	return len(got.Node.AttachedLicenses.Edges)
}

// SR-MGC parts go only to an SR-MGC child of an SV8500, whose file is named
// after its temp key (LOC-5, LIC-6).
func TestSRMGCPartsOnlyOnSRMGCChild(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	const po = "PO-SRMGC-1"
	lines := ship(t, env, lmstest.DealerY, "SO-SRMGC-1", po, line{"EU900074", 1}, line{"EU900050", 500}, line{"BE107635", 1})
	pbx := newSV8500(t, env, lmstest.DealerY)
	require.Len(t, pbx.Children.Edges, 1)
	require.Equal(t, "LMC", pbx.Children.Edges[0].Node.ChildKind)

	for _, part := range []string{"EU900074", "EU900050"} {
		e := attachRefused(t, env, lmstest.DealerY, pbx.ID, "WRONG_LOCATION_FOR_PART", sel{Line: lines[part]})
		require.Contains(t, e.Message, part)
	}
	attachRefused(t, env, lmstest.DealerY, pbx.ID, "WRONG_LOCATION_FOR_PART", sel{Line: lines["EU900074"]}, sel{Line: lines["BE107635"]})
	require.Equal(t, map[string]int{"EU900074": 1, "EU900050": 500, "BE107635": 1}, binLines(t, env, lmstest.DealerY, po))

	mgc := createChild(t, env, lmstest.DealerY, pbx.ID, "SR_MGC", map[string]any{"name": "SR-MGC Branch Office"})
	require.Regexp(t, `^22-\d{12}-\d{3}-TEMP-KEY$`, mgc.HardwareKeyCode)
	require.True(t, mgc.HasTemporaryKey)
	require.Equal(t, "SR-MGC Branch Office", mgc.Name)

	attachRefused(t, env, lmstest.DealerY, mgc.ID, "PART_NOT_ALLOWED", sel{Line: lines["BE107635"]})
	mustAttach(t, env, lmstest.DealerY, pbx.ID, sel{Line: lines["BE107635"]})

	lics := mustAttach(t, env, lmstest.DealerY, mgc.ID, sel{Line: lines["EU900074"]}, sel{Line: lines["EU900050"]})
	require.Len(t, lics, 2)
	for _, l := range lics {
		require.Regexp(t, `^[0-9A-Z]{2}22[0-9A-Z]{16}$`, l.SoftwareKeyCode)
	}
	f, z, v := readyZip(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, mgc.ID, lics...))
	require.Equal(t, mgc.HardwareKeyCode+"-svi.zip", *f.FileName)
	require.Equal(t, []string{mgc.HardwareKeyCode + "-svi.lic"}, zipNames(t, z))
	require.Len(t, v.Payloads, 1)
	require.Equal(t, mgc.HardwareKeyCode, v.Payloads[0].HardwareKeyCode)
	require.Equal(t, mgc.LocationID, v.Payloads[0].LocationID)
	require.Equal(t, "SR_MGC", v.Payloads[0].SystemType)
	require.Equal(t, map[string]string{"EU900074": "V6", "EU900050": "500"}, amounts(v.Payloads[0]))
	require.Equal(t, mgc.HardwareKeyCode, getLocation(t, env, lmstest.DealerY, mgc.ID).HardwareKeyCode, "an SR-MGC keeps its temp key")
}

// Only one ACD Agent option per SV8500 system, attached or activated
// (LIC-11).
func TestACDAgentMaxPerSystem(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	const po = "PO-ACD-1"
	acd := ship(t, env, lmstest.DealerY, "SO-ACD-1", po, line{"ILL-SV8500-ACD", 3})["ILL-SV8500-ACD"]

	a := newSV8500(t, env, lmstest.DealerY)
	first := mustAttach(t, env, lmstest.DealerY, a.ID, sel{Line: acd, Qty: qty(1)})
	attachRefused(t, env, lmstest.DealerY, a.ID, "LIMIT_EXCEEDED", sel{Line: acd, Qty: qty(1)})

	b := newSV8500(t, env, lmstest.DealerY)
	attachRefused(t, env, lmstest.DealerY, b.ID, "LIMIT_EXCEEDED", sel{Line: acd, Qty: qty(2)})
	require.Equal(t, 2, binLines(t, env, lmstest.DealerY, po)["ILL-SV8500-ACD"])

	waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, a.ID, first...))
	attachRefused(t, env, lmstest.DealerY, a.ID, "LIMIT_EXCEEDED", sel{Line: acd, Qty: qty(1)})

	// Detaching frees the slot of a system.
	onB := mustAttach(t, env, lmstest.DealerY, b.ID, sel{Line: acd, Qty: qty(1)})
	attachRefused(t, env, lmstest.DealerY, b.ID, "LIMIT_EXCEEDED", sel{Line: acd, Qty: qty(1)})
	mustDetach(t, env, lmstest.DealerY, b.ID, onB...)
	again := mustAttach(t, env, lmstest.DealerY, b.ID, sel{Line: acd, Qty: qty(1)})
	require.Len(t, again, 1)
	require.Equal(t, 1, binLines(t, env, lmstest.DealerY, po)["ILL-SV8500-ACD"])
}

// vhkcPayload is createVirtualHardwareKeyCode's payload.
type vhkcPayload struct {
	Location *struct {
		ID, HardwareKeyCode string
		HasTemporaryKey     bool
		IPAddress           *string
		Children            struct {
			Edges []struct {
				Node struct{ HardwareKeyCode, ChildKind string }
			}
		}
	}
	Licenses []struct {
		ID, Status string
		Part       struct{ Number string }
	}
	LicenseFile *struct{ ID string }
	Errors      []userError
}

func createVirtualHKC(t *testing.T, env *lmstest.Env, user, locationID, ip string) vhkcPayload {
	t.Helper()
	return mutate[vhkcPayload](t, env, user, "createVirtualHardwareKeyCode",
		`location { id hardwareKeyCode hasTemporaryKey ipAddress children { edges { node { hardwareKeyCode childKind } } } } licenses { id status part { number } } licenseFile { id }`,
		map[string]any{"locationId": locationID, "ipAddress": ip})
}

// An SV9500 Standard Server starts with a temp key, takes only the
// Virtualization Option until "Create HKC" derives its HWKC from the IP,
// then takes the rest (LOC-6).
func TestSV9500StandardServerVirtualHKC(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	loc := createLocation(t, env, lmstest.DealerY, "SV9500", map[string]any{})
	require.Regexp(t, `^35-\d{12}-\d{3}-TEMP-KEY$`, loc.HardwareKeyCode)
	require.True(t, loc.HasTemporaryKey)
	require.Len(t, loc.Children.Edges, 1)
	require.Equal(t, "LMC", loc.Children.Edges[0].Node.ChildKind)
	require.Equal(t, "LM"+loc.HardwareKeyCode, loc.Children.Edges[0].Node.HardwareKeyCode)

	lines := ship(t, env, lmstest.DealerY, "SO-SV9500-SSM", "PO-SV9500-SSM", line{"BE114234", 1}, line{"BE114511", 1}, line{"BE114263", 1000})
	attachRefused(t, env, lmstest.DealerY, loc.ID, "PART_NOT_ALLOWED", sel{Line: lines["BE114511"]})
	attachRefused(t, env, lmstest.DealerY, loc.ID, "PART_NOT_ALLOWED", sel{Line: lines["BE114263"], Qty: qty(10)})
	requireError(t, createVirtualHKC(t, env, lmstest.DealerY, loc.ID, "123.0.0.105").Errors, "NOT_APPLICABLE")

	opt := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: lines["BE114234"]})
	activateRefused(t, env, lmstest.DealerY, loc.ID, "NOT_APPLICABLE", opt...)

	p := createVirtualHKC(t, env, lmstest.DealerY, loc.ID, "123.0.0.105")
	require.Empty(t, p.Errors)
	require.NotNil(t, p.Location)
	code := p.Location.HardwareKeyCode
	require.Regexp(t, `^35[A-Za-z0-9]{26}$`, code)
	require.False(t, p.Location.HasTemporaryKey)
	require.NotNil(t, p.Location.IPAddress)
	require.Equal(t, "123.0.0.105", *p.Location.IPAddress)
	require.Len(t, p.Location.Children.Edges, 1)
	require.Equal(t, "LM"+code, p.Location.Children.Edges[0].Node.HardwareKeyCode)
	require.Len(t, p.Licenses, 1)
	require.Equal(t, opt[0].ID, p.Licenses[0].ID)
	require.Equal(t, "BE114234", p.Licenses[0].Part.Number)
	require.Equal(t, "ACTIVATED", p.Licenses[0].Status)
	require.NotNil(t, p.LicenseFile)
	f, _, v := readyZip(t, env, lmstest.DealerY, p.LicenseFile.ID)
	require.Equal(t, code+"-svi.zip", *f.FileName)
	require.Equal(t, code, v.Payloads[0].HardwareKeyCode)
	require.Equal(t, map[string]string{"BE114234": "1"}, amounts(v.Payloads[0]))

	got := getLocation(t, env, lmstest.DealerY, loc.ID)
	require.Equal(t, code, got.HardwareKeyCode)
	require.False(t, got.HasTemporaryKey)
	require.Equal(t, "LM"+code, got.Children.Edges[0].Node.HardwareKeyCode)

	requireError(t, createVirtualHKC(t, env, lmstest.DealerY, loc.ID, "123.0.0.106").Errors, "NOT_APPLICABLE")
	bad := requireError(t, createVirtualHKC(t, env, lmstest.DealerY, loc.ID, "999.1.1.1").Errors, "VALIDATION_FAILED")
	require.Equal(t, []string{"input", "ipAddress"}, bad.Field)
	require.Equal(t, code, getLocation(t, env, lmstest.DealerY, loc.ID).HardwareKeyCode)

	rest := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: lines["BE114511"]}, sel{Line: lines["BE114263"]})
	f2, _, v2 := readyZip(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, loc.ID, rest...))
	require.Equal(t, 2, f2.Version)
	require.Equal(t, code+"-svi.zip", *f2.FileName)
	want := map[string]string{"BE114234": "1", "BE114511": "V1", "BE114263": "1000"}
	require.Equal(t, want, amounts(v2.Payloads[0]))
	require.Equal(t, want, entitlements(t, env, lmstest.DealerY, loc.ID))
}

// An SV9500 Small Enterprise takes only SE parts, and SE parts go only to SE
// locations (LOC-7).
func TestSV9500SmallEnterpriseOnlySEParts(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	lines := ship(t, env, lmstest.DealerY, "SO-SV9500-SE", "PO-SV9500-SE", line{"ILL-SV9500SE-SYS-V7", 2}, line{"BE114263", 10})
	se := createLocation(t, env, lmstest.DealerY, "SV9500", map[string]any{"smallEnterprise": true, "macAddress": "6C" + randomHex(10)})
	require.Regexp(t, `^35[A-Za-z0-9]{26}$`, se.HardwareKeyCode)
	require.False(t, se.HasTemporaryKey)

	attachRefused(t, env, lmstest.DealerY, se.ID, "PART_NOT_ALLOWED", sel{Line: lines["BE114263"]})
	lics := mustAttach(t, env, lmstest.DealerY, se.ID, sel{Line: lines["ILL-SV9500SE-SYS-V7"], Qty: qty(1)})
	waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, se.ID, lics...))
	require.Equal(t, map[string]string{"ILL-SV9500SE-SYS-V7": "V7"}, entitlements(t, env, lmstest.DealerY, se.ID))

	appliance := createLocation(t, env, lmstest.DealerY, "SV9500", map[string]any{"hardwareKeyCode": "35" + randomHex(26)})
	attachRefused(t, env, lmstest.DealerY, appliance.ID, "PART_NOT_ALLOWED", sel{Line: lines["ILL-SV9500SE-SYS-V7"], Qty: qty(1)})
	mustAttach(t, env, lmstest.DealerY, appliance.ID, sel{Line: lines["BE114263"]})
}

// A BX hardware product's file is AA_<product key>_out.zip holding its .lic
// and .log (LOC-10, LIC-6).
func TestBXHardwareFileNamedAfterProductKey(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	serial, pk := "9"+randomDigits(6), "DT"+randomDigits(7)
	bx := createLocation(t, env, lmstest.DealerY, "BX_OVOC", map[string]any{"hardwareKeyCode": serial, "productKey": pk})
	require.NotNil(t, bx.ProductKey)
	require.Equal(t, pk, *bx.ProductKey)

	lines := ship(t, env, lmstest.DealerY, "SO-BX500", "PO-BX500", line{"ILL-BX500-SBC-25", 1})
	lics := mustAttach(t, env, lmstest.DealerY, bx.ID, sel{Line: lines["ILL-BX500-SBC-25"]})
	f, z, v := readyZip(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, bx.ID, lics...))
	require.Equal(t, "AA_"+pk+"_out.zip", *f.FileName)
	require.ElementsMatch(t, []string{"AA_" + pk + "_out.lic", "AA_" + pk + "_out.log"}, zipNames(t, z))
	require.Len(t, v.Payloads, 1)
	require.Equal(t, serial, v.Payloads[0].HardwareKeyCode)
	require.Equal(t, pk, v.Payloads[0].ProductKey)
	require.Equal(t, map[string]string{"ILL-BX500-SBC-25": "1"}, amounts(v.Payloads[0]))
	require.Equal(t, pk, *getLocation(t, env, lmstest.DealerY, bx.ID).ProductKey, "a hardware product keeps its delivery serial")
}

// A redundant BX9000: licenses go to the primary only, high availability
// needs the secondary, the first activation fills in both product keys, and
// the file holds both units (LOC-10, LIC-6).
func TestBXRedundantSoftwarePair(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	lines := ship(t, env, lmstest.DealerY, "SO-BX9000", "PO-BX9000", line{"ILL-BX9000-SBC-1000", 2}, line{"ILL-BX9000-HA", 2})
	sbc, ha := lines["ILL-BX9000-SBC-1000"], lines["ILL-BX9000-HA"]

	primary := createLocation(t, env, lmstest.DealerY, "BX_OVOC", map[string]any{"hardwareKeyCode": "3" + randomDigits(14)})
	require.Nil(t, primary.ProductKey)
	secondary := createChild(t, env, lmstest.DealerY, primary.ID, "REDUNDANT",
		map[string]any{"name": "BX9000 secondary", "hardwareKeyCode": "3" + randomDigits(14)})
	require.Nil(t, secondary.ProductKey)
	for _, l := range []string{sbc, ha} {
		attachRefused(t, env, lmstest.DealerY, secondary.ID, "WRONG_LOCATION_FOR_PART", sel{Line: l, Qty: qty(1)})
	}

	// High availability without a secondary cannot be activated.
	lone := createLocation(t, env, lmstest.DealerY, "BX_OVOC", map[string]any{"hardwareKeyCode": "4" + randomDigits(13)})
	loneHA := mustAttach(t, env, lmstest.DealerY, lone.ID, sel{Line: ha, Qty: qty(1)})
	activateRefused(t, env, lmstest.DealerY, lone.ID, "NOT_APPLICABLE", loneHA...)
	require.Nil(t, getLocation(t, env, lmstest.DealerY, lone.ID).ProductKey, "a refused activation fills in nothing")

	lics := mustAttach(t, env, lmstest.DealerY, primary.ID, sel{Line: sbc, Qty: qty(1)}, sel{Line: ha, Qty: qty(1)})
	f, z, v := readyZip(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, primary.ID, lics...))
	p, s := getLocation(t, env, lmstest.DealerY, primary.ID), getLocation(t, env, lmstest.DealerY, secondary.ID)
	require.NotNil(t, p.ProductKey)
	require.NotNil(t, s.ProductKey)
	ppk, spk := *p.ProductKey, *s.ProductKey
	require.Regexp(t, `^[0-9A-Z]{16}$`, ppk)
	require.Regexp(t, `^[0-9A-Z]{16}$`, spk)
	require.NotEqual(t, ppk, spk)

	require.Equal(t, "AA_"+ppk+"_out.zip", *f.FileName)
	require.ElementsMatch(t, []string{"AA_" + ppk + "_out.lic", "AA_" + spk + "_out.lic", "AA_" + ppk + "_out.log"}, zipNames(t, z))
	require.Len(t, v.Payloads, 2)
	require.Equal(t, primary.HardwareKeyCode, v.Payloads[0].HardwareKeyCode)
	require.Equal(t, ppk, v.Payloads[0].ProductKey)
	require.Equal(t, secondary.HardwareKeyCode, v.Payloads[1].HardwareKeyCode)
	require.Equal(t, spk, v.Payloads[1].ProductKey)
	for _, pl := range v.Payloads {
		require.Equal(t, map[string]string{"ILL-BX9000-SBC-1000": "1", "ILL-BX9000-HA": "1"}, amounts(pl))
	}

	// A later activation keeps the product keys.
	more := mustAttach(t, env, lmstest.DealerY, primary.ID, sel{Line: sbc, Qty: qty(1)})
	f2, _, v2 := readyZip(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, primary.ID, more...))
	require.Equal(t, ppk, *getLocation(t, env, lmstest.DealerY, primary.ID).ProductKey)
	require.Equal(t, spk, *getLocation(t, env, lmstest.DealerY, secondary.ID).ProductKey)
	require.Equal(t, *f.FileName, *f2.FileName)
	require.Equal(t, "2", amounts(v2.Payloads[0])["ILL-BX9000-SBC-1000"])

	// The file is bound to both units: the secondary cannot be deleted now.
	requireError(t, deleteLocation(t, env, lmstest.DealerY, secondary.ID), "NOT_APPLICABLE")
}

// An IP DECT file needs an AP capacity license among the selected or
// already active ones (DECT-1).
func TestIPDECTNeedsAPCapacity(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	lines := ship(t, env, lmstest.DealerY, "SO-DECT", "PO-DECT", line{"EU917027", 2}, line{"EU917062", 2})
	msg, ap := lines["EU917027"], lines["EU917062"]

	d := newDECT(t, env, lmstest.DealerY, "IP_DECT")
	messaging := mustAttach(t, env, lmstest.DealerY, d.ID, sel{Line: msg, Qty: qty(1)})
	require.Regexp(t, `^[0-9A-Z]{2}DE[0-9A-Z]{16}$`, messaging[0].SoftwareKeyCode)
	e := activateRefused(t, env, lmstest.DealerY, d.ID, "INVALID_FEATURE_CODE_STRING", messaging...)
	require.Contains(t, e.Message, "EU917062")

	// The refused license stays attached: it activates with an AP license.
	capacity := mustAttach(t, env, lmstest.DealerY, d.ID, sel{Line: ap, Qty: qty(1)})
	_, _, v := readyZip(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, d.ID, messaging[0], capacity[0]))
	require.Equal(t, map[string]string{"EU917027": "1", "EU917062": "1"}, amounts(v.Payloads[0]))

	// An AP capacity license already active counts.
	d2 := newDECT(t, env, lmstest.DealerY, "IP_DECT")
	waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, d2.ID, mustAttach(t, env, lmstest.DealerY, d2.ID, sel{Line: ap, Qty: qty(1)})...))
	later := mustAttach(t, env, lmstest.DealerY, d2.ID, sel{Line: msg, Qty: qty(1)})
	waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, d2.ID, later...))
	require.Equal(t, map[string]string{"EU917027": "1", "EU917062": "1"}, entitlements(t, env, lmstest.DealerY, d2.ID))
}

// A DECT-NS takes exactly one EU910010 and nothing else (DECT-2).
func TestDECTNSSingleLicense(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	const po = "PO-DECT-NS"
	lines := ship(t, env, lmstest.DealerY, "SO-DECT-NS", po, line{"EU910010", 3}, line{"EU917062", 1})
	dmls := lines["EU910010"]
	ns := newDECT(t, env, lmstest.DealerY, "DECT_NS")

	attachRefused(t, env, lmstest.DealerY, ns.ID, "PART_NOT_ALLOWED", sel{Line: lines["EU917062"]})
	attachRefused(t, env, lmstest.DealerY, ns.ID, "LIMIT_EXCEEDED", sel{Line: dmls, Qty: qty(2)})
	one := mustAttach(t, env, lmstest.DealerY, ns.ID, sel{Line: dmls, Qty: qty(1)})
	attachRefused(t, env, lmstest.DealerY, ns.ID, "LIMIT_EXCEEDED", sel{Line: dmls, Qty: qty(1)})
	waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, ns.ID, one...))
	attachRefused(t, env, lmstest.DealerY, ns.ID, "LIMIT_EXCEEDED", sel{Line: dmls, Qty: qty(1)})
	require.Equal(t, map[string]int{"EU910010": 2, "EU917062": 1}, binLines(t, env, lmstest.DealerY, po))
	require.Equal(t, map[string]string{"EU910010": "1"}, entitlements(t, env, lmstest.DealerY, ns.ID))
}

// Attach checks the bin lines, the quantities, the part and the location
// before it takes anything (LIC-3, ACT-3).
func TestAttachBinChecks(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	const po, poZ = "PO-BIN-Y", "PO-BIN-Z"
	y := ship(t, env, lmstest.DealerY, "SO-BIN-Y", po, line{"BE107573", 2}, line{"BE107582", 5})
	z := ship(t, env, lmstest.DealerZ, "SO-BIN-Z", poZ, line{"BE107573", 1})
	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	full := map[string]int{"BE107573": 2, "BE107582": 5}
	unchanged := func() {
		t.Helper()
		require.Equal(t, full, binLines(t, env, lmstest.DealerY, po))
		require.Equal(t, map[string]int{"BE107573": 1}, binLines(t, env, lmstest.DealerZ, poZ))
		require.Zero(t, attachedCount(t, env, lmstest.DealerY, loc.ID))
	}

	e := attachRefused(t, env, lmstest.DealerY, loc.ID, "INSUFFICIENT_QUANTITY", sel{Line: y["BE107582"], Qty: qty(3)}, sel{Line: y["BE107573"], Qty: qty(3)})
	require.Equal(t, "input.lines.1.quantity", fieldPath(e))
	unchanged()

	attachRefused(t, env, lmstest.DealerY, loc.ID, "VALIDATION_FAILED", sel{Line: y["BE107582"], Qty: qty(0)}, sel{Line: y["BE107573"], Qty: qty(0)})
	unchanged()

	e = attachRefused(t, env, lmstest.DealerY, loc.ID, "NOT_FOUND", sel{Line: z["BE107573"]})
	require.Equal(t, "input.lines.0.lineId", fieldPath(e))
	unchanged()

	dect := newDECT(t, env, lmstest.DealerY, "IP_DECT")
	attachRefused(t, env, lmstest.DealerY, dect.ID, "PART_NOT_ALLOWED", sel{Line: y["BE107573"], Qty: qty(1)})
	unchanged()

	other := createLocation(t, env, lmstest.DealerZ, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	e = attachRefused(t, env, lmstest.DealerY, other.ID, "NOT_FOUND", sel{Line: y["BE107573"], Qty: qty(1)})
	require.Equal(t, []string{"input", "locationId"}, e.Field)
	unchanged()

	// The same selection within the available quantities goes through.
	lics := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: y["BE107582"], Qty: qty(3)}, sel{Line: y["BE107573"], Qty: qty(2)})
	require.Len(t, lics, 2)
	require.Equal(t, map[string]int{"BE107573": 0, "BE107582": 2}, binLines(t, env, lmstest.DealerY, po))
	require.Equal(t, 2, attachedCount(t, env, lmstest.DealerY, loc.ID))
}
