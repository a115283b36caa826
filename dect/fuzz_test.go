package dect_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"lms/dect"
)

// The fuzz targets start from the seed corpus in testdata/fuzz/<target>/:
// SPEC DECT-4's example and the guide's ten-line one, their lenient
// variants (CRLF, byte order mark, comments, blanks) and a file broken in
// each way TestParseErrors lists. FuzzParse mutates whole files, which
// nearly always breaks their checksum; FuzzParseBody mutates what comes
// before the CHECKSUM line and seals it with the right one, so that the
// fuzzer reaches every rule behind the checksum.

// FuzzParse: for any bytes, Parse does not panic, refuses with an *Error of
// one of the codes of DECT-4 whose message names its line, or answers an
// export that keeps every rule and reads back the same from its Format.
func FuzzParse(f *testing.F) {
	f.Add(withFeatures(specFeatures...))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, rules())
	})
}

// FuzzParseBody: the same for any content sealed with its right checksum,
// checked against any location PARI (none: not checked).
func FuzzParseBody(f *testing.F) {
	f.Add(body(append(append([]string{}, header...), specFeatures...)...), "1FFFFFF9")
	f.Fuzz(func(t *testing.T, content []byte, pari string) {
		r := rules()
		r.PARI = pari
		checkParse(t, dect.WithChecksum(content), r)
	})
}

// checkParse parses data under r and checks what any answer must be.
func checkParse(t *testing.T, data []byte, r dect.Rules) {
	x, err := dect.Parse(data, r)
	if err != nil {
		require.Nil(t, x)
		checkRefusal(t, data, err)
		return
	}
	checkExport(t, x, r)
	again, err := dect.Parse(x.Format(), r)
	require.NoError(t, err, "the export written again:\n%s", x.Format())
	require.Equal(t, x, again, "the export written again reads the same")
}

// checkRefusal: one of the codes, a line of the file, a message for a
// user (UTF-8 without NUL, as PostgreSQL stores text; bounded) that starts
// with the line it names, and the guide's advice.
func checkRefusal(t *testing.T, data []byte, err error) {
	var e *dect.Error
	require.True(t, errors.As(err, &e), "%T: %v", err, err)
	require.Contains(t, dect.Codes, e.Code, e.Message)
	require.NotEmpty(t, e.Message)
	require.True(t, utf8.ValidString(e.Message), "%q", e.Message)
	require.NotContains(t, e.Message, "\x00")
	require.LessOrEqual(t, len(e.Message), 1000)
	lines := bytes.Count(data, []byte("\n")) + 1
	require.GreaterOrEqual(t, e.Line, 0)
	require.LessOrEqual(t, e.Line, lines)
	if e.Line > 0 {
		require.True(t, strings.HasPrefix(e.Message, fmt.Sprintf("line %d: ", e.Line)), e.Message)
	} else {
		require.False(t, strings.HasPrefix(e.Message, "line "), e.Message)
	}
	require.NotEmpty(t, e.WhatToDo())
}

// checkExport: what an accepted export keeps of DECT-4.
func checkExport(t *testing.T, x *dect.Export, r dect.Rules) {
	require.True(t, dect.ValidPARI(x.PARI), x.PARI)
	if r.PARI != "" {
		require.True(t, strings.EqualFold(r.PARI, x.PARI), "%s for %s", x.PARI, r.PARI)
	}
	require.GreaterOrEqual(t, x.Release, 1)
	require.False(t, x.Timestamp.After(r.Now))
	require.Equal(t, "UTC", x.Timestamp.Location().String())
	require.NotEmpty(t, x.Features)
	counts := map[dect.Role]int{}
	var seen []string
	for _, f := range x.Features {
		role, ok := r.Parts[f.PartNumber]
		require.True(t, ok, f.PartNumber)
		require.NotContains(t, seen, f.PartNumber)
		seen = append(seen, f.PartNumber)
		require.GreaterOrEqual(t, f.Quantity, 1)
		require.LessOrEqual(t, f.Quantity, dect.MaxQuantity)
		counts[role] += f.Quantity
	}
	require.True(t, slices.ContainsFunc(x.Features, func(f dect.Feature) bool { return r.Parts[f.PartNumber] == dect.RoleAPCapacity }))
	dap := counts[dect.RoleAPCapacity]
	require.Equal(t, dap, counts[dect.RoleUpgradeAllowance])
	require.GreaterOrEqual(t, counts[dect.RoleMessaging], dap)
	require.GreaterOrEqual(t, counts[dect.RoleLocation], dap)
}
