package graph

import (
	"encoding/base64"
	"strings"

	"github.com/google/uuid"

	"lms/apperr"
)

// Global ids are base64url("Type:key"), opaque to clients. The key is the
// object's uuid, or for a catalog object (SystemType, Part, SwaApplication),
// whose identity is its code or part number (CAT-3), that code: so a catalog
// object keeps its id across catalog versions and servers. A uuid id is also
// the "Type:uuid" reference the audit trail stores, so stored references turn
// into ids without a lookup.

func encodeID(typ string, id uuid.UUID) string { return encodeKey(typ, id.String()) }

// encodeKey is the global id of a catalog object: typ and its code.
func encodeKey(typ, key string) string { return encodeRef(typ + ":" + key) }

func encodeRef(ref string) string { return base64.RawURLEncoding.EncodeToString([]byte(ref)) }

// decodeKey splits a global id into its type and key; ok is false for
// anything malformed.
func decodeKey(s string) (typ, key string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", "", false
	}
	typ, key, found := strings.Cut(string(b), ":")
	return typ, key, found && typ != "" && key != ""
}

// decodeID splits the global id of a stored object; ok is false for
// anything malformed and for a catalog object's id.
func decodeID(s string) (typ string, id uuid.UUID, ok bool) {
	typ, key, ok := decodeKey(s)
	if !ok {
		return "", uuid.Nil, false
	}
	id, err := uuid.Parse(key)
	return typ, id, err == nil
}

// parseID decodes an input id that must be of type typ. A malformed id or
// one of another type answers NOT_FOUND on that field, like a missing object.
func parseID(s, typ, field string) (uuid.UUID, error) {
	t, id, ok := decodeID(s)
	if !ok || t != typ {
		return uuid.Nil, apperr.NotFoundf(strings.ToLower(typ)).OnField(field)
	}
	return id, nil
}

func parseOptionalID(s *string, typ, field string) (*uuid.UUID, error) {
	if s == nil {
		return nil, nil
	}
	id, err := parseID(*s, typ, field)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// decodeRef turns a global id back into the "Type:uuid" reference the audit
// trail stores. Errors: VALIDATION_FAILED on field.
func decodeRef(s, field string) (string, error) {
	typ, id, ok := decodeID(s)
	if !ok {
		return "", apperr.Invalid(field, "not an object id")
	}
	return typ + ":" + id.String(), nil
}
