package license_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// The Tools lookups (LIC-14): each answers the caller's own data, an admin
// everyone's, and another partner's PO, SKC or HWKC exactly like a missing
// one (ACT-3).

func ordersBySearch(t testing.TB, env *lmstest.Env, user, search string) []resoldOrder {
	t.Helper()
	var got struct {
		Orders struct{ Edges []struct{ Node resoldOrder } }
	}
	env.Query(t, user, `query($s: String) { orders(filter: {search: $s}, first: 50) { edges { node { `+resoldOrderFields+` } } } }`,
		map[string]any{"s": search}).Decode(t, &got)
	out := []resoldOrder{}
	for _, e := range got.Orders.Edges {
		out = append(out, e.Node)
	}
	return out
}

func TestOrderLookup(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	ship(t, env, lmstest.DealerY, "SO-1001", "PO-ALPHA", line{"BE107573", 1})
	ship(t, env, lmstest.DealerY, "SO-1002", "PO-BETA", line{"BE107585", 3})
	ship(t, env, lmstest.DealerZ, "SO-2001", "PO-ALPHA-Z", line{"BE107573", 1})
	dist := ship(t, env, lmstest.Distributor, "SO-3001", "PO-DIST", line{"391950", 4})
	require.Empty(t, reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-RESOLD", "PO-RESOLD", reshipLine{Line: dist["391950"], Qty: qty(1)}).Errors)

	sos := func(os []resoldOrder) []string {
		out := []string{}
		for _, o := range os {
			out = append(out, o.SalesOrder)
		}
		return out
	}
	// By part of a PO or an SO, any case; newest first.
	require.Equal(t, []string{"SO-1001"}, sos(ordersBySearch(t, env, lmstest.DealerY, "alpha")))
	require.Equal(t, []string{"SO-1002"}, sos(ordersBySearch(t, env, lmstest.DealerY, "so-1002")))
	require.Equal(t, []string{"SO-RESOLD", "SO-1002", "SO-1001"}, sos(ordersBySearch(t, env, lmstest.DealerY, "")))
	// Another dealer's PO is not there; the admin finds both.
	require.Empty(t, ordersBySearch(t, env, lmstest.DealerZ, "PO-BETA"))
	require.Equal(t, []string{"SO-2001"}, sos(ordersBySearch(t, env, lmstest.DealerZ, "alpha")))
	require.Equal(t, []string{"SO-2001", "SO-1001"}, sos(ordersBySearch(t, env, lmstest.Admin, "alpha")))
	// The distributor finds its own orders and those it reshipped, never the
	// rest of its dealer's.
	require.Equal(t, []string{"SO-RESOLD", "SO-3001"}, sos(ordersBySearch(t, env, lmstest.Distributor, "")))
	require.Empty(t, ordersBySearch(t, env, lmstest.Distributor, "PO-BETA"))
}

func TestSoftwareAndHardwareKeyCodeLookup(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	lines := ship(t, env, lmstest.DealerY, "SO-1", "PO-1", line{"BE107585", 5})
	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	lic := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: lines["BE107585"], Qty: qty(2)})[0]

	type found struct {
		LicenseBySoftwareKeyCode *struct {
			ID              string
			SoftwareKeyCode string
			Quantity        int
			PurchaseOrder   string
			Location        struct{ HardwareKeyCode string }
		}
	}
	bySKC := func(user, code string) found {
		var got found
		env.Query(t, user, `query($c: String!) { licenseBySoftwareKeyCode(softwareKeyCode: $c) { id softwareKeyCode quantity purchaseOrder location { hardwareKeyCode } } }`,
			map[string]any{"c": code}).Decode(t, &got)
		return got
	}
	got := bySKC(lmstest.DealerY, " "+strings.ToLower(lic.SoftwareKeyCode)+" ")
	require.NotNil(t, got.LicenseBySoftwareKeyCode)
	require.Equal(t, lic.ID, got.LicenseBySoftwareKeyCode.ID)
	require.Equal(t, "PO-1", got.LicenseBySoftwareKeyCode.PurchaseOrder)
	require.Equal(t, loc.HardwareKeyCode, got.LicenseBySoftwareKeyCode.Location.HardwareKeyCode)
	require.NotNil(t, bySKC(lmstest.Admin, lic.SoftwareKeyCode).LicenseBySoftwareKeyCode)
	// Another partner's SKC answers like a made-up one.
	require.Nil(t, bySKC(lmstest.DealerZ, lic.SoftwareKeyCode).LicenseBySoftwareKeyCode)
	require.Nil(t, bySKC(lmstest.Distributor, lic.SoftwareKeyCode).LicenseBySoftwareKeyCode)
	require.Nil(t, bySKC(lmstest.DealerY, "00000000000000000000").LicenseBySoftwareKeyCode)
	require.Nil(t, bySKC(lmstest.DealerY, "short").LicenseBySoftwareKeyCode)

	byHWKC := func(user string) *struct{ ID string } {
		var got struct{ LocationByHardwareKeyCode *struct{ ID string } }
		env.Query(t, user, `query($h: String!) { locationByHardwareKeyCode(hardwareKeyCode: $h) { id } }`,
			map[string]any{"h": loc.HardwareKeyCode}).Decode(t, &got)
		return got.LocationByHardwareKeyCode
	}
	require.NotNil(t, byHWKC(lmstest.DealerY))
	require.NotNil(t, byHWKC(lmstest.Admin))
	require.Nil(t, byHWKC(lmstest.DealerZ))
	require.Nil(t, byHWKC(lmstest.Distributor))
}

type inventoryRow struct {
	Part                                                         struct{ Number string }
	Shipped, Available, Attached, Activated, Reshipped, Returned int
}

func partsInventory(t testing.TB, env *lmstest.Env, user string, vars map[string]any) map[string]inventoryRow {
	t.Helper()
	var got struct {
		PartsInventory struct{ Edges []struct{ Node inventoryRow } }
	}
	env.Query(t, user, `query($f: PartsInventoryFilter) { partsInventory(filter: $f, first: 100) {
	  edges { node { part { number } shipped available attached activated reshipped returned } } } }`, vars).Decode(t, &got)
	out := map[string]inventoryRow{}
	for _, e := range got.PartsInventory.Edges {
		out[e.Node.Part.Number] = e.Node
	}
	return out
}

func TestPartsInventory(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	dist := ship(t, env, lmstest.Distributor, "SO-D1", "PO-D1", line{"391950", 10}, line{"390908", 2})
	ship(t, env, lmstest.Distributor, "SO-D2", "PO-D2", line{"391950", 5})
	p := reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-R", "PO-R", reshipLine{Line: dist["391950"], Qty: qty(6)})
	require.Empty(t, p.Errors)
	dealerLine := p.Order.lineIDs()["391950"]
	lmc := createLocation(t, env, lmstest.DealerY, "LMC", map[string]any{"hardwareKeyCode": "LM" + randomHex(16)})
	a := mustAttach(t, env, lmstest.DealerY, lmc.ID, sel{Line: dealerLine, Qty: qty(1)})
	mustActivate(t, env, lmstest.DealerY, lmc.ID, a...)
	mustAttach(t, env, lmstest.DealerY, lmc.ID, sel{Line: dealerLine, Qty: qty(2)})
	_, errs := returnLicenses(t, env, lmstest.DealerY, "", reshipLine{Line: dealerLine, Qty: qty(1)})
	require.Empty(t, errs)
	distLMC := createLocation(t, env, lmstest.Distributor, "LMC", map[string]any{"hardwareKeyCode": "LM" + randomHex(16)})
	mustAttach(t, env, lmstest.Distributor, distLMC.ID, sel{Line: dist["390908"]})

	require.Equal(t, map[string]inventoryRow{
		// 15 shipped: 6 reshipped, 1 of them returned → 5 reshipped, 10 in the bin.
		"391950": {Part: struct{ Number string }{"391950"}, Shipped: 15, Available: 10, Reshipped: 5},
		"390908": {Part: struct{ Number string }{"390908"}, Shipped: 2, Attached: 2},
	}, partsInventory(t, env, lmstest.Distributor, nil))
	require.Equal(t, map[string]inventoryRow{
		"391950": {Part: struct{ Number string }{"391950"}, Shipped: 6, Available: 2, Attached: 2, Activated: 1, Returned: 1},
	}, partsInventory(t, env, lmstest.DealerY, nil))
	require.Empty(t, partsInventory(t, env, lmstest.DealerZ, nil))
	// Search, and the admin's totals over all partners or of one.
	require.Len(t, partsInventory(t, env, lmstest.Distributor, map[string]any{"f": map[string]any{"search": "version"}}), 1)
	all := partsInventory(t, env, lmstest.Admin, nil)
	require.Equal(t, 21, all["391950"].Shipped)
	require.Equal(t, 12, all["391950"].Available)
	dealerOnly := partsInventory(t, env, lmstest.Admin, map[string]any{"f": map[string]any{"partnerId": partnerID(t, env, lmstest.DealerY)}})
	require.Equal(t, 6, dealerOnly["391950"].Shipped)
	requireConserved(t, env)
}
