package swa_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// TestUnitsFirstExpiringFirst checks the SWA unit bin's FEFO rule (SWA-1,
// SWA-2, SWA-8) over three orders: 40 units expiring 30-06-2026, 100
// expiring 31-12-2026, and 1000 expiring 31-01-2026 that have expired by
// the time anything is assigned. An assignment of 60 units takes the 40
// that expire first and 20 of the next order; the next takes 60 of that
// order; a third finds 20 units and is refused, though the expired order
// still holds 1000. Cancelling gives the units back to the orders they came
// from; the expired order is never touched.
func TestUnitsFirstExpiringFirst(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{Config: func(c *server.Config) { c.SwaCoolingOff = time.Hour }})
	var clock atomic.Pointer[time.Time]
	setDay := func(s string) { d := day(s); clock.Store(&d) }
	setDay("2026-01-10")
	svc := env.Server.Graph.Services
	svc.Licenses.Now = func() time.Time { return *clock.Load() }
	svc.Swa.Now = func() time.Time { return *clock.Load() }

	// 5 units a month each: 60 for 12 months.
	locs := activatedLocations(t, env, "FEFO", 3, 5)
	shipUnits(t, env, lmstest.DealerY, "SO-LATE", 100, "2026-12-31")
	shipUnits(t, env, lmstest.DealerY, "SO-EARLY", 40, "2026-06-30")
	shipUnits(t, env, lmstest.DealerY, "SO-EXPIRING", 1000, "2026-01-31")
	require.Equal(t, []string{"SO-EXPIRING", "SO-EARLY", "SO-LATE"}, binOrders(t, env), "the bin lists orders first-expiring first")

	setDay("2026-02-15")
	require.Equal(t, []string{"SO-EARLY", "SO-LATE"}, binOrders(t, env), "expired orders leave the bin")
	b := bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{140, 0, 140}, []int{b.UnAllocated, b.Allocated, b.Available})
	require.Equal(t, 140, swaQuote(t, env, lmstest.DealerY, locs[0]).UnitsAvailable)
	expiring := [3]int{1000, 0, 0}

	first, errs := assign(t, env, lmstest.DealerY, locs[0], 12, "")
	require.Empty(t, errs)
	require.Equal(t, 60, first.Units)
	requireOrders(t, env, map[string][3]int{"SO-EARLY": {0, 40, 0}, "SO-LATE": {80, 20, 0}, "SO-EXPIRING": expiring})
	requireAllocations(t, env, first.ID, map[string]int{"SO-EARLY": 40, "SO-LATE": 20})

	second, errs := assign(t, env, lmstest.DealerY, locs[1], 12, "")
	require.Empty(t, errs)
	requireOrders(t, env, map[string][3]int{"SO-EARLY": {0, 40, 0}, "SO-LATE": {20, 80, 0}, "SO-EXPIRING": expiring})
	requireAllocations(t, env, second.ID, map[string]int{"SO-LATE": 60})

	_, errs = assign(t, env, lmstest.DealerY, locs[2], 12, "")
	require.Equal(t, []string{"INSUFFICIENT_SWA_UNITS"}, codes(errs))
	require.Contains(t, errs[0].Message, "60 SWA units are needed and 20 are available")
	requireOrders(t, env, map[string][3]int{"SO-EARLY": {0, 40, 0}, "SO-LATE": {20, 80, 0}, "SO-EXPIRING": expiring})

	cancelled, err := postCancel(env, lmstest.DealerY, first.ID)
	require.NoError(t, err)
	require.Empty(t, cancelled.Errors)
	require.Equal(t, "CANCELLED", cancelled.Activation.Status)
	requireOrders(t, env, map[string][3]int{"SO-EARLY": {40, 0, 0}, "SO-LATE": {40, 60, 0}, "SO-EXPIRING": expiring})

	ag, errs := processNow(t, env, lmstest.DealerY, second.ID)
	require.Empty(t, errs)
	require.Equal(t, 60, ag.Units)
	requireOrders(t, env, map[string][3]int{"SO-EARLY": {40, 0, 0}, "SO-LATE": {40, 0, 60}, "SO-EXPIRING": expiring})

	// The units given back are taken first-expiring-first again.
	third, errs := assign(t, env, lmstest.DealerY, locs[2], 12, "")
	require.Empty(t, errs)
	requireOrders(t, env, map[string][3]int{"SO-EARLY": {0, 40, 0}, "SO-LATE": {20, 20, 60}, "SO-EXPIRING": expiring})
	requireAllocations(t, env, third.ID, map[string]int{"SO-EARLY": 40, "SO-LATE": 20})
	b = bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{80, 60, 20}, []int{b.UnAllocated, b.Allocated, b.Available})
}

// binOrders is the sales orders of Dealer Y's SWA unit bin, as listed.
func binOrders(t *testing.T, env *lmstest.Env) []string {
	t.Helper()
	var out []string
	for _, e := range bin(t, env, lmstest.DealerY).Orders.Edges {
		out = append(out, e.Node.SalesOrder)
	}
	return out
}

// requireOrders checks every unit order's available, allocated and
// consumed units, by sales order, and that units are conserved.
func requireOrders(t *testing.T, env *lmstest.Env, want map[string][3]int) {
	t.Helper()
	got := map[string][3]int{}
	for so, o := range requireUnitsConserved(t, env) {
		got[so] = [3]int{o.Available, o.Allocated, o.Consumed}
	}
	require.Equal(t, want, got, "available, allocated, consumed by order")
}

// requireAllocations checks which orders an assignment took its units
// from.
func requireAllocations(t *testing.T, env *lmstest.Env, activationID string, want map[string]int) {
	t.Helper()
	var rows []struct {
		SalesOrder string `bun:"sales_order"`
		Quantity   int    `bun:"quantity"`
	}
	require.NoError(t, env.DB.Bun.NewRaw(`SELECT suo.sales_order, sal.quantity FROM swa_allocations AS sal
		JOIN swa_unit_orders AS suo ON suo.id = sal.unit_order_id WHERE sal.activation_id = ?`, lmstest.UUIDOf(t, activationID)).Scan(context.Background(), &rows))
	got := map[string]int{}
	for _, r := range rows {
		got[r.SalesOrder] = r.Quantity
	}
	require.Equal(t, want, got, "the orders the assignment's units came from")
}
