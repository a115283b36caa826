// Package format builds and verifies the signed license files of LIC-6: the zip a customer
// loads into a system, holding the stacked features of all activated licenses of a location,
// bound to its Hardware Key Code (HWKC).
//
// # Content and signature
//
// Each .lic file is text: a fixed header line, the canonical JSON of one Payload on one line,
// then the id of the signing key, the Ed25519 signature of exactly the JSON line's bytes
// (base64) and the activation code derived from that signature:
//
//	# LMS license file, format 1. Do not edit: any change breaks its Ed25519 signature. …
//	{"formatVersion":1,"locationId":"…","systemType":"SV8100",…}
//	key-id: 1a2b3c4d5e6f7a8b
//	signature: …
//	activation-code: 3407-7473-3325-4604
//
// The canonical JSON has the fields in struct order, features sorted by part number, times in
// UTC to the second and no HTML escaping. The signature covers the JSON line exactly as it
// stands, so anyone holding the public key can check it without re-encoding any JSON.
//
// # Packaging
//
//   - LayoutSVI (PBX systems, SR-MGC): <HWKC>-svi.zip holding <HWKC>-svi.lic. An SR-MGC's HWKC
//     is its temporary key, so the same rule gives <temp key>-svi.zip.
//   - LayoutBX (BX/OVOC): AA_<key>_out.zip holding AA_<key>_out.lic per unit and one
//     AA_<primary key>_out.log, where key is the unit's product key, or its HWKC without one.
//     A redundant pair has two .lic files, the primary's first.
//
// # Tamper evidence
//
// Build is deterministic: the zip is written by this package (stored entries, timestamps from
// the payload, no extra fields), and Ed25519 signatures are deterministic. Verify therefore
// checks the signatures and then rebuilds the whole zip from what it parsed; the input must be
// byte-identical. Any changed byte, in a payload, the .log or the zip's metadata, fails.
package format

