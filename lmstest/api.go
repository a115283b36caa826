package lmstest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"lms/mail/mailtest"
)

// UserError is one entry of a mutation payload's errors.
type UserError struct {
	Code    string
	Message string
	Field   []string
}

// Mutate runs mutation field with input in as user, selecting selection
// and the payload's errors, and decodes the payload into P. The input type
// is the field's name with "Input" (shipSwaUnits → ShipSwaUnitsInput). It
// fails on top-level errors only.
func Mutate[P any](t testing.TB, e *Env, user, field, selection string, in map[string]any) P {
	t.Helper()
	var got map[string]P
	e.Query(t, user, mutationQuery(field, selection), map[string]any{"in": in}).Decode(t, &got)
	return got[field]
}

// PostMutation is Mutate for goroutines other than the test's, which must
// not call t.FailNow: it reports every failure as an error for the test's
// goroutine to assert on after the race.
func PostMutation[P any](e *Env, user, field, selection string, in map[string]any) (P, error) {
	var zero P
	resp, err := e.Post(user, mutationQuery(field, selection), map[string]any{"in": in})
	if err != nil {
		return zero, err
	}
	var got map[string]P
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		return zero, fmt.Errorf("decode %s payload: %w", field, err)
	}
	return got[field], nil
}

// mutationQuery is the document of mutation field with its input (of type
// the field's name with "Input": shipSwaUnits → ShipSwaUnitsInput),
// selecting selection and the payload's errors.
func mutationQuery(field, selection string) string {
	inputType := strings.ToUpper(field[:1]) + field[1:] + "Input"
	return fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { %s errors { code message field } } }`, inputType, field, selection)
}

// PartnerID returns the global id of user's partner.
func PartnerID(t testing.TB, e *Env, user string) string {
	t.Helper()
	var got struct {
		Viewer struct{ Partner struct{ ID string } }
	}
	e.Query(t, user, `{ viewer { partner { id } } }`, nil).Decode(t, &got)
	return got.Viewer.Partner.ID
}

// MailTo waits up to 15 s for a mail to rcpt whose subject contains every
// part, and returns it.
func MailTo(t testing.TB, e *Env, rcpt string, parts ...string) mailtest.Received {
	t.Helper()
	var found mailtest.Received
	Eventually(t, 15*time.Second, func() bool {
		for _, m := range e.SMTP.Messages() {
			if slices.Contains(m.To, rcpt) && containsAll(m.Subject, parts...) {
				found = m
				return true
			}
		}
		return false
	}, fmt.Sprintf("mail to %s with %q", rcpt, parts))
	return found
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// UUIDOf is the database id behind a global id (base64url "Type:uuid"), for
// tests that reach the domain services or the database directly.
func UUIDOf(t testing.TB, globalID string) uuid.UUID {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(globalID)
	if err != nil {
		t.Fatalf("global id %q: %v", globalID, err)
	}
	_, key, _ := strings.Cut(string(b), ":")
	id, err := uuid.Parse(key)
	if err != nil {
		t.Fatalf("global id %q holds no uuid: %v", globalID, err)
	}
	return id
}
