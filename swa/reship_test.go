package swa_test

// Reshipping SWA units from a distributor to a dealer (SWA-11), through
// HTTP: first-expiring-first across the distributor's orders, the expiry
// kept, the dealer's mail, refusals that change nothing, idempotent
// retries, races and tenant isolation.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// reshippedOrder is an SWA unit order as reshipOrderFields selects it.
type reshippedOrder struct {
	ID, SalesOrder, PurchaseOrder, ExpiresOn string
	Quantity, Available, Reshipped           int
	Partner                                  *struct{ Name string }
	ReshippedFrom                            *struct{ Name string }
}

const reshipOrderFields = `id salesOrder purchaseOrder expiresOn quantity available reshipped partner { name } reshippedFrom { name }`

type reshipPayload struct {
	Orders []reshippedOrder
	Errors []userError
}

// reshipInput is the input of reshipSwaUnits; PO-<so> is the purchase
// order, and an empty key sends none.
func reshipInput(dealerEmail, so string, qty int, key string) map[string]any {
	in := map[string]any{"dealerUserEmail": dealerEmail, "salesOrder": so, "purchaseOrder": "PO-" + so, "quantity": qty}
	if key != "" {
		in["idempotencyKey"] = key
	}
	return in
}

func reshipUnits(t *testing.T, env *lmstest.Env, user, dealerEmail, so string, qty int, key string) reshipPayload {
	t.Helper()
	return lmstest.Mutate[reshipPayload](t, env, user, "reshipSwaUnits", "orders { "+reshipOrderFields+" }", reshipInput(dealerEmail, so, qty, key))
}

func postReship(env *lmstest.Env, user, dealerEmail, so string, qty int) (reshipPayload, error) {
	return lmstest.PostMutation[reshipPayload](env, user, "reshipSwaUnits", "orders { id salesOrder quantity expiresOn }", reshipInput(dealerEmail, so, qty, ""))
}

// reshipBin is user's SWA unit bin with what a reship adds to its orders.
type reshipBin struct {
	Available int
	Orders    []reshippedOrder
}

func binWithReships(t *testing.T, env *lmstest.Env, user string) reshipBin {
	t.Helper()
	var got struct {
		SwaUnitBin struct {
			Available int
			Orders    struct {
				Edges []struct{ Node reshippedOrder }
			}
		}
	}
	env.Query(t, user, `{ swaUnitBin { available orders(first: 250) { edges { node { `+reshipOrderFields+` } } } } }`, nil).Decode(t, &got)
	out := reshipBin{Available: got.SwaUnitBin.Available, Orders: []reshippedOrder{}}
	for _, e := range got.SwaUnitBin.Orders.Edges {
		out.Orders = append(out.Orders, e.Node)
	}
	return out
}

// counters are an order's available and reshipped units.
type counters struct{ Available, Reshipped int }

// requireCounters checks orders' available and reshipped units by sales
// order, on the tables, and that units are conserved.
func requireCounters(t *testing.T, env *lmstest.Env, want map[string]counters) {
	t.Helper()
	all := requireUnitsConserved(t, env)
	got := map[string]counters{}
	for so := range want {
		got[so] = counters{all[so].Available, all[so].Reshipped}
	}
	require.Equal(t, want, got, "available and reshipped units by order")
}

// countReships counts the reship mails recorded and the reship audit
// events.
func countReships(t *testing.T, env *lmstest.Env) (emails, events int) {
	t.Helper()
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT count(*) FROM emails WHERE template = 'swa_units_received'`).Scan(&emails))
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'swa.reship_units'`).Scan(&events))
	return emails, events
}

