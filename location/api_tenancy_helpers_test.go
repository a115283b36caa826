package location_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// randomID is a well-formed global id of type typ that names no object.
func randomID(typ string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + uuid.NewString()))
}

// hwkcOf returns a fresh, valid HWKC of a 28-character type with the given
// two-character prefix (SV8500 "22", SV9500 "35").
func hwkcOf(prefix string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", ""))[:26]
}

// sv8500 creates an SV8500 location (and with it its LMC child) for the
// customer as user.
func sv8500(t *testing.T, env *lmstest.Env, user, customerID, name string) *apiLocation {
	t.Helper()
	return mustCreateLocation(t, env, user, map[string]any{
		"customerId": customerID, "name": name, "systemType": "SV8500", "hardwareKeyCode": hwkcOf("22"),
	})
}

// sv8100 creates an SV8100 location (no children) with a fresh HWKC.
func sv8100(t *testing.T, env *lmstest.Env, user, customerID, name string) *apiLocation {
	t.Helper()
	return mustCreateLocation(t, env, user, map[string]any{
		"customerId": customerID, "name": name, "systemType": "SV8100", "hardwareKeyCode": "19" + strings.ToUpper(uuid.NewString()[:8]) + "00",
	})
}

// srMgc adds a confirmed SR-MGC child under an SV8500 location.
func srMgc(t *testing.T, env *lmstest.Env, user, parentID, name string) *apiLocation {
	t.Helper()
	loc, errs := createChild(t, env, user, map[string]any{"parentId": parentID, "kind": "SR_MGC", "name": name, "confirmed": true})
	require.Empty(t, errs)
	require.NotNil(t, loc)
	return loc
}

// pageInfo is a connection's pageInfo.
type pageInfo struct {
	HasNextPage bool
	EndCursor   *string
}

// nameList is a connection of named nodes.
type nameList struct {
	Edges []struct {
		Cursor string
		Node   struct{ ID, Name string }
	}
	PageInfo pageInfo
}

func (l nameList) names() []string {
	out := make([]string, len(l.Edges))
	for i, e := range l.Edges {
		out[i] = e.Node.Name
	}
	return out
}

func (l nameList) ids() []string {
	out := make([]string, len(l.Edges))
	for i, e := range l.Edges {
		out[i] = e.Node.ID
	}
	return out
}

const listFields = `edges { cursor node { id name } } pageInfo { hasNextPage endCursor }`

// listLocations runs the top-level locations query as user with the given
// arguments (first, after, filter; nil ones left out).
func listLocations(t *testing.T, env *lmstest.Env, user string, vars map[string]any) nameList {
	t.Helper()
	var got struct{ Locations nameList }
	env.Query(t, user, `query($first: Int, $after: String, $filter: LocationFilter) {
	  locations(first: $first, after: $after, filter: $filter) { `+listFields+` } }`, vars).Decode(t, &got)
	return got.Locations
}

// listCustomers is listLocations for customers.
func listCustomers(t *testing.T, env *lmstest.Env, user string, vars map[string]any) nameList {
	t.Helper()
	var got struct{ Customers nameList }
	env.Query(t, user, `query($first: Int, $after: String, $filter: CustomerFilter) {
	  customers(first: $first, after: $after, filter: $filter) { `+listFields+` } }`, vars).Decode(t, &got)
	return got.Customers
}

// searchLocations returns the names of user's locations matching search.
func searchLocations(t *testing.T, env *lmstest.Env, user, search string) []string {
	t.Helper()
	return listLocations(t, env, user, map[string]any{"first": 250, "filter": map[string]any{"search": search}}).names()
}

// walk pages through a list with pages of size first by following
// endCursor, and returns every name in order. list runs one page.
func walk(t *testing.T, first int, list func(vars map[string]any) nameList) []string {
	t.Helper()
	var out []string
	vars := map[string]any{"first": first}
	for range 100 {
		p := list(vars)
		require.LessOrEqual(t, len(p.Edges), first)
		out = append(out, p.names()...)
		if !p.PageInfo.HasNextPage {
			return out
		}
		require.NotNil(t, p.PageInfo.EndCursor)
		require.Equal(t, p.Edges[len(p.Edges)-1].Cursor, *p.PageInfo.EndCursor)
		vars = map[string]any{"first": first, "after": *p.PageInfo.EndCursor}
	}
	t.Fatal("more than 100 pages")
	return nil
}

// nodeOf reads node(id) as user and returns the raw answer.
func nodeOf(t *testing.T, env *lmstest.Env, user, id string) *lmstest.Response {
	t.Helper()
	return env.Query(t, user, `query($id: ID!) { node(id: $id) { id ... on Customer { name } ... on Location { name hardwareKeyCode } } }`, map[string]any{"id": id})
}

// updateCustomer runs updateCustomer as user and returns the customer's
// name (empty when none came back) and the payload errors.
func updateCustomer(t *testing.T, env *lmstest.Env, user string, in map[string]any) (string, []userError) {
	t.Helper()
	var got struct {
		UpdateCustomer struct {
			Customer *struct{ Name string }
			Errors   []userError
		}
	}
	env.Query(t, user, `mutation($in: UpdateCustomerInput!) { updateCustomer(input: $in) { customer { name } errors { code message field } } }`,
		map[string]any{"in": in}).Decode(t, &got)
	if got.UpdateCustomer.Customer == nil {
		return "", got.UpdateCustomer.Errors
	}
	return got.UpdateCustomer.Customer.Name, got.UpdateCustomer.Errors
}

// updateLocation runs updateLocation as user and returns the location's
// name (empty when none came back) and the payload errors.
func updateLocation(t *testing.T, env *lmstest.Env, user string, in map[string]any) (string, []userError) {
	t.Helper()
	var got struct {
		UpdateLocation struct {
			Location *struct{ Name string }
			Errors   []userError
		}
	}
	env.Query(t, user, `mutation($in: UpdateLocationInput!) { updateLocation(input: $in) { location { name } errors { code message field } } }`,
		map[string]any{"in": in}).Decode(t, &got)
	if got.UpdateLocation.Location == nil {
		return "", got.UpdateLocation.Errors
	}
	return got.UpdateLocation.Location.Name, got.UpdateLocation.Errors
}

// partnerIDs maps the partners' names to their global ids, as the admin
// sees them.
func partnerIDs(t *testing.T, env *lmstest.Env) map[string]string {
	t.Helper()
	var got struct {
		Partners struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	env.Query(t, lmstest.Admin, `{ partners(first: 250) { edges { node { id name } } } }`, nil).Decode(t, &got)
	ids := map[string]string{}
	for _, e := range got.Partners.Edges {
		ids[e.Node.Name] = e.Node.ID
	}
	return ids
}
