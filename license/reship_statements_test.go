package license_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// The Tools lists (LIC-12..14) load what they show in a fixed number of
// statements, however long the list.

// toolsLists are the lists as a Tools page asks for them, one query each
// (root fields of one query share loaders, which makes their sum depend on
// which runs first).
var toolsLists = map[string]string{
	"resoldOrders": `{ resoldOrders(first: 100) { edges { node { salesOrder purchaseOrder partner { name } reshippedFrom { name }
    lines(first: 10) { edges { node { part { number name } shipped available reshipped returned sourceLine { purchaseOrder } } } }
    licenses(first: 10) { edges { node { softwareKeyCode } } } } } } }`,
	"orders": `{ orders(first: 100) { edges { node { salesOrder partner { name } reshippedFrom { name }
    lines(first: 10) { edges { node { part { name } order { salesOrder } } } }
    licenses(first: 10) { edges { node { softwareKeyCode part { name } location { name } orderLine { lineNumber } } } } } } } }`,
	"licenseReturns": `{ licenseReturns(first: 100) { edges { node { quantity reason part { name } dealer { name } distributor { name }
    returnedBy { email } orderLine { purchaseOrder part { name } } sourceLine { purchaseOrder } } } } }`,
	"partsInventory": `{ partsInventory(first: 100) { edges { node { part { name } shipped available } } } }`,
}

// toolsStatements reships n orders of two lines to Dealer Y, the dealer
// attaches from each and returns part of each, then counts the statements
// of the Tools lists for the distributor and the dealer.
func toolsStatements(t *testing.T, n int) map[string]int {
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	lines := ship(t, env, lmstest.Distributor, "SO-STOCK", "PO-STOCK", line{"391950", 3 * n}, line{"390908", 3 * n})
	lmc := createLocation(t, env, lmstest.DealerY, "LMC", map[string]any{"hardwareKeyCode": "LM" + randomHex(16)})
	for i := range n {
		p := reship(t, env, lmstest.Distributor, lmstest.DealerY, fmt.Sprintf("SO-%03d", i), fmt.Sprintf("PO-%03d", i),
			reshipLine{Line: lines["391950"], Qty: qty(3)}, reshipLine{Line: lines["390908"], Qty: qty(3)})
		require.Empty(t, p.Errors)
		dl := p.Order.lineIDs()
		mustAttach(t, env, lmstest.DealerY, lmc.ID, sel{Line: dl["391950"], Qty: qty(1)}, sel{Line: dl["390908"], Qty: qty(1)})
		_, errs := returnLicenses(t, env, lmstest.DealerY, "not needed", reshipLine{Line: dl["391950"], Qty: qty(1)})
		require.Empty(t, errs)
	}
	out := map[string]int{}
	for _, user := range []string{lmstest.Distributor, lmstest.DealerY} {
		for name, q := range toolsLists {
			first := env.Query(t, user, q, nil).Statements()
			for range 3 {
				require.Equal(t, first, env.Query(t, user, q, nil).Statements(), "%s of %s costs the same every time", name, user)
			}
			out[user+" "+name] = first
		}
	}
	return out
}

func TestToolsListsStatements(t *testing.T) {
	t.Parallel()
	small, large := toolsStatements(t, 2), toolsStatements(t, 15)
	t.Logf("statements with 2 and with 15 reshipped orders: %v / %v", small, large)
	require.Equal(t, small, large, "the statement count must not grow with the lists")
}