// reshipEvents are the swa.reship_units events of user's audit trail.
func reshipEvents(t *testing.T, env *lmstest.Env, user string) []struct {
	ObjectIDs []string
	Summary   map[string]any
} {
	t.Helper()
	var got struct {
		AuditEvents struct {
			Edges []struct {
				Node struct {
					ObjectIDs []string
					Summary   map[string]any
				}
			}
		}
	}
	env.Query(t, user, `{ auditEvents(first: 50, filter: {action: "swa.reship_units"}) { edges { node { objectIds summary } } } }`, nil).Decode(t, &got)
	out := make([]struct {
		ObjectIDs []string
		Summary   map[string]any
	}, len(got.AuditEvents.Edges))
	for i, e := range got.AuditEvents.Edges {
		out[i].ObjectIDs, out[i].Summary = e.Node.ObjectIDs, e.Node.Summary
	}
	return out
}

// TestReshipSwaUnitsFirstExpiringFirst is SWA-11's walk through: Distributor
// X holds 10 units expiring 31-03-2031, 20 expiring 30-06-2031 and 1000
// that have expired. Reshipping 15 to Dealer Y takes the 10 that expire
// first and 5 of the next order: the dealer gets two orders, SO/1 with 10
// units until 31-03-2031 and SO/2 with 5 until 30-06-2031, both named as
// coming from Distributor X; the distributor is left with 0 and 15. Both
// of Dealer Y's users get the "SWA units received" mail through the SMTP
// server, both partners' trails show the reship. A reship from one
// expiry date is one order with the sales order as given; the expired
// units are never reshipped.
func TestReshipSwaUnitsFirstExpiringFirst(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	c := newClock(env, "2030-02-15")
	shipUnits(t, env, lmstest.Distributor, "SO-D-OLD", 1000, "2030-02-20")
	shipUnits(t, env, lmstest.Distributor, "SO-D-LATE", 20, "2031-06-30")
	shipUnits(t, env, lmstest.Distributor, "SO-D-EARLY", 10, "2031-03-31")
	c.set("2030-03-01") // SO-D-OLD has expired

	p := reshipUnits(t, env, lmstest.Distributor, "Yara@Dealer-Y.example", "SO-R", 15, "")
	require.Empty(t, p.Errors)
	require.Len(t, p.Orders, 2)
	for i, want := range []struct {
		so, expires string
		qty         int
	}{{"SO-R/1", "2031-03-31", 10}, {"SO-R/2", "2031-06-30", 5}} {
		o := p.Orders[i]
		require.Equal(t, want.so, o.SalesOrder)
		require.Equal(t, "PO-SO-R", o.PurchaseOrder)
		require.Equal(t, want.expires, o.ExpiresOn, "the units keep their expiry")
		require.Equal(t, []int{want.qty, want.qty, 0}, []int{o.Quantity, o.Available, o.Reshipped})
		require.Equal(t, "Dealer Y", o.Partner.Name)
		require.Equal(t, "Distributor X", o.ReshippedFrom.Name)
	}
	requireCounters(t, env, map[string]counters{
		"SO-D-EARLY": {0, 10}, "SO-D-LATE": {15, 5}, "SO-D-OLD": {1000, 0}, "SO-R/1": {10, 0}, "SO-R/2": {5, 0},
	})

	// Yara's bin holds the two orders, first-expiring first, as they were
	// answered; the distributor's its own two unexpired orders.
	dealer := binWithReships(t, env, lmstest.DealerY)
	require.Equal(t, 15, dealer.Available)
	require.Equal(t, p.Orders, dealer.Orders)
	dist := binWithReships(t, env, lmstest.Distributor)
	require.Equal(t, 15, dist.Available)
	require.Len(t, dist.Orders, 2)
	require.Equal(t, []string{"SO-D-EARLY", "SO-D-LATE"}, []string{dist.Orders[0].SalesOrder, dist.Orders[1].SalesOrder})
	require.Equal(t, []int{10, 0, 10}, []int{dist.Orders[0].Quantity, dist.Orders[0].Available, dist.Orders[0].Reshipped})
	require.Nil(t, dist.Orders[0].ReshippedFrom, "the license desk shipped it")

	// Both of Dealer Y's users are told, through the SMTP server.
	for _, rcpt := range []string{lmstest.DealerY, lmstest.DealerY2} {
		m := lmstest.MailTo(t, env, rcpt, "SWA units received from Distributor X: 15 units, PO PO-SO-R / SO SO-R")
		require.Regexp(t, `SO-R/1 +10  31 March 2031\r?\nSO-R/2 +5  30 June 2031`, m.Text)
	}
	lmstest.Eventually(t, 15*time.Second, func() bool {
		return countRows(env.DB.SQL, `SELECT count(*) FROM emails WHERE template = 'swa_units_received' AND status = 'SENT'`) == 2
	}, "both mails recorded as sent")

	// The event is in both partners' trails, naming the dealer's orders
	// only; not in Dealer Z's.
	for _, user := range []string{lmstest.Distributor, lmstest.DealerY} {
		events := reshipEvents(t, env, user)
		require.Len(t, events, 1, user)
		require.Equal(t, []string{p.Orders[0].ID, p.Orders[1].ID}, events[0].ObjectIDs, user)
		require.Equal(t, float64(15), events[0].Summary["quantity"], user)
		require.Equal(t, "Dealer Y", events[0].Summary["dealer"], user)
	}
	require.Empty(t, reshipEvents(t, env, lmstest.DealerZ))

	// Five more, all from the order expiring 30-06-2031: one order, the
	// sales order as given.
	p = reshipUnits(t, env, lmstest.Distributor, lmstest.DealerY2, "SO-R2", 5, "")
	require.Empty(t, p.Errors)
	require.Len(t, p.Orders, 1)
	require.Equal(t, []string{"SO-R2", "2031-06-30"}, []string{p.Orders[0].SalesOrder, p.Orders[0].ExpiresOn})
	require.Equal(t, 5, p.Orders[0].Quantity)
	m := lmstest.MailTo(t, env, lmstest.DealerY, "SWA units received from Distributor X: 5 units, PO PO-SO-R2 / SO SO-R2")
	require.NotContains(t, m.Text, "each date came as an order of its own")

	// 10 unexpired units are left; the 1000 expired ones are never taken.
	p = reshipUnits(t, env, lmstest.Distributor, lmstest.DealerY, "SO-R3", 11, "")
	require.Equal(t, []string{"INSUFFICIENT_SWA_UNITS"}, codes(p.Errors))
	require.Contains(t, p.Errors[0].Message, "11 SWA units are needed and 10 are available")
	require.Empty(t, p.Orders)
	requireCounters(t, env, map[string]counters{
		"SO-D-EARLY": {0, 10}, "SO-D-LATE": {10, 10}, "SO-D-OLD": {1000, 0}, "SO-R/1": {10, 0}, "SO-R/2": {5, 0}, "SO-R2": {5, 0},
	})
}

