package license_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// Reship and return between a distributor and its dealer (LIC-12, LIC-13),
// through the API as the guide's pages use them.

// reshipLine is one line of a reship or return selection.
type reshipLine struct {
	Line string
	Qty  *int
}

func selection(lines []reshipLine) []map[string]any {
	out := []map[string]any{}
	for _, l := range lines {
		m := map[string]any{"lineId": l.Line}
		if l.Qty != nil {
			m["quantity"] = *l.Qty
		}
		out = append(out, m)
	}
	return out
}

// resoldOrder is an order as resoldOrders and orders show it.
type resoldOrder struct {
	ID            string
	SalesOrder    string
	PurchaseOrder string
	Partner       *struct{ Name string }
	ReshippedFrom *struct{ Name string }
	Lines         struct {
		Edges []struct {
			Node struct {
				ID         string
				Part       struct{ Number, Name string }
				Shipped    int
				Available  int
				Reshipped  int
				Returned   int
				SourceLine *struct{ ID string }
			}
		}
	}
}

const resoldOrderFields = `id salesOrder purchaseOrder partner { name } reshippedFrom { name }
  lines(first: 50) { edges { node { id part { number name } shipped available reshipped returned sourceLine { id } } } }`

type reshipPayload struct {
	Order  *resoldOrder
	Errors []userError
}

func reship(t testing.TB, env *lmstest.Env, user, dealerEmail, so, po string, lines ...reshipLine) reshipPayload {
	t.Helper()
	return mutate[reshipPayload](t, env, user, "reshipLicenses", "order { "+resoldOrderFields+" }", map[string]any{
		"dealerUserEmail": dealerEmail, "salesOrder": so, "purchaseOrder": po, "lines": selection(lines),
	})
}

// lineIDs returns the order's line id per part number.
func (o *resoldOrder) lineIDs() map[string]string {
	out := map[string]string{}
	for _, e := range o.Lines.Edges {
		out[e.Node.Part.Number] = e.Node.ID
	}
	return out
}

type apiReturn struct {
	ID          string
	Quantity    int
	Reason      string
	Part        struct{ Number string }
	Dealer      *struct{ Name string }
	Distributor *struct{ Name string }
	OrderLine   struct {
		ID            string
		PurchaseOrder string
		SalesOrder    string
	}
	SourceLine *struct{ ID string }
}

const returnFields = `id quantity reason part { number } dealer { name } distributor { name }
  orderLine { id purchaseOrder salesOrder } sourceLine { id }`

func returnLicenses(t testing.TB, env *lmstest.Env, user, reason string, lines ...reshipLine) ([]apiReturn, []userError) {
	t.Helper()
	p := mutate[struct {
		Returns []apiReturn
		Errors  []userError
	}](t, env, user, "returnLicenses", "returns { "+returnFields+" }", map[string]any{"lines": selection(lines), "reason": reason})
	return p.Returns, p.Errors
}

func licenseReturns(t testing.TB, env *lmstest.Env, user string) []apiReturn {
	t.Helper()
	var got struct {
		LicenseReturns struct{ Edges []struct{ Node apiReturn } }
	}
	env.Query(t, user, `{ licenseReturns(first: 50) { edges { node { `+returnFields+` } } } }`, nil).Decode(t, &got)
	out := []apiReturn{}
	for _, e := range got.LicenseReturns.Edges {
		out = append(out, e.Node)
	}
	return out
}

func resoldOrders(t testing.TB, env *lmstest.Env, user string) []resoldOrder {
	t.Helper()
	var got struct {
		ResoldOrders struct{ Edges []struct{ Node resoldOrder } }
	}
	env.Query(t, user, `{ resoldOrders(first: 50) { edges { node { `+resoldOrderFields+` } } } }`, nil).Decode(t, &got)
	out := []resoldOrder{}
	for _, e := range got.ResoldOrders.Edges {
		out = append(out, e.Node)
	}
	return out
}

