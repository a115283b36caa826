package location_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// searchBundle is a Dealer Y catalogue of locations, each findable by one
// of the fields the type-ahead covers.
type searchBundle struct {
	env                   *lmstest.Env
	custA, custB          string
	harbour               *apiLocation // SV8100 under A
	airport               *apiLocation // SV9500 Appliance with a secondary HWKC under B (+ LMC child)
	clinic                *apiLocation // iS3000 by Full Computer Name under A
	lakeside              *apiLocation // 3C by domain name under A
	campus, annex, annex2 *apiLocation // SV8500 (+ LMC child) with two SR-MGC children under A
}

func setupSearch(t *testing.T) *searchBundle {
	t.Helper()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	b := &searchBundle{env: env}
	y := lmstest.DealerY
	b.custA = createCustomer(t, env, y, "Search Customer A")
	b.custB = createCustomer(t, env, y, "Search Customer B")
	b.harbour = sv8100(t, env, y, b.custA, "Harbour Office")
	b.airport = mustCreateLocation(t, env, y, map[string]any{
		"customerId": b.custB, "name": "Airport Tower", "systemType": "SV9500",
		"hardwareKeyCode": randomHWKC("35", 26), "secondaryHardwareKeyCode": randomHWKC("35", 26),
	})
	require.NotNil(t, b.airport.SecondaryHardwareKeyCode)
	b.clinic = mustCreateLocation(t, env, y, map[string]any{
		"customerId": b.custA, "name": "Riverside Clinic", "systemType": "IS3000", "fullComputerName": "PBX01.EastWing.Local",
	})
	require.Equal(t, "pbx01.eastwing.local", *b.clinic.FullComputerName)
	b.lakeside = mustCreateLocation(t, env, y, map[string]any{
		"customerId": b.custA, "name": "Lakeside 3C", "systemType": "THREE_C", "domainName": "Contoso-Zeta.local",
	})
	require.Equal(t, "contoso-zeta.local", *b.lakeside.DomainName)
	for _, name := range []string{"50% off_x", "5000 off", "Cliff Xing", `Back\Slash`} {
		sv8100(t, env, y, b.custA, name)
	}
	b.campus = sv8500(t, env, y, b.custA, "Main Campus")
	b.annex = srMgc(t, env, y, b.campus.ID, "Campus Annex")
	b.annex2 = srMgc(t, env, y, b.campus.ID, "Campus Annex 2")
	return b
}

// LOC type-ahead (SPEC §12 `locations`): any part of the name, the primary
// or secondary HWKC, the Full Computer Name or the domain name, whatever the
// case; the search's own characters are taken literally.
func TestLocationSearch(t *testing.T) {
	t.Parallel()
	b := setupSearch(t)
	env, y := b.env, lmstest.DealerY
	sec := *b.airport.SecondaryHardwareKeyCode
	sv8100(t, env, y, b.custB, "Ärztehaus Süd")

	cases := []struct {
		name, search string
		want         []string
	}{
		{"name", "arbour off", []string{"Harbour Office"}},
		{"name, other case", "HARBOUR", []string{"Harbour Office"}},
		{"whole name", "Riverside Clinic", []string{"Riverside Clinic"}},
		{"primary HWKC", b.harbour.HardwareKeyCode[3:10], []string{"Harbour Office"}},
		{"primary HWKC, lower case", strings.ToLower(b.harbour.HardwareKeyCode), []string{"Harbour Office"}},
		{"primary HWKC, also in the LMC child's", b.airport.HardwareKeyCode[4:20], []string{"Airport Tower", "Airport Tower_LMC"}},
		{"secondary HWKC", sec[4:20], []string{"Airport Tower"}},
		{"whole secondary HWKC, lower case", strings.ToLower(sec), []string{"Airport Tower"}},
		{"generated HWKC", b.clinic.HardwareKeyCode, []string{"Riverside Clinic"}},
		{"temp key", b.annex.HardwareKeyCode, []string{"Campus Annex"}},
		{"Full Computer Name", "EastWing", []string{"Riverside Clinic"}},
		{"whole Full Computer Name", "pbx01.eastwing.local", []string{"Riverside Clinic"}},
		{"domain name", "ZETA.loc", []string{"Lakeside 3C"}},
		{"percent is literal", "50%", []string{"50% off_x"}},
		{"percent alone", "%", []string{"50% off_x"}},
		{"underscore is literal", "f_x", []string{"50% off_x"}},
		{"underscore alone", "_", []string{"50% off_x", "Airport Tower_LMC", "Main Campus_LMC"}},
		{"backslash is literal", `k\s`, []string{`Back\Slash`}},
		{"non-ASCII, other case", "ÄRZTEHAUS SÜD", []string{"Ärztehaus Süd"}},
		{"non-ASCII", "haus sü", []string{"Ärztehaus Süd"}},
		{"surrounding blanks", "  harbour  ", []string{"Harbour Office"}},
		{"no match", "nothing like this", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := searchLocations(t, env, y, tc.search).names()
			if tc.want == nil {
				require.Empty(t, got)
				return
			}
			require.Equal(t, tc.want, got)
		})
	}
	require.NotContains(t, searchLocations(t, env, y, "50%").names(), "5000 off", "% is not a wildcard")
	require.NotContains(t, searchLocations(t, env, y, "f_x").names(), "Cliff Xing", "_ is not a wildcard")
	require.Empty(t, searchLocations(t, env, y, "Search Customer").names(), "a customer's name is not a location's")
}