import (
	archivezip "archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Layout is the packaging of a license file, chosen by the system type.
type Layout string

// The layouts Build writes and Verify recognises.
const (
	LayoutSVI Layout = "SVI" // <HWKC>-svi.zip holding <HWKC>-svi.lic (one payload)
	LayoutBX  Layout = "BX"  // AA_<key>_out.zip: one AA_<key>_out.lic per payload + AA_<primary key>_out.log; key = ProductKey, or HardwareKeyCode when empty
)

// Errors Verify wraps, so callers can tell a foreign file from a forged or damaged one with
// errors.Is. Their messages start the error text ("not a license file: …").
var (
	// ErrNotLicenseFile: the input is not a zip of the license file layouts, or a .lic in it
	// is malformed.
	ErrNotLicenseFile = errors.New("not a license file")
	// ErrUnknownKey: a .lic names a key id the keyring does not hold.
	ErrUnknownKey = errors.New("unknown key id")
	// ErrSignature: a signature does not verify with the key its .lic names.
	ErrSignature = errors.New("signature does not match")
	// ErrAltered: the signatures hold, but something else was changed: an activation code
	// line, the .log, an entry name or the zip's metadata.
	ErrAltered = errors.New("file was altered")
)

// File is a built license file.
type File struct {
	FileName       string // e.g. "190400324412-svi.zip"
	Zip            []byte
	ActivationCode string // "dddd-dddd-dddd-dddd", derived from the (first/primary) payload's signature
	KeyID          string
	Payloads       []Payload // primary first
	SHA256         string    // hex of Zip
}

// Build signs payloads (primary first; LayoutSVI takes exactly one, LayoutBX one or two) and
// packages them. It normalises a copy of each payload first (FormatVersion 0 becomes
// FormatVersion, times become UTC whole seconds, features are sorted), and File.Payloads holds
// those copies. It returns an error for a signer without a key, an unknown layout, a wrong
// number of payloads, or a payload that is incomplete or inconsistent; the error lists every
// problem of the first bad payload.
func Build(s *Signer, layout Layout, payloads ...Payload) (*File, error) {
	if s == nil || s.priv == nil {
		return nil, errors.New("licensefile: the signer has no valid Ed25519 private key")
	}
	ps := make([]Payload, len(payloads))
	for i, p := range payloads {
		if p.FormatVersion == 0 {
			p.FormatVersion = FormatVersion
		}
		ps[i] = normalize(p)
	}
	if err := validatePayloads(layout, ps); err != nil {
		return nil, fmt.Errorf("licensefile: %w", err)
	}
	units := make([]unit, len(ps))
	for i, p := range ps {
		js, err := canonicalJSON(p)
		if err != nil {
			return nil, fmt.Errorf("licensefile: payload %d: %w", i+1, err)
		}
		units[i] = unit{payload: p, json: js, keyID: s.pub.ID, sig: ed25519.Sign(s.priv, js)}
	}
	f, err := assemble(layout, units)
	if err != nil {
		return nil, fmt.Errorf("licensefile: %w", err)
	}
	return f, nil
}

// assemble packages signed units into the zip of layout. Build and Verify share it, which is
// what lets Verify demand that the input equals the rebuilt file.
func assemble(layout Layout, units []unit) (*File, error) {
	primary := units[0]
	var name string
	var entries []zipEntry
	switch layout {
	case LayoutSVI:
		key := primary.payload.HardwareKeyCode
		name = key + "-svi.zip"
		entries = []zipEntry{{name: key + "-svi.lic", modified: primary.payload.IssuedAt, data: formatLic(primary)}}
	case LayoutBX:
		name = bxName(fileKey(primary.payload), ".zip")
		licNames := make([]string, len(units))
		for i, u := range units {
			licNames[i] = bxName(fileKey(u.payload), ".lic")
			entries = append(entries, zipEntry{name: licNames[i], modified: u.payload.IssuedAt, data: formatLic(u)})
		}
		entries = append(entries, zipEntry{
			name:     bxName(fileKey(primary.payload), ".log"),
			modified: primary.payload.IssuedAt,
			data:     formatLog(name, units, licNames),
		})
	default:
		return nil, fmt.Errorf("unknown layout %q", layout)
	}
	z, err := writeZip(entries)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(z)
	payloads := make([]Payload, len(units))
	for i, u := range units {
		payloads[i] = u.payload
	}
	return &File{
		FileName:       name,
		Zip:            z,
		ActivationCode: ActivationCode(primary.sig),
		KeyID:          primary.keyID,
		Payloads:       payloads,
		SHA256:         hex.EncodeToString(sum[:]),
	}, nil
}

// bxName is the BX file name of key with extension ext: AA_<key>_out<ext>.
func bxName(key, ext string) string { return "AA_" + key + "_out" + ext }

// Verify checks a zip produced by Build against keys and returns its content, with
// File.FileName the name Build would give it (the zip does not know the name it was saved
// under). It returns an error wrapping ErrNotLicenseFile (too big, not a zip, unexpected
// entries, a malformed .lic or payload), ErrUnknownKey (a key id keys does not hold),
// ErrSignature (a signature that does not verify) or ErrAltered (an entry that fails its zip
// checksum, or an activation code, entry name, .log or zip metadata that differs from what
// Build writes for the signed content). It never panics, whatever the input.
func Verify(zip []byte, keys Keyring) (*File, error) {
	if len(zip) > MaxZipSize {
		return nil, fmt.Errorf("%w: %d bytes is more than the %d byte limit", ErrNotLicenseFile, len(zip), MaxZipSize)
	}
	entries, err := readZip(zip)
	if errors.Is(err, archivezip.ErrChecksum) {
		// An entry's bytes no longer match the CRC the zip records for them.
		return nil, fmt.Errorf("%w: %v", ErrAltered, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotLicenseFile, err)
	}
	layout, lics, err := identify(entries)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotLicenseFile, err)
	}
	units := make([]unit, len(lics))
	for i, e := range lics {
		u, err := verifyLic(e, keys)
		if err != nil {
			return nil, err
		}
		if i > 0 && u.keyID != units[0].keyID {
			// Build signs all units with one key; File has room for one key id.
			return nil, fmt.Errorf("%w: %s is signed with key %s, %s with key %s", ErrAltered, lics[0].name, units[0].keyID, e.name, u.keyID)
		}
		units[i] = u
	}
	payloads := make([]Payload, len(units))
	for i, u := range units {
		payloads[i] = u.payload
	}
	if err := validatePayloads(layout, payloads); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotLicenseFile, err)
	}
	f, err := assemble(layout, units)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotLicenseFile, err)
	}
	if err := compareRebuilt(zip, entries, f.Zip); err != nil {
		return nil, err
	}
	return f, nil
}

