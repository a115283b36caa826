package main

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
)

// verifyFixture is a built license file and the keys around it, written to a temp dir.
type verifyFixture struct {
	dir      string
	svi      string // path of an SV8100 file
	pair     string // path of a redundant BX pair
	demo     string // path of an SV8100 demo file, valid until demoExpires
	tampered string // the SV8100 file with one byte changed
	pubPEM   string
	privPEM  string
	jwks     string
	other    string // PEM public key of another key
	jwksBody []byte
	keyID    string
}

func newVerifyFixture(t *testing.T) verifyFixture {
	t.Helper()
	dir := t.TempDir()
	priv := ed25519.NewKeyFromSeed([]byte("lms cmd verify test key seed 001"))
	signer := format.NewSigner(priv)
	issued := time.Date(2025, time.June, 3, 8, 15, 30, 0, time.UTC)

	svi, err := format.Build(signer, format.LayoutSVI, format.Payload{
		LocationID: "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17", SystemType: "SV8100", SystemName: "UNIVERGE SV8100",
		HardwareKeyCode: "190400324412",
		Features: []format.Feature{
			{PartNumber: "BE107585", Name: "LK-SYS-IP-TERMINAL-1-LIC", Stacking: format.StackingQuantity, Quantity: 24},
			{PartNumber: "BE114045", Name: "System software", Stacking: format.StackingVersion, Version: 10},
		},
		IssuedAt: issued, Sequence: 3,
	})
	require.NoError(t, err)
	expires := demoExpires
	demo, err := format.Build(signer, format.LayoutSVI, format.Payload{
		LocationID: "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e", SystemType: "SV8100", SystemName: "UNIVERGE SV8100",
		HardwareKeyCode: "190400324499",
		Features: []format.Feature{
			{PartNumber: "BE107573", Name: "LK-SYS-256 PORT LIC", Stacking: format.StackingQuantity, Unlimited: true},
		},
		IssuedAt: issued, Sequence: 1, ExpiresAt: &expires,
	})
	require.NoError(t, err)
	unit := func(hwkc, productKey, locationID string) format.Payload {
		return format.Payload{
			LocationID: locationID, SystemType: "BX_OVOC", SystemName: "BX / OVOC",
			HardwareKeyCode: hwkc, ProductKey: productKey,
			Features: []format.Feature{{PartNumber: "ILL-BX9000-HA", Name: "BX9000 High Availability", Stacking: format.StackingQuantity, Quantity: 1}},
			IssuedAt: issued, Sequence: 1,
		}
	}
	pair, err := format.Build(signer, format.LayoutBX,
		unit("9551484", "V1D50EAF7FF016S3", "5a7d1c9e-3b2f-4e6a-9d8c-1f0b2e4a6c8d"),
		unit("358744541284567", "NEC890D3BFF01RC2", "e1c2a3b4-5d6e-4f70-8192-a3b4c5d6e7f8"))
	require.NoError(t, err)

	pubPEM, err := format.MarshalPublicKey(signer.PublicKey().Key)
	require.NoError(t, err)
	privPEM, err := format.MarshalPrivateKey(priv)
	require.NoError(t, err)
	otherPEM, err := format.MarshalPublicKey(format.NewSigner(ed25519.NewKeyFromSeed(make([]byte, 32))).PublicKey().Key)
	require.NoError(t, err)
	jwks, err := format.Keyring{signer.PublicKey()}.JWKS()
	require.NoError(t, err)
	tampered := bytes.Clone(svi.Zip)
	tampered[len(tampered)/2] ^= 0x01

	f := verifyFixture{
		dir:      dir,
		svi:      filepath.Join(dir, svi.FileName),
		pair:     filepath.Join(dir, pair.FileName),
		demo:     filepath.Join(dir, demo.FileName),
		tampered: filepath.Join(dir, "tampered-svi.zip"),
		pubPEM:   filepath.Join(dir, "public.pem"),
		privPEM:  filepath.Join(dir, "private.pem"),
		jwks:     filepath.Join(dir, "keys.json"),
		other:    filepath.Join(dir, "other.pem"),
		jwksBody: jwks,
		keyID:    signer.KeyID(),
	}
	for path, content := range map[string][]byte{
		f.svi: svi.Zip, f.pair: pair.Zip, f.demo: demo.Zip, f.tampered: tampered,
		f.pubPEM: pubPEM, f.privPEM: privPEM, f.other: otherPEM, f.jwks: jwks,
	} {
		require.NoError(t, os.WriteFile(path, content, 0o600))
	}
	return f
}