// The filters of `locations` narrow the list and combine with the search.
func TestLocationFilters(t *testing.T) {
	t.Parallel()
	b := setupSearch(t)
	env, y := b.env, lmstest.DealerY
	list := func(filter map[string]any) []string {
		return listLocations(t, env, y, map[string]any{"first": 250, "filter": filter}).names()
	}

	all := list(nil)
	require.Len(t, all, 13)
	require.Equal(t, []string{"Airport Tower", "Airport Tower_LMC"}, list(map[string]any{"customerId": b.custB}), "children belong to their parent's customer")
	require.Equal(t, []string{"Airport Tower"}, list(map[string]any{"customerId": b.custB, "topLevelOnly": true}))
	require.Len(t, list(map[string]any{"customerId": b.custA}), 11)
	require.Empty(t, list(map[string]any{"customerId": randomID("Customer")}))

	require.Equal(t, []string{"Airport Tower"}, list(map[string]any{"systemType": "SV9500"}))
	require.Equal(t, []string{"Airport Tower_LMC", "Main Campus_LMC"}, list(map[string]any{"systemType": "LMC"}))
	require.Equal(t, []string{"Campus Annex", "Campus Annex 2"}, list(map[string]any{"systemType": "SR_MGC"}))
	require.Empty(t, list(map[string]any{"systemType": "NO_SUCH_TYPE"}))

	top := list(map[string]any{"topLevelOnly": true})
	require.Len(t, top, 9)
	for _, child := range []string{"Airport Tower_LMC", "Main Campus_LMC", "Campus Annex", "Campus Annex 2"} {
		require.Contains(t, all, child)
		require.NotContains(t, top, child)
	}
	require.Equal(t, all, list(map[string]any{"topLevelOnly": false}))

	require.Equal(t, []string{"Main Campus"}, list(map[string]any{"search": "campus", "topLevelOnly": true}))
	require.Equal(t, []string{"Campus Annex", "Campus Annex 2", "Main Campus", "Main Campus_LMC"}, list(map[string]any{"search": "campus"}))
	require.Equal(t, []string{"Airport Tower_LMC"}, list(map[string]any{"search": "tower", "systemType": "LMC"}))
	require.Empty(t, list(map[string]any{"search": "harbour", "customerId": b.custB}))
}

