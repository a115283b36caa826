package location_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// tenancyBundle is Dealer Y's customer with an SV8500 location, its
// automatic LMC child and an SR-MGC child.
type tenancyBundle struct {
	env      *lmstest.Env
	customer string
	main     *apiLocation
	lmc      *apiLocation
	srmgc    *apiLocation
}

func setupTenancy(t *testing.T) *tenancyBundle {
	t.Helper()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	b := &tenancyBundle{env: env, customer: createCustomer(t, env, lmstest.DealerY, "Yellow Hospital")}
	b.main = sv8500(t, env, lmstest.DealerY, b.customer, "Yellow Main PBX")
	require.Len(t, b.main.Children.Edges, 1)
	b.lmc = getLocation(t, env, lmstest.DealerY, b.main.Children.Edges[0].Node.ID)
	require.NotNil(t, b.lmc)
	b.srmgc = srMgc(t, env, lmstest.DealerY, b.main.ID, "Yellow Remote Site")
	b.main = getLocation(t, env, lmstest.DealerY, b.main.ID)
	require.Len(t, b.main.Children.Edges, 2)
	return b
}

// ACT-3: Dealer Z and the distributor (not impersonating) cannot see or
// change Dealer Y's customer, location or child locations, and every answer
// is the one a non-existent id gets.
func TestOtherPartnersCannotSeeOrChangeLocations(t *testing.T) {
	t.Parallel()
	b := setupTenancy(t)
	env := b.env

	for _, user := range []string{lmstest.DealerZ, lmstest.Distributor} {
		t.Run(user, func(t *testing.T) {
			t.Parallel()

			// node(id) answers null, exactly like a random id.
			for what, id := range map[string]string{"customer": b.customer, "location": b.main.ID, "LMC child": b.lmc.ID, "SR-MGC child": b.srmgc.ID} {
				got := nodeOf(t, env, user, id)
				require.Empty(t, got.Errors, what)
				require.JSONEq(t, `{"node":null}`, string(got.Data), what)
				typ := "Location"
				if what == "customer" {
					typ = "Customer"
				}
				want := nodeOf(t, env, user, randomID(typ))
				require.JSONEq(t, string(want.Data), string(got.Data), what)
			}
			var many struct{ Nodes []*struct{ ID string } }
			env.Query(t, user, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
				map[string]any{"ids": []string{b.customer, b.main.ID, b.lmc.ID, b.srmgc.ID}}).Decode(t, &many)
			require.Equal(t, []*struct{ ID string }{nil, nil, nil, nil}, many.Nodes)

			// Lists hold none of them, whatever the search.
			require.Empty(t, listCustomers(t, env, user, nil).Edges)
			require.Empty(t, listCustomers(t, env, user, map[string]any{"filter": map[string]any{"search": "Yellow"}}).Edges)
			require.Empty(t, listLocations(t, env, user, nil).Edges)
			for _, search := range []string{b.main.HardwareKeyCode, b.lmc.HardwareKeyCode, b.srmgc.HardwareKeyCode, b.main.Name, b.srmgc.Name, "Yellow"} {
				require.Empty(t, searchLocations(t, env, user, search).names(), search)
			}
			got := listLocations(t, env, user, map[string]any{"filter": map[string]any{"customerId": b.customer}})
			want := listLocations(t, env, user, map[string]any{"filter": map[string]any{"customerId": randomID("Customer")}})
			require.Empty(t, got.Edges)
			require.Equal(t, want, got)

			// locationByHardwareKeyCode answers null for every code of theirs.
			for _, code := range []string{b.main.HardwareKeyCode, b.lmc.HardwareKeyCode, b.srmgc.HardwareKeyCode} {
				resp := env.Query(t, user, `query($c: String!) { locationByHardwareKeyCode(hardwareKeyCode: $c) { id } }`, map[string]any{"c": code})
				require.Empty(t, resp.Errors)
				require.JSONEq(t, `{"locationByHardwareKeyCode":null}`, string(resp.Data), code)
			}

			// Changing answers NOT_FOUND on the id's field, like a random id.
			notFoundLikeRandom := func(what string, run func(id string) []userError, foreign, random string) {
				t.Helper()
				got, want := run(foreign), run(random)
				require.Len(t, got, 1, what)
				require.Equal(t, "NOT_FOUND", got[0].Code, what)
				require.NotEmpty(t, got[0].Field, what)
				require.Equal(t, want, got, "%s: a foreign id must answer like a random one", what)
			}
			notFoundLikeRandom("updateCustomer", func(id string) []userError {
				c, errs := updateCustomer(t, env, user, map[string]any{"id": id, "name": "Taken over"})
				require.Nil(t, c)
				return errs
			}, b.customer, randomID("Customer"))
			for _, loc := range []*apiLocation{b.main, b.lmc, b.srmgc} {
				notFoundLikeRandom("updateLocation "+loc.Name, func(id string) []userError {
					updated, errs := updateLocation(t, env, user, map[string]any{"id": id, "name": "Taken over"})
					require.Nil(t, updated)
					return errs
				}, loc.ID, randomID("Location"))
			}
			notFoundLikeRandom("createChildLocation", func(id string) []userError {
				loc, errs := createChild(t, env, user, map[string]any{"parentId": id, "kind": "SR_MGC", "name": "Intruder", "confirmed": true})
				require.Nil(t, loc)
				return errs
			}, b.main.ID, randomID("Location"))
			notFoundLikeRandom("createLocation", func(id string) []userError {
				loc, errs := createLocation(t, env, user, map[string]any{
					"customerId": id, "name": "Intruder", "systemType": "SV8100", "hardwareKeyCode": "190400324499",
				})
				require.Nil(t, loc)
				return errs
			}, b.customer, randomID("Customer"))

			yPartner := partnerIDs(t, env)["Dealer Y"]
			notFoundLikeRandom("createCustomer for Dealer Y", func(id string) []userError {
				c, errs := createCustomerWith(t, env, user, map[string]any{"name": "Planted", "partnerId": id})
				require.Nil(t, c)
				return errs
			}, yPartner, randomID("Partner"))
			require.Empty(t, listCustomers(t, env, user, map[string]any{"filter": map[string]any{"partnerId": yPartner}}).Edges)
			require.Empty(t, listLocations(t, env, user, map[string]any{"filter": map[string]any{"partnerId": yPartner}}).Edges)

			// Nothing changed.
			require.Equal(t, b.main, getLocation(t, env, lmstest.DealerY, b.main.ID))
		})
	}
}

