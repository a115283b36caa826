package swa_test

// Fixtures of the SWA API tests beside api_helpers_test.go: a movable
// clock, many small SV8100 locations at once, ids of missing objects and
// top-level error codes.

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// clock is the clock of a test's SWA and license services: installed once
// before the first request, then moved by the test. The services read it
// from request and worker goroutines, so it is atomic.
type clock struct{ now atomic.Pointer[time.Time] }

// newClock gives env's SWA and license services one clock at day (see day)
// and returns it. Call it before any request.
func newClock(env *lmstest.Env, start string) *clock {
	c := new(clock)
	c.set(start)
	svc := env.Server.Graph.Services
	svc.Swa.Now = c.Now
	svc.Licenses.Now = c.Now
	return c
}

// Now is the clock's time.
func (c *clock) Now() time.Time { return *c.now.Load() }

// set moves the clock to noon UTC of a date (2006-01-02).
func (c *clock) set(date string) { c.at(day(date)) }

// at moves the clock to t.
func (c *clock) at(t time.Time) { c.now.Store(&t) }

// advance moves the clock on by d.
func (c *clock) advance(d time.Duration) { c.at(c.Now().Add(d)) }

// site is a location as the fixtures create it.
type site struct{ ID, Name, HardwareKeyCode string }

// sv8100Sites ships one order of n licenses BE107573 (SWA weight 2: 24
// units for 12 months) to user's partner and activates one of them at each
// of n new SV8100 locations of one new customer, named prefix 000,
// prefix 001, …; the clock of the license service is their first
// activation.
func sv8100Sites(t *testing.T, env *lmstest.Env, user, prefix string, n int) []site {
	t.Helper()
	return newSites(t, env, user, prefix, n, true)
}

// newSites is sv8100Sites; without activate the licenses stay attached.
func newSites(t *testing.T, env *lmstest.Env, user, prefix string, n int, activate bool) []site {
	t.Helper()
	line := shipLines(t, env, user, "SO-"+randomHex(8), part{"BE107573", n})[0]
	custID := newCustomer(t, env, user, prefix+" customer")

	out := make([]site, n)
	for i := range out {
		s := site{Name: fmt.Sprintf("%s %03d", prefix, i), HardwareKeyCode: "19" + randomHex(5)}
		loc := lmstest.Mutate[struct {
			Location *struct{ ID string }
			Errors   []userError
		}](t, env, user, "createLocation", "location { id }", map[string]any{
			"customerId": custID, "name": s.Name, "systemType": "SV8100", "hardwareKeyCode": s.HardwareKeyCode,
			"dealerEmail": "desk@dealer.example",
		})
		require.Empty(t, loc.Errors)
		s.ID = loc.Location.ID
		att := lmstest.Mutate[struct {
			Licenses []struct{ ID string }
			Errors   []userError
		}](t, env, user, "attachLicenses", "licenses { id }", map[string]any{
			"locationId": s.ID, "lines": []map[string]any{{"lineId": line, "quantity": 1}},
		})
		require.Empty(t, att.Errors)
		out[i] = s
		if !activate {
			continue
		}
		act := lmstest.Mutate[struct{ Errors []userError }](t, env, user, "activateLicenses", "licenses { id }",
			map[string]any{"locationId": s.ID, "licenseIds": []string{att.Licenses[0].ID}, "acceptAgreement": true})
		require.Empty(t, act.Errors)
	}
	return out
}

// sv8100Site is one of sv8100Sites.
func sv8100Site(t *testing.T, env *lmstest.Env, user, name string) site {
	t.Helper()
	return sv8100Sites(t, env, user, name, 1)[0]
}

// missingID is a well-formed global id of typ that names no object.
func missingID(typ string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + uuid.NewString()))
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return fmt.Sprintf("%X", b)
}

// topLevel runs a query that must fail and returns the top-level errors'
// codes and messages.
func topLevel(t *testing.T, env *lmstest.Env, user, query string, vars map[string]any) (codes, messages []string) {
	t.Helper()
	resp := env.Query(t, user, query, vars)
	require.NotEmpty(t, resp.Errors, "expected top-level errors")
	for _, e := range resp.Errors {
		codes = append(codes, e.Code())
		messages = append(messages, e.Message)
	}
	return codes, messages
}

// cancel cancels an assignment.
func cancel(t *testing.T, env *lmstest.Env, user, activationID string) (*activation, []userError) {
	t.Helper()
	p := lmstest.Mutate[struct {
		Activation *activation
		Errors     []userError
	}](t, env, user, "cancelSwaActivation", "activation { "+activationFields+" }",
		map[string]any{"activationId": activationID, "reason": "customer changed their mind"})
	return p.Activation, p.Errors
}

// newCustomer creates a customer of user's partner named name and returns
// its id.
func newCustomer(t testing.TB, env *lmstest.Env, user, name string) string {
	t.Helper()
	cust := lmstest.Mutate[struct {
		Customer *struct{ ID string }
		Errors   []userError
	}](t, env, user, "createCustomer", "customer { id }", map[string]any{"name": name, "eulaEmail": "eula@customer.example"})
	require.Empty(t, cust.Errors)
	return cust.Customer.ID
}

// shipLines ships one order of parts to user's partner as the license desk,
// under sales order so, and returns its lines' ids in the order of parts.
func shipLines(t testing.TB, env *lmstest.Env, user, so string, parts ...part) []string {
	t.Helper()
	var lines []map[string]any
	for _, p := range parts {
		lines = append(lines, map[string]any{"partNumber": p.Number, "quantity": p.Qty})
	}
	shipped := lmstest.Mutate[struct {
		Order *struct {
			Lines struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		Errors []userError
	}](t, env, lmstest.Admin, "shipLicenseOrder", "order { lines(first: 50) { edges { node { id } } } }",
		map[string]any{"partnerId": lmstest.PartnerID(t, env, user), "salesOrder": so, "purchaseOrder": "PO-" + so, "lines": lines})
	require.Empty(t, shipped.Errors)
	ids := make([]string, len(shipped.Order.Lines.Edges))
	for i, e := range shipped.Order.Lines.Edges {
		ids[i] = e.Node.ID
	}
	return ids
}
