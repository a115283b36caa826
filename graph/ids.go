package graph

import (
	"encoding/base64"
	"strings"

	"github.com/google/uuid"

	"lms/apperr"
)

// Global ids are base64url("Type:uuid"): opaque to clients, and the same
// "Type:uuid" reference the audit trail stores, so stored references turn
// into ids without a lookup.

func encodeID(typ string, id uuid.UUID) string { return encodeRef(typ + ":" + id.String()) }

func encodeRef(ref string) string { return base64.RawURLEncoding.EncodeToString([]byte(ref)) }

// decodeID splits a global id; ok is false for anything malformed.
func decodeID(s string) (typ string, id uuid.UUID, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", uuid.Nil, false
	}
	typ, raw, found := strings.Cut(string(b), ":")
	if !found {
		return "", uuid.Nil, false
	}
	id, err = uuid.Parse(raw)
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