// Lists are ordered by name as a user reads it, capitals or not, and paged
// by cursor without gaps or repeats.
func TestLocationOrderAndPaging(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	y := lmstest.DealerY

	ordered := createCustomer(t, env, y, "Ordered")
	for _, name := range []string{"charlie", "Delta", "alpha", "Bravo", "bravo 2", "ALPHA 2"} {
		sv8100(t, env, y, ordered, name)
	}
	require.Equal(t, []string{"alpha", "ALPHA 2", "Bravo", "bravo 2", "charlie", "Delta"},
		listLocations(t, env, y, map[string]any{"filter": map[string]any{"customerId": ordered}}).names())

	paged := createCustomer(t, env, y, "Paged")
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("Site %d", i+1)
		want = append(want, name)
		sv8100(t, env, y, paged, name)
	}
	// Two locations with the same name: the id breaks the tie.
	sv8100(t, env, y, paged, "Site 4")
	want = slices.Insert(want, 4, "Site 4")
	filter := map[string]any{"customerId": paged}
	pagedPage := func(vars map[string]any) nameList {
		vars["filter"] = filter
		return listLocations(t, env, y, vars)
	}
	got := walk(t, 3, pagedPage).names()
	require.Equal(t, want, got)

	ids := map[string]bool{}
	for _, id := range walk(t, 3, pagedPage).ids() {
		require.False(t, ids[id], "location %s twice", id)
		ids[id] = true
	}
	require.Len(t, ids, 8)

	// The whole list, one item a page, equals the list in one page.
	one := walk(t, 1, func(vars map[string]any) nameList { return listLocations(t, env, y, vars) }).names()
	require.Equal(t, listLocations(t, env, y, map[string]any{"first": 250}).names(), one)
	require.Len(t, one, 14)

	// A full last page says there is no next one.
	p := listLocations(t, env, y, map[string]any{"first": 8, "filter": filter})
	require.Len(t, p.Edges, 8)
	require.False(t, p.PageInfo.HasNextPage)
	p = listLocations(t, env, y, map[string]any{"first": 7, "filter": filter})
	require.True(t, p.PageInfo.HasNextPage)
	last := listLocations(t, env, y, map[string]any{"first": 7, "after": *p.PageInfo.EndCursor, "filter": filter})
	require.Equal(t, []string{"Site 7"}, last.names())
	require.False(t, last.PageInfo.HasNextPage)
}

// SPEC §12: `first` is 1..250, given literally or through a variable, at the
// top level or on a nested connection; a malformed cursor is refused too.
func TestPageSizeBounds(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	cust := createCustomer(t, env, lmstest.DealerY, "Bounds")
	sv8500(t, env, lmstest.DealerY, cust, "Bounds PBX")

	refused := func(query string, vars map[string]any) {
		t.Helper()
		resp := env.Query(t, lmstest.DealerY, query, vars)
		require.Len(t, resp.Errors, 1, "%s %v: %s", query, vars, resp.Data)
		require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code(), "%s %v", query, vars)
	}
	for _, n := range []int{0, 251, -1} {
		refused(fmt.Sprintf(`{ locations(first: %d) { edges { node { id } } } }`, n), nil)
		refused(`query($n: Int) { locations(first: $n) { edges { node { id } } } }`, map[string]any{"n": n})
		refused(fmt.Sprintf(`{ customers(first: %d) { edges { node { id } } } }`, n), nil)
		refused(fmt.Sprintf(`{ customers { edges { node { locations(first: %d) { edges { node { id } } } } } } }`, n), nil)
		refused(fmt.Sprintf(`{ locations(first: 1) { edges { node { children(first: %d) { edges { node { id } } } } } } }`, n), nil)
	}
	for _, bad := range []string{"not a cursor", "e30", randomID("Location")} {
		refused(`query($a: String) { locations(after: $a) { edges { node { id } } } }`, map[string]any{"a": bad})
		refused(`query($a: String) { customers(after: $a) { edges { node { id } } } }`, map[string]any{"a": bad})
	}

	for _, n := range []int{1, 250} {
		resp := env.Query(t, lmstest.DealerY, `query($n: Int) { locations(first: $n) { edges { node { id } } } }`, map[string]any{"n": n})
		require.Empty(t, resp.Errors, n)
	}
	require.Len(t, listLocations(t, env, lmstest.DealerY, map[string]any{"first": 1}).Edges, 1)
}