// demoExpires is when the fixture's demo file expires; verifyNow is before it.
var (
	demoExpires = time.Date(2025, time.July, 3, 8, 15, 30, 0, time.UTC)
	verifyNow   = func() time.Time { return time.Date(2025, time.June, 20, 12, 0, 0, 0, time.UTC) }
)

func TestVerifyCommand(t *testing.T) {
	t.Parallel()

	fx := newVerifyFixture(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/lms-license-keys.json" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(fx.jwksBody)
	}))
	t.Cleanup(srv.Close)
	defaultKey := func() (string, error) { return fx.privPEM, nil }

	sviOutput := []string{
		"file: 190400324412-svi.zip\n",
		"signature: valid (key " + fx.keyID + ")\n",
		"activation code: ",
		"location id: 3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17\n",
		"system: SV8100 (UNIVERGE SV8100)\n",
		"hardware key code: 190400324412\n",
		"issued: 2025-06-03T08:15:30Z\n",
		"sequence: 3\n",
		"  PART NUMBER  NAME                      AMOUNT\n",
		"  BE107585     LK-SYS-IP-TERMINAL-1-LIC  24\n",
		"  BE114045     System software           V10\n",
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "PublicKey", args: []string{"-key", fx.pubPEM, fx.svi}, want: sviOutput},
		{name: "PrivateKeyFile", args: []string{"-key", fx.privPEM, fx.svi}, want: sviOutput},
		{name: "JWKSFile", args: []string{"-keys", fx.jwks, fx.svi}, want: sviOutput},
		{name: "JWKSURL", args: []string{"-keys", srv.URL + "/.well-known/lms-license-keys.json", fx.svi}, want: sviOutput},
		{name: "DefaultKey", args: []string{fx.svi}, want: sviOutput},
		{
			name: "RedundantPair", args: []string{"-key", fx.pubPEM, fx.pair},
			want: []string{
				"file: AA_V1D50EAF7FF016S3_out.zip\n",
				"unit 1 of 2 (primary)\n",
				"hardware key code: 9551484\nproduct key: V1D50EAF7FF016S3\n",
				"unit 2 of 2\n",
				"hardware key code: 358744541284567\nproduct key: NEC890D3BFF01RC2\n",
				"system: BX_OVOC (BX / OVOC)\n",
				"  ILL-BX9000-HA  BX9000 High Availability  1\n",
			},
		},
		{
			name: "DemoLicense", args: []string{"-key", fx.pubPEM, fx.demo},
			want: []string{
				"file: 190400324499-svi.zip\n",
				"signature: valid (key " + fx.keyID + ")\n",
				"sequence: 1\nexpires: 2025-07-03T08:15:30Z (time-limited license)\nfeatures:\n",
				"  BE107573     LK-SYS-256 PORT LIC  unlimited\n",
			},
		},
		{name: "RenamedDownload", args: []string{"-key", fx.pubPEM, copyFile(t, fx.svi, "190400324412-svi (1).zip")}, want: []string{"file: 190400324412-svi.zip (saved as 190400324412-svi (1).zip)\n"}},
		{name: "Help", args: []string{"-h"}, want: []string{"usage: lms verify [-key PUBLIC_KEY.pem | -keys JWKS_FILE_OR_URL] FILE\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			var out bytes.Buffer
			require.NoError(t, runVerify(tt.args, &out, defaultKey, verifyNow))
			require.NotContains(t, out.String(), "EXPIRED")
			for _, w := range tt.want {
				require.Contains(t, out.String(), w)
			}
		})
	}
}

