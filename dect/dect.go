// Package dect reads the license export of a DECT Manager (SPEC DECT-4), the
// file a partner uploads to register the licenses of an IP DECT system from
// before Release 6 in LMS (DECT-3): UTF-8 text, one KEY=VALUE per line, '#'
// comments and blank lines ignored.
//
//	# DECT Manager license export
//	PARI=1FFFFFF9
//	RELEASE=5
//	TIMESTAMP=2014-04-16T10:22:31Z
//	FEATURE=EU917017;50
//	FEATURE=EU917027;50
//	FEATURE=EU917028;50
//	FEATURE=EU917029;50
//	FEATURE=EU917005;1
//	CHECKSUM=<lower-case hex CRC-32 (IEEE) of every byte before the CHECKSUM line>
//
// Parse is pure: what it needs to know from outside (the catalog's DECT
// parts and their roles, the location's HWKC, the time) comes in Rules, and
// it answers an Export or an *Error carrying one of the guide's codes, the
// line, and what the user should do.
package dect

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"lms/apperr"
)

// MaxFileBytes is the largest export LMS reads: a larger upload is refused
// before it is parsed, by Parse and, without reading it, by the upload
// service (DECT-4).
const MaxFileBytes = 1 << 20

// MaxQuantity is the largest quantity of a FEATURE line [rule: more access
// points than any DECT system has; it keeps every sum of the file small].
const MaxQuantity = 100_000

// maxRelease bounds RELEASE, a small whole number.
const maxRelease = 9999

// Role is what a part counts as in the rules of DECT-4. The caller takes
// the roles from the catalog's part flags.
type Role int

// Roles of the DECT parts.
const (
	// RoleFeature: a feature that no rule counts (redundancy, cruise, ...).
	RoleFeature Role = iota
	// RoleAPCapacity: an access point (DAP) capacity license, EU917017 or
	// EU917062 (catalog flag AP_CAPACITY).
	RoleAPCapacity
	// RoleUpgradeAllowance: a DSWU upgrade allowance license, EU917029
	// (UPGRADE_ALLOWANCE).
	RoleUpgradeAllowance
	// RoleMessaging: a messaging license, EU917027 (MESSAGING).
	RoleMessaging
	// RoleLocation: a location license, EU917028 (LOCATION).
	RoleLocation
)

// String names the role as messages do.
func (r Role) String() string {
	switch r {
	case RoleAPCapacity:
		return "DAP"
	case RoleUpgradeAllowance:
		return "DSWU upgrade allowance"
	case RoleMessaging:
		return "messaging"
	case RoleLocation:
		return "location"
	}
	return "feature"
}

// Rules is what Parse checks an export against.
type Rules struct {
	// Parts are the part numbers a FEATURE line may name, with their
	// roles; any other is INVALID_FEATURE_CODE.
	Parts map[string]Role
	// PARI is the HWKC of the location the file is uploaded for; the
	// file's PARI must equal it. Empty: not checked.
	PARI string
	// Now is when the file is parsed: a TIMESTAMP after it is refused.
	Now time.Time
}

// Export is a DECT Manager license export that passed every rule.
type Export struct {
	// PARI is the DECT system's identity, upper-case: its HWKC in LMS.
	PARI string
	// Release is the DECT software release the system runs.
	Release int
	// Timestamp is when the DECT Manager exported the file, in UTC.
	Timestamp time.Time
	// Features are the FEATURE lines in the order of the file, one per
	// part.
	Features []Feature
}

// Feature is one FEATURE line: a quantity of a part.
type Feature struct {
	PartNumber string
	Quantity   int
}

