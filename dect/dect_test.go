package dect_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/apperr"
	"lms/dect"
)

// parts are the catalog's IP DECT parts with the roles their flags give
// (catalog.json: AP_CAPACITY, UPGRADE_ALLOWANCE, MESSAGING, LOCATION).
var parts = map[string]dect.Role{
	"EU917062": dect.RoleAPCapacity,
	"EU917017": dect.RoleAPCapacity,
	"EU917027": dect.RoleMessaging,
	"EU917028": dect.RoleLocation,
	"EU917029": dect.RoleUpgradeAllowance,
	"EU917005": dect.RoleFeature,
	"EU917006": dect.RoleFeature,
	"EU917012": dect.RoleFeature,
	"EU917022": dect.RoleFeature,
	"EU917023": dect.RoleFeature,
	"EU917024": dect.RoleFeature,
}

// now is when the tests parse: after the guide's export of 16 April 2014.
var now = time.Date(2014, time.November, 4, 9, 0, 0, 0, time.UTC)

// rules are the rules of the guide's location, PARI 1FFFFFF9.
func rules() dect.Rules { return dect.Rules{Parts: parts, PARI: "1FFFFFF9", Now: now} }

// header is the start of SPEC DECT-4's example, before its FEATURE lines.
var header = []string{"# DECT Manager license export", "PARI=1FFFFFF9", "RELEASE=5", "TIMESTAMP=2014-04-16T10:22:31Z"}

// specFeatures are the FEATURE lines of SPEC DECT-4's example.
var specFeatures = []string{"FEATURE=EU917017;50", "FEATURE=EU917027;50", "FEATURE=EU917028;50", "FEATURE=EU917029;50", "FEATURE=EU917005;1"}

// body joins lines, each ending in a line break.
func body(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// file joins lines and seals them with the right checksum.
func file(lines ...string) []byte { return dect.WithChecksum(body(lines...)) }

// withFeatures is the example's header with other FEATURE lines.
func withFeatures(features ...string) []byte {
	return file(append(append([]string{}, header...), features...)...)
}

// replaced is SPEC DECT-4's example with one line (by its number) replaced
// by others, none to drop it, and then sealed.
func replaced(no int, with ...string) []byte {
	lines := append(append([]string{}, header...), specFeatures...)
	out := append(append(append([]string{}, lines[:no-1]...), with...), lines[no:]...)
	return file(out...)
}

func TestParseSpecExample(t *testing.T) {
	t.Parallel()
	got, err := dect.Parse(withFeatures(specFeatures...), rules())
	require.NoError(t, err)
	want := &dect.Export{
		PARI: "1FFFFFF9", Release: 5, Timestamp: time.Date(2014, time.April, 16, 10, 22, 31, 0, time.UTC),
		Features: []dect.Feature{{"EU917017", 50}, {"EU917027", 50}, {"EU917028", 50}, {"EU917029", 50}, {"EU917005", 1}},
	}
	require.Equal(t, want, got)
}

// What the format allows around the KEY=VALUE lines: comments anywhere,
// blank lines, CRLF line breaks, a byte order mark, blanks around keys and
// values, lower-case hex in the PARI, another time zone, blank lines after
// the checksum, and no PARI check when the rules give none.
func TestParseLenient(t *testing.T) {
	t.Parallel()
	base := rules()
	for _, tt := range []struct {
		name  string
		data  []byte
		rules dect.Rules
	}{
		{"comments and blank lines", file("", "# exported by hand", "PARI=1FFFFFF9", "", "   # indented comment", "RELEASE=5",
			"TIMESTAMP=2014-04-16T10:22:31Z", "FEATURE=EU917017;50", "# messaging next", "FEATURE=EU917027;50", "FEATURE=EU917028;50",
			"FEATURE=EU917029;50", "FEATURE=EU917005;1", ""), base},
		{"CRLF", dect.WithChecksum([]byte(strings.Join(append(append([]string{}, header...), specFeatures...), "\r\n") + "\r\n")), base},
		{"byte order mark", dect.WithChecksum(append([]byte("\uFEFF"), body(append(append([]string{}, header...), specFeatures...)...)...)), base},
		{"blanks around keys and values", file("  PARI = 1FFFFFF9 ", "RELEASE=\t5", "TIMESTAMP= 2014-04-16T10:22:31Z", "FEATURE = EU917017 ; 50 ",
			"FEATURE=EU917027;50", "FEATURE=EU917028;50", "FEATURE=EU917029;50", "FEATURE=EU917005;1"), base},
		{"lower-case PARI", replaced(2, "PARI=1ffffff9"), base},
		{"other time zone", replaced(4, "TIMESTAMP=2014-04-16T12:22:31+02:00"), base},
		{"blank lines after the checksum", append(bytes.Clone(withFeatures(specFeatures...)), "\n  \n\t\n"...), base},
		{"no final line break", bytes.TrimSuffix(withFeatures(specFeatures...), []byte("\n")), base},
		{"any PARI without a location's", replaced(2, "PARI=1009FFFE"), dect.Rules{Parts: parts, Now: now}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := dect.Parse(tt.data, tt.rules)
			require.NoError(t, err)
			require.Regexp(t, `^1[0-9A-F]{7}$`, got.PARI)
			require.Equal(t, 5, got.Release)
			require.True(t, got.Timestamp.Equal(time.Date(2014, time.April, 16, 10, 22, 31, 0, time.UTC)))
			require.Equal(t, time.UTC, got.Timestamp.Location())
			require.Len(t, got.Features, 5)
		})
	}
}

