package format

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	signatureSize = ed25519.SignatureSize
	keyIDLength   = 16
)

// KeyID returns the stable id of a public key: the first 16 hex digits of the SHA-256 of its 32
// bytes. It never fails; an id of a malformed key is simply an id no signer has.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])[:keyIDLength]
}

// Signer signs with one Ed25519 key.
type Signer struct {
	priv ed25519.PrivateKey // nil when NewSigner was given a malformed key
	pub  PublicKey
}

// NewSigner returns a signer for priv. The public half is recomputed from the seed, so a key
// whose two halves disagree still yields signatures its own public key verifies. A priv that
// is not 64 bytes gives a signer without a key, with an empty KeyID, that Build refuses.
func NewSigner(priv ed25519.PrivateKey) *Signer {
	if len(priv) != ed25519.PrivateKeySize {
		return &Signer{}
	}
	full := ed25519.NewKeyFromSeed(priv.Seed())
	pub := full.Public().(ed25519.PublicKey)
	return &Signer{priv: full, pub: PublicKey{ID: KeyID(pub), Key: pub}}
}

// KeyID returns the stable id of the signer's key (see the function KeyID), or "" for a signer
// without a valid key.
func (s *Signer) KeyID() string { return s.pub.ID }

// PublicKey returns the signer's public key and its id, for publishing in a Keyring. The key is
// a copy; it is empty for a signer without a valid key.
func (s *Signer) PublicKey() PublicKey {
	return PublicKey{ID: s.pub.ID, Key: bytes.Clone(s.pub.Key)}
}

// DeriveSecret returns a 32-byte secret for another use of the signing key, derived with
// HKDF-SHA256 from the key's seed under label: the same key and label give the same secret in
// every process, another label an unrelated one, and the secret reveals nothing of the key. The
// server keys its emailed download links this way (downloadlink.KeyLabel), so they need no
// setting of their own and stop working when the signing key is rotated. It returns an error
// for a signer without a valid key.
func (s *Signer) DeriveSecret(label string) ([]byte, error) {
	if s.priv == nil {
		return nil, errors.New("licensefile: derive a secret: the signer has no valid key")
	}
	secret, err := hkdf.Key(sha256.New, s.priv.Seed(), nil, label, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("licensefile: derive a secret: %w", err)
	}
	return secret, nil
}

// PublicKey is one trusted Ed25519 public key and the id license files name it by.
type PublicKey struct {
	ID  string
	Key ed25519.PublicKey
}

// Keyring is the set of public keys a verifier trusts (old keys stay trusted after a rotation).
type Keyring []PublicKey

// lookup returns the trusted key with id. ok is false when k does not hold id; the error is
// for a trusted key of the wrong size, on which ed25519.Verify would panic.
func (k Keyring) lookup(id string) (key ed25519.PublicKey, ok bool, err error) {
	for _, pk := range k {
		if pk.ID != id {
			continue
		}
		if len(pk.Key) != ed25519.PublicKeySize {
			return nil, false, fmt.Errorf("licensefile: trusted key %s has %d bytes, an Ed25519 public key has %d", id, len(pk.Key), ed25519.PublicKeySize)
		}
		return pk.Key, true, nil
	}
	return nil, false, nil
}

// ids lists the key ids of k, for error messages.
func (k Keyring) ids() []string {
	ids := make([]string, len(k))
	for i, pk := range k {
		ids[i] = pk.ID
	}
	return ids
}

// GenerateKey returns a new random Ed25519 private key; it fails only when the system's random
// source does.
func GenerateKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("licensefile: generate key: %w", err)
	}
	return priv, nil
}