// CUS-1: customers are searched by any part of the business name or the
// reference note, ordered by name and paged.
func TestCustomerSearchAndPaging(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	y := lmstest.DealerY
	names := []string{"charlie Labs", "Delta Works", "alpha Traders", "Bravo Foods", "echo 50% Off", "Foxtrot_Group", "golf", "5000 Club"}
	for _, name := range names {
		createCustomer(t, env, y, name) // reference note CUST-<slug>
	}
	createCustomer(t, env, lmstest.DealerZ, "alpha Zed") // another partner's

	sorted := []string{"5000 Club", "alpha Traders", "Bravo Foods", "charlie Labs", "Delta Works", "echo 50% Off", "Foxtrot_Group", "golf"}
	require.Equal(t, sorted, listCustomers(t, env, y, nil).names())

	search := func(s string) []string {
		return listCustomers(t, env, y, map[string]any{"filter": map[string]any{"search": s}}).names()
	}
	require.Equal(t, []string{"Bravo Foods"}, search("FOODS"))
	require.Equal(t, []string{"Bravo Foods"}, search("avo fo"))
	require.Equal(t, []string{"Bravo Foods"}, search("cust-bravofoods"), "by reference note")
	require.Equal(t, []string{"Delta Works"}, search("TAWORK"), "by reference note, any case")
	require.Equal(t, []string{"alpha Traders"}, search("alpha"), "only the partner's own")
	require.Equal(t, sorted, search("cust-"))
	require.Equal(t, []string{"echo 50% Off"}, search("50%"), "% is not a wildcard")
	require.Equal(t, []string{"Foxtrot_Group"}, search("t_g"), "_ is not a wildcard")
	require.Empty(t, search("nobody"))

	require.Equal(t, sorted, walk(t, 2, func(vars map[string]any) nameList { return listCustomers(t, env, y, vars) }).names())
	require.Equal(t, []string{"Bravo Foods", "Delta Works", "echo 50% Off", "Foxtrot_Group", "golf"},
		walk(t, 1, func(vars map[string]any) nameList {
			vars["filter"] = map[string]any{"search": "o"}
			return listCustomers(t, env, y, vars)
		}).names())
}

