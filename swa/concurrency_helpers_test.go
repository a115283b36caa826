package swa_test

// Helpers of the concurrency and FEFO tests: many locations at once,
// mutations from goroutines, and the unit bin read straight from the
// tables.

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

type assignPayload struct {
	Activation *activation
	Errors     []userError
}

func postAssign(env *lmstest.Env, user, locationID string, months int) (assignPayload, error) {
	return lmstest.PostMutation[assignPayload](env, user, "assignSwa", "activation { "+activationFields+" }",
		map[string]any{"locationId": locationID, "termMonths": months, "authoriseUnits": true})
}

type processPayload struct {
	Agreement *agreement
	Errors    []userError
}

func postProcessNow(env *lmstest.Env, user, activationID string) (processPayload, error) {
	return lmstest.PostMutation[processPayload](env, user, "processSwaImmediately", "agreement { id number startsOn endsOn units termMonths }",
		map[string]any{"activationId": activationID, "reason": "the customer cannot wait"})
}

type cancelPayload struct {
	Activation *activation
	Errors     []userError
}

func postCancel(env *lmstest.Env, user, activationID string) (cancelPayload, error) {
	return lmstest.PostMutation[cancelPayload](env, user, "cancelSwaActivation", "activation { "+activationFields+" }",
		map[string]any{"activationId": activationID, "reason": "ordered by mistake"})
}

// hwkcs numbers the SV 9100 hardware key codes of the tests' locations, so
// that none is used twice.
var hwkcs atomic.Int64

// activatedLocations creates n locations of one customer of Dealer Y, SV
// 9100 CP10 systems each with qty activated BE114044 licenses (weight 1:
// qty SWA units a month, 12 × qty for 12 months), four at a time, and
// returns their ids. The license clock decides activatedAt.
func activatedLocations(t *testing.T, env *lmstest.Env, tag string, n, qty int) []string {
	t.Helper()
	line := shipLines(t, env, lmstest.DealerY, fmt.Sprintf("SO-%s-%d", tag, hwkcs.Add(1)), part{"BE114044", n * qty})[0]
	custID := newCustomer(t, env, lmstest.DealerY, "Customer "+tag)

	ids := make([]string, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ids[i], errs[i] = createActivated(env, custID, fmt.Sprintf("%s %02d", tag, i), line, qty)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "location %d", i)
	}
	return ids
}

// createActivated creates a location, attaches qty of the bin line and
// activates the license, for goroutines.
func createActivated(env *lmstest.Env, customerID, name, lineID string, qty int) (string, error) {
	loc, err := lmstest.PostMutation[struct {
		Location *struct{ ID string }
		Errors   []userError
	}](env, lmstest.DealerY, "createLocation", "location { id }", map[string]any{
		"customerId": customerID, "name": name, "systemType": "SV9100_CP10",
		"hardwareKeyCode": fmt.Sprintf("34%010X", hwkcs.Add(1)), "dealerEmail": "desk@dealer.example",
	})
	if err != nil || len(loc.Errors) > 0 {
		return "", fmt.Errorf("create location %s: %v %+v", name, err, loc.Errors)
	}
	att, err := lmstest.PostMutation[struct {
		Licenses []struct{ ID string }
		Errors   []userError
	}](env, lmstest.DealerY, "attachLicenses", "licenses { id }", map[string]any{
		"locationId": loc.Location.ID, "lines": []map[string]any{{"lineId": lineID, "quantity": qty}},
	})
	if err != nil || len(att.Errors) > 0 || len(att.Licenses) != 1 {
		return "", fmt.Errorf("attach to %s: %v %+v", name, err, att.Errors)
	}
	act, err := lmstest.PostMutation[struct{ Errors []userError }](env, lmstest.DealerY, "activateLicenses", "licenses { id }", map[string]any{
		"locationId": loc.Location.ID, "licenseIds": []string{att.Licenses[0].ID}, "acceptAgreement": true,
	})
	if err != nil || len(act.Errors) > 0 {
		return "", fmt.Errorf("activate at %s: %v %+v", name, err, act.Errors)
	}
	return loc.Location.ID, nil
}

