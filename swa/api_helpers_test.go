package swa_test

// Helpers of the SWA API tests: they drive the GraphQL API of an
// lmstest.Env as a client would, over HTTP.

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

type userError = lmstest.UserError

// part is a part number and quantity of a license order.
type part struct {
	Number string
	Qty    int
}

// activatedLocation ships parts to user's partner, creates a customer and
// a location of systemType with hwkc for it, attaches every part and
// activates them (the clock of the license service decides activatedAt),
// and returns the location's id.
func activatedLocation(t *testing.T, env *lmstest.Env, user, systemType, name, hwkc string, parts ...part) string {
	t.Helper()
	return activatedLocationOf(t, env, user, newCustomer(t, env, user, "Customer of "+name), map[string]any{"systemType": systemType, "name": name, "hardwareKeyCode": hwkc}, parts...)
}

// activatedLocationOf is activatedLocation for a location of a customer
// there is, with the createLocation fields given (systemType, name, and
// its hardware key code or what it is generated from).
func activatedLocationOf(t *testing.T, env *lmstest.Env, user, customerID string, fields map[string]any, parts ...part) string {
	t.Helper()
	lines := shipLines(t, env, user, fmt.Sprintf("SO-%s-%d", fields["name"], time.Now().UnixNano()), parts...)

	in := map[string]any{"customerId": customerID, "dealerEmail": "desk@dealer.example"}
	for k, v := range fields {
		in[k] = v
	}
	loc := lmstest.Mutate[struct {
		Location *struct{ ID string }
		Errors   []userError
	}](t, env, user, "createLocation", "location { id }", in)
	require.Empty(t, loc.Errors)

	var sel []map[string]any
	for _, id := range lines {
		sel = append(sel, map[string]any{"lineId": id})
	}
	att := lmstest.Mutate[struct {
		Licenses []struct{ ID string }
		Errors   []userError
	}](t, env, user, "attachLicenses", "licenses { id }", map[string]any{"locationId": loc.Location.ID, "lines": sel})
	require.Empty(t, att.Errors)
	var ids []string
	for _, l := range att.Licenses {
		ids = append(ids, l.ID)
	}
	act := lmstest.Mutate[struct{ Errors []userError }](t, env, user, "activateLicenses", "licenses { id }",
		map[string]any{"locationId": loc.Location.ID, "licenseIds": ids, "acceptAgreement": true})
	require.Empty(t, act.Errors)
	return loc.Location.ID
}

// shipUnits ships SWA units to user's partner as the license desk and
// returns the order's id.
func shipUnits(t *testing.T, env *lmstest.Env, user, so string, qty int, expires string) string {
	t.Helper()
	p := lmstest.Mutate[struct {
		Order  *struct{ ID string }
		Errors []userError
	}](t, env, lmstest.Admin, "shipSwaUnits", "order { id }", map[string]any{
		"partnerId": lmstest.PartnerID(t, env, user), "salesOrder": so, "purchaseOrder": "PO-" + so, "quantity": qty, "expiresOn": expires,
	})
	require.Empty(t, p.Errors)
	return p.Order.ID
}

// unitBin is the SWA unit bin as binFields selects it.
type unitBin struct {
	UnAllocated, Allocated, Available int
	Orders                            struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID, SalesOrder, ExpiresOn                string
				Quantity, Available, Allocated, Consumed int
			}
		}
	}
}

func bin(t *testing.T, env *lmstest.Env, user string) unitBin {
	t.Helper()
	var got struct{ SwaUnitBin unitBin }
	env.Query(t, user, `{ swaUnitBin { unAllocated allocated available orders(first: 50) { totalCount edges { node { id salesOrder expiresOn quantity available allocated consumed } } } } }`, nil).Decode(t, &got)
	return got.SwaUnitBin
}

// activation is an SWA activation as activationFields selects it.
type activation struct {
	ID, Status, TimeLeft, DueAt string
	Units, TermMonths           int
	ReinstatementUnits          int
	Agreement                   *agreement
}

type agreement struct {
	ID, Number, StartsOn, EndsOn string
	Units, TermMonths            int
}

const activationFields = `id status timeLeft dueAt units termMonths reinstatementUnits agreement { id number startsOn endsOn units termMonths }`

func assign(t *testing.T, env *lmstest.Env, user, locationID string, months int, key string) (*activation, []userError) {
	t.Helper()
	in := map[string]any{"locationId": locationID, "termMonths": months, "authoriseUnits": true, "referenceNote": "ref " + key}
	if key != "" {
		in["idempotencyKey"] = key
	}
	p := lmstest.Mutate[struct {
		Activation *activation
		Errors     []userError
	}](t, env, user, "assignSwa", "activation { "+activationFields+" }", in)
	return p.Activation, p.Errors
}

func processNow(t *testing.T, env *lmstest.Env, user, activationID string) (*agreement, []userError) {
	t.Helper()
	p := lmstest.Mutate[struct {
		Agreement *agreement
		Errors    []userError
	}](t, env, user, "processSwaImmediately", "agreement { id number startsOn endsOn units termMonths }",
		map[string]any{"activationId": activationID, "reason": "customer asked to start today"})
	return p.Agreement, p.Errors
}

func codes(errs []userError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Code
	}
	return out
}
func mailTo(t *testing.T, env *lmstest.Env, rcpt string, parts ...string) {
	t.Helper()
	lmstest.MailTo(t, env, rcpt, parts...)
}
