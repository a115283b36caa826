package graph

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Every string a client sends (names, search filters, notes, keys, file
// names) is checked here, once, before any resolver runs: PostgreSQL
// cannot store the NUL character in text, so a NUL would otherwise end as
// an internal error deep inside whichever service got it.

// checkString refuses a string that contains NUL as VALIDATION_FAILED on
// the input field at path.
func checkString(s string, path []string) *gqlerror.Error {
	if !strings.ContainsRune(s, 0) {
		return nil
	}
	field := strings.Join(path, ".")
	return &gqlerror.Error{
		Message:    field + ": text must not contain the NUL character (U+0000)",
		Extensions: map[string]any{"code": "VALIDATION_FAILED", "field": path},
	}
}

// checkVariables checks every string in the request's variables. A
// variable's errors name the argument it fills (uses, from the document),
// or the variable itself when it fills none.
func checkVariables(vars map[string]any, uses map[string][]string) *gqlerror.Error {
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names) // the same request always reports the same field
	for _, name := range names {
		if at, bad := nulIn(vars[name]); bad {
			path, ok := uses[name]
			if !ok {
				path = []string{name}
			}
			return checkString("\x00", append(slices.Clip(path), at...))
		}
	}
	return nil
}

// nulIn finds a string with NUL in a variable's value (JSON decoded), and
// returns where, relative to the value. The path is built only for the
// string found, so a deeply nested value is searched in linear time.
func nulIn(v any) (at []string, bad bool) {
	var rev []string // the path, innermost first
	var find func(any) bool
	find = func(v any) bool {
		switch x := v.(type) {
		case string:
			return strings.ContainsRune(x, 0)
		case graphql.Upload:
			return strings.ContainsRune(x.Filename, 0)
		case *graphql.Upload:
			return x != nil && strings.ContainsRune(x.Filename, 0)
		case []any:
			for i, e := range x {
				if find(e) {
					rev = append(rev, strconv.Itoa(i))
					return true
				}
			}
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if strings.ContainsRune(k, 0) || find(x[k]) {
					rev = append(rev, k)
					return true
				}
			}
		}
		return false
	}
	if !find(v) {
		return nil, false
	}
	slices.Reverse(rev)
	return rev, true
}