// Every refused reship says why and changes nothing: no units move, no
// order, mail or audit event is written (SWA-11, ACT-3, ACT-4). Only a
// distributor's user with the SWA_ADMIN role reships, to a user of a
// dealer the distributor has a shipping allowance for; the answer for any
// other email is the same NO_SHIPPING_ALLOWANCE.
func TestReshipSwaUnitsRefused(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	shipUnits(t, env, lmstest.Distributor, "SO-D", 50, "2031-12-31")
	shipUnits(t, env, lmstest.Distributor, "SO-D2", 10, "2032-01-31")
	shipUnits(t, env, lmstest.DealerY, "SO-TAKEN", 5, "2031-01-31")
	shipUnits(t, env, lmstest.DealerY, "SO-NUM/2", 5, "2031-01-31")
	before := unitBalances(t, env)

	for _, tc := range []struct {
		name, user, email, so string
		qty                   int
		code                  string
		field                 string
	}{
		{"a dealer without an allowance", lmstest.Distributor, lmstest.DealerZ, "SO-X", 5, "NO_SHIPPING_ALLOWANCE", "dealerUserEmail"},
		{"no such user", lmstest.Distributor, "nobody@dealer-y.example", "SO-X", 5, "NO_SHIPPING_ALLOWANCE", "dealerUserEmail"},
		{"the distributor's own user", lmstest.Distributor, "sam@distributor-x.example", "SO-X", 5, "NO_SHIPPING_ALLOWANCE", "dealerUserEmail"},
		{"the license desk", lmstest.Distributor, lmstest.Admin, "SO-X", 5, "NO_SHIPPING_ALLOWANCE", "dealerUserEmail"},
		{"by a dealer", lmstest.DealerY, lmstest.DealerY2, "SO-X", 5, "FORBIDDEN", ""},
		{"by another dealer", lmstest.DealerZ, lmstest.DealerY, "SO-X", 5, "FORBIDDEN", ""},
		{"by a distributor's user without SWA_ADMIN", "sam@distributor-x.example", lmstest.DealerY, "SO-X", 5, "FORBIDDEN", ""},
		{"by the license desk", lmstest.Admin, lmstest.DealerY, "SO-X", 5, "FORBIDDEN", ""},
		{"no units", lmstest.Distributor, lmstest.DealerY, "SO-X", 0, "INVALID_FEATURE_QUANTITY", "quantity"},
		{"too many units", lmstest.Distributor, lmstest.DealerY, "SO-X", 10_000_001, "INVALID_FEATURE_QUANTITY", "quantity"},
		{"no sales order", lmstest.Distributor, lmstest.DealerY, " ", 5, "VALIDATION_FAILED", "salesOrder"},
		{"more than available", lmstest.Distributor, lmstest.DealerY, "SO-X", 61, "INSUFFICIENT_SWA_UNITS", ""},
		{"a sales order the dealer has", lmstest.Distributor, lmstest.DealerY, "SO-TAKEN", 5, "ALREADY_EXISTS", "salesOrder"},
		{"a sales order the dealer has, numbered", lmstest.Distributor, lmstest.DealerY, "SO-TAKEN", 55, "ALREADY_EXISTS", "salesOrder"},
		{"a numbered sales order the dealer has", lmstest.Distributor, lmstest.DealerY, "SO-NUM", 55, "ALREADY_EXISTS", "salesOrder"},
	} {
		p := reshipUnits(t, env, tc.user, tc.email, tc.so, tc.qty, "")
		require.Equal(t, []string{tc.code}, codes(p.Errors), tc.name)
		require.Empty(t, p.Orders, tc.name)
		if tc.field != "" {
			require.Equal(t, []string{"input", tc.field}, p.Errors[0].Field, tc.name)
		}
	}
	long := reshipInput(lmstest.DealerY, strings.Repeat("S", 99), 55, "")
	long["purchaseOrder"] = "PO-LONG"
	p := lmstest.Mutate[reshipPayload](t, env, lmstest.Distributor, "reshipSwaUnits", "orders { id }", long)
	require.Equal(t, []string{"VALIDATION_FAILED"}, codes(p.Errors), "a sales order too long to number")
	require.Contains(t, p.Errors[0].Message, "the units expire on 2 different dates")

	// A user of a dealer without an allowance reads like no user at all.
	z := reshipUnits(t, env, lmstest.Distributor, lmstest.DealerZ, "SO-X", 5, "")
	none := reshipUnits(t, env, lmstest.Distributor, "nobody@dealer-z.example", "SO-X", 5, "")
	require.Equal(t, strings.Replace(z.Errors[0].Message, lmstest.DealerZ, "nobody@dealer-z.example", 1), none.Errors[0].Message)

	require.Equal(t, before, unitBalances(t, env), "nothing moved")
	emails, events := countReships(t, env)
	require.Zero(t, emails)
	require.Zero(t, events)
	anonymous := lmstest.Mutate[reshipPayload](t, env, "", "reshipSwaUnits", "orders { id }", reshipInput(lmstest.DealerY, "SO-X", 5, ""))
	require.Equal(t, []string{"UNAUTHENTICATED"}, codes(anonymous.Errors))
}

