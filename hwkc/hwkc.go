// Package hwkc holds the rules for Hardware Key Codes (HWKC), the host ids licenses are bound
// to (SPEC.md CAT-1, LOC-2, LOC-4..LOC-9): how what a user typed becomes the stored form, and
// how LMS generates the codes of the system types whose HWKC the user does not type.
//
// # Normalisation (LOC-2)
//
// The format of each system type lives in the catalog, not here: Normalize only removes the
// noise users add (surrounding whitespace, the "A_" and dashes of an SV9500 Appliance QR code,
// lower-case hex typed for an upper-case-hex format) and then asks the system type whether the
// result is valid. It never changes an input that is already valid, so mixed-case codes such as
// the SV8500's "…57xO" are stored exactly as typed. Full Computer Names (LOC-8) and 3C domain
// names (LOC-9) are host names and are lower-cased; MAC addresses (LOC-7) are upper-cased
// without separators.
//
// # Generation (LOC-4..LOC-9)
//
//   - TempKey: the temporary key of an SR-MGC child or an SV9500 Standard Server.
//   - FromIP: the SV9500 Standard Server HWKC, from the LAN1 (ACT) IP address and location id.
//   - FromMAC: the SV9500 Small Enterprise HWKC, from the MAC address alone.
//   - VirtualFromFCN: the dongle-less iS3000 virtual HWKC, from the Full Computer Name.
//   - FromDomain: the 3C HWKC, from the domain name.
//   - LMC: the License Manager Client HWKC, from the parent PBX's HWKC.
//
// All generators are pure and deterministic, so a retried request produces the same code.
//
// # Uniqueness
//
// An HWKC is unique among live locations (DUPLICATE_HARDWARE_KEYCODE), but this package cannot
// know which codes are taken: the database enforces uniqueness. Because FCNs and domain names
// need not be unique, VirtualFromFCN and FromDomain take an attempt number, and the caller
// retries with the next attempt when the database refuses a generated code.
package hwkc

import (
	"strings"

	"lms/catalog"
)

// Normalize turns what a user typed into the stored form of an HWKC of system type st, and
// reports ok=false when no form of it is valid for st (the caller then rejects it with
// INVALID_HARDWARE_KEYCODE and FormatHint). The rules, in order:
//
//  1. Surrounding whitespace (spaces, tabs, newlines) is trimmed; a valid result is returned.
//  2. An SV9500 Appliance QR code ("A_" then groups of letters and digits separated by '-',
//     e.g. "A_3565-A9C3-0842-67EF-2E44-A473-6DI2") loses its "A_" and dashes
//     ("3565A9C3084267EF2E44A4736DI2"); the result is returned when valid.
//  3. The ASCII letters are upper-cased, for users who type lower-case hex for an
//     upper-case-hex format ("190400324a12" for an SV8100); the result is returned when valid.
//
// Only ASCII letters are upper-cased, so that no Unicode case mapping (such as 'ı' to 'I') turns
// a foreign character into a valid code. An input valid after step 1 is never changed, and the
// output of Normalize is a fixed point of it.
func Normalize(st catalog.SystemType, input string) (string, bool) {
	for _, s := range Forms(input) {
		if st.ValidHardwareKeyCode(s) {
			return s, true
		}
	}
	return "", false
}

// Forms returns the stored forms a typed HWKC may stand for, in the order Normalize tries them:
// trimmed as typed, without the "A_" and dashes of an SV9500 QR code, and in ASCII capitals.
// Lookups by HWKC, which do not know the system type, search all of them.
func Forms(input string) []string {
	s := strings.TrimSpace(input)
	forms := []string{s}
	if qr, ok := stripQR(s); ok {
		forms = append(forms, qr)
	}
	if up := asciiUpper(s); up != s {
		forms = append(forms, up)
	}
	return forms
}

// stripQR returns s without the "A_" and the dashes of an SV9500 Appliance QR code, and false
// when s does not have the shape of one.
func stripQR(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "A_")
	if !ok {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(rest))
	for group := range strings.SplitSeq(rest, "-") {
		if group == "" || !isAlnum(group) {
			return "", false
		}
		b.WriteString(group)
	}
	return b.String(), true
}

