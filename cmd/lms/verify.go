package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"lms/licensefile/format"
)

const verifyUsage = `usage: lms verify [-key PUBLIC_KEY.pem | -keys JWKS_FILE_OR_URL] FILE

Checks a license file offline: its Ed25519 signature, its activation code, and that no byte
of it was changed. On success it prints what the file licenses; otherwise it says what is
wrong and exits with status 1. A time-limited file (a demo or emergency license) shows when
it expires; once it has expired, the command prints its content, says so, and exits with
status 1.

  -key PUBLIC_KEY.pem   trust this PEM public key (a PEM private key works too)
  -keys JWKS            trust the keys of this JSON Web Key Set, a file or an http(s) URL
                        such as http://127.0.0.1:8080/.well-known/lms-license-keys.json

Without -key or -keys it trusts the public half of this machine's signing key
($LMS_LICENSE_KEY_FILE, else lms/license-signing-key.pem in the user config directory).
`

// jwksFetchTimeout bounds fetching -keys from a URL, so a server that does not answer cannot
// hang the command.
const jwksFetchTimeout = 10 * time.Second

// maxJWKSSize bounds a key set read from a file or URL; a real one is a few hundred bytes.
const maxJWKSSize = 1 << 20

// verifyCommand runs "lms verify": it checks the license file named in args and prints its
// content to stdout. It needs no database or server configuration. It returns an error for bad
// arguments, keys that cannot be loaded, a file that does not verify, and a time-limited file that
// has expired (after printing its content: the signature is valid, the license is not).
func verifyCommand(args []string, stdout io.Writer) error {
	return runVerify(args, stdout, format.DefaultKeyPath, time.Now)
}

// runVerify is verifyCommand with the default key location and the clock passed in, so tests
// need not change the environment or depend on the date.
func runVerify(args []string, stdout io.Writer, defaultKeyPath func() (string, error), now func() time.Time) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned with the usage text instead
	keyFile := fs.String("key", "", "PEM public key to trust")
	keysSource := fs.String("keys", "", "JWKS file or http(s) URL of the keys to trust")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, verifyUsage)
			return err
		}
		return fmt.Errorf("verify: %w\n%s", err, verifyUsage)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("verify: give exactly one license file, got %d arguments\n%s", fs.NArg(), verifyUsage)
	}
	path := fs.Arg(0)

	keys, err := verifyKeyring(*keyFile, *keysSource, defaultKeyPath)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	zip, err := readLimited(path, format.MaxZipSize)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	f, err := format.Verify(zip, keys)
	if err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	at := now()
	if _, err := stdout.Write(describe(f, filepath.Base(path), at)); err != nil {
		return err
	}
	for _, p := range f.Payloads {
		if p.Expired(at) {
			return fmt.Errorf("verify %s: the signature is valid, but this time-limited license expired at %s: a system no longer accepts it",
				path, p.ExpiresAt.Format(time.RFC3339))
		}
	}
	return nil
}

// verifyKeyring loads the keys to trust: from -key, from -keys, or else the public half of
// the local signing key.
func verifyKeyring(keyFile, keysSource string, defaultKeyPath func() (string, error)) (format.Keyring, error) {
	switch {
	case keyFile != "" && keysSource != "":
		return nil, errors.New("use either -key or -keys, not both")
	case keyFile != "":
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, err
		}
		pub, err := parsePEMKey(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keyFile, err)
		}
		return format.Keyring{{ID: format.KeyID(pub), Key: pub}}, nil
	case keysSource != "":
		b, err := readJWKS(keysSource)
		if err != nil {
			return nil, err
		}
		keys, err := format.ParseJWKS(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keysSource, err)
		}
		return keys, nil
	}
	path, err := defaultKeyPath()
	if err != nil {
		return nil, fmt.Errorf("%w; pass -key PUBLIC_KEY.pem or -keys JWKS_FILE_OR_URL", err)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no key given and no signing key at %s: pass -key PUBLIC_KEY.pem or -keys JWKS_FILE_OR_URL (the server publishes its keys at %s)",
			path, "http://<server>/.well-known/lms-license-keys.json")
	}
	if err != nil {
		return nil, err
	}
	priv, err := format.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	pub := format.NewSigner(priv).PublicKey()
	return format.Keyring{pub}, nil
}