// identify tells the layout from the entry names and returns the .lic entries, primary first.
// Whether the names fit the payloads is left to the rebuild.
func identify(entries []zipEntry) (Layout, []zipEntry, error) {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.name
	}
	if len(entries) == 1 && strings.HasSuffix(names[0], "-svi.lic") {
		return LayoutSVI, entries, nil
	}
	if len(entries) >= 2 {
		lics, log := entries[:len(entries)-1], entries[len(entries)-1]
		ok := isBXName(log.name, ".log")
		for _, e := range lics {
			ok = ok && isBXName(e.name, ".lic")
		}
		if ok {
			return LayoutBX, lics, nil
		}
	}
	return "", nil, fmt.Errorf("entries %q are neither <HWKC>-svi.lic nor AA_<key>_out.lic files followed by an AA_<key>_out.log", names)
}

func isBXName(name, ext string) bool {
	return strings.HasPrefix(name, "AA_") && strings.HasSuffix(name, "_out"+ext)
}

// verifyLic parses one .lic entry and checks its key, signature, activation code and payload.
func verifyLic(e zipEntry, keys Keyring) (unit, error) {
	l, err := parseLic(e.data)
	if err != nil {
		return unit{}, fmt.Errorf("%w: %s: %v", ErrNotLicenseFile, e.name, err)
	}
	pub, ok, err := keys.lookup(l.keyID)
	if err != nil {
		return unit{}, err
	}
	if !ok {
		return unit{}, fmt.Errorf("%w %s in %s (trusted key ids: %q)", ErrUnknownKey, l.keyID, e.name, keys.ids())
	}
	if !ed25519.Verify(pub, l.json, l.sig) {
		return unit{}, fmt.Errorf("%w: %s was not signed with key %s, or was changed after signing", ErrSignature, e.name, l.keyID)
	}
	if want := ActivationCode(l.sig); l.activationCode != want {
		return unit{}, fmt.Errorf("%w: %s: activation code %s does not belong to its signature (want %s)", ErrAltered, e.name, l.activationCode, want)
	}
	p, err := decodePayload(l.json)
	if err != nil {
		// Unreachable for files Build wrote with a trusted key; reported for completeness.
		return unit{}, fmt.Errorf("%w: %s: %v", ErrNotLicenseFile, e.name, err)
	}
	return unit{payload: p, json: l.json, keyID: l.keyID, sig: l.sig}, nil
}

// compareRebuilt requires the input zip to equal the one rebuilt from its signed content, and
// says where it differs: first by entry (names, then contents, so a changed .log is named),
// then by byte for metadata that no entry shows.
func compareRebuilt(input []byte, got []zipEntry, rebuilt []byte) error {
	if bytes.Equal(input, rebuilt) {
		return nil
	}
	want, err := readZip(rebuilt)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrAltered, err)
	}
	if len(want) == len(got) {
		for i := range want {
			if got[i].name != want[i].name {
				return fmt.Errorf("%w: entry %q should be named %q for its content", ErrAltered, got[i].name, want[i].name)
			}
		}
		for i := range want {
			if !bytes.Equal(got[i].data, want[i].data) {
				return fmt.Errorf("%w: %s differs from what the signed content gives", ErrAltered, got[i].name)
			}
		}
	}
	at := 0
	for at < len(input) && at < len(rebuilt) && input[at] == rebuilt[at] {
		at++
	}
	return fmt.Errorf("%w: zip structure differs from the canonical one at byte %d", ErrAltered, at)
}

// ActivationCode derives the 16-digit code from a signature: the first 8 bytes of SHA-256 of
// sig as a big-endian integer, modulo 10^16, zero-padded and grouped 4-4-4-4 with "-"
// ("3407-7473-3325-4604"). The code is what a user types, so it only has to be short and
// bound to one signature; the modulo bias (2^64 is not a multiple of 10^16) is below 0.06%.
// It accepts any input and cannot fail.
func ActivationCode(sig []byte) string {
	sum := sha256.Sum256(sig)
	n := binary.BigEndian.Uint64(sum[:8]) % 10_000_000_000_000_000
	d := fmt.Sprintf("%016d", n)
	return d[0:4] + "-" + d[4:8] + "-" + d[8:12] + "-" + d[12:16]
}
