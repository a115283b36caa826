package migration_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// TestMigrationTenancy: a migration, its history entry and its licenses
// are the partner's: another partner gets null for each id, as for a
// random one, and cannot migrate the location (NOT_FOUND); the license
// desk sees them all (ACT-3).
func TestMigrationTenancy(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	loc := activatedLocation(t, env, lmstest.DealerY, "SV9100_CP10", "Dealer Y's CP10", "34"+randomHex(10), "SO-TENANT", part{"BE114063", 8})
	m := migrate(t, env, lmstest.DealerY, loc, "44"+randomHex(10), nil).Migration
	require.NotNil(t, m)
	lic := page(t, env, lmstest.DealerY, loc).ActivatedLicenses.Edges[0].Node.ID
	ids := []string{m.ID, m.History.ID, lic, loc}

	const q = `query($ids: [ID!]!) { nodes(ids: $ids) {
		... on SystemMigration { id orderNumber history { id } location { id } }
		... on LocationHistoryEntry { id hardwareKeyCode }
		... on License { id purchaseOrder necPurchaseOrder migration { id orderNumber } }
		... on Location { id } } }`
	read := func(user string) []map[string]any {
		var got struct{ Nodes []map[string]any }
		env.Query(t, user, q, map[string]any{"ids": ids}).Decode(t, &got)
		require.Len(t, got.Nodes, len(ids))
		return got.Nodes
	}
	for _, user := range []string{lmstest.DealerY, lmstest.DealerY2, lmstest.Admin} {
		nodes := read(user)
		for i, n := range nodes {
			require.NotNil(t, n, "%s sees %s", user, ids[i])
			require.Equal(t, ids[i], n["id"])
		}
		require.Equal(t, m.OrderNumber, nodes[0]["orderNumber"])
		require.Equal(t, m.OrderNumber, nodes[2]["migration"].(map[string]any)["orderNumber"])
		require.Equal(t, "SO-TENANT", nodes[2]["necPurchaseOrder"], "activatedLocation ships PO = SO")
	}
	for _, user := range []string{lmstest.DealerZ, lmstest.Distributor} {
		for i, n := range read(user) {
			require.Nil(t, n, "%s must not see %s", user, ids[i])
		}
	}
	// Nor migrate it, whatever the code.
	got := migrate(t, env, lmstest.DealerZ, loc, "44"+randomHex(10), nil)
	requireError(t, got.Errors, "NOT_FOUND")
}