// lastChecksum is the value of a sealed file's CHECKSUM line.
func lastChecksum(b []byte) string {
	i := bytes.LastIndex(b, []byte("CHECKSUM="))
	return strings.TrimSpace(string(b[i+len("CHECKSUM="):]))
}

// Every rule of DECT-4 and the code it gives, with the line the message
// names; the guide's "what to do" comes with each.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	good := withFeatures(specFeatures...)
	sum := lastChecksum(good)
	// withSum is the example with another CHECKSUM value.
	withSum := func(v string) []byte {
		return append(bytes.Clone(good[:bytes.LastIndex(good, []byte("CHECKSUM="))]), "CHECKSUM="+v+"\n"...)
	}
	// then is the example with more after it.
	then := func(s string) []byte { return append(bytes.Clone(good), s...) }
	for _, tt := range []struct {
		name    string
		data    []byte
		code    apperr.Code
		line    int
		message string
	}{
		// NOT_APPLICABLE: the checksum.
		{"wrong checksum", withSum("0badc0de"), apperr.NotApplicable, 10, "does not match"},
		{"content changed after export", bytes.Replace(good, []byte("EU917005;1"), []byte("EU917005;2"), 1), apperr.NotApplicable, 10, "does not match"},
		{"upper-case checksum", withSum(strings.ToUpper(sum)), apperr.NotApplicable, 10, "8 lower-case hex digits"},
		{"short checksum", withSum(sum[:7]), apperr.NotApplicable, 10, "8 lower-case hex digits"},
		{"no checksum", []byte(strings.Join(append(append([]string{}, header...), specFeatures...), "\n")), apperr.NotApplicable, 0, "no CHECKSUM line"},
		{"empty file", nil, apperr.NotApplicable, 0, "no CHECKSUM line"},
		{"a line after the checksum", then("FEATURE=EU917062;5\n"), apperr.NotApplicable, 11, "nothing may follow the CHECKSUM line (line 10)"},
		{"a comment after the checksum", then("# signed\n"), apperr.NotApplicable, 11, "nothing may follow"},

		// INVALID_HARDWARE_KEYCODE: the PARI.
		{"PARI of another system", replaced(2, "PARI=1FFFFFF8"), apperr.InvalidHardwareKeyCode, 2, "for PARI 1FFFFFF8, but the location's Hardware Key Code is 1FFFFFF9"},
		{"PARI not starting with 1", replaced(2, "PARI=2FFFFFF9"), apperr.InvalidHardwareKeyCode, 2, "not 8 hex digits starting with 1"},
		{"PARI too short", replaced(2, "PARI=1FFFFF9"), apperr.InvalidHardwareKeyCode, 2, "not 8 hex digits"},
		{"PARI not hex", replaced(2, "PARI=1FFFFFG9"), apperr.InvalidHardwareKeyCode, 2, "not 8 hex digits"},
		{"PARI empty", replaced(2, "PARI="), apperr.InvalidHardwareKeyCode, 2, "not 8 hex digits"},
		{"no PARI", replaced(2), apperr.InvalidHardwareKeyCode, 0, "no PARI line"},
		{"two PARIs", replaced(2, "PARI=1FFFFFF9", "PARI=1FFFFFF9"), apperr.InvalidHardwareKeyCode, 3, "a second PARI line (the first is line 2)"},

		// INVALID_FEATURE_CODE: a part that is not a DECT part.
		{"unknown part", withFeatures(append(specFeatures, "FEATURE=EU999999;1")...), apperr.InvalidFeatureCode, 10, `"EU999999" is not a DECT license part`},
		{"a part of another system", withFeatures(append(specFeatures, "FEATURE=BE107573;1")...), apperr.InvalidFeatureCode, 10, "BE107573"},
		{"DECT - NS part", withFeatures(append(specFeatures, "FEATURE=EU910010;1")...), apperr.InvalidFeatureCode, 10, "EU910010"},
		{"lower-case part number", replaced(9, "FEATURE=eu917005;1"), apperr.InvalidFeatureCode, 9, "eu917005"},

		// INVALID_FEATURE_CODE_STRING: malformed lines, no AP capacity.
		{"FEATURE without quantity", replaced(9, "FEATURE=EU917005"), apperr.InvalidFeatureCodeString, 9, "FEATURE=<part number>;<quantity>"},
		{"FEATURE with three fields", replaced(9, "FEATURE=EU917005;1;2"), apperr.InvalidFeatureCodeString, 9, "FEATURE=<part number>;<quantity>"},
		{"FEATURE without part", replaced(9, "FEATURE=;1"), apperr.InvalidFeatureCodeString, 9, "FEATURE=<part number>;<quantity>"},
		{"a part twice", withFeatures(append(specFeatures, "FEATURE=EU917005;1")...), apperr.InvalidFeatureCodeString, 10, "EU917005 is listed a second time (first on line 9)"},
		{"no KEY=VALUE", replaced(9, "EU917005 1"), apperr.InvalidFeatureCodeString, 9, "expected KEY=VALUE"},
		{"unknown key", replaced(3, "VERSION=5"), apperr.InvalidFeatureCodeString, 3, `unknown key "VERSION"`},
		{"lower-case key", replaced(3, "release=5"), apperr.InvalidFeatureCodeString, 3, `unknown key "release"`},
		{"not UTF-8", replaced(1, "# caf\xe9"), apperr.InvalidFeatureCodeString, 1, "not UTF-8"},
		{"no RELEASE", replaced(3), apperr.InvalidFeatureCodeString, 0, "no RELEASE line"},
		{"RELEASE not a number", replaced(3, "RELEASE=5.1"), apperr.InvalidFeatureCodeString, 3, "RELEASE must be a whole number"},
		{"RELEASE zero", replaced(3, "RELEASE=0"), apperr.InvalidFeatureCodeString, 3, "RELEASE must be a whole number"},
		{"two RELEASEs", replaced(3, "RELEASE=5", "RELEASE=4"), apperr.InvalidFeatureCodeString, 4, "a second RELEASE line"},
		{"no AP capacity part", withFeatures("FEATURE=EU917005;1"), apperr.InvalidFeatureCodeString, 0, "no AP capacity license (EU917017 or EU917062)"},
		{"no features", withFeatures(), apperr.InvalidFeatureCodeString, 0, "no AP capacity license"},

		// INVALID_FEATURE_QUANTITY: quantities and the counts.
		{"quantity zero", replaced(9, "FEATURE=EU917005;0"), apperr.InvalidFeatureQuantity, 9, "whole number from 1 to 100000, not \"0\""},
		{"quantity negative", replaced(9, "FEATURE=EU917005;-1"), apperr.InvalidFeatureQuantity, 9, "not \"-1\""},
		{"quantity not a number", replaced(9, "FEATURE=EU917005;one"), apperr.InvalidFeatureQuantity, 9, "not \"one\""},
		{"quantity with a fraction", replaced(9, "FEATURE=EU917005;1.5"), apperr.InvalidFeatureQuantity, 9, "not \"1.5\""},
		{"quantity empty", replaced(9, "FEATURE=EU917005;"), apperr.InvalidFeatureQuantity, 9, "not \"\""},
		{"quantity too large", replaced(9, "FEATURE=EU917005;100001"), apperr.InvalidFeatureQuantity, 9, "not \"100001\""},
		{"quantity overflowing", replaced(9, "FEATURE=EU917005;99999999999999999999"), apperr.InvalidFeatureQuantity, 9, "not \"99999999999999999999\""},
		{"DSWU fewer than DAP", replaced(8, "FEATURE=EU917029;40"), apperr.InvalidFeatureQuantity, 0,
			"the file has 40 DSWU upgrade allowance licenses (40 × EU917029 on line 8) but 50 DAP licenses (50 × EU917017 on line 5)"},
		{"DSWU more than DAP", replaced(8, "FEATURE=EU917029;60"), apperr.InvalidFeatureQuantity, 0, "must equal the number of DAP licenses"},
		{"no DSWU", replaced(8), apperr.InvalidFeatureQuantity, 0, "no DSWU upgrade allowance licenses (EU917029)"},
		{"DSWU against both DAP parts", withFeatures("FEATURE=EU917017;50", "FEATURE=EU917062;10", "FEATURE=EU917027;60", "FEATURE=EU917028;60", "FEATURE=EU917029;50"),
			apperr.InvalidFeatureQuantity, 0, "60 DAP licenses (50 × EU917017 on line 5, 10 × EU917062 on line 6)"},
		{"messaging fewer than DAP", replaced(6, "FEATURE=EU917027;49"), apperr.InvalidFeatureQuantity, 0,
			"the file has 49 messaging licenses (49 × EU917027 on line 6), fewer than 50 DAP licenses"},
		{"no messaging", replaced(6), apperr.InvalidFeatureQuantity, 0, "no messaging licenses (EU917027), fewer than 50 DAP licenses"},
		{"location fewer than DAP", replaced(7, "FEATURE=EU917028;10"), apperr.InvalidFeatureQuantity, 0, "10 location licenses (10 × EU917028 on line 7), fewer than 50 DAP"},

		// INVALID_FEATURE_TIMESTAMP.
		{"no TIMESTAMP", replaced(4), apperr.InvalidFeatureTimestamp, 0, "no TIMESTAMP line"},
		{"TIMESTAMP unparsable", replaced(4, "TIMESTAMP=16-04-2014 10:22"), apperr.InvalidFeatureTimestamp, 4, "not a time like 2014-04-16T10:22:31Z"},
		{"TIMESTAMP without zone", replaced(4, "TIMESTAMP=2014-04-16T10:22:31"), apperr.InvalidFeatureTimestamp, 4, "not a time"},
		{"TIMESTAMP in the future", replaced(4, "TIMESTAMP=2014-11-04T09:00:01Z"), apperr.InvalidFeatureTimestamp, 4, "in the future"},
		{"two TIMESTAMPs", replaced(4, "TIMESTAMP=2014-04-16T10:22:31Z", "TIMESTAMP=2014-04-16T10:22:31Z"), apperr.InvalidFeatureTimestamp, 5, "a second TIMESTAMP line"},

		// The size, before anything else.
		{"over 1 MiB", append(bytes.Repeat([]byte("#"), dect.MaxFileBytes), good...), apperr.ValidationFailed, 0, "at most 1048576"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := dect.Parse(tt.data, rules())
			require.Nil(t, got)
			var e *dect.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.code, e.Code, e.Message)
			require.Equal(t, tt.line, e.Line, e.Message)
			require.Contains(t, e.Message, tt.message)
			if tt.line > 0 {
				require.True(t, strings.HasPrefix(e.Message, "line "), e.Message)
			}
			require.Equal(t, dect.WhatToDo(tt.code), e.WhatToDo())
			require.Contains(t, dect.Codes, e.Code)
		})
	}
}

