package format_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
)

func TestSigner(t *testing.T) {
	t.Parallel()

	priv := testKey()
	pub := priv.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	wantID := hex.EncodeToString(sum[:])[:16]

	tests := []struct {
		name    string
		priv    ed25519.PrivateKey
		wantID  string
		wantKey ed25519.PublicKey
	}{
		{name: "Valid", priv: priv, wantID: wantID, wantKey: pub},
		// Only the seed counts: a key with a damaged public half still signs verifiably.
		{name: "DamagedPublicHalf", priv: append(priv.Seed(), make([]byte, 32)...), wantID: wantID, wantKey: pub},
		{name: "Short", priv: priv[:10], wantID: "", wantKey: nil},
		{name: "Nil", priv: nil, wantID: "", wantKey: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			s := format.NewSigner(tt.priv)
			require.Equal(t, tt.wantID, s.KeyID())
			require.Equal(t, format.PublicKey{ID: tt.wantID, Key: tt.wantKey}, s.PublicKey())
			if tt.wantKey != nil {
				require.Equal(t, tt.wantID, format.KeyID(tt.wantKey))
			}
		})
	}
}

func TestKeyPEM_RoundTrip(t *testing.T) {
	t.Parallel()

	priv, err := format.GenerateKey()
	require.NoError(t, err)
	require.Len(t, priv, ed25519.PrivateKeySize)

	privPEM, err := format.MarshalPrivateKey(priv)
	require.NoError(t, err)
	require.Contains(t, string(privPEM), "-----BEGIN PRIVATE KEY-----\n")
	gotPriv, err := format.ParsePrivateKey(privPEM)
	require.NoError(t, err)
	require.Equal(t, priv, gotPriv)

	pub := priv.Public().(ed25519.PublicKey)
	pubPEM, err := format.MarshalPublicKey(pub)
	require.NoError(t, err)
	require.Contains(t, string(pubPEM), "-----BEGIN PUBLIC KEY-----\n")
	gotPub, err := format.ParsePublicKey(pubPEM)
	require.NoError(t, err)
	require.Equal(t, pub, gotPub)
}

func TestKeyPEM_Errors(t *testing.T) {
	t.Parallel()

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecPrivDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	require.NoError(t, err)
	ecPubDER, err := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	require.NoError(t, err)
	ecPriv := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecPrivDER})
	ecPub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecPubDER})
	privPEM, err := format.MarshalPrivateKey(testKey())
	require.NoError(t, err)
	pubPEM, err := format.MarshalPublicKey(testSigner().PublicKey().Key)
	require.NoError(t, err)

	tests := []struct {
		name    string
		parse   func([]byte) error
		input   []byte
		wantErr string
	}{
		{name: "PrivateEmpty", parse: parsePriv, input: nil, wantErr: `no PEM "PRIVATE KEY" block found`},
		{name: "PrivateGivenPublic", parse: parsePriv, input: pubPEM, wantErr: `PEM block is "PUBLIC KEY", want "PRIVATE KEY"`},
		{name: "PrivateECDSA", parse: parsePriv, input: ecPriv, wantErr: "not an Ed25519 key"},
		{name: "PrivateTwoBlocks", parse: parsePriv, input: append(append([]byte(nil), privPEM...), privPEM...), wantErr: "unexpected data after the PEM"},
		{name: "PrivateGarbageDER", parse: parsePriv, input: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), wantErr: "parse private key"},
		{name: "PublicGivenPrivate", parse: parsePub, input: privPEM, wantErr: `PEM block is "PRIVATE KEY", want "PUBLIC KEY"`},
		{name: "PublicECDSA", parse: parsePub, input: ecPub, wantErr: "not an Ed25519 key"},
		{name: "PublicGarbageDER", parse: parsePub, input: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2, 3}}), wantErr: "parse public key"},
		{name: "MarshalShortPrivate", parse: func([]byte) error { _, err := format.MarshalPrivateKey(make([]byte, 3)); return err }, wantErr: "private key has 3 bytes"},
		{name: "MarshalShortPublic", parse: func([]byte) error { _, err := format.MarshalPublicKey(make([]byte, 3)); return err }, wantErr: "public key has 3 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.ErrorContains(t, tt.parse(tt.input), tt.wantErr)
		})
	}
}

func parsePriv(b []byte) error { _, err := format.ParsePrivateKey(b); return err }
func parsePub(b []byte) error  { _, err := format.ParsePublicKey(b); return err }

func TestLoadOrCreateKey(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(t.TempDir(), "config", "lms")
	path := filepath.Join(dir, "license-signing-key.pem")

	priv, created, err := format.LoadOrCreateKey(path)
	require.NoError(t, err)
	require.True(t, created)
	require.Len(t, priv, ed25519.PrivateKeySize)
	if runtime.GOOS != "windows" {
		info, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		info, err = os.Stat(dir)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file may be left behind")

	again, created, err := format.LoadOrCreateKey(path)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, priv, again)
}