// Dealer Y2 works for the same partner as Dealer Y: it sees and may change
// everything Dealer Y made, and Dealer Y's cursors are valid for it.
func TestSamePartnerUsersShareLocations(t *testing.T) {
	t.Parallel()
	b := setupTenancy(t)
	env := b.env
	const y2 = lmstest.DealerY2

	for _, id := range []string{b.customer, b.main.ID, b.lmc.ID, b.srmgc.ID} {
		var got struct{ Node *struct{ ID string } }
		nodeOf(t, env, y2, id).Decode(t, &got)
		require.NotNil(t, got.Node)
		require.Equal(t, id, got.Node.ID)
	}
	require.Equal(t, []string{"Yellow Hospital"}, listCustomers(t, env, y2, nil).names())
	require.ElementsMatch(t, []string{b.main.Name, b.lmc.Name, b.srmgc.Name}, listLocations(t, env, y2, nil).names())
	require.Equal(t, []string{b.main.Name, b.lmc.Name}, searchLocations(t, env, y2, b.main.HardwareKeyCode[5:20]).names(),
		"the LMC child's code is LM + its parent's")
	require.Equal(t, b.srmgc.ID, findByHWKC(t, env, y2, b.srmgc.HardwareKeyCode).ID)

	cust, errs := updateCustomer(t, env, y2, map[string]any{"id": b.customer, "name": "Yellow Hospital Group"})
	require.Empty(t, errs)
	require.Equal(t, "Yellow Hospital Group", cust.Name)
	for _, loc := range []*apiLocation{b.main, b.lmc, b.srmgc} {
		updated, errs := updateLocation(t, env, y2, map[string]any{"id": loc.ID, "name": loc.Name + " (Y2)"})
		require.Empty(t, errs)
		require.Equal(t, loc.Name+" (Y2)", updated.Name)
	}
	child := srMgc(t, env, y2, b.main.ID, "Yuri's Site")
	require.Equal(t, b.main.ID, child.Parent.ID)
	loc := sv8100(t, env, y2, b.customer, "Yuri's PBX")
	require.Equal(t, "Yellow Hospital Group", loc.Customer.Name)

	// The cursor is bound to the partner, not to the user.
	p := listLocations(t, env, lmstest.DealerY, map[string]any{"first": 1})
	require.True(t, p.PageInfo.HasNextPage)
	next := listLocations(t, env, y2, map[string]any{"first": 1, "after": *p.PageInfo.EndCursor})
	require.Len(t, next.Edges, 1)
	require.NotEqual(t, p.Edges[0].Node.ID, next.Edges[0].Node.ID)
}

