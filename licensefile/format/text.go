package format

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// licHeader is the first line of every .lic file. It tells a person who opens the file what
// it is and why editing it is pointless.
const licHeader = `# LMS license file, format 1. Do not edit: any change breaks its Ed25519 signature. Check it with "lms verify".`

// The prefixes of the lines after the payload.
const (
	keyIDPrefix          = "key-id: "
	signaturePrefix      = "signature: "
	activationCodePrefix = "activation-code: "
)

var activationCodePattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{4}$`)

// unit is one signed payload: what a .lic file holds.
type unit struct {
	payload Payload
	json    []byte // canonical payload, the signed bytes
	keyID   string
	sig     []byte
}

// formatLic renders the .lic text of u:
//
//	# LMS license file, format 1. …
//	{"formatVersion":1,…}
//	key-id: 1a2b3c4d5e6f7a8b
//	signature: <base64>
//	activation-code: 3407-7473-3325-4604
func formatLic(u unit) []byte {
	var b bytes.Buffer
	b.WriteString(licHeader + "\n")
	b.Write(u.json)
	b.WriteString("\n")
	b.WriteString(keyIDPrefix + u.keyID + "\n")
	b.WriteString(signaturePrefix + base64.StdEncoding.EncodeToString(u.sig) + "\n")
	b.WriteString(activationCodePrefix + ActivationCode(u.sig) + "\n")
	return b.Bytes()
}

// licLines is a .lic file split into its parts; nothing in it is checked beyond its syntax.
type licLines struct {
	json           []byte
	keyID          string
	sig            []byte
	activationCode string
}

// parseLic splits a .lic file into its lines and checks the syntax of each: the exact
// header, a JSON object, a 16-hex-digit key id, a 64-byte base64 signature in its canonical
// encoding and a 4-4-4-4 activation code.
func parseLic(data []byte) (licLines, error) {
	if !utf8.Valid(data) {
		return licLines{}, errors.New("not UTF-8 text")
	}
	text, ok := strings.CutSuffix(string(data), "\n")
	if !ok {
		return licLines{}, errors.New("does not end with a newline")
	}
	lines := strings.Split(text, "\n")
	if len(lines) != 5 {
		return licLines{}, fmt.Errorf("has %d lines, want 5", len(lines))
	}
	if lines[0] != licHeader {
		return licLines{}, errors.New("line 1 is not the license file header")
	}
	if !strings.HasPrefix(lines[1], "{") {
		return licLines{}, errors.New("line 2 is not the JSON payload")
	}
	keyID, ok := strings.CutPrefix(lines[2], keyIDPrefix)
	if !ok || !validKeyID(keyID) {
		return licLines{}, fmt.Errorf("line 3 is not %q followed by 16 lower-case hex digits", keyIDPrefix)
	}
	sigText, ok := strings.CutPrefix(lines[3], signaturePrefix)
	if !ok {
		return licLines{}, fmt.Errorf("line 4 does not start with %q", signaturePrefix)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(sigText)
	// The decoder skips '\r'; the round trip refuses that and any other second spelling.
	if err != nil || len(sig) != signatureSize || base64.StdEncoding.EncodeToString(sig) != sigText {
		return licLines{}, fmt.Errorf("line 4 is not a base64 Ed25519 signature of %d bytes", signatureSize)
	}
	code, ok := strings.CutPrefix(lines[4], activationCodePrefix)
	if !ok || !activationCodePattern.MatchString(code) {
		return licLines{}, fmt.Errorf("line 5 is not %q followed by a dddd-dddd-dddd-dddd code", activationCodePrefix)
	}
	return licLines{json: []byte(lines[1]), keyID: keyID, sig: sig, activationCode: code}, nil
}

// validKeyID reports whether id has the form KeyID gives: 16 lower-case hex digits.
func validKeyID(id string) bool {
	if len(id) != keyIDLength || strings.ToLower(id) != id {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// formatLog renders the .log of a BX file: a summary for the people who install the file,
// derived only from the units so that Verify can rebuild it byte for byte.
func formatLog(zipName string, units []unit, licNames []string) []byte {
	var b strings.Builder
	line := func(indent, label, value string) { fmt.Fprintf(&b, "%s%s: %s\n", indent, label, value) }

	primary := units[0]
	b.WriteString("LMS license file log\n")
	line("", "file", zipName)
	line("", "format version", strconv.Itoa(primary.payload.FormatVersion))
	line("", "sequence", strconv.Itoa(primary.payload.Sequence))
	line("", "key id", primary.keyID)
	line("", "activation code", ActivationCode(primary.sig))
	line("", "units", strconv.Itoa(len(units)))
	for i, u := range units {
		p := u.payload
		role := ""
		if i == 0 && len(units) > 1 {
			role = " (primary)"
		}
		fmt.Fprintf(&b, "\nunit %d%s: %s\n", i+1, role, licNames[i])
		const in = "  "
		line(in, "location id", p.LocationID)
		line(in, "system", systemLabel(p))
		line(in, "hardware key code", p.HardwareKeyCode)
		if p.SecondaryHardwareKeyCode != "" {
			line(in, "secondary hardware key code", p.SecondaryHardwareKeyCode)
		}
		if p.ProductKey != "" {
			line(in, "product key", p.ProductKey)
		}
		line(in, "issued", p.IssuedAt.Format(time.RFC3339))
		if p.ExpiresAt != nil {
			line(in, "expires", p.ExpiresAt.Format(time.RFC3339))
		}
		line(in, "activation code", ActivationCode(u.sig))
		b.WriteString(in + "features:\n")
		writeFeatureTable(&b, in+in, p.Features)
	}
	return []byte(b.String())
}

// systemLabel is "<code> (<name>)", or the code alone when the payload has no name.
func systemLabel(p Payload) string {
	if p.SystemName == "" || p.SystemName == p.SystemType {
		return p.SystemType
	}
	return p.SystemType + " (" + p.SystemName + ")"
}

// writeFeatureTable writes features as aligned columns: part number, amount (a quantity, or
// "V<version>" for VERSION parts, right-aligned) and name. Widths count runes, as fmt pads.
func writeFeatureTable(b *strings.Builder, indent string, features []Feature) {
	const partHeader, amountHeader, nameHeader = "PART NUMBER", "AMOUNT", "NAME"
	partWidth, amountWidth := utf8.RuneCountInString(partHeader), utf8.RuneCountInString(amountHeader)
	for _, f := range features {
		partWidth = max(partWidth, utf8.RuneCountInString(f.PartNumber))
		amountWidth = max(amountWidth, utf8.RuneCountInString(f.Amount()))
	}
	row := func(part, amount, name string) {
		s := fmt.Sprintf("%s%-*s  %*s  %s", indent, partWidth, part, amountWidth, amount, name)
		b.WriteString(strings.TrimRight(s, " ") + "\n")
	}
	row(partHeader, amountHeader, nameHeader)
	for _, f := range features {
		row(f.PartNumber, f.Amount(), f.Name)
	}
}

// Amount is what a feature grants as users read it: its quantity ("120"),
// "V<version>" for a VERSION part ("V6"), or "unlimited".
func (f Feature) Amount() string {
	if f.Stacking == StackingVersion {
		return "V" + strconv.Itoa(f.Version)
	}
	if f.Unlimited {
		return "unlimited"
	}
	return strconv.Itoa(f.Quantity)
}