// A file exactly MaxFileBytes long is read; one byte more is not.
func TestParseSizeLimit(t *testing.T) {
	t.Parallel()
	sealed := withFeatures(specFeatures...)
	pad := dect.MaxFileBytes - len(sealed) - len("#\n")
	atLimit := dect.WithChecksum(append([]byte("#"+strings.Repeat(" ", pad)+"\n"), sealed[:bytes.LastIndex(sealed, []byte("CHECKSUM="))]...))
	require.Len(t, atLimit, dect.MaxFileBytes)
	_, err := dect.Parse(atLimit, rules())
	require.NoError(t, err)
	_, err = dect.Parse(append(atLimit, '\n'), rules())
	var e *dect.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, apperr.ValidationFailed, e.Code)
}

// The guide's error table, word for word.
func TestWhatToDo(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Contact the LMS Administrator", dect.WhatToDo(apperr.NotApplicable))
	require.Equal(t, "Contact the LMS Administrator", dect.WhatToDo(apperr.UnknownError))
	require.Equal(t, "Contact the LMS Administrator", dect.WhatToDo(apperr.InvalidFeatureCode))
	require.Equal(t, "Contact the LMS Administrator", dect.WhatToDo(apperr.InvalidFeatureTimestamp))
	require.Equal(t, "Contact the LMS Administrator", dect.WhatToDo(apperr.CannotWriteLicenseFile))
	require.Equal(t, "Enter a valid Hardware Key Code, format 8 hex digits starting with 1 (e.g. 1009FFFE)", dect.WhatToDo(apperr.InvalidHardwareKeyCode))
	require.Equal(t, "Check if minimal 1 x IPDECT 1 AP Cap Lic (EU917062) is included.", dect.WhatToDo(apperr.InvalidFeatureCodeString))
	require.Equal(t, "1. Check if minimal 1 x IPDECT 1 AP Cap Lic (EU917062) is included.\n"+
		"2. Check if number of DSWU (upgrade feature) licenses is equal to the number of DAP licenses.\n"+
		"3. Check if the number of Messaging and/or Location licenses is equal or higher than the number of DAP licenses.",
		dect.WhatToDo(apperr.InvalidFeatureQuantity))
	for _, c := range dect.Codes {
		require.NotEmpty(t, dect.WhatToDo(c))
	}
}