// The license desk sees every partner's customers and locations, and names
// the partner a customer it creates belongs to.
func TestAdminSeesEveryPartnersLocations(t *testing.T) {
	t.Parallel()
	b := setupTenancy(t)
	env := b.env
	zCustomer := createCustomer(t, env, lmstest.DealerZ, "Zenith Hotel")
	zLoc := sv8100(t, env, lmstest.DealerZ, zCustomer, "Zenith Front Desk")

	var customers struct {
		Customers struct {
			Edges []struct {
				Node struct {
					ID, Name string
					Partner  struct{ Name string }
				}
			}
		}
	}
	env.Query(t, lmstest.Admin, `{ customers { edges { node { id name partner { name } } } } }`, nil).Decode(t, &customers)
	owners := map[string]string{}
	for _, e := range customers.Customers.Edges {
		owners[e.Node.Name] = e.Node.Partner.Name
	}
	require.Equal(t, map[string]string{"Yellow Hospital": "Dealer Y", "Zenith Hotel": "Dealer Z"}, owners)

	require.Equal(t, []string{b.main.Name, b.lmc.Name, b.srmgc.Name, zLoc.Name},
		listLocations(t, env, lmstest.Admin, nil).names(), "every partner's locations, by name")
	require.Equal(t, []string{zLoc.Name}, searchLocations(t, env, lmstest.Admin, zLoc.HardwareKeyCode).names())
	require.Equal(t, []string{b.srmgc.Name}, searchLocations(t, env, lmstest.Admin, b.srmgc.HardwareKeyCode).names())

	for _, id := range []string{b.customer, b.main.ID, b.lmc.ID, b.srmgc.ID, zCustomer, zLoc.ID} {
		var got struct{ Node *struct{ ID string } }
		nodeOf(t, env, lmstest.Admin, id).Decode(t, &got)
		require.NotNil(t, got.Node, id)
		require.Equal(t, id, got.Node.ID)
	}
	for code, id := range map[string]string{b.main.HardwareKeyCode: b.main.ID, b.lmc.HardwareKeyCode: b.lmc.ID, zLoc.HardwareKeyCode: zLoc.ID} {
		got := findByHWKC(t, env, lmstest.Admin, code)
		require.NotNil(t, got, code)
		require.Equal(t, id, got.ID)
	}
	got := getLocation(t, env, lmstest.Admin, b.main.ID)
	require.Equal(t, b.main, got, "the admin sees the same location as its owner")

	// createCustomer: the admin must name the owner.
	desk, errs := createCustomerWith(t, env, lmstest.Admin, map[string]any{"name": "Desk Customer"})
	require.Nil(t, desk)
	require.Len(t, errs, 1)
	require.Equal(t, "VALIDATION_FAILED", errs[0].Code)
	require.Equal(t, "partnerId", errs[0].Field[len(errs[0].Field)-1])

	partners := partnerIDs(t, env)
	desk, errs = createCustomerWith(t, env, lmstest.Admin, map[string]any{"name": "Desk Customer", "partnerId": partners["Dealer Y"]})
	require.Empty(t, errs)
	require.Equal(t, "Dealer Y", desk.Partner.Name)
	require.ElementsMatch(t, []string{"Yellow Hospital", "Desk Customer"}, listCustomers(t, env, lmstest.DealerY, nil).names(),
		"the customer is Dealer Y's")
	require.Equal(t, []string{"Zenith Hotel"}, listCustomers(t, env, lmstest.DealerZ, nil).names())

	// An unknown partner (or the vendor itself) is NOT_FOUND.
	for _, id := range []string{randomID("Partner"), partners["LMS License Desk"]} {
		_, errs := createCustomerWith(t, env, lmstest.Admin, map[string]any{"name": "Desk Customer", "partnerId": id})
		require.Equal(t, []string{"NOT_FOUND"}, codes(errs), id)
	}
}