// Parse reads a DECT Manager license export and checks it against r
// (DECT-4): a file over MaxFileBytes is refused unread (VALIDATION_FAILED);
// then the checksum (NOT_APPLICABLE when it is missing or does not match,
// or when anything but blank lines follows it), the lines in order, and the
// counts of the whole file. The error is an *Error with the code of the
// first problem found: INVALID_HARDWARE_KEYCODE (PARI missing, not 8 hex
// digits starting with 1, or not r.PARI), INVALID_FEATURE_CODE (a part not
// in r.Parts), INVALID_FEATURE_CODE_STRING (a line that is not KEY=VALUE
// of a known key, not UTF-8, a malformed or repeated FEATURE, a missing or
// malformed RELEASE, no AP capacity part), INVALID_FEATURE_QUANTITY (a
// quantity that is no whole number from 1 to MaxQuantity; DSWU licenses
// not as many as DAP licenses; messaging or location licenses fewer than
// DAP licenses), INVALID_FEATURE_TIMESTAMP (missing, unparsable or after
// r.Now). Anyone may call it; it reads nothing but its arguments.
func Parse(data []byte, r Rules) (*Export, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{Code: apperr.ValidationFailed, Message: fmt.Sprintf("the file has %d bytes; a DECT license export has at most %d", len(data), MaxFileBytes)}
	}
	lines := splitLines(data)
	body, err := checkChecksum(data, lines)
	if err != nil {
		return nil, err
	}
	p := &parser{rules: r, seen: map[string]int{}, parts: map[string]int{}}
	for _, l := range body {
		if err := p.line(l); err != nil {
			return nil, err
		}
	}
	return p.finish()
}

// line is one line of a file: its number (from 1), where it starts, and its
// text without the line break.
type line struct {
	no    int
	start int
	text  []byte
}

// splitLines cuts data at '\n', dropping a '\r' before it (files written on
// Windows) and a UTF-8 byte order mark at the very start.
func splitLines(data []byte) []line {
	var out []line
	for start, no := 0, 1; start < len(data); no++ {
		end := bytes.IndexByte(data[start:], '\n')
		next := len(data)
		if end < 0 {
			end = len(data)
		} else {
			end += start
			next = end + 1
		}
		text := bytes.TrimSuffix(data[start:end], []byte("\r"))
		if no == 1 {
			text = bytes.TrimPrefix(text, []byte("\uFEFF"))
		}
		out = append(out, line{no: no, start: start, text: text})
		start = next
	}
	return out
}

// blanks are the characters trimmed around lines, keys and values.
const blanks = " \t\r\v\f"

// keyValue splits a line into its trimmed key and value; ok is false for a
// blank line or a comment.
func keyValue(text []byte) (key, value string, hasValue, ok bool) {
	s := strings.Trim(string(text), blanks)
	if s == "" || s[0] == '#' {
		return "", "", false, false
	}
	key, value, hasValue = strings.Cut(s, "=")
	return strings.Trim(key, blanks), strings.Trim(value, blanks), hasValue, true
}

// checkChecksum finds the CHECKSUM line, checks that nothing but blank lines
// follows it and that it is the CRC-32 of every byte before it, and returns
// the lines before it.
func checkChecksum(data []byte, lines []line) ([]line, error) {
	i := slices.IndexFunc(lines, func(l line) bool {
		key, _, _, ok := keyValue(l.text)
		return ok && key == "CHECKSUM"
	})
	if i < 0 {
		return nil, fail(apperr.NotApplicable, 0, "the file has no CHECKSUM line: upload the file as the DECT Manager exported it")
	}
	cl := lines[i]
	for _, l := range lines[i+1:] {
		if len(bytes.Trim(l.text, blanks)) > 0 {
			return nil, fail(apperr.NotApplicable, l.no, "nothing may follow the CHECKSUM line (line %d): the checksum does not cover it", cl.no)
		}
	}
	_, value, _, _ := keyValue(cl.text)
	if !isLowerHex(value, 8) {
		return nil, fail(apperr.NotApplicable, cl.no, "CHECKSUM must be 8 lower-case hex digits, not %s", quote(value))
	}
	if want := checksum(data[:cl.start]); value != want {
		return nil, fail(apperr.NotApplicable, cl.no, "the checksum %s does not match the file's content (%s): the file was changed or damaged after the DECT Manager exported it", value, want)
	}
	return lines[:i], nil
}

// checksum is the CHECKSUM value of a file's bytes before its CHECKSUM line.
func checksum(b []byte) string { return fmt.Sprintf("%08x", crc32.ChecksumIEEE(b)) }

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// parser reads the lines before the checksum, one at a time.
type parser struct {
	rules Rules
	out   Export
	// seen is the line of each key that may appear once.
	seen map[string]int
	// parts is the line of each part's FEATURE.
	parts map[string]int
}