// MarshalPrivateKey encodes priv as a PEM "PRIVATE KEY" block (PKCS#8). It returns an error when
// priv is not a 64-byte Ed25519 private key.
func MarshalPrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("licensefile: private key has %d bytes, an Ed25519 private key has %d", len(priv), ed25519.PrivateKeySize)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("licensefile: marshal private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKey decodes a PEM "PRIVATE KEY" block (PKCS#8) holding an Ed25519 key. It returns
// an error when the input is not a single such block or holds another kind of key.
func ParsePrivateKey(pemBytes []byte) (ed25519.PrivateKey, error) {
	der, err := decodePEM(pemBytes, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("licensefile: parse private key: %w", err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("licensefile: private key is a %T, not an Ed25519 key", key)
	}
	return priv, nil
}

// MarshalPublicKey encodes pub as a PEM "PUBLIC KEY" block (PKIX). It returns an error when pub
// is not a 32-byte Ed25519 public key.
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("licensefile: public key has %d bytes, an Ed25519 public key has %d", len(pub), ed25519.PublicKeySize)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("licensefile: marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKey decodes a PEM "PUBLIC KEY" block (PKIX) holding an Ed25519 key. It returns an
// error when the input is not a single such block or holds another kind of key.
func ParsePublicKey(pemBytes []byte) (ed25519.PublicKey, error) {
	der, err := decodePEM(pemBytes, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("licensefile: parse public key: %w", err)
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("licensefile: public key is a %T, not an Ed25519 key", key)
	}
	return pub, nil
}

// decodePEM returns the bytes of the one PEM block of type typ in b. Text after the block is
// refused, so that a file with two keys is not silently read as its first one.
func decodePEM(b []byte, typ string) ([]byte, error) {
	block, rest := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("licensefile: no PEM %q block found", typ)
	}
	if block.Type != typ {
		return nil, fmt.Errorf("licensefile: PEM block is %q, want %q", block.Type, typ)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("licensefile: unexpected data after the PEM %q block", typ)
	}
	return block.Bytes, nil
}

// LoadOrCreateKey reads the PEM private key at path, or (when the file does not exist) generates
// one and writes it with mode 0600, creating the directory (0700). created says which. It
// returns an error when the file cannot be read or written or does not hold an Ed25519 key; an
// unreadable key is never replaced, because files signed with it would stop verifying.
func LoadOrCreateKey(path string) (priv ed25519.PrivateKey, created bool, err error) {
	priv, err = readPrivateKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return priv, false, err
	}
	if priv, err = GenerateKey(); err != nil {
		return nil, false, err
	}
	pemBytes, err := MarshalPrivateKey(priv)
	if err != nil {
		return nil, false, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("licensefile: create key directory: %w", err)
	}
	// Write a temporary file and hard-link it into place: the key appears complete or not at
	// all, and when two servers start at once the second link fails and that server uses the
	// first one's key instead of overwriting it.
	tmp, err := os.CreateTemp(dir, ".license-signing-key-*.tmp")
	if err != nil {
		return nil, false, fmt.Errorf("licensefile: write key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeAndClose(tmp, pemBytes); err != nil {
		return nil, false, fmt.Errorf("licensefile: write key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			priv, err = readPrivateKey(path)
			return priv, false, err
		}
		return nil, false, fmt.Errorf("licensefile: write key: %w", err)
	}
	return priv, true, nil
}

// writeAndClose makes f private, writes b, flushes it to disk and closes f.
func writeAndClose(f *os.File, b []byte) error {
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(b)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readPrivateKey reads and parses the PEM private key at path; a missing file gives an error
// matching fs.ErrNotExist.
func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("licensefile: read key: %w", err)
	}
	priv, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return priv, nil
}

// KeyFileEnv is the environment variable that overrides DefaultKeyPath.
const KeyFileEnv = "LMS_LICENSE_KEY_FILE"

// DefaultKeyPath is where development servers keep their generated key: $LMS_LICENSE_KEY_FILE
// if set, else <os.UserConfigDir()>/lms/license-signing-key.pem. It returns an error when the
// variable is unset and the OS has no user config directory (e.g. neither $XDG_CONFIG_HOME nor
// $HOME is set).
func DefaultKeyPath() (string, error) {
	return defaultKeyPath(os.Getenv, os.UserConfigDir)
}

// defaultKeyPath is DefaultKeyPath with its environment passed in, so tests need not change
// the process environment.
func defaultKeyPath(getenv func(string) string, userConfigDir func() (string, error)) (string, error) {
	if p := getenv(KeyFileEnv); p != "" {
		return p, nil
	}
	dir, err := userConfigDir()
	if err != nil {
		return "", fmt.Errorf("licensefile: no place for the signing key (set %s): %w", KeyFileEnv, err)
	}
	return filepath.Join(dir, "lms", "license-signing-key.pem"), nil
}

// jwk is one RFC 8037 OKP key of a JWKS, fields in the order JWKS writes them.
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	Kid string `json:"kid"`
	X   string `json:"x"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// JWKS renders keys as a JSON Web Key Set (RFC 8037 OKP/Ed25519:
// {"keys":[{"kty":"OKP","crv":"Ed25519","kid":..,"x":base64url-no-padding,"alg":"EdDSA","use":"sig"}]}),
// served at a well-known URL. It returns an error for a key that is not 32 bytes, an empty id or
// an id used twice.
func (k Keyring) JWKS() ([]byte, error) {
	set := jwkSet{Keys: make([]jwk, 0, len(k))}
	seen := make(map[string]bool, len(k))
	for _, pk := range k {
		if len(pk.Key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("licensefile: key %q has %d bytes, an Ed25519 public key has %d", pk.ID, len(pk.Key), ed25519.PublicKeySize)
		}
		if pk.ID == "" || seen[pk.ID] {
			return nil, fmt.Errorf("licensefile: key id %q is empty or used twice", pk.ID)
		}
		seen[pk.ID] = true
		set.Keys = append(set.Keys, jwk{
			Kty: "OKP", Crv: "Ed25519", Kid: pk.ID,
			X:   base64.RawURLEncoding.EncodeToString(pk.Key),
			Alg: "EdDSA", Use: "sig",
		})
	}
	return json.Marshal(set)
}

// ParseJWKS reads a JSON Web Key Set as written by Keyring.JWKS. Keys of other types than
// OKP/Ed25519 are skipped (RFC 7517 §5 asks to ignore keys one does not understand); it returns
// an error for malformed JSON, an Ed25519 key without id, with a bad "x", an "alg" other than
// EdDSA or a "use" other than sig, an id used twice, or a set without any Ed25519 key.
func ParseJWKS(b []byte) (Keyring, error) {
	var set struct {
		Keys *[]jwk `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("licensefile: parse JWKS: %w", err)
	}
	if set.Keys == nil {
		return nil, errors.New(`licensefile: parse JWKS: no "keys" member`)
	}
	var ring Keyring
	seen := map[string]bool{}
	for i, k := range *set.Keys {
		if k.Kty != "OKP" || k.Crv != "Ed25519" {
			continue
		}
		where := fmt.Sprintf("licensefile: JWKS key %d (kid %q)", i+1, k.Kid)
		if k.Kid == "" {
			return nil, fmt.Errorf("%s: no kid", where)
		}
		if seen[k.Kid] {
			return nil, fmt.Errorf("%s: kid used twice", where)
		}
		seen[k.Kid] = true
		if k.Alg != "" && k.Alg != "EdDSA" {
			return nil, fmt.Errorf("%s: alg %q, want EdDSA", where, k.Alg)
		}
		if k.Use != "" && k.Use != "sig" {
			return nil, fmt.Errorf("%s: use %q, want sig", where, k.Use)
		}
		x, err := base64.RawURLEncoding.Strict().DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%s: x is not a base64url (unpadded) Ed25519 public key of %d bytes", where, ed25519.PublicKeySize)
		}
		ring = append(ring, PublicKey{ID: k.Kid, Key: ed25519.PublicKey(x)})
	}
	if len(ring) == 0 {
		return nil, errors.New("licensefile: JWKS holds no Ed25519 keys")
	}
	return ring, nil
}