// The counting rules on their own: DSWU equal to DAP (EU917017 +
// EU917062), messaging and location each at least DAP; more messaging or
// location licenses than DAP are fine.
func TestParseCounts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name                 string
		conv, cap, dswu      int
		messaging, locations int
		ok                   bool
	}{
		{"all equal", 50, 0, 50, 50, 50, true},
		{"both DAP parts", 30, 20, 50, 50, 50, true},
		{"only the new AP part", 0, 8, 8, 8, 8, true},
		{"more messaging and location", 10, 0, 10, 12, 20, true},
		{"DSWU short", 30, 20, 30, 50, 50, false},
		{"DSWU counts only one DAP part", 30, 20, 20, 50, 50, false},
		{"messaging short", 30, 20, 50, 49, 50, false},
		{"location short", 30, 20, 50, 50, 49, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var fs []string
			add := func(part string, n int) {
				if n > 0 {
					fs = append(fs, "FEATURE="+part+";"+strconv.Itoa(n))
				}
			}
			add("EU917017", tt.conv)
			add("EU917062", tt.cap)
			add("EU917029", tt.dswu)
			add("EU917027", tt.messaging)
			add("EU917028", tt.locations)
			_, err := dect.Parse(withFeatures(fs...), rules())
			if tt.ok {
				require.NoError(t, err)
				return
			}
			var e *dect.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, apperr.InvalidFeatureQuantity, e.Code, e.Message)
		})
	}
}

// Format writes what Parse reads back to the same export.
func TestFormatRoundTrip(t *testing.T) {
	t.Parallel()
	x, err := dect.Parse(withFeatures(specFeatures...), rules())
	require.NoError(t, err)
	again, err := dect.Parse(x.Format(), rules())
	require.NoError(t, err)
	require.Equal(t, x, again)
	require.Equal(t, withFeatures(specFeatures...), x.Format(), "the example is written as the DECT Manager writes it")
}