// orderBalance is one SWA unit order as the tables hold it: its counters,
// and the same computed from the allocations of its pending and activated
// assignments.
type orderBalance struct {
	ID         uuid.UUID `bun:"id"`
	SalesOrder string    `bun:"sales_order"`
	ExpiresOn  time.Time `bun:"expires_on"`
	Shipped    int       `bun:"shipped"`
	Available  int       `bun:"available"`
	Allocated  int       `bun:"allocated"`
	Consumed   int       `bun:"consumed"`
	Reshipped  int       `bun:"reshipped"`
	// ReshippedToDealers is what reshipped orders record they took of the
	// order; Received what a reshipped order records it got from its
	// sources (nil for an order the license desk shipped).
	ReshippedToDealers int  `bun:"reshipped_to_dealers"`
	Received           *int `bun:"received"`
	// HeldByPending and HeldByActivated are the allocations of the order
	// to PENDING and ACTIVATED assignments; CANCELLED ones gave theirs back.
	HeldByPending   int `bun:"held_by_pending"`
	HeldByActivated int `bun:"held_by_activated"`
}

// withoutIdentity is an order's counters alone.
func withoutIdentity(o orderBalance) orderBalance {
	o.ID, o.SalesOrder, o.ExpiresOn = uuid.Nil, "", time.Time{}
	return o
}

// unitBalances reads every SWA unit order of the database (each test has
// its own), by sales order.
func unitBalances(t testing.TB, env *lmstest.Env) map[string]orderBalance {
	t.Helper()
	var rows []orderBalance
	require.NoError(t, env.DB.Bun.NewRaw(`
SELECT suo.id, suo.sales_order, suo.expires_on, suo.shipped, suo.available, suo.allocated, suo.consumed, suo.reshipped,
       (SELECT coalesce(sum(quantity), 0) FROM swa_unit_order_sources WHERE source_order_id = suo.id) AS reshipped_to_dealers,
       (SELECT sum(quantity) FROM swa_unit_order_sources WHERE unit_order_id = suo.id) AS received,
       coalesce(sum(sal.quantity) FILTER (WHERE sac.status = 'PENDING'), 0) AS held_by_pending,
       coalesce(sum(sal.quantity) FILTER (WHERE sac.status = 'ACTIVATED'), 0) AS held_by_activated
FROM swa_unit_orders AS suo
LEFT JOIN swa_allocations AS sal ON sal.unit_order_id = suo.id
LEFT JOIN swa_activations AS sac ON sac.id = sal.activation_id
GROUP BY suo.id`).Scan(context.Background(), &rows))
	out := map[string]orderBalance{}
	for _, r := range rows {
		out[r.SalesOrder] = r
	}
	return out
}

// requireUnitsConserved checks, on the tables, that units are conserved
// (LIC-15's rule for SWA units): on every order shipped = available +
// allocated + consumed + reshipped, allocated is what pending assignments
// hold of it, consumed what activated ones took and reshipped what
// reshipped orders took, and a reshipped order holds what it got; every assignment holds exactly
// its units (nothing for a cancelled one), and agreements took the units
// of their assignments. It returns the orders by sales order.
func requireUnitsConserved(t testing.TB, env *lmstest.Env) map[string]orderBalance {
	t.Helper()
	orders := unitBalances(t, env)
	require.NotEmpty(t, orders)
	for so, o := range orders {
		require.Equal(t, o.Shipped, o.Available+o.Allocated+o.Consumed+o.Reshipped, "shipped = available + allocated + consumed + reshipped on %s: %+v", so, o)
		require.Equal(t, o.ReshippedToDealers, o.Reshipped, "reshipped = taken by reshipped orders on %s: %+v", so, o)
		if o.Received != nil {
			require.Equal(t, *o.Received, o.Shipped, "a reshipped order holds what it got on %s: %+v", so, o)
		}
		require.GreaterOrEqual(t, o.Available, 0, "%+v", o)
		require.Equal(t, o.HeldByPending, o.Allocated, "allocated = held by pending assignments on %s: %+v", so, o)
		require.Equal(t, o.HeldByActivated, o.Consumed, "consumed = taken by activated assignments on %s: %+v", so, o)
	}
	var acts []struct {
		ID     uuid.UUID `bun:"id"`
		Status string    `bun:"status"`
		Units  int       `bun:"units"`
		Held   int       `bun:"held"`
		Agreed *int      `bun:"agreed"`
		Count  int       `bun:"agreements"`
	}
	require.NoError(t, env.DB.Bun.NewRaw(`
SELECT sac.id, sac.status, sac.term_units + sac.reinstatement_units AS units,
       (SELECT coalesce(sum(quantity), 0) FROM swa_allocations WHERE activation_id = sac.id) AS held,
       (SELECT sum(units) FROM swa_agreements WHERE activation_id = sac.id) AS agreed,
       (SELECT count(*) FROM swa_agreements WHERE activation_id = sac.id) AS agreements
FROM swa_activations AS sac`).Scan(context.Background(), &acts))
	pendingUnits, allocated := 0, 0
	for _, o := range orders {
		allocated += o.Allocated
	}
	for _, a := range acts {
		switch a.Status {
		case "PENDING":
			pendingUnits += a.Units
			require.Equal(t, a.Units, a.Held, "a pending assignment holds its units: %+v", a)
			require.Zero(t, a.Count, "%+v", a)
		case "ACTIVATED":
			require.Equal(t, a.Units, a.Held, "an activated assignment took its units: %+v", a)
			require.Equal(t, 1, a.Count, "one agreement per activated assignment: %+v", a)
			require.Equal(t, a.Units, *a.Agreed, "%+v", a)
		case "CANCELLED":
			require.Zero(t, a.Count, "%+v", a)
		}
	}
	require.Equal(t, pendingUnits, allocated, "Σ allocated = Σ units of the pending assignments")
	return orders
}

