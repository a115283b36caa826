package migration_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// TestMigrateSameLocationConcurrently: two users migrate one location at
// the same moment, to two different CP20 codes. The system lock lets one
// through; the other then finds a CP20, which migrates nowhere
// (NOT_APPLICABLE). The location has one history entry and one migration,
// and the loser's code was never claimed: another location takes it.
func TestMigrateSameLocationConcurrently(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	loc := activatedLocation(t, env, lmstest.DealerY, "SV9100_CP10", "Raced", "34"+randomHex(10), "SO-RACE", part{"BE114063", 8}, part{"BE114065", 10})
	codes := []string{"44" + randomHex(10), "44" + randomHex(10)}
	users := []string{lmstest.DealerY, lmstest.DealerY2}

	type result struct {
		p   migrationPayload
		err error
	}
	results := lmstest.Together(2, func(i int) result {
		p, err := lmstest.PostMutation[migrationPayload](env, users[i], "migrateSystem", migrationFields, migrationInput(loc, codes[i], nil))
		return result{p, err}
	})
	won := -1
	for i, r := range results {
		require.NoError(t, r.err)
		if len(r.p.Errors) == 0 {
			require.Equal(t, -1, won, "only one migration succeeds")
			won = i
			continue
		}
		requireError(t, r.p.Errors, "NOT_APPLICABLE")
	}
	require.NotEqual(t, -1, won, "one migration succeeds")

	p := page(t, env, lmstest.DealerY, loc)
	require.Equal(t, codes[won], p.HardwareKeyCode)
	require.Equal(t, 1, p.History.TotalCount)
	for _, e := range p.ActivatedLicenses.Edges {
		require.Equal(t, results[won].p.Migration.OrderNumber, e.Node.PurchaseOrder)
	}
	var n int
	require.NoError(t, env.DB.Bun.NewRaw(`SELECT count(*) FROM system_migrations`).Scan(t.Context(), &n))
	require.Equal(t, 1, n)
	newLocation(t, env, lmstest.DealerY, "SV9100_CP20", "Takes the loser's code", codes[1-won])
}

// TestMigrationNumbersUniqueOnADay: locations of different partners
// migrated at the same moment on one day get the day's numbers 01, 02, …
// once each (MIGSU_<yyyymmdd><nn>), one per migration, shared by its
// licenses.
func TestMigrationNumbersUniqueOnADay(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	newClock(env, "2019-07-17")
	const n = 6
	users := []string{lmstest.DealerY, lmstest.DealerZ, lmstest.Distributor}
	locs := make([]string, n)
	for i := range n {
		locs[i] = activatedLocation(t, env, users[i%len(users)], "SV9100_CP10", fmt.Sprintf("Same day %d", i), "34"+randomHex(10),
			fmt.Sprintf("SO-DAY-%d", i), part{"BE114063", 8}, part{"BE114066", 4})
	}

	type result struct {
		p   migrationPayload
		err error
	}
	results := lmstest.Together(n, func(i int) result {
		p, err := lmstest.PostMutation[migrationPayload](env, users[i%len(users)], "migrateSystem", migrationFields, migrationInput(locs[i], "44"+randomHex(10), nil))
		return result{p, err}
	})
	var got []string
	for i, r := range results {
		require.NoError(t, r.err)
		require.Empty(t, r.p.Errors)
		got = append(got, r.p.Migration.OrderNumber)
		for _, e := range page(t, env, users[i%len(users)], locs[i]).ActivatedLicenses.Edges {
			require.Equal(t, r.p.Migration.OrderNumber, e.Node.PurchaseOrder)
			require.Equal(t, r.p.Migration.OrderNumber, e.Node.SalesOrder)
		}
	}
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("MIGSU_20190717%02d", i+1))
	}
	require.ElementsMatch(t, want, got)
}