// Customer.locations: the first page comes from the batch loader, the next
// ones from a direct query, and the cursors of one continue the other.
func TestCustomerLocationsPaging(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	y := lmstest.DealerY
	cust := createCustomer(t, env, y, "Five Sites")
	other := createCustomer(t, env, y, "Other Sites")
	for _, name := range []string{"site E", "Site C", "site A"} {
		sv8100(t, env, y, cust, name)
	}
	for _, name := range []string{"Site D", "site B"} {
		sv8500(t, env, y, cust, name) // their LMC children are not the customer's top-level locations
	}
	sv8100(t, env, y, other, "Other 1")
	sv8100(t, env, y, other, "Other 2")
	sv8100(t, env, y, other, "Other 3")
	want := []string{"site A", "site B", "Site C", "Site D", "site E"}
	locations := func(vars map[string]any) nameList { return connectionOf(t, env, "Customer", "locations", cust, vars) }

	// Through node(id) only.
	require.Equal(t, want, walk(t, 2, locations).names())

	// The first page as part of the customers list (a batch of customers),
	// then on through node(id).
	var list struct {
		Customers struct {
			Edges []struct {
				Node struct {
					ID, Name  string
					Locations nameList
				}
			}
		}
	}
	env.Query(t, y, `{ customers { edges { node { id name locations(first: 2) { `+locationListFields+` } } } } }`, nil).Decode(t, &list)
	require.Len(t, list.Customers.Edges, 2)
	first := list.Customers.Edges[0].Node
	require.Equal(t, "Five Sites", first.Name)
	require.Equal(t, []string{"site A", "site B"}, first.Locations.names())
	require.True(t, first.Locations.PageInfo.HasNextPage)
	require.Equal(t, []string{"Other 1", "Other 2"}, list.Customers.Edges[1].Node.Locations.names())

	got := first.Locations.names()
	after := *first.Locations.PageInfo.EndCursor
	for {
		p := locations(map[string]any{"first": 2, "after": after})
		got = append(got, p.names()...)
		if !p.PageInfo.HasNextPage {
			break
		}
		after = *p.PageInfo.EndCursor
	}
	require.Equal(t, want, got)

	// The default page (no first) has them all.
	require.Equal(t, want, locations(map[string]any{}).names())

	// A cursor of one customer's list does not page another's, nor the
	// top-level list, and the other way round.
	resp := env.Query(t, y, `query($id: ID!, $after: String) { node(id: $id) { ... on Customer { locations(first: 2, after: $after) { edges { node { id } } } } } }`,
		map[string]any{"id": other, "after": *first.Locations.PageInfo.EndCursor})
	require.Len(t, resp.Errors, 1)
	require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())
	resp = env.Query(t, y, `query($after: String) { locations(first: 2, after: $after) { edges { node { id } } } }`,
		map[string]any{"after": *first.Locations.PageInfo.EndCursor})
	require.Len(t, resp.Errors, 1)
	require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())
	top := listLocations(t, env, y, map[string]any{"first": 1})
	resp = env.Query(t, y, `query($id: ID!, $after: String) { node(id: $id) { ... on Customer { locations(first: 2, after: $after) { edges { node { id } } } } } }`,
		map[string]any{"id": cust, "after": *top.PageInfo.EndCursor})
	require.Len(t, resp.Errors, 1)
	require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())
}

// Location.children, oldest first: the first page from the batch loader,
// the next from a direct query, one cursor format.
func TestLocationChildrenPaging(t *testing.T) {
	t.Parallel()
	b := setupSearch(t)
	env := b.env
	want := []string{"Main Campus_LMC", "Campus Annex", "Campus Annex 2"}

	children := func(vars map[string]any) nameList {
		return connectionOf(t, env, "Location", "children", b.campus.ID, vars)
	}

	require.Equal(t, want, children(map[string]any{}).names())
	require.Equal(t, want, walk(t, 1, children).names())
	require.Equal(t, want, walk(t, 2, children).names())

	// The first page inside a list of locations (batched), continued alone.
	var list struct {
		Locations struct {
			Edges []struct {
				Node struct {
					ID, Name string
					Children nameList
				}
			}
		}
	}
	env.Query(t, lmstest.DealerY, `{ locations(first: 250, filter: {topLevelOnly: true}) { edges { node { id name children(first: 1) { `+locationListFields+` } } } } }`, nil).Decode(t, &list)
	var campus *nameList
	for _, e := range list.Locations.Edges {
		if e.Node.ID == b.campus.ID {
			campus = &e.Node.Children
		}
	}
	require.NotNil(t, campus)
	require.Equal(t, want[:1], campus.names())
	require.True(t, campus.PageInfo.HasNextPage)
	next := children(map[string]any{"first": 1, "after": *campus.PageInfo.EndCursor})
	require.Equal(t, want[1:2], next.names())
	require.True(t, next.PageInfo.HasNextPage)
	last := children(map[string]any{"first": 1, "after": *next.PageInfo.EndCursor})
	require.Equal(t, want[2:], last.names())
	require.False(t, last.PageInfo.HasNextPage)

	// Another parent's cursor is refused.
	resp := env.Query(t, lmstest.DealerY, `query($id: ID!, $after: String) { node(id: $id) { ... on Location { children(first: 1, after: $after) { edges { node { id } } } } } }`,
		map[string]any{"id": b.airport.ID, "after": *campus.PageInfo.EndCursor})
	require.Len(t, resp.Errors, 1)
	require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())
}