// activationJob is the id of the activation job of an assignment.
func activationJob(t testing.TB, env *lmstest.Env, activationID uuid.UUID) int64 {
	t.Helper()
	var id int64
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT id FROM river_job WHERE kind = 'swa_activate' AND args->>'activation_id' = $1`, activationID.String()).Scan(&id))
	return id
}

// waitJob waits until a job satisfies cond and returns it.
func waitJob(t testing.TB, env *lmstest.Env, id int64, what string, cond func(*rivertype.JobRow) bool) *rivertype.JobRow {
	t.Helper()
	lmstest.Eventually(t, 20*time.Second, func() bool {
		row, err := env.Server.Jobs.JobGet(context.Background(), id)
		return err == nil && cond(row)
	}, what)
	row, err := env.Server.Jobs.JobGet(context.Background(), id)
	require.NoError(t, err)
	return row
}

func completed(row *rivertype.JobRow) bool { return row.State == rivertype.JobStateCompleted }

// countRows runs a query counting something, for conditions polled off the
// test's goroutine: -1 when it fails.
func countRows(db *sql.DB, query string, args ...any) int {
	n := -1
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		return -1
	}
	return n
}

// requireActivationEffects checks what activating an assignment leaves,
// n times (0 or 1): the assignment ACTIVATED, an agreement, a swa.activate
// audit event, and an SWA activated email to each of Dealer Y's users —
// or, for 0, none of it and the assignment PENDING.
func requireActivationEffects(t testing.TB, env *lmstest.Env, activationID uuid.UUID, n int) {
	t.Helper()
	ctx := context.Background()
	var status string
	require.NoError(t, env.DB.SQL.QueryRowContext(ctx, `SELECT status FROM swa_activations WHERE id = $1`, activationID).Scan(&status))
	require.Equal(t, map[int]string{0: "PENDING", 1: "ACTIVATED"}[n], status)
	var agreements, audits, emails int
	var number, location string
	require.NoError(t, env.DB.SQL.QueryRowContext(ctx,
		`SELECT count(*), coalesce(min(number || '-' || suffix), '') FROM swa_agreements WHERE activation_id = $1`, activationID).Scan(&agreements, &number))
	require.Equal(t, n, agreements, "agreements")
	require.NoError(t, env.DB.SQL.QueryRowContext(ctx,
		`SELECT count(*) FROM audit_events WHERE action = 'swa.activate' AND $1 = ANY(object_ids)`, "SwaActivation:"+activationID.String()).Scan(&audits))
	require.Equal(t, n, audits, "swa.activate audit events")
	require.NoError(t, env.DB.SQL.QueryRowContext(ctx,
		`SELECT l.name FROM swa_activations AS sac JOIN locations AS l ON l.id = sac.location_id WHERE sac.id = $1`, activationID).Scan(&location))
	require.NoError(t, env.DB.SQL.QueryRowContext(ctx,
		`SELECT count(*) FROM emails WHERE template = 'swa_activated' AND subject LIKE '%' || $1 || '% at ' || $2 || ', until %'`, number, location).Scan(&emails))
	require.Equal(t, 2*n, emails, "SWA activated emails")
	if n == 1 {
		lmstest.MailTo(t, env, lmstest.DealerY, "SWA activated", number)
		lmstest.MailTo(t, env, lmstest.DealerY2, "SWA activated", number)
	}
}