// SPEC §12: a cursor is bound to the tenant view that minted it.
func TestCursorOfAnotherPartnerIsRefused(t *testing.T) {
	t.Parallel()
	b := setupTenancy(t)
	env := b.env
	zCustomer := createCustomer(t, env, lmstest.DealerZ, "Zenith Hotel")
	sv8100(t, env, lmstest.DealerZ, zCustomer, "Zenith A")
	sv8100(t, env, lmstest.DealerZ, zCustomer, "Zenith B")

	p := listLocations(t, env, lmstest.DealerY, map[string]any{"first": 1})
	require.True(t, p.PageInfo.HasNextPage)
	cursor := *p.PageInfo.EndCursor

	const q = `query($after: String) { locations(first: 1, after: $after) { edges { node { id name } } } }`
	for _, user := range []string{lmstest.DealerZ, lmstest.Distributor, lmstest.Admin} {
		resp := env.Query(t, user, q, map[string]any{"after": cursor})
		require.Len(t, resp.Errors, 1, user)
		require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code(), user)
		require.NotContains(t, string(resp.Data), "Yellow", user)
	}

	// The same for the customers list.
	createCustomer(t, env, lmstest.DealerY, "Yonder Inc")
	c := listCustomers(t, env, lmstest.DealerY, map[string]any{"first": 1})
	require.True(t, c.PageInfo.HasNextPage)
	resp := env.Query(t, lmstest.DealerZ, `query($after: String) { customers(first: 1, after: $after) { edges { node { id } } } }`, map[string]any{"after": *c.PageInfo.EndCursor})
	require.Len(t, resp.Errors, 1)
	require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())
}

// LOC-2 with ACT-3: an HWKC is unique across partners, but refusing a
// duplicate tells nothing about the location or partner that holds it.
func TestDuplicateHardwareKeyCodeAcrossPartnersRevealsNothing(t *testing.T) {
	t.Parallel()
	b := setupTenancy(t)
	env := b.env
	zCustomer := createCustomer(t, env, lmstest.DealerZ, "Zenith Hotel")

	for _, code := range []string{b.main.HardwareKeyCode, " " + b.main.HardwareKeyCode + " "} {
		loc, errs := createLocation(t, env, lmstest.DealerZ, map[string]any{
			"customerId": zCustomer, "name": "Zenith Copy", "systemType": "SV8500", "hardwareKeyCode": code,
		})
		require.Nil(t, loc)
		require.Equal(t, []string{"DUPLICATE_HARDWARE_KEYCODE"}, codes(errs))
		require.Equal(t, "hardwareKeyCode", errs[0].Field[len(errs[0].Field)-1])
		for _, secret := range []string{"Dealer Y", "dealer-y", "Yellow", b.main.Name, b.lmc.Name, b.main.LocationID, b.customer, b.main.ID} {
			require.NotContains(t, errs[0].Message, secret)
		}
	}
	require.Empty(t, listLocations(t, env, lmstest.DealerZ, nil).Edges, "nothing was created")
	require.Equal(t, b.main, getLocation(t, env, lmstest.DealerY, b.main.ID))
}