// A retry with the same idempotency key returns the first answer, the same
// orders, and moves nothing again; the key with other input is refused
// (SPEC §12).
func TestReshipSwaUnitsIdempotent(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	shipUnits(t, env, lmstest.Distributor, "SO-D", 50, "2031-12-31")
	shipUnits(t, env, lmstest.Distributor, "SO-D-EARLY", 4, "2031-06-30")

	first := reshipUnits(t, env, lmstest.Distributor, lmstest.DealerY, "SO-I", 10, "reship-once")
	require.Empty(t, first.Errors)
	require.Equal(t, []string{"SO-I/1", "SO-I/2"}, []string{first.Orders[0].SalesOrder, first.Orders[1].SalesOrder})
	after := unitBalances(t, env)
	again := reshipUnits(t, env, lmstest.Distributor, lmstest.DealerY, "SO-I", 10, "reship-once")
	require.Equal(t, first, again)
	require.Equal(t, after, unitBalances(t, env), "the retry moved nothing")
	emails, events := countReships(t, env)
	require.Equal(t, []int{2, 1}, []int{emails, events}, "one mail per user of Dealer Y and one audit event")

	other := reshipUnits(t, env, lmstest.Distributor, lmstest.DealerY, "SO-I", 11, "reship-once")
	require.Equal(t, []string{"IDEMPOTENCY_KEY_REUSED"}, codes(other.Errors))
	require.Equal(t, after, unitBalances(t, env))
}

