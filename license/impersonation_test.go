package license_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// TestImpersonatedDealerWork is ACT-5 in practice: Distributor X acts as a
// user of Dealer Y ("IMP:Ed Distributor X/Dealer Y"), sees the dealer's bin,
// customers and locations, attaches and activates for it, and the dealer's
// audit trail names both identities.
func TestImpersonatedDealerWork(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	lines := ship(t, env, lmstest.DealerY, "SO-IMP", "PO-IMP", line{"BE107573", 1}, line{"BE107585", 10})
	dealerLocation := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})

	var started struct {
		StartImpersonation struct {
			Token  *string
			Errors []userError
		}
	}
	env.Query(t, lmstest.Distributor, `mutation($email: String!) { startImpersonation(input: {dealerUserEmail: $email}) { token errors { code message field } } }`,
		map[string]any{"email": lmstest.DealerY}).Decode(t, &started)
	require.Empty(t, started.StartImpersonation.Errors)
	const imp = "impersonation of yara@dealer-y.example"
	env.Tokens[imp] = *started.StartImpersonation.Token

	// The dealer's bin, customers and locations.
	require.Equal(t, map[string]int{"BE107573": 1, "BE107585": 10}, binOrders(t, env, imp)["PO-IMP"])
	require.Empty(t, binOrders(t, env, lmstest.Distributor), "the distributor's own bin is another one")
	var locs struct {
		Customers struct {
			Edges []struct{ Node struct{ Name string } }
		}
		Locations struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	env.Query(t, imp, `{ customers(first: 10) { edges { node { name } } } locations(first: 10) { edges { node { id } } } }`, nil).Decode(t, &locs)
	require.Len(t, locs.Customers.Edges, 1)
	require.Equal(t, "Customer of SV8100", locs.Customers.Edges[0].Node.Name)
	require.Len(t, locs.Locations.Edges, 1)
	require.Equal(t, dealerLocation.ID, locs.Locations.Edges[0].Node.ID)

	// It works for the dealer: a new location, attach, activate, download.
	loc := createLocation(t, env, imp, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	lics := mustAttach(t, env, imp, loc.ID, sel{Line: lines["BE107573"]}, sel{Line: lines["BE107585"], Qty: qty(4)})
	f := waitFile(t, env, imp, mustActivate(t, env, imp, loc.ID, lics...))
	download(t, env, lmstest.DealerY, f)
	// ... exactly as the dealer, who cannot reship.
	requireError(t, reship(t, env, imp, lmstest.DealerY2, "SO-R", "PO-R", reshipLine{Line: lines["BE107585"]}).Errors, "FORBIDDEN")
	// The distributor itself still sees none of it.
	var node struct{ Node *struct{ ID string } }
	env.Query(t, lmstest.Distributor, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": loc.ID}).Decode(t, &node)
	require.Nil(t, node.Node)

	// The dealer's trail shows who did it on whose behalf.
	var trail struct {
		AuditEvents struct {
			Edges []struct {
				Node struct {
					Action         string
					Display        string
					ActedBy        struct{ Email string }
					ImpersonatedBy *struct{ Email, PartnerName string }
				}
			}
		}
	}
	env.Query(t, lmstest.DealerY, `{ auditEvents(first: 50) { edges { node { action display actedBy { email } impersonatedBy { email partnerName } } } } }`, nil).Decode(t, &trail)
	seen := map[string]bool{}
	for _, e := range trail.AuditEvents.Edges {
		n := e.Node
		switch n.Action {
		case "location.create", "license.attach", "license.activate":
			if n.ActedBy.Email != lmstest.DealerY {
				continue // the dealer's own location.create
			}
			if n.ImpersonatedBy == nil {
				require.Equal(t, "location.create", n.Action, "only the dealer's own location was made without impersonation")
				continue
			}
			require.Equal(t, lmstest.Distributor, n.ImpersonatedBy.Email, n.Action)
			require.Equal(t, "Distributor X", n.ImpersonatedBy.PartnerName)
			require.Contains(t, n.Display, "IMP:")
			seen[n.Action] = true
		}
	}
	require.Equal(t, map[string]bool{"location.create": true, "license.attach": true, "license.activate": true}, seen)
}
