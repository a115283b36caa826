package lmstest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

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
	inputType := strings.ToUpper(field[:1]) + field[1:] + "Input"
	q := fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { %s errors { code message field } } }`, inputType, field, selection)
	var got map[string]P
	e.Query(t, user, q, map[string]any{"in": in}).Decode(t, &got)
	return got[field]
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