// TestReshipSwaUnitsConcurrently sends 30 reships of 5 units each at once
// against the distributor's 100 units, 58 expiring first and 42 later: the
// orders' row locks let exactly 20 through and refuse 10 with
// INSUFFICIENT_SWA_UNITS. Units are conserved: the distributor reshipped
// all 100, the dealer's 20 orders hold them with the expiry they had, and
// exactly one reship straddled the two dates (3 + 2 units, two orders).
func TestReshipSwaUnitsConcurrently(t *testing.T) {
	t.Parallel()
	const reships, qty = 30, 5
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	newClock(env, "2030-02-15")
	shipUnits(t, env, lmstest.Distributor, "SO-D-EARLY", 58, "2031-03-31")
	shipUnits(t, env, lmstest.Distributor, "SO-D-LATE", 42, "2031-06-30")

	type answer struct {
		p   reshipPayload
		err error
	}
	answers := lmstest.Together(reships, func(i int) answer {
		p, err := postReship(env, lmstest.Distributor, lmstest.DealerY, fmt.Sprintf("SO-RACE-%02d", i), qty)
		return answer{p, err}
	})
	ok, refused, straddled := 0, 0, 0
	for i, a := range answers {
		require.NoError(t, a.err, "reship %d", i)
		if len(a.p.Errors) > 0 {
			require.Equal(t, []string{"INSUFFICIENT_SWA_UNITS"}, codes(a.p.Errors), "reship %d", i)
			require.Empty(t, a.p.Orders)
			refused++
			continue
		}
		ok++
		units := 0
		for _, o := range a.p.Orders {
			units += o.Quantity
		}
		require.Equal(t, qty, units, "reship %d", i)
		if len(a.p.Orders) == 2 {
			straddled++
			so := fmt.Sprintf("SO-RACE-%02d", i)
			require.Equal(t, []string{so + "/1", "2031-03-31", so + "/2", "2031-06-30"},
				[]string{a.p.Orders[0].SalesOrder, a.p.Orders[0].ExpiresOn, a.p.Orders[1].SalesOrder, a.p.Orders[1].ExpiresOn})
			require.Equal(t, []int{3, 2}, []int{a.p.Orders[0].Quantity, a.p.Orders[1].Quantity})
		}
	}
	require.Equal(t, []int{20, 10, 1}, []int{ok, refused, straddled}, "succeeded, refused, straddling two expiry dates")

	orders := requireUnitsConserved(t, env)
	require.Equal(t, counters{0, 58}, counters{orders["SO-D-EARLY"].Available, orders["SO-D-EARLY"].Reshipped})
	require.Equal(t, counters{0, 42}, counters{orders["SO-D-LATE"].Available, orders["SO-D-LATE"].Reshipped})
	received := map[string]int{}
	for so, o := range orders {
		if strings.HasPrefix(so, "SO-RACE-") {
			received[o.ExpiresOn.Format(time.DateOnly)] += o.Shipped
		}
	}
	require.Equal(t, map[string]int{"2031-03-31": 58, "2031-06-30": 42}, received, "the dealer holds every unit with its expiry")
	require.Equal(t, 100, binWithReships(t, env, lmstest.DealerY).Available)
	require.Zero(t, binWithReships(t, env, lmstest.Distributor).Available)
	emails, events := countReships(t, env)
	require.Equal(t, []int{2 * 20, 20}, []int{emails, events}, "a mail per user of Dealer Y and an audit event per reship")
}