// parsePEMKey reads a PEM public key, or the public half of a PEM private key, because the
// file a user has at hand is often the server's private key.
func parsePEMKey(b []byte) ([]byte, error) {
	if bytes.Contains(b, []byte("-----BEGIN PRIVATE KEY-----")) {
		priv, err := format.ParsePrivateKey(b)
		if err != nil {
			return nil, err
		}
		return format.NewSigner(priv).PublicKey().Key, nil
	}
	return format.ParsePublicKey(b)
}

// readJWKS reads a key set from an http(s) URL (within jwksFetchTimeout) or a file.
func readJWKS(source string) ([]byte, error) {
	if !strings.HasPrefix(source, "http://") && !strings.HasPrefix(source, "https://") {
		return readLimited(source, maxJWKSSize)
	}
	client := &http.Client{Timeout: jwksFetchTimeout}
	resp, err := client.Get(source)
	if err != nil {
		return nil, fmt.Errorf("fetch keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch keys: GET %s: %s", source, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch keys: %w", err)
	}
	if len(b) > maxJWKSSize {
		return nil, fmt.Errorf("fetch keys: GET %s: more than %d bytes", source, maxJWKSSize)
	}
	return b, nil
}

// readLimited reads at most limit+1 bytes of the file at path, so a huge file is not loaded
// whole; the caller (or Verify) refuses what exceeds limit.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

// describe renders a verified file for a person: the file, its signature and activation code,
// then each unit with its features; a time-limited unit (demo, emergency) shows its expiry, and whether it has passed
// at now.
func describe(f *format.File, givenName string, now time.Time) []byte {
	var b bytes.Buffer
	name := f.FileName
	if givenName != f.FileName {
		// Downloads get renamed ("… (1).zip"); the name Build gave it is what devices expect.
		name += " (saved as " + givenName + ")"
	}
	fmt.Fprintf(&b, "file: %s\n", name)
	fmt.Fprintf(&b, "signature: valid (key %s)\n", f.KeyID)
	fmt.Fprintf(&b, "activation code: %s\n", f.ActivationCode)
	for i, p := range f.Payloads {
		b.WriteString("\n")
		if len(f.Payloads) > 1 {
			role := ""
			if i == 0 {
				role = " (primary)"
			}
			fmt.Fprintf(&b, "unit %d of %d%s\n", i+1, len(f.Payloads), role)
		}
		fmt.Fprintf(&b, "location id: %s\n", p.LocationID)
		system := p.SystemType
		if p.SystemName != "" && p.SystemName != p.SystemType {
			system += " (" + p.SystemName + ")"
		}
		fmt.Fprintf(&b, "system: %s\n", system)
		fmt.Fprintf(&b, "hardware key code: %s\n", p.HardwareKeyCode)
		if p.SecondaryHardwareKeyCode != "" {
			fmt.Fprintf(&b, "secondary hardware key code: %s\n", p.SecondaryHardwareKeyCode)
		}
		if p.ProductKey != "" {
			fmt.Fprintf(&b, "product key: %s\n", p.ProductKey)
		}
		fmt.Fprintf(&b, "issued: %s\n", p.IssuedAt.Format(time.RFC3339))
		fmt.Fprintf(&b, "sequence: %d\n", p.Sequence)
		if p.ExpiresAt != nil {
			state := "time-limited license"
			if p.Expired(now) {
				state += ", EXPIRED"
			}
			fmt.Fprintf(&b, "expires: %s (%s)\n", p.ExpiresAt.Format(time.RFC3339), state)
		}
		b.WriteString("features:\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  PART NUMBER\tNAME\tAMOUNT\n")
		for _, ft := range p.Features {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", ft.PartNumber, ft.Name, ft.Amount())
		}
		_ = tw.Flush() // writes to a bytes.Buffer, which cannot fail
	}
	return b.Bytes()
}