// Servers starting at the same time end up with one key, not one each.
func TestLoadOrCreateKey_Concurrent(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "key.pem")
	const n = 8
	keys := make([]ed25519.PrivateKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], _, errs[i] = format.LoadOrCreateKey(path) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		require.Equal(t, keys[0], keys[i])
	}
}

func TestLoadOrCreateKey_Errors(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.pem")
	require.NoError(t, os.WriteFile(corrupt, []byte("not a key"), 0o600))
	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))

	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "Corrupt", path: corrupt, wantErr: `corrupt.pem: licensefile: no PEM "PRIVATE KEY" block found`},
		{name: "DirectoryIsAFile", path: filepath.Join(blocker, "key.pem"), wantErr: "licensefile: read key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, created, err := format.LoadOrCreateKey(tt.path)
			require.ErrorContains(t, err, tt.wantErr)
			require.False(t, created)
		})
	}
	// A key that cannot be read is reported, never replaced.
	b, err := os.ReadFile(corrupt)
	require.NoError(t, err)
	require.Equal(t, "not a key", string(b))
}

func TestJWKS_RoundTrip(t *testing.T) {
	t.Parallel()

	old := format.NewSigner(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))).PublicKey()
	ring := format.Keyring{testSigner().PublicKey(), old}

	b, err := ring.JWKS()
	require.NoError(t, err)
	got, err := format.ParseJWKS(b)
	require.NoError(t, err)
	require.Equal(t, ring, got)

	one, err := format.Keyring{old}.JWKS()
	require.NoError(t, err)
	require.JSONEq(t, `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"`+old.ID+`","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik","alg":"EdDSA","use":"sig"}]}`, string(one))
}

func TestJWKS_Errors(t *testing.T) {
	t.Parallel()

	const x = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"
	tests := []struct {
		name    string
		jwks    string
		wantErr string
	}{
		{name: "NotJSON", jwks: "<html>", wantErr: "parse JWKS"},
		{name: "NoKeysMember", jwks: `{}`, wantErr: `no "keys" member`},
		{name: "NoKeys", jwks: `{"keys":[]}`, wantErr: "holds no Ed25519 keys"},
		{name: "OnlyOtherKeyTypes", jwks: `{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB"}]}`, wantErr: "holds no Ed25519 keys"},
		{name: "NoKid", jwks: `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + x + `"}]}`, wantErr: "no kid"},
		{name: "DuplicateKid", jwks: `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"` + x + `"},{"kty":"OKP","crv":"Ed25519","kid":"a","x":"` + x + `"}]}`, wantErr: "kid used twice"},
		{name: "PaddedX", jwks: `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"` + x + `="}]}`, wantErr: "x is not a base64url"},
		{name: "ShortX", jwks: `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"AQAB"}]}`, wantErr: "x is not a base64url"},
		{name: "OtherAlg", jwks: `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"` + x + `","alg":"ES256"}]}`, wantErr: `alg "ES256", want EdDSA`},
		{name: "Encryption", jwks: `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"` + x + `","use":"enc"}]}`, wantErr: `use "enc", want sig`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			ring, err := format.ParseJWKS([]byte(tt.jwks))
			require.ErrorContains(t, err, tt.wantErr)
			require.Nil(t, ring)
		})
	}

	t.Run("SkipsOtherKeyTypes", func(t *testing.T) {
		t.Parallel()

		ring, err := format.ParseJWKS([]byte(`{"keys":[{"kty":"RSA","kid":"r"},{"kty":"OKP","crv":"X25519","kid":"x","x":"` + x + `"},{"kty":"OKP","crv":"Ed25519","kid":"a","x":"` + x + `"}]}`))
		require.NoError(t, err)
		require.Len(t, ring, 1)
		require.Equal(t, "a", ring[0].ID)
	})

	t.Run("Marshal", func(t *testing.T) {
		t.Parallel()

		pub := testSigner().PublicKey()
		for _, ring := range []format.Keyring{
			{{ID: "short", Key: []byte{1}}},
			{{ID: "", Key: pub.Key}},
			{pub, pub},
		} {
			_, err := ring.JWKS()
			require.Error(t, err)
		}
	})
}

func TestSigner_DeriveSecret(t *testing.T) {
	t.Parallel()

	priv := testKey()
	a, err := format.NewSigner(priv).DeriveSecret("lms/download-link/v1")
	require.NoError(t, err)
	require.Len(t, a, 32)
	again, err := format.NewSigner(append(priv.Seed(), make([]byte, 32)...)).DeriveSecret("lms/download-link/v1")
	require.NoError(t, err)
	require.Equal(t, a, again, "stable for the key (another process, a damaged public half)")
	other, err := format.NewSigner(priv).DeriveSecret("another use")
	require.NoError(t, err)
	require.NotEqual(t, a, other, "separated by label")
	newKey, err := format.GenerateKey()
	require.NoError(t, err)
	rotated, err := format.NewSigner(newKey).DeriveSecret("lms/download-link/v1")
	require.NoError(t, err)
	require.NotEqual(t, a, rotated, "a new signing key gives a new secret")

	_, err = format.NewSigner(nil).DeriveSecret("lms/download-link/v1")
	require.Error(t, err)
}