func TestVerifyCommand_Errors(t *testing.T) {
	t.Parallel()

	fx := newVerifyFixture(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	defaultKey := func() (string, error) { return fx.privPEM, nil }
	missingKey := func() (string, error) { return filepath.Join(fx.dir, "none", "key.pem"), nil }
	noConfigDir := func() (string, error) { return "", errors.New("no user config dir") }

	tests := []struct {
		name       string
		args       []string
		defaultKey func() (string, error)
		wantErr    string
	}{
		{name: "Tampered", args: []string{"-key", fx.pubPEM, fx.tampered}, wantErr: "verify " + fx.tampered + ": "},
		{name: "OtherKey", args: []string{"-key", fx.other, fx.svi}, wantErr: "unknown key id " + fx.keyID},
		{name: "NoFile", args: []string{"-key", fx.pubPEM}, wantErr: "give exactly one license file, got 0 arguments"},
		{name: "TwoFiles", args: []string{"-key", fx.pubPEM, fx.svi, fx.pair}, wantErr: "got 2 arguments"},
		{name: "UnknownFlag", args: []string{"-x", fx.svi}, wantErr: "flag provided but not defined: -x"},
		{name: "KeyAndKeys", args: []string{"-key", fx.pubPEM, "-keys", fx.jwks, fx.svi}, wantErr: "use either -key or -keys, not both"},
		{name: "MissingFile", args: []string{"-key", fx.pubPEM, filepath.Join(fx.dir, "nope.zip")}, wantErr: "nope.zip: no such file"},
		{name: "NotAZip", args: []string{"-key", fx.pubPEM, fx.pubPEM}, wantErr: "not a license file"},
		{name: "KeyNotPEM", args: []string{"-key", fx.svi, fx.svi}, wantErr: `no PEM "PUBLIC KEY" block found`},
		{name: "KeysNotJWKS", args: []string{"-keys", fx.pubPEM, fx.svi}, wantErr: "parse JWKS"},
		{name: "KeysURL404", args: []string{"-keys", srv.URL + "/keys.json", fx.svi}, wantErr: "404 Not Found"},
		{name: "NoDefaultKey", args: []string{fx.svi}, defaultKey: missingKey, wantErr: "no signing key at " + filepath.Join(fx.dir, "none", "key.pem") + ": pass -key PUBLIC_KEY.pem or -keys JWKS_FILE_OR_URL"},
		{name: "NoConfigDir", args: []string{fx.svi}, defaultKey: noConfigDir, wantErr: "no user config dir; pass -key PUBLIC_KEY.pem or -keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			dk := tt.defaultKey
			if dk == nil {
				dk = defaultKey
			}
			var out bytes.Buffer
			err := runVerify(tt.args, &out, dk, verifyNow)
			require.ErrorContains(t, err, tt.wantErr)
			require.Empty(t, out.String(), "nothing may look like a successful verification")
		})
	}
}

// An expired demo file still has a valid signature, and the command says both: it prints the
// content with the expiry marked, and fails, so scripts cannot take it for a usable file.
func TestVerifyCommand_DemoExpired(t *testing.T) {
	t.Parallel()

	fx := newVerifyFixture(t)
	defaultKey := func() (string, error) { return fx.privPEM, nil }
	tests := []struct {
		name string
		now  time.Time
	}{
		{name: "AtExpiry", now: demoExpires},
		{name: "LongAfter", now: demoExpires.AddDate(1, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			var out bytes.Buffer
			err := runVerify([]string{"-key", fx.pubPEM, fx.demo}, &out, defaultKey, func() time.Time { return tt.now })
			require.EqualError(t, err, "verify "+fx.demo+": the signature is valid, but this time-limited license expired at 2025-07-03T08:15:30Z: a system no longer accepts it")
			require.Contains(t, out.String(), "signature: valid (key "+fx.keyID+")\n")
			require.Contains(t, out.String(), "expires: 2025-07-03T08:15:30Z (time-limited license, EXPIRED)\n")
		})
	}
	t.Run("PermanentFileNeverExpires", func(t *testing.T) {
		t.Parallel()

		var out bytes.Buffer
		far := func() time.Time { return time.Date(2999, time.January, 1, 0, 0, 0, 0, time.UTC) }
		require.NoError(t, runVerify([]string{"-key", fx.pubPEM, fx.svi}, &out, defaultKey, far))
		require.NotContains(t, out.String(), "expires")
	})
}

// copyFile copies src into its directory under name and returns the new path.
func copyFile(t *testing.T, src, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	dst := filepath.Join(filepath.Dir(src), name)
	require.NoError(t, os.WriteFile(dst, b, 0o600))
	return dst
}