// binOrders reads user's bin by purchase order: PO → part → available.
func binOrders(t testing.TB, env *lmstest.Env, user string) map[string]map[string]int {
	t.Helper()
	var got struct {
		LicenseBin struct {
			PurchaseOrders struct{ Edges []struct{ Node apiOrder } }
		}
	}
	env.Query(t, user, `{ licenseBin { purchaseOrders(first: 20) { edges { node { `+orderFields+` } } } } }`, nil).Decode(t, &got)
	out := map[string]map[string]int{}
	for _, e := range got.LicenseBin.PurchaseOrders.Edges {
		parts := map[string]int{}
		for _, l := range e.Node.Lines.Edges {
			parts[l.Node.Part.Number] = l.Node.Available
		}
		out[e.Node.PurchaseOrder] = parts
	}
	return out
}

// TestReshipWalkthrough follows the guide's "Reship Licenses (for
// Distributors only)": Distributor X reships MA4000 391950 ×8 and 390908 ×8
// of PO12 to Dealer Y as SO-12345 / PO-12345.
func TestReshipWalkthrough(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	lines := ship(t, env, lmstest.Distributor, "SO12", "PO12", line{"391950", 8}, line{"390908", 8})
	require.Equal(t, map[string]int{"391950": 8, "390908": 8}, binOrders(t, env, lmstest.Distributor)["PO12"])

	p := reship(t, env, lmstest.Distributor, "YARA@dealer-y.example", "SO-12345", "PO-12345",
		reshipLine{Line: lines["391950"]}, reshipLine{Line: lines["390908"], Qty: qty(8)})
	require.Empty(t, p.Errors)
	require.NotNil(t, p.Order)
	require.Equal(t, "SO-12345", p.Order.SalesOrder)
	require.Equal(t, "PO-12345", p.Order.PurchaseOrder)
	require.Equal(t, "Dealer Y", p.Order.Partner.Name)
	require.Equal(t, "Distributor X", p.Order.ReshippedFrom.Name)
	dealerLines := p.Order.lineIDs()
	for _, e := range p.Order.Lines.Edges {
		require.Equal(t, 8, e.Node.Shipped)
		require.Equal(t, 8, e.Node.Available)
		require.NotNil(t, e.Node.SourceLine, "the distributor sees where the line came from")
		require.Equal(t, lines[e.Node.Part.Number], e.Node.SourceLine.ID)
	}

	// The distributor's PO12 is empty: it left the bin, counted as reshipped.
	require.NotContains(t, binOrders(t, env, lmstest.Distributor), "PO12")
	for part, id := range lines {
		var got struct {
			Node struct{ Available, Reshipped, Returned int }
		}
		env.Query(t, lmstest.Distributor, `query($id: ID!) { node(id: $id) { ... on OrderLine { available reshipped returned } } }`,
			map[string]any{"id": id}).Decode(t, &got)
		require.Equal(t, 0, got.Node.Available, part)
		require.Equal(t, 8, got.Node.Reshipped, part)
	}
	// The dealer's bin has the new order; both of its users are told.
	require.Equal(t, map[string]int{"391950": 8, "390908": 8}, binOrders(t, env, lmstest.DealerY)["PO-12345"])
	for _, rcpt := range []string{lmstest.DealerY, lmstest.DealerY2} {
		m := mailTo(t, env, rcpt, "Licenses received from Distributor X", "PO-12345")
		require.Contains(t, m.Text, "MA4000 IPS EXT LIC(100)")
		require.Contains(t, m.Text, "SO-12345")
	}
	// The dealer sees its order and the distributor's name (issue 11 item
	// 11), but not the distributor's lines (ACT-3).
	var dealerView struct{ Node resoldOrder }
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on LicenseOrder { `+resoldOrderFields+` } } }`,
		map[string]any{"id": p.Order.ID}).Decode(t, &dealerView)
	require.Equal(t, "SO-12345", dealerView.Node.SalesOrder)
	require.NotNil(t, dealerView.Node.ReshippedFrom)
	require.Equal(t, "Distributor X", dealerView.Node.ReshippedFrom.Name)
	for _, e := range dealerView.Node.Lines.Edges {
		require.Nil(t, e.Node.SourceLine)
	}

	// "Resold licenses" lists the order with its part details, for the
	// distributor only.
	resold := resoldOrders(t, env, lmstest.Distributor)
	require.Len(t, resold, 1)
	require.Equal(t, "SO-12345", resold[0].SalesOrder)
	require.Equal(t, "Dealer Y", resold[0].Partner.Name)
	require.Len(t, resold[0].Lines.Edges, 2)
	require.Equal(t, "MA4000 Version 10 Lic", resold[0].Lines.Edges[1].Node.Part.Name)
	require.Empty(t, resoldOrders(t, env, lmstest.DealerY))
	require.Empty(t, resoldOrders(t, env, lmstest.DealerZ))
	require.Len(t, resoldOrders(t, env, lmstest.Admin), 1)

	// The dealer attaches from the reshipped order like from any other.
	lmc := createLocation(t, env, lmstest.DealerY, "LMC", map[string]any{"hardwareKeyCode": "LM" + randomHex(16)})
	lics := mustAttach(t, env, lmstest.DealerY, lmc.ID, sel{Line: dealerLines["391950"], Qty: qty(2)})
	require.Equal(t, "PO-12345", lics[0].PurchaseOrder)
	requireConserved(t, env)
}

func TestReshipRefusals(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	lines := ship(t, env, lmstest.Distributor, "SO1", "PO1", line{"391950", 5})
	dealerLines := ship(t, env, lmstest.DealerY, "SO2", "PO2", line{"391950", 5})
	one := reshipLine{Line: lines["391950"], Qty: qty(1)}

	// Dealers cannot reship, not even to themselves.
	p := reship(t, env, lmstest.DealerY, lmstest.DealerY2, "SO-X", "PO-X", reshipLine{Line: dealerLines["391950"]})
	requireError(t, p.Errors, "FORBIDDEN")
	// No shipping allowance for Dealer Z: answered exactly like an email
	// nobody has, or one of the distributor itself, so a distributor cannot
	// probe which emails other partners' users have (ACT-3).
	noAllowance := requireError(t, reship(t, env, lmstest.Distributor, lmstest.DealerZ, "SO-X", "PO-X", one).Errors, "NO_SHIPPING_ALLOWANCE")
	for _, email := range []string{"nobody@dealer-y.example", "sam@distributor-x.example", lmstest.Admin} {
		e := requireError(t, reship(t, env, lmstest.Distributor, email, "SO-X", "PO-X", one).Errors, "NO_SHIPPING_ALLOWANCE")
		require.Equal(t, noAllowance.Field, e.Field)
		require.Equal(t, strings.Replace(noAllowance.Message, lmstest.DealerZ, email, 1), e.Message, "the same answer for %s", email)
	}
	// The admin is no distributor.
	requireError(t, reship(t, env, lmstest.Admin, lmstest.DealerY, "SO-X", "PO-X", one).Errors, "FORBIDDEN")
	// Another partner's line answers like a missing one; more than is there
	// is refused.
	requireError(t, reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-X", "PO-X", reshipLine{Line: dealerLines["391950"]}).Errors, "NOT_FOUND")
	requireError(t, reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-X", "PO-X", reshipLine{Line: lines["391950"], Qty: qty(6)}).Errors, "INSUFFICIENT_QUANTITY")
	e := requireError(t, reship(t, env, lmstest.Distributor, lmstest.DealerY, "", "PO-X", one).Errors, "VALIDATION_FAILED")
	require.Equal(t, []string{"input", "salesOrder"}, e.Field)
	require.Equal(t, 5, orderLineState(t, env, lmstest.Distributor, lines["391950"]).Available, "nothing moved")
	require.NotContains(t, binOrders(t, env, lmstest.DealerY), "PO-X")

	// A split: 2 of 5 go, 3 stay; the dealer's sales order must be new.
	require.Empty(t, reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-X", "PO-X", reshipLine{Line: lines["391950"], Qty: qty(2)}).Errors)
	require.Equal(t, 3, orderLineState(t, env, lmstest.Distributor, lines["391950"]).Available)
	requireError(t, reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-X", "PO-Y", one).Errors, "ALREADY_EXISTS")
	require.Equal(t, 3, orderLineState(t, env, lmstest.Distributor, lines["391950"]).Available)
	requireConserved(t, env)
}

// TestReturnToDistributor returns part of a reshipped order (LIC-13): it
// leaves the dealer's bin, is back in the distributor's, and both see it in
// licenseReturns.
func TestReturnToDistributor(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	lines := ship(t, env, lmstest.Distributor, "SO12", "PO12", line{"391950", 8}, line{"390908", 8})
	p := reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-12345", "PO-12345",
		reshipLine{Line: lines["391950"], Qty: qty(6)}, reshipLine{Line: lines["390908"]})
	require.Empty(t, p.Errors)
	dealerLines := p.Order.lineIDs()
	lmc := createLocation(t, env, lmstest.DealerY, "LMC", map[string]any{"hardwareKeyCode": "LM" + randomHex(16)})
	mustAttach(t, env, lmstest.DealerY, lmc.ID, sel{Line: dealerLines["391950"], Qty: qty(2)})

	// Only what is in the bin can go back: 4 of 391950 are there.
	_, errs := returnLicenses(t, env, lmstest.DealerY, "", reshipLine{Line: dealerLines["391950"], Qty: qty(5)})
	requireError(t, errs, "INSUFFICIENT_QUANTITY")
	// The distributor cannot return the dealer's line; a vendor-shipped line
	// has nobody to go back to.
	_, errs = returnLicenses(t, env, lmstest.Distributor, "", reshipLine{Line: dealerLines["391950"]})
	requireError(t, errs, "NOT_FOUND")
	own := ship(t, env, lmstest.DealerY, "SO-V", "PO-V", line{"391950", 1})
	_, errs = returnLicenses(t, env, lmstest.DealerY, "", reshipLine{Line: own["391950"]})
	requireError(t, errs, "NOT_APPLICABLE")

	returns, errs := returnLicenses(t, env, lmstest.DealerY, "customer cancelled",
		reshipLine{Line: dealerLines["391950"], Qty: qty(3)}, reshipLine{Line: dealerLines["390908"], Qty: qty(0)})
	require.Empty(t, errs)
	require.Len(t, returns, 1)
	r := returns[0]
	require.Equal(t, 3, r.Quantity)
	require.Equal(t, "391950", r.Part.Number)
	require.Equal(t, "customer cancelled", r.Reason)
	require.Equal(t, "PO-12345", r.OrderLine.PurchaseOrder)
	require.Nil(t, r.SourceLine, "the dealer does not see the distributor's line")

	// Both bins: the dealer has 1 left of 391950, the distributor 2 + 3.
	require.Equal(t, map[string]int{"391950": 1, "390908": 8}, binOrders(t, env, lmstest.DealerY)["PO-12345"])
	require.Equal(t, map[string]int{"391950": 5, "390908": 0}, binOrders(t, env, lmstest.Distributor)["PO12"])
	dl := orderLineState(t, env, lmstest.DealerY, dealerLines["391950"])
	require.Equal(t, 1, dl.Available)

	// licenseReturns: the distributor's "License Returns" and the dealer's
	// own list show it; another dealer sees nothing.
	for _, user := range []string{lmstest.Distributor, lmstest.DealerY, lmstest.Admin} {
		got := licenseReturns(t, env, user)
		require.Len(t, got, 1, user)
		require.Equal(t, r.ID, got[0].ID)
		require.Equal(t, "Dealer Y", got[0].Dealer.Name)
		require.Equal(t, 3, got[0].Quantity)
	}
	require.Equal(t, lines["391950"], licenseReturns(t, env, lmstest.Distributor)[0].SourceLine.ID)
	require.Empty(t, licenseReturns(t, env, lmstest.DealerZ))
	var node struct{ Node *struct{ ID string } }
	env.Query(t, lmstest.DealerZ, `query($id: ID!) { node(id: $id) { ... on LicenseReturn { id } } }`, map[string]any{"id": r.ID}).Decode(t, &node)
	require.Nil(t, node.Node)

	// The distributor can reship what came back.
	require.Empty(t, reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-2", "PO-2", reshipLine{Line: lines["391950"]}).Errors)
	requireConserved(t, env)
}