// FormatHint returns the part of an INVALID_HARDWARE_KEYCODE message that tells the user what a
// valid HWKC of st looks like: `expected format ^19[0-9A-F]{10}$, for example 190400324412`. It
// names the first example of st, or only the format when st has none.
func FormatHint(st catalog.SystemType) string {
	hint := "expected format " + st.HwkcFormat
	if len(st.HwkcExamples) > 0 {
		hint += ", for example " + st.HwkcExamples[0]
	}
	return hint
}

// NormalizeFullComputerName trims and lower-cases the Full Computer Name of a dongle-less
// iS3000 (LOC-8) and reports ok=false when it is not a valid host name: dot-separated labels of
// 1 to 63 characters from [a-z0-9-] that neither start nor end with '-', 253 characters at
// most. "HVPC030PBX.DEVNLNEC.LOCAL" becomes "hvpc030pbx.devnlnec.local".
func NormalizeFullComputerName(s string) (string, bool) { return normalizeHostName(s) }

// NormalizeDomainName trims and lower-cases the domain name of a 3C location (LOC-9) and
// reports ok=false when it is not a valid host name, by the rules of
// NormalizeFullComputerName. "Domain.Local" becomes "domain.local".
func NormalizeDomainName(s string) (string, bool) { return normalizeHostName(s) }

const (
	maxHostNameLen = 253
	maxLabelLen    = 63
)

func normalizeHostName(s string) (string, bool) {
	s = asciiLower(strings.TrimSpace(s))
	if s == "" || len(s) > maxHostNameLen {
		return "", false
	}
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > maxLabelLen ||
			label[0] == '-' || label[len(label)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !isLowerOrDigit(c) && c != '-' {
				return "", false
			}
		}
	}
	return s, true
}

// NormalizeMAC turns a MAC address as typed (LOC-7) into 12 upper-case hex digits, and reports
// ok=false when it is not one. It accepts 12 hex digits in either case, plain, in pairs
// separated by one kind of ':' or '-' ("6c:e4:da:01:37:8c"), or in Cisco groups of four
// separated by '.' ("6ce4.da01.378c"), with surrounding whitespace. The all-zero and the
// broadcast address (FFFFFFFFFFFF) identify no machine and are refused.
func NormalizeMAC(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var digits string
	switch len(s) {
	case 12:
		digits = s
	case 17: // pairs: xx:xx:xx:xx:xx:xx
		sep := s[2]
		if sep != ':' && sep != '-' {
			return "", false
		}
		digits, _ = joinGroups(s, sep, 2)
	case 14: // Cisco: xxxx.xxxx.xxxx
		digits, _ = joinGroups(s, '.', 4)
	}
	if len(digits) != 12 {
		return "", false
	}
	mac := asciiUpper(digits)
	for i := 0; i < len(mac); i++ {
		if !isUpperHex(mac[i]) {
			return "", false
		}
	}
	if mac == "000000000000" || mac == "FFFFFFFFFFFF" {
		return "", false
	}
	return mac, true
}

// joinGroups removes the separator sep from s, which must consist of groups of exactly n
// characters, none of them sep, separated by single seps.
func joinGroups(s string, sep byte, n int) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for group := range strings.SplitSeq(s, string(sep)) {
		if len(group) != n {
			return "", false
		}
		b.WriteString(group)
	}
	return b.String(), true
}

// asciiUpper upper-cases the ASCII letters of s byte by byte, leaving every other byte (even of
// invalid UTF-8) as it is.
func asciiUpper(s string) string { return mapBytes(s, 'a', 'z', 'A'-'a') }

// asciiLower lower-cases the ASCII letters of s like asciiUpper upper-cases them.
func asciiLower(s string) string { return mapBytes(s, 'A', 'Z', 'a'-'A') }

func mapBytes(s string, lo, hi byte, delta int) string {
	b := []byte(s)
	for i, c := range b {
		if lo <= c && c <= hi {
			b[i] = byte(int(c) + delta)
		}
	}
	return string(b)
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLowerOrDigit(c) && !('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func isLowerOrDigit(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }
