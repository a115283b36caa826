package license_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// connectionPage is one page of any connection, as totalConnections selects it.
type connectionPage struct {
	TotalCount int
	Edges      []struct{ Cursor string }
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
}

// connectionSelection replaces CONN in a listCase's query.
const connectionSelection = `totalCount edges { cursor } pageInfo { hasNextPage endCursor }`

// listCase reads one connection: query selects it (CONN marks the
// connection's selection, $first and $after its page) at path in the answer.
type listCase struct {
	name, user string
	query      string
	path       []string
	vars       map[string]any
	// want is the list's length; -1: any length above 0.
	want int
	// countStatements is the statements totalCount adds to the first page:
	// 1 for a list paged in SQL (one COUNT), 0 for one held in memory or
	// counted with its first page.
	countStatements int
}

// pageOf runs c for one page and returns the connection and the
// statements the request ran.
func (c listCase) pageOf(t *testing.T, env *lmstest.Env, selection string, first int, after *string) (connectionPage, int) {
	t.Helper()
	vars := map[string]any{"first": first, "after": after}
	for k, v := range c.vars {
		vars[k] = v
	}
	resp := env.Query(t, c.user, strings.ReplaceAll(c.query, "CONN", selection), vars)
	var data map[string]any
	resp.Decode(t, &data)
	var at any = data
	for _, field := range c.path {
		m, ok := at.(map[string]any)
		require.True(t, ok, "%s: no %s in %v", c.name, field, at)
		at = m[field]
	}
	raw, err := json.Marshal(at)
	require.NoError(t, err)
	var p connectionPage
	require.NoError(t, json.Unmarshal(raw, &p))
	return p, resp.Statements()
}

// Every connection's totalCount is the length of the whole list the pages
// walk through, with the list's own filter and tenant scope (Dealer Z counts
// only its own), and costs at most one statement, only when asked for.
func TestTotalCount(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})

	y1 := ship(t, env, lmstest.DealerY, "SO-Y1", "PO-Y1", line{"BE107585", 10}, line{"BE107573", 2})
	ship(t, env, lmstest.DealerY, "SO-Y2", "PO-Y2", line{"BE107585", 3})
	ship(t, env, lmstest.DealerY, "SO-Y3", "PO-Y3", line{"391950", 2})
	ship(t, env, lmstest.DealerZ, "SO-Z1", "PO-Z1", line{"BE107585", 4})
	d1 := ship(t, env, lmstest.Distributor, "SO-D1", "PO-D1", line{"BE107585", 6})
	resold := reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-R1", "PO-R1", reshipLine{Line: d1["BE107585"], Qty: qty(2)})
	require.Empty(t, resold.Errors)
	_, errs := returnLicenses(t, env, lmstest.DealerY, "not needed", reshipLine{Line: resold.Order.lineIDs()["BE107585"], Qty: qty(1)})
	require.Empty(t, errs)

	yLoc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	var lics []apiLicense
	for range 5 {
		lics = append(lics, mustAttach(t, env, lmstest.DealerY, yLoc.ID, sel{Line: y1["BE107585"], Qty: qty(1)})...)
	}
	mustActivate(t, env, lmstest.DealerY, yLoc.ID, lics[:2]...)
	zLoc := createLocation(t, env, lmstest.DealerZ, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	orderID := func(user, po string) string {
		var got struct {
			Orders struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		env.Query(t, user, `query($po: String) { orders(filter: {search: $po}) { edges { node { id } } } }`, map[string]any{"po": po}).Decode(t, &got)
		require.Len(t, got.Orders.Edges, 1, po)
		return got.Orders.Edges[0].Node.ID
	}
	yOrder, zOrder := orderID(lmstest.DealerY, "PO-Y1"), orderID(lmstest.DealerZ, "PO-Z1")

	withArgs := func(field, args string) string {
		return `query($first: Int, $after: String) { ` + field + `(first: $first, after: $after` + args + `) { CONN } }`
	}
	ofNode := func(typ, field string) string {
		return `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on ` + typ + ` { ` + field + `(first: $first, after: $after) { CONN } } } }`
	}
	bin := func(field string) string {
		return `query($first: Int, $after: String) { licenseBin { ` + field + `(first: $first, after: $after) { CONN } } }`
	}
	cases := []listCase{
		{name: "orders", user: lmstest.DealerY, query: withArgs("orders", ""), path: []string{"orders"}, want: 4, countStatements: 1},
		{name: "orders of Z", user: lmstest.DealerZ, query: withArgs("orders", ""), path: []string{"orders"}, want: 1, countStatements: 1},
		{name: "orders of the distributor", user: lmstest.Distributor, query: withArgs("orders", ""), path: []string{"orders"}, want: 2, countStatements: 1},
		{name: "orders of the admin", user: lmstest.Admin, query: withArgs("orders", ""), path: []string{"orders"}, want: 6, countStatements: 1},
		{name: "orders found", user: lmstest.DealerY, query: withArgs("orders", `, filter: {search: "so-y"}`), path: []string{"orders"}, want: 3, countStatements: 1},
		{name: "resold orders", user: lmstest.Distributor, query: withArgs("resoldOrders", ""), path: []string{"resoldOrders"}, want: 1, countStatements: 1},
		{name: "resold orders of Y", user: lmstest.DealerY, query: withArgs("resoldOrders", ""), path: []string{"resoldOrders"}, want: 0, countStatements: 1},
		{name: "returns", user: lmstest.DealerY, query: withArgs("licenseReturns", ""), path: []string{"licenseReturns"}, want: 1, countStatements: 1},
		{name: "returns of Z", user: lmstest.DealerZ, query: withArgs("licenseReturns", ""), path: []string{"licenseReturns"}, want: 0, countStatements: 1},
		{name: "parts inventory", user: lmstest.DealerY, query: withArgs("partsInventory", ""), path: []string{"partsInventory"}, want: 3},
		{name: "parts inventory of Z", user: lmstest.DealerZ, query: withArgs("partsInventory", ""), path: []string{"partsInventory"}, want: 1},
		{name: "bin purchase orders", user: lmstest.DealerY, query: bin("purchaseOrders"), path: []string{"licenseBin", "purchaseOrders"}, want: 4, countStatements: 1},
		{name: "bin purchase orders of Z", user: lmstest.DealerZ, query: bin("purchaseOrders"), path: []string{"licenseBin", "purchaseOrders"}, want: 1, countStatements: 1},
		{name: "bin parts", user: lmstest.DealerY, query: bin("parts"), path: []string{"licenseBin", "parts"}, want: 3},
		{name: "recently attached", user: lmstest.DealerY, query: bin("recentlyAttached"), path: []string{"licenseBin", "recentlyAttached"}, want: 3, countStatements: 1},
		{name: "recently activated", user: lmstest.DealerY, query: bin("recentlyActivated"), path: []string{"licenseBin", "recentlyActivated"}, want: 2, countStatements: 1},
		{name: "recently attached by Z", user: lmstest.DealerZ, query: bin("recentlyAttached"), path: []string{"licenseBin", "recentlyAttached"}, want: 0, countStatements: 1},
		{name: "customers", user: lmstest.DealerY, query: withArgs("customers", ""), path: []string{"customers"}, want: 1, countStatements: 1},
		{name: "locations", user: lmstest.DealerY, query: withArgs("locations", ""), path: []string{"locations"}, want: 1, countStatements: 1},
		{name: "locations of the admin", user: lmstest.Admin, query: withArgs("locations", ""), path: []string{"locations"}, want: 2, countStatements: 1},
		{name: "partners of the admin", user: lmstest.Admin, query: withArgs("partners", ""), path: []string{"partners"}, want: -1, countStatements: 1},
		{name: "partners of the distributor", user: lmstest.Distributor, query: withArgs("partners", ""), path: []string{"partners"}, want: 1, countStatements: 1},
		{name: "audit events", user: lmstest.DealerY, query: withArgs("auditEvents", ""), path: []string{"auditEvents"}, want: -1, countStatements: 1},
		{name: "emails", user: lmstest.Admin, query: withArgs("emails", ""), path: []string{"emails"}, want: -1, countStatements: 1},
		{name: "pending external files", user: lmstest.Admin, query: withArgs("pendingExternalLicenseFiles", ""), path: []string{"pendingExternalLicenseFiles"}, want: 0, countStatements: 1},
		{name: "catalog parts", user: lmstest.DealerZ, query: `query($first: Int, $after: String) { catalog { parts(first: $first, after: $after, systemType: "SV8100") { CONN } } }`, path: []string{"catalog", "parts"}, want: -1},
		{name: "attached licenses", user: lmstest.DealerY, query: ofNode("Location", "attachedLicenses"), path: []string{"node", "attachedLicenses"}, vars: map[string]any{"id": yLoc.ID}, want: 3},
		{name: "activated licenses", user: lmstest.DealerY, query: ofNode("Location", "activatedLicenses"), path: []string{"node", "activatedLicenses"}, vars: map[string]any{"id": yLoc.ID}, want: 2},
		{name: "attached licenses of Z", user: lmstest.DealerZ, query: ofNode("Location", "attachedLicenses"), path: []string{"node", "attachedLicenses"}, vars: map[string]any{"id": zLoc.ID}, want: 0},
		{name: "entitlements", user: lmstest.DealerY, query: ofNode("Location", "entitlements"), path: []string{"node", "entitlements"}, vars: map[string]any{"id": yLoc.ID}, want: 1},
		{name: "license files", user: lmstest.DealerY, query: ofNode("Location", "licenseFiles"), path: []string{"node", "licenseFiles"}, vars: map[string]any{"id": yLoc.ID}, want: 1},
		{name: "licenses of an order", user: lmstest.DealerY, query: ofNode("LicenseOrder", "licenses"), path: []string{"node", "licenses"}, vars: map[string]any{"id": yOrder}, want: 5},
		{name: "lines of an order", user: lmstest.DealerY, query: ofNode("LicenseOrder", "lines"), path: []string{"node", "lines"}, vars: map[string]any{"id": yOrder}, want: 2},
		{name: "licenses of Z's order", user: lmstest.DealerZ, query: ofNode("LicenseOrder", "licenses"), path: []string{"node", "licenses"}, vars: map[string]any{"id": zOrder}, want: 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			const first = 2
			var after *string
			var totals []int
			walked := 0
			for {
				p, _ := c.pageOf(t, env, connectionSelection, first, after)
				require.LessOrEqual(t, len(p.Edges), first)
				walked += len(p.Edges)
				totals = append(totals, p.TotalCount)
				if !p.PageInfo.HasNextPage {
					break
				}
				after = p.PageInfo.EndCursor
			}
			for i, n := range totals {
				require.Equal(t, walked, n, "totalCount on page %d of %d", i+1, len(totals))
			}
			if c.want >= 0 {
				require.Equal(t, c.want, walked)
			} else {
				require.Positive(t, walked)
			}

			// The count runs only when asked for.
			with, withStatements := c.pageOf(t, env, connectionSelection, first, nil)
			_, without := c.pageOf(t, env, `edges { cursor } pageInfo { hasNextPage endCursor }`, first, nil)
			require.Equal(t, walked, with.TotalCount)
			require.Equal(t, without+c.countStatements, withStatements, "statements totalCount adds")
		})
	}
}
