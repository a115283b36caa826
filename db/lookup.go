package db

import "strings"

// InOrder arranges rows found by key in the order of keys, nil where a key
// found no row: the shape dataloaders and FindXs(ids) answers need.
func InOrder[K comparable, T any](keys []K, rows []T, key func(*T) K) []*T {
	byKey := make(map[K]*T, len(rows))
	for i := range rows {
		byKey[key(&rows[i])] = &rows[i]
	}
	out := make([]*T, len(keys))
	for i, k := range keys {
		out[i] = byKey[k]
	}
	return out
}

// EscapeLike escapes the LIKE wildcards in s, so a user's search for "50%"
// means the characters 50%.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ContainsPattern is the LIKE pattern of a case-insensitive substring
// search for s over a lower-cased column.
func ContainsPattern(s string) string {
	return "%" + EscapeLike(strings.ToLower(s)) + "%"
}
