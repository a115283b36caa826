package license_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// TestLicensesAreTenantScoped: another partner's orders, lines, licenses,
// files and locations answer exactly like missing ones, to reads, to
// mutations and to downloads (ACT-3); the admin sees them.
func TestLicensesAreTenantScoped(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	loc, lics := readyLocation(t, env)
	fileID := mustActivate(t, env, lmstest.DealerY, loc.ID, lics[0])
	f := waitFile(t, env, lmstest.DealerY, fileID)
	var lic struct {
		Node struct {
			OrderLine struct {
				ID    string
				Order struct{ ID string }
			}
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on License { orderLine { id order { id } } } } }`,
		map[string]any{"id": lics[0].ID}).Decode(t, &lic)
	orderID, lineID := lic.Node.OrderLine.Order.ID, lic.Node.OrderLine.ID
	require.NotEmpty(t, orderID)

	for _, user := range []string{lmstest.DealerZ, lmstest.Distributor} {
		for _, id := range []string{loc.ID, lics[0].ID, lics[1].ID, fileID, orderID, lineID} {
			var got struct{ Node *struct{ ID string } }
			env.Query(t, user, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}).Decode(t, &got)
			require.Nil(t, got.Node, "%s sees %s", user, id)
		}
		var other struct {
			LicenseBin struct {
				PurchaseOrders    struct{ Edges []struct{} }
				RecentlyActivated struct{ Edges []struct{} }
			}
		}
		env.Query(t, user, `{ licenseBin { purchaseOrders { edges { node { id } } } recentlyActivated { edges { node { id } } } } }`, nil).Decode(t, &other)
		require.Empty(t, other.LicenseBin.PurchaseOrders.Edges)
		require.Empty(t, other.LicenseBin.RecentlyActivated.Edges)

		requireError(t, activate(t, env, user, loc.ID, lics[1].ID).Errors, "NOT_FOUND")
		requireError(t, mutate[struct{ Errors []userError }](t, env, user, "detachLicenses", "",
			map[string]any{"locationId": loc.ID, "licenseIds": []string{lics[1].ID}}).Errors, "NOT_FOUND")
		requireError(t, mutate[struct{ Errors []userError }](t, env, user, "regenerateLicenseFile", "",
			map[string]any{"locationId": loc.ID}).Errors, "NOT_FOUND")
		requireError(t, mutate[struct{ Errors []userError }](t, env, user, "createVirtualHardwareKeyCode", "",
			map[string]any{"locationId": loc.ID, "ipAddress": "10.0.0.1"}).Errors, "NOT_FOUND")
		status, _, _ := get(t, env, user, *f.DownloadURL)
		require.Equal(t, 404, status)
		resp := firstEvent(t, env, user, loc.ID)
		require.NotEmpty(t, resp.Errors)
		require.Equal(t, "NOT_FOUND", resp.Errors[0].Code())
	}

	// A partner cannot ship to itself; the admin can read everything.
	p := mutate[struct{ Errors []userError }](t, env, lmstest.DealerY, "shipLicenseOrder", "order { id }", map[string]any{
		"partnerId": partnerID(t, env, lmstest.DealerY), "salesOrder": "SO-X", "purchaseOrder": "PO-X",
		"lines": []map[string]any{{"partNumber": "BE107573", "quantity": 1}},
	})
	requireError(t, p.Errors, "FORBIDDEN")
	var admin struct{ Node *struct{ ID string } }
	env.Query(t, lmstest.Admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": fileID}).Decode(t, &admin)
	require.NotNil(t, admin.Node)
	status, _, _ := get(t, env, lmstest.Admin, *f.DownloadURL)
	require.Equal(t, 200, status)
}