func (p *parser) line(l line) error {
	if !utf8.Valid(l.text) {
		return fail(apperr.InvalidFeatureCodeString, l.no, "the line is not UTF-8 text")
	}
	key, value, hasValue, ok := keyValue(l.text)
	if !ok {
		return nil
	}
	if !hasValue {
		return fail(apperr.InvalidFeatureCodeString, l.no, "expected KEY=VALUE, not %s", quote(key))
	}
	switch key {
	case "PARI":
		return p.pari(l.no, value)
	case "RELEASE":
		return p.release(l.no, value)
	case "TIMESTAMP":
		return p.timestamp(l.no, value)
	case "FEATURE":
		return p.feature(l.no, value)
	}
	return fail(apperr.InvalidFeatureCodeString, l.no, "unknown key %s: a DECT license export has PARI, RELEASE, TIMESTAMP, FEATURE and CHECKSUM lines", quote(key))
}

// once refuses a second line of key with code.
func (p *parser) once(key string, no int, code apperr.Code) error {
	if first, ok := p.seen[key]; ok {
		return fail(code, no, "a second %s line (the first is line %d)", key, first)
	}
	p.seen[key] = no
	return nil
}

func (p *parser) pari(no int, value string) error {
	if err := p.once("PARI", no, apperr.InvalidHardwareKeyCode); err != nil {
		return err
	}
	pari := asciiUpper(value)
	if !ValidPARI(pari) {
		return fail(apperr.InvalidHardwareKeyCode, no, "the PARI %s is not 8 hex digits starting with 1", quote(value))
	}
	if want := asciiUpper(p.rules.PARI); want != "" && pari != want {
		return fail(apperr.InvalidHardwareKeyCode, no, "the file is for PARI %s, but the location's Hardware Key Code is %s: upload the export of this location's DECT system", pari, quoteRaw(want))
	}
	p.out.PARI = pari
	return nil
}

// ValidPARI reports whether s is a PARI as LMS stores it: 8 upper-case hex
// digits starting with 1 (the IP DECT HWKC, e.g. 1FFFFFF9).
func ValidPARI(s string) bool {
	if len(s) != 8 || s[0] != '1' {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func (p *parser) release(no int, value string) error {
	if err := p.once("RELEASE", no, apperr.InvalidFeatureCodeString); err != nil {
		return err
	}
	n, ok := wholeNumber(value, maxRelease)
	if !ok {
		return fail(apperr.InvalidFeatureCodeString, no, "RELEASE must be a whole number from 1 to %d, not %s", maxRelease, quote(value))
	}
	p.out.Release = n
	return nil
}

func (p *parser) timestamp(no int, value string) error {
	if err := p.once("TIMESTAMP", no, apperr.InvalidFeatureTimestamp); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return fail(apperr.InvalidFeatureTimestamp, no, "the TIMESTAMP %s is not a time like 2014-04-16T10:22:31Z (RFC 3339)", quote(value))
	}
	if t.After(p.rules.Now) {
		return fail(apperr.InvalidFeatureTimestamp, no, "the TIMESTAMP %s is in the future", value)
	}
	p.out.Timestamp = t.UTC()
	return nil
}

func (p *parser) feature(no int, value string) error {
	part, qty, ok := strings.Cut(value, ";")
	part, qty = strings.Trim(part, blanks), strings.Trim(qty, blanks)
	if !ok || part == "" || strings.Contains(qty, ";") {
		return fail(apperr.InvalidFeatureCodeString, no, "a FEATURE line is FEATURE=<part number>;<quantity>, not FEATURE=%s", quoteRaw(value))
	}
	if _, known := p.rules.Parts[part]; !known {
		return fail(apperr.InvalidFeatureCode, no, "%s is not a DECT license part", quote(part))
	}
	n, ok := wholeNumber(qty, MaxQuantity)
	if !ok {
		return fail(apperr.InvalidFeatureQuantity, no, "the quantity of %s must be a whole number from 1 to %d, not %s", part, MaxQuantity, quote(qty))
	}
	if first, ok := p.parts[part]; ok {
		return fail(apperr.InvalidFeatureCodeString, no, "%s is listed a second time (first on line %d)", part, first)
	}
	p.parts[part] = no
	p.out.Features = append(p.out.Features, Feature{PartNumber: part, Quantity: n})
	return nil
}

// wholeNumber reads s as a whole number from 1 to max, digits only.
func wholeNumber(s string, max int) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 1 && n <= max
}

