package license_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// seenPartner is a partner with everything a client could ask of it.
type seenPartner struct {
	ID, Name, Kind string
	Email          *string
	CreatedAt      *time.Time
	Users          struct {
		Edges []struct{ Node struct{ ID string } }
	}
	ShippingAllowances []struct{ ID string }
}

const seenPartnerFields = `id name kind email createdAt users { edges { node { id } } } shippingAllowances { id }`

// requireNameOnly checks that p is Distributor X with nothing but its id,
// kind and name.
func requireNameOnly(t *testing.T, distributorID string, p *seenPartner, msg string) {
	t.Helper()
	require.NotNil(t, p, msg)
	require.Equal(t, distributorID, p.ID, msg)
	require.Equal(t, "Distributor X", p.Name, msg)
	require.Equal(t, "DISTRIBUTOR", p.Kind, msg)
	require.Nil(t, p.Email, msg)
	require.Nil(t, p.CreatedAt, msg)
	require.Empty(t, p.Users.Edges, msg)
	require.Empty(t, p.ShippingAllowances, msg)
}

// partnerNode reads a partner through node as user.
func partnerNode(t *testing.T, env *lmstest.Env, user, id string) *seenPartner {
	t.Helper()
	var got struct{ Node *seenPartner }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Partner { `+seenPartnerFields+` } } }`, map[string]any{"id": id}).Decode(t, &got)
	return got.Node
}

// Issue 11 item 11: a dealer sees the distributor that reshipped to it (and
// takes its returns) by name: the order's reshippedFrom, the return's
// distributor, the allowance's distributor and node answer its id and name
// and nothing else of it; a dealer it does not ship to sees nothing.
func TestDealerSeesItsDistributorByName(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	distributorID := partnerID(t, env, lmstest.Distributor)
	var ed struct {
		Viewer struct{ User struct{ ID string } }
	}
	env.Query(t, lmstest.Distributor, `{ viewer { user { id } } }`, nil).Decode(t, &ed)

	// Distributor X has an allowance for Dealer Y: Dealer Y sees its name
	// before any reship.
	requireNameOnly(t, distributorID, partnerNode(t, env, lmstest.DealerY, distributorID), "allowance only")

	lines := ship(t, env, lmstest.Distributor, "SO-STOCK", "PO-STOCK", line{"391950", 4})
	p := reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-1", "PO-1", reshipLine{Line: lines["391950"], Qty: qty(2)})
	require.Empty(t, p.Errors)
	_, errs := returnLicenses(t, env, lmstest.DealerY, "not needed", reshipLine{Line: p.Order.lineIDs()["391950"], Qty: qty(1)})
	require.Empty(t, errs)

	dealerView := func(user string) (got struct {
		Orders struct {
			Edges []struct {
				Node struct{ ReshippedFrom *seenPartner }
			}
		}
		LicenseReturns struct {
			Edges []struct {
				Node struct{ Distributor *seenPartner }
			}
		}
		Viewer struct {
			Partner struct {
				ShippingAllowances []struct{ Distributor *seenPartner }
			}
		}
		Partners struct {
			Edges []struct{ Node struct{ ID string } }
		}
		Nodes []*seenPartner
		User  *struct{ ID string }
	}) {
		env.Query(t, user, `query($id: ID!, $user: ID!) {
  orders(first: 10) { edges { node { reshippedFrom { `+seenPartnerFields+` } } } }
  licenseReturns(first: 10) { edges { node { distributor { `+seenPartnerFields+` } } } }
  viewer { partner { shippingAllowances { distributor { `+seenPartnerFields+` } } } }
  partners(first: 10) { edges { node { id } } }
  nodes(ids: [$id]) { ... on Partner { `+seenPartnerFields+` } }
  user: node(id: $user) { id } }`, map[string]any{"id": distributorID, "user": ed.Viewer.User.ID}).Decode(t, &got)
		return got
	}

	y := dealerView(lmstest.DealerY)
	require.Len(t, y.Orders.Edges, 1)
	requireNameOnly(t, distributorID, y.Orders.Edges[0].Node.ReshippedFrom, "Order.reshippedFrom")
	require.Len(t, y.LicenseReturns.Edges, 1)
	requireNameOnly(t, distributorID, y.LicenseReturns.Edges[0].Node.Distributor, "LicenseReturn.distributor")
	require.Len(t, y.Viewer.Partner.ShippingAllowances, 1)
	requireNameOnly(t, distributorID, y.Viewer.Partner.ShippingAllowances[0].Distributor, "ShippingAllowance.distributor")
	require.Len(t, y.Nodes, 1)
	requireNameOnly(t, distributorID, y.Nodes[0], "nodes")
	requireNameOnly(t, distributorID, partnerNode(t, env, lmstest.DealerY, distributorID), "node")
	require.Len(t, y.Partners.Edges, 1, "a dealer's partners are itself only")
	require.NotEqual(t, distributorID, y.Partners.Edges[0].Node.ID)
	require.Nil(t, y.User, "the distributor's users stay hidden")

	z := dealerView(lmstest.DealerZ)
	require.Empty(t, z.Orders.Edges)
	require.Empty(t, z.LicenseReturns.Edges)
	require.Empty(t, z.Viewer.Partner.ShippingAllowances)
	require.Equal(t, []*seenPartner{nil}, z.Nodes, "Dealer Z sees nothing of Distributor X")
	require.Nil(t, partnerNode(t, env, lmstest.DealerZ, distributorID))
	require.Nil(t, z.User)

	// The admin and the distributor itself see it in full.
	for _, user := range []string{lmstest.Admin, lmstest.Distributor} {
		full := partnerNode(t, env, user, distributorID)
		require.NotNil(t, full)
		require.NotNil(t, full.Email, user)
		require.NotNil(t, full.CreatedAt, user)
		require.NotEmpty(t, full.Users.Edges, user)
		require.NotEmpty(t, full.ShippingAllowances, user)
	}

	// An order outlives the allowance it was made under: no API ends an
	// allowance today, so the row goes directly.
	_, err := env.DB.Bun.NewDelete().TableExpr("shipping_allowances").Where("distributor_id = (SELECT id FROM partners WHERE name = 'Distributor X')").Exec(context.Background())
	require.NoError(t, err)
	y = dealerView(lmstest.DealerY)
	require.Empty(t, y.Viewer.Partner.ShippingAllowances)
	requireNameOnly(t, distributorID, y.Orders.Edges[0].Node.ReshippedFrom, "Order.reshippedFrom without an allowance")
	requireNameOnly(t, distributorID, partnerNode(t, env, lmstest.DealerY, distributorID), "node without an allowance")
}