// The reshipped orders are the dealer's alone (ACT-3): Dealer Y sees them
// in its swaUnitBin and by id, Dealer Z and the distributor see neither,
// and the dealer does not see the distributor's orders they came from.
// Reading the bin with where each order came from costs the same
// statements for 2 orders as for 22.
func TestReshipSwaUnitsTenantIsolation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	source := shipUnits(t, env, lmstest.Distributor, "SO-D", 100, "2031-12-31")
	p := reshipUnits(t, env, lmstest.Distributor, lmstest.DealerY, "SO-T", 5, "")
	require.Empty(t, p.Errors)
	order := p.Orders[0].ID

	require.Equal(t, []string{"SO-T"}, salesOrders(binWithReships(t, env, lmstest.DealerY)))
	require.Empty(t, binWithReships(t, env, lmstest.DealerZ).Orders)
	require.Equal(t, []string{"SO-D"}, salesOrders(binWithReships(t, env, lmstest.Distributor)))

	const byID = `query($id: ID!) { node(id: $id) { ... on SwaUnitOrder { salesOrder reshippedFrom { name } } } }`
	for _, tc := range []struct {
		user, id string
		visible  bool
	}{
		{lmstest.DealerY, order, true},
		{lmstest.DealerZ, order, false},
		{lmstest.Distributor, order, false},
		{lmstest.DealerY, source, false},
		{lmstest.Distributor, source, true},
	} {
		var got struct {
			Node *struct {
				SalesOrder    string
				ReshippedFrom *struct{ Name string }
			}
		}
		env.Query(t, tc.user, byID, map[string]any{"id": tc.id}).Decode(t, &got)
		require.Equal(t, tc.visible, got.Node != nil, "%s reading %s", tc.user, tc.id)
	}

	read := func(orders int) int {
		resp := env.Query(t, lmstest.DealerY, `{ swaUnitBin { available orders(first: 250) { edges { node { `+reshipOrderFields+` } } } } }`, nil)
		var got struct {
			SwaUnitBin struct {
				Orders struct {
					Edges []struct{ Node reshippedOrder }
				}
			}
		}
		resp.Decode(t, &got)
		require.Len(t, got.SwaUnitBin.Orders.Edges, orders)
		for _, e := range got.SwaUnitBin.Orders.Edges {
			require.Equal(t, "Distributor X", e.Node.ReshippedFrom.Name)
			require.Equal(t, "Dealer Y", e.Node.Partner.Name)
		}
		return resp.Statements()
	}
	reshipUnits(t, env, lmstest.Distributor, lmstest.DealerY, "SO-T2", 5, "")
	small := read(2)
	for i := range 20 {
		require.Empty(t, reshipUnits(t, env, lmstest.Distributor, lmstest.DealerY, fmt.Sprintf("SO-T%02d", 10+i), 1, "").Errors)
	}
	large := read(22)
	t.Logf("swaUnitBin with reshippedFrom: %d statements for 2 orders, %d for 22", small, large)
	require.Equal(t, small, large, "statement count must not grow with the orders")
}

func salesOrders(b reshipBin) []string {
	out := []string{}
	for _, o := range b.Orders {
		out = append(out, o.SalesOrder)
	}
	return out
}
