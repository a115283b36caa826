package migration_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// sv9100Parts are the SV9100 parts a location is filled with.
var sv9100Parts = []string{"BE114063", "BE114065", "BE114066", "BE114074", "BE114081", "BE116985", "EU000285", "EU901002", "960026172000"}

// manyLicenses creates a CP10 location of user with n activated licenses of
// quantity 1, from one order of the SV9100 parts, and returns it.
func manyLicenses(t testing.TB, env *lmstest.Env, user, name string, n int) string {
	t.Helper()
	per := (n + len(sv9100Parts) - 1) / len(sv9100Parts)
	var parts []part
	for _, p := range sv9100Parts {
		parts = append(parts, part{p, per})
	}
	lines := ship(t, env, user, "SO-"+name, "PO-"+name, parts...)
	loc := newLocation(t, env, user, "SV9100_CP10", name, "34"+randomHex(10))
	var ids []string
	for len(ids) < n {
		ids = append(ids, attach(t, env, user, loc, true, lines[:min(len(lines), n-len(ids))]...)...)
	}
	waitFile(t, env, user, activate(t, env, user, loc, ids...))
	return loc
}

// migratedPage is the license page of a migrated location as a front end
// asks for it: the activated licenses with both orders and their
// migration, and the history with its snapshot.
const migratedPage = `query($id: ID!) { node(id: $id) { ... on Location { name hardwareKeyCode systemType { code migratesTo { code } }
	activatedLicenses(first: 250) { totalCount edges { node { softwareKeyCode part { number name } quantity purchaseOrder salesOrder
		necPurchaseOrder necSalesOrder activatedAt migration { orderNumber migratedAt fromSystemType { code } toSystemType { code } } } } }
	history { edges { node { kind hardwareKeyCode licenses { softwareKeyCode purchaseOrder } } } } } } }`

// TestMigratedLicensePageStatements is the N+1 guard of a migrated
// location's license page: 5 licenses and 200, each with its NEC PO and
// SO and its migration, cost the same statements; and the migration
// itself costs the same for both. Dealer Z has one user, so a migration
// enqueues one job per River queue (the file, one mail): River notifies a
// queue at most once per 5 ms, and two mails rendered further apart than
// that for 200 licenses than for 5 would cost one notification more.
func TestMigratedLicensePageStatements(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	const user = lmstest.DealerZ
	small := manyLicenses(t, env, user, "SMALL", 5)
	large := manyLicenses(t, env, user, "LARGE", 200)

	migrateCounted := func(loc string) (int, string) {
		resp := env.Query(t, user, `mutation($in: MigrateSystemInput!) { migrateSystem(input: $in) { migration { id orderNumber } errors { code message } } }`,
			map[string]any{"in": migrationInput(loc, "44"+randomHex(10), nil)})
		var got struct{ MigrateSystem migrationPayload }
		resp.Decode(t, &got)
		require.Empty(t, got.MigrateSystem.Errors)
		return resp.Statements(), got.MigrateSystem.Migration.OrderNumber
	}
	smallMigration, smallOrder := migrateCounted(small)
	largeMigration, largeOrder := migrateCounted(large)
	t.Logf("migrateSystem: %d statements for 5 licenses, %d for 200", smallMigration, largeMigration)
	require.Equal(t, smallMigration, largeMigration, "the migration's statements do not grow with the licenses")

	read := func(loc, order string, n int) int {
		resp := env.Query(t, user, migratedPage, map[string]any{"id": loc})
		var got struct {
			Node struct {
				ActivatedLicenses struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							PurchaseOrder, SalesOrder       string
							NecPurchaseOrder, NecSalesOrder *string
							Migration                       struct{ OrderNumber string }
						}
					}
				}
				History struct {
					Edges []struct {
						Node struct {
							Licenses []struct{ PurchaseOrder string }
						}
					}
				}
			}
		}
		resp.Decode(t, &got)
		require.Equal(t, n, got.Node.ActivatedLicenses.TotalCount)
		for _, e := range got.Node.ActivatedLicenses.Edges {
			require.Equal(t, order, e.Node.PurchaseOrder)
			require.Equal(t, order, e.Node.Migration.OrderNumber)
			require.NotNil(t, e.Node.NecPurchaseOrder)
			require.Equal(t, "PO-"+map[int]string{5: "SMALL", 200: "LARGE"}[n], *e.Node.NecPurchaseOrder)
		}
		require.Len(t, got.Node.History.Edges[0].Node.Licenses, n)
		return resp.Statements()
	}
	var smallCounts, largeCounts []int
	for range 3 {
		smallCounts = append(smallCounts, read(small, smallOrder, 5))
		largeCounts = append(largeCounts, read(large, largeOrder, 200))
	}
	t.Logf("migrated license page: statements per read %v for 5 licenses, %v for 200", smallCounts, largeCounts)
	for i := range smallCounts {
		require.Equal(t, smallCounts[0], smallCounts[i], "every read runs the same statements")
		require.Equal(t, smallCounts[0], largeCounts[i], fmt.Sprintf("statement count must not grow with the licenses (read %d)", i))
	}
}