// finish checks what the whole file must have: a PARI, a RELEASE and a
// TIMESTAMP, an AP capacity part, and the counts of DECT-4.
func (p *parser) finish() (*Export, error) {
	switch {
	case p.seen["PARI"] == 0:
		return nil, fail(apperr.InvalidHardwareKeyCode, 0, "the file has no PARI line")
	case p.seen["RELEASE"] == 0:
		return nil, fail(apperr.InvalidFeatureCodeString, 0, "the file has no RELEASE line")
	case p.seen["TIMESTAMP"] == 0:
		return nil, fail(apperr.InvalidFeatureTimestamp, 0, "the file has no TIMESTAMP line")
	}
	dap := p.count(RoleAPCapacity)
	if dap.lines == "" {
		return nil, fail(apperr.InvalidFeatureCodeString, 0, "the file has no AP capacity license (%s): an IP DECT system needs at least one", p.partsOf(RoleAPCapacity))
	}
	dswu := p.count(RoleUpgradeAllowance)
	if dswu.n != dap.n {
		return nil, fail(apperr.InvalidFeatureQuantity, 0, "the file has %s but %s: the number of DSWU upgrade allowance licenses (%s) must equal the number of DAP licenses (%s)",
			dswu.describe(p.partsOf(RoleUpgradeAllowance)), dap.describe(p.partsOf(RoleAPCapacity)), p.partsOf(RoleUpgradeAllowance), p.partsOf(RoleAPCapacity))
	}
	for _, role := range []Role{RoleMessaging, RoleLocation} {
		if c := p.count(role); c.n < dap.n {
			return nil, fail(apperr.InvalidFeatureQuantity, 0, "the file has %s, fewer than %s: a system needs at least as many %s licenses (%s) as DAP licenses",
				c.describe(p.partsOf(role)), dap.describe(p.partsOf(RoleAPCapacity)), role, p.partsOf(role))
		}
	}
	out := p.out
	return &out, nil
}

// tally is the licenses of one role in a file: how many, and where.
type tally struct {
	role  Role
	n     int
	lines string
}

// describe says "50 DAP licenses (EU917017 on line 5)", or "no messaging
// licenses (EU917027)".
func (t tally) describe(parts string) string {
	if t.lines == "" {
		return fmt.Sprintf("no %s licenses (%s)", t.role, parts)
	}
	return fmt.Sprintf("%d %s licenses (%s)", t.n, t.role, t.lines)
}

func (p *parser) count(role Role) tally {
	t := tally{role: role}
	var where []string
	for _, f := range p.out.Features {
		if p.rules.Parts[f.PartNumber] == role {
			t.n += f.Quantity
			where = append(where, fmt.Sprintf("%d × %s on line %d", f.Quantity, f.PartNumber, p.parts[f.PartNumber]))
		}
	}
	t.lines = strings.Join(where, ", ")
	return t
}

// partsOf names the parts of a role, e.g. "EU917017 or EU917062".
func (p *parser) partsOf(role Role) string {
	var out []string
	for number, r := range p.rules.Parts {
		if r == role {
			out = append(out, number)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return "none in the catalog"
	}
	return strings.Join(out, " or ")
}

// asciiUpper upper-cases ASCII letters only, so that no Unicode case
// mapping turns a foreign character into a hex digit.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// maxQuoted bounds how much of a file's text a message repeats.
const maxQuoted = 40

// quote repeats a piece of the file in a message, quoted and cut short.
func quote(s string) string { return fmt.Sprintf("%q", clip(s)) }

// quoteRaw repeats a piece of the file unquoted, cut short.
func quoteRaw(s string) string { return strings.Trim(quote(s), `"`) }

func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxQuoted {
		return s
	}
	r := []rune(s)
	return string(r[:maxQuoted]) + "…"
}

// Format writes the export as the DECT Manager does, with its CHECKSUM:
// what Parse reads back to the same Export.
func (x *Export) Format() []byte {
	var b bytes.Buffer
	b.WriteString("# DECT Manager license export\n")
	fmt.Fprintf(&b, "PARI=%s\nRELEASE=%d\nTIMESTAMP=%s\n", x.PARI, x.Release, x.Timestamp.UTC().Format(time.RFC3339Nano))
	for _, f := range x.Features {
		fmt.Fprintf(&b, "FEATURE=%s;%d\n", f.PartNumber, f.Quantity)
	}
	return WithChecksum(b.Bytes())
}

// WithChecksum returns body followed by its CHECKSUM line (a line break is
// added first when body does not end in one): how the DECT Manager
// finishes an export, and how tests write files.
func WithChecksum(body []byte) []byte {
	out := slices.Clip(body)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, "CHECKSUM="+checksum(out)+"\n"...)
}
