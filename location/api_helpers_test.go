package location_test

// Helpers of the API tests (flow_*, tenancy, search, statements,
// concurrency and delete tests): they drive the GraphQL API of an
// lmstest.Env. The domain tests in service_test.go have their own,
// "domain"-prefixed helpers.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/mail/mailtest"
)

// --- What the tests read ----------------------------------------------------

// locationFields is what the tests ask of a location.
const locationFields = `id locationId name systemType { code } hardwareKeyCode secondaryHardwareKeyCode
  hardwareKeyCodeSource hasTemporaryKey fullComputerName domainName macAddress smallEnterprise productKey
  hardwareVersion softwareVersion customerEmail dealerEmail referenceNote vertical childKind
  address { street city state country zip }
  customer { id name } parent { id name }
  children { edges { node { id name hardwareKeyCode childKind systemType { code } parent { id } } } }`

// apiLocation is a Location as the API returns locationFields.
type apiLocation struct {
	ID                       string
	LocationID               string
	Name                     string
	SystemType               struct{ Code string }
	HardwareKeyCode          string
	SecondaryHardwareKeyCode *string
	HardwareKeyCodeSource    string
	HasTemporaryKey          bool
	FullComputerName         *string
	DomainName               *string
	MacAddress               *string
	SmallEnterprise          bool
	ProductKey               *string
	HardwareVersion          string
	SoftwareVersion          string
	CustomerEmail            string
	DealerEmail              string
	ReferenceNote            string
	Vertical                 string
	ChildKind                *string
	Address                  struct{ Street, City, State, Country, Zip string }
	Customer                 struct{ ID, Name string }
	Parent                   *struct{ ID, Name string }
	Children                 struct {
		Edges []struct {
			Node struct {
				ID, Name, HardwareKeyCode string
				ChildKind                 *string
				SystemType                struct{ Code string }
				Parent                    struct{ ID string }
			}
		}
	}
}

// customerFields is what the tests ask of a customer.
const customerFields = `id name partner { name }`

// apiCustomer is a Customer as the API returns customerFields.
type apiCustomer struct {
	ID, Name string
	Partner  struct{ Name string }
}

// userError is one entry of a payload's errors.
type userError struct {
	Code    string
	Message string
	Field   []string
}

// pageInfo is a connection's pageInfo.
type pageInfo struct {
	HasNextPage bool
	EndCursor   *string
}

// nameList is one page (or, from walk, every page) of a connection of
// customers or locations as customerListFields or locationListFields select
// it; HardwareKeyCode is empty for customers.
type nameList struct {
	Edges []struct {
		Cursor string
		Node   struct{ ID, Name, HardwareKeyCode string }
	}
	PageInfo pageInfo
}

// names returns the nodes' names in list order.
func (l nameList) names() []string {
	out := make([]string, len(l.Edges))
	for i, e := range l.Edges {
		out[i] = e.Node.Name
	}
	return out
}

// ids returns the nodes' global ids in list order.
func (l nameList) ids() []string {
	out := make([]string, len(l.Edges))
	for i, e := range l.Edges {
		out[i] = e.Node.ID
	}
	return out
}

// hardwareKeyCodes returns the nodes' HWKCs in list order (locations only).
func (l nameList) hardwareKeyCodes() []string {
	out := make([]string, len(l.Edges))
	for i, e := range l.Edges {
		out[i] = e.Node.HardwareKeyCode
	}
	return out
}

// customerListFields and locationListFields select a connection as nameList.
const (
	customerListFields = `edges { cursor node { id name } } pageInfo { hasNextPage endCursor }`
	locationListFields = `edges { cursor node { id name hardwareKeyCode } } pageInfo { hasNextPage endCursor }`
)

// --- Ids, codes and names -----------------------------------------------------

// randomID is a well-formed global id of type typ that names no object.
func randomID(typ string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + uuid.NewString()))
}

// randomHWKC returns a fresh HWKC: prefix followed by n random upper-case
// hex digits (SV8100 "19" and 10, SV8500 "22" and 26, SV9500 "35" and 26).
func randomHWKC(prefix string, n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return prefix + strings.ToUpper(hex.EncodeToString(b))[:n]
}

// slug keeps the letters (in lower case) and digits of s: createCustomer's
// EULA email is eula@<slug>.example and its reference note CUST-<slug>.
func slug(s string) string {
	out := []rune{}
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			out = append(out, r)
		} else if r >= 'A' && r <= 'Z' {
			out = append(out, r+'a'-'A')
		}
	}
	return string(out)
}

// --- Payload errors -----------------------------------------------------------

// codes returns the codes of errs in order (an empty, non-nil slice for none).
func codes(errs []userError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Code
	}
	return out
}

// requireOnlyError asserts that errs holds exactly one error, with code and,
// unless field is empty, concerning input field field; it returns the error
// for checks of its message.
func requireOnlyError(t *testing.T, errs []userError, code, field string) userError {
	t.Helper()
	require.Len(t, errs, 1, "errors: %+v", errs)
	require.Equal(t, code, errs[0].Code, "error: %+v", errs[0])
	if field != "" {
		require.Equal(t, []string{"input", field}, errs[0].Field, "error: %+v", errs[0])
	}
	require.NotEmpty(t, errs[0].Message)
	return errs[0]
}

// --- Mutations ----------------------------------------------------------------

// mutationQuery is the text of the mutation field(input: $in), whose input
// type is field's name in upper camel case + "Input", selecting selection
// and the payload's errors.
func mutationQuery(field, selection string) string {
	inputType := strings.ToUpper(field[:1]) + field[1:] + "Input"
	return fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { %s errors { code message field } } }`, inputType, field, selection)
}

// mutate runs mutationQuery(field, selection) as user with input in and
// returns the payload, decoded into P. It fails the test on top-level
// GraphQL errors, never on the payload's errors.
func mutate[P any](t *testing.T, env *lmstest.Env, user, field, selection string, in map[string]any) P {
	t.Helper()
	var got map[string]P
	env.Query(t, user, mutationQuery(field, selection), map[string]any{"in": in}).Decode(t, &got)
	return got[field]
}

// locationPayload is the payload of a mutation that returns a location.
type locationPayload struct {
	Location *apiLocation
	Errors   []userError
}

// customerPayload is the payload of a mutation that returns a customer.
type customerPayload struct {
	Customer *apiCustomer
	Errors   []userError
}

// createCustomerWith runs createCustomer as user with input in as given and
// returns the customer (nil when none came back) and the payload errors.
func createCustomerWith(t *testing.T, env *lmstest.Env, user string, in map[string]any) (*apiCustomer, []userError) {
	t.Helper()
	p := mutate[customerPayload](t, env, user, "createCustomer", "customer { "+customerFields+" }", in)
	return p.Customer, p.Errors
}

// createCustomer creates a customer called name as user, with EULA email
// eula@<slug(name)>.example, reference note CUST-<slug(name)> and an address
// in Hilversum; it fails the test on payload errors and returns the id.
func createCustomer(t *testing.T, env *lmstest.Env, user, name string) string {
	t.Helper()
	c, errs := createCustomerWith(t, env, user, map[string]any{
		"name": name, "eulaEmail": "eula@" + slug(name) + ".example", "referenceNote": "CUST-" + slug(name),
		"address": map[string]any{"street": "Olympia 4", "city": "Hilversum", "state": "Noord-Holland", "country": "Netherlands", "zip": "1213NT"},
	})
	require.Empty(t, errs)
	return c.ID
}

// updateCustomer runs updateCustomer as user with input in (id included)
// and returns the customer (nil when none came back) and the payload errors.
func updateCustomer(t *testing.T, env *lmstest.Env, user string, in map[string]any) (*apiCustomer, []userError) {
	t.Helper()
	p := mutate[customerPayload](t, env, user, "updateCustomer", "customer { "+customerFields+" }", in)
	return p.Customer, p.Errors
}

// createLocation runs createLocation as user with input in (customerId
// included) and returns the location (nil when none came back) and the
// payload errors.
func createLocation(t *testing.T, env *lmstest.Env, user string, in map[string]any) (*apiLocation, []userError) {
	t.Helper()
	p := mutate[locationPayload](t, env, user, "createLocation", "location { "+locationFields+" }", in)
	return p.Location, p.Errors
}

// mustCreateLocation is createLocation that fails the test on payload errors.
func mustCreateLocation(t *testing.T, env *lmstest.Env, user string, in map[string]any) *apiLocation {
	t.Helper()
	loc, errs := createLocation(t, env, user, in)
	require.Empty(t, errs)
	require.NotNil(t, loc)
	return loc
}

// createChild runs createChildLocation as user with input in (parentId
// included) and returns the child (nil when none came back) and the payload
// errors.
func createChild(t *testing.T, env *lmstest.Env, user string, in map[string]any) (*apiLocation, []userError) {
	t.Helper()
	p := mutate[locationPayload](t, env, user, "createChildLocation", "location { "+locationFields+" }", in)
	return p.Location, p.Errors
}

// updateLocation runs updateLocation as user with input in (id included)
// and returns the location (nil when none came back) and the payload errors.
func updateLocation(t *testing.T, env *lmstest.Env, user string, in map[string]any) (*apiLocation, []userError) {
	t.Helper()
	p := mutate[locationPayload](t, env, user, "updateLocation", "location { "+locationFields+" }", in)
	return p.Location, p.Errors
}

// deleteLocation runs deleteLocation for id as user and returns the payload
// errors; when there are none it asserts that the payload names id as
// deleted.
func deleteLocation(t *testing.T, env *lmstest.Env, user, id string) []userError {
	t.Helper()
	p := mutate[struct {
		DeletedLocationID *string
		Errors            []userError
	}](t, env, user, "deleteLocation", "deletedLocationId", map[string]any{"id": id})
	if len(p.Errors) == 0 {
		require.Equal(t, id, *p.DeletedLocationID)
	}
	return p.Errors
}

// sv8100 creates an SV8100 location (no children) with a fresh HWKC for the
// customer as user.
func sv8100(t *testing.T, env *lmstest.Env, user, customerID, name string) *apiLocation {
	t.Helper()
	return mustCreateLocation(t, env, user, map[string]any{
		"customerId": customerID, "name": name, "systemType": "SV8100", "hardwareKeyCode": randomHWKC("19", 10),
	})
}

// sv8500 creates an SV8500 location (and with it its LMC child) with a
// fresh HWKC for the customer as user.
func sv8500(t *testing.T, env *lmstest.Env, user, customerID, name string) *apiLocation {
	t.Helper()
	return mustCreateLocation(t, env, user, map[string]any{
		"customerId": customerID, "name": name, "systemType": "SV8500", "hardwareKeyCode": randomHWKC("22", 26),
	})
}

// srMgc adds a confirmed SR-MGC child under an SV8500 location, failing the
// test on payload errors.
func srMgc(t *testing.T, env *lmstest.Env, user, parentID, name string) *apiLocation {
	t.Helper()
	loc, errs := createChild(t, env, user, map[string]any{"parentId": parentID, "kind": "SR_MGC", "name": name, "confirmed": true})
	require.Empty(t, errs)
	require.NotNil(t, loc)
	return loc
}

// --- Reads --------------------------------------------------------------------

// getLocation reads a location through node(id) as user; nil when user
// cannot see one of that id.
func getLocation(t *testing.T, env *lmstest.Env, user, id string) *apiLocation {
	t.Helper()
	var got struct{ Node *apiLocation }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { `+locationFields+` } } }`, map[string]any{"id": id}).Decode(t, &got)
	return got.Node
}

// findByHWKC runs locationByHardwareKeyCode as user; nil when there is none.
func findByHWKC(t *testing.T, env *lmstest.Env, user, code string) *apiLocation {
	t.Helper()
	var got struct{ LocationByHardwareKeyCode *apiLocation }
	env.Query(t, user, `query($code: String!) { locationByHardwareKeyCode(hardwareKeyCode: $code) { `+locationFields+` } }`,
		map[string]any{"code": code}).Decode(t, &got)
	return got.LocationByHardwareKeyCode
}

// nodeOf reads node(id) (a customer or a location) as user and returns the
// raw answer, for tests that compare answers as they are.
func nodeOf(t *testing.T, env *lmstest.Env, user, id string) *lmstest.Response {
	t.Helper()
	return env.Query(t, user, `query($id: ID!) { node(id: $id) { id ... on Customer { name } ... on Location { name hardwareKeyCode } } }`, map[string]any{"id": id})
}

// childrenOf returns the HWKCs of a location's children as it lists them.
func childrenOf(l *apiLocation) []string {
	out := []string{}
	for _, e := range l.Children.Edges {
		out = append(out, e.Node.HardwareKeyCode)
	}
	return out
}

// listLocations runs the top-level locations query as user with the given
// arguments (first, after, filter; nil ones left out).
func listLocations(t *testing.T, env *lmstest.Env, user string, vars map[string]any) nameList {
	t.Helper()
	var got struct{ Locations nameList }
	env.Query(t, user, `query($first: Int, $after: String, $filter: LocationFilter) {
	  locations(first: $first, after: $after, filter: $filter) { `+locationListFields+` } }`, vars).Decode(t, &got)
	return got.Locations
}

// listCustomers is listLocations for customers.
func listCustomers(t *testing.T, env *lmstest.Env, user string, vars map[string]any) nameList {
	t.Helper()
	var got struct{ Customers nameList }
	env.Query(t, user, `query($first: Int, $after: String, $filter: CustomerFilter) {
	  customers(first: $first, after: $after, filter: $filter) { `+customerListFields+` } }`, vars).Decode(t, &got)
	return got.Customers
}

// searchLocations returns the first page (250) of user's locations whose
// name, HWKC, secondary HWKC, FCN or domain name contains search (the
// locations query's type-ahead).
func searchLocations(t *testing.T, env *lmstest.Env, user, search string) nameList {
	t.Helper()
	return listLocations(t, env, user, map[string]any{"first": 250, "filter": map[string]any{"search": search}})
}

// connectionOf reads one page (vars: first, after) of the connection field
// of node(id) as Dealer Y: typ "Customer" with field "locations", or typ
// "Location" with field "children".
func connectionOf(t *testing.T, env *lmstest.Env, typ, field, id string, vars map[string]any) nameList {
	t.Helper()
	var got struct{ Node map[string]nameList }
	vars["id"] = id
	env.Query(t, lmstest.DealerY, `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on `+typ+` {
	  `+field+`(first: $first, after: $after) { `+locationListFields+` } } } }`, vars).Decode(t, &got)
	return got.Node[field]
}

// walk pages through a list with pages of size first by following
// endCursor, and returns every edge in order. list runs one page with the
// given first and after. On every page it asserts that the page is no
// larger than first and that endCursor is the last edge's cursor.
func walk(t *testing.T, first int, list func(vars map[string]any) nameList) nameList {
	t.Helper()
	var out nameList
	vars := map[string]any{"first": first}
	for range 100 {
		p := list(vars)
		require.LessOrEqual(t, len(p.Edges), first)
		out.Edges = append(out.Edges, p.Edges...)
		out.PageInfo = p.PageInfo
		if !p.PageInfo.HasNextPage {
			return out
		}
		require.NotNil(t, p.PageInfo.EndCursor)
		require.Equal(t, p.Edges[len(p.Edges)-1].Cursor, *p.PageInfo.EndCursor)
		vars = map[string]any{"first": first, "after": *p.PageInfo.EndCursor}
	}
	t.Fatal("more than 100 pages")
	return nameList{}
}

// partnerIDs maps the partners' names to their global ids, as the admin
// sees them. (server/mail_test.go has the same helper; test code of another
// package cannot be shared.)
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

// --- EULA mails ---------------------------------------------------------------

// eulaSubject starts the subject of every EULA mail:
// "End User License Agreement for <location name> (<HWKC>)".
const eulaSubject = "End User License Agreement"

// eulaFor waits until the test SMTP server has received the EULA mail for
// the location with HWKC code, sent to rcpt, and returns it. The subject
// need only contain code.
func eulaFor(t *testing.T, env *lmstest.Env, rcpt, code string) mailtest.Received {
	t.Helper()
	var found *mailtest.Received
	lmstest.Eventually(t, 10*time.Second, func() bool {
		for _, m := range env.SMTP.Messages() {
			if slices.Contains(m.To, rcpt) && m.Subject != "" && containsAll(m.Subject, eulaSubject, code) {
				found = &m
				return true
			}
		}
		return false
	}, "EULA mail for "+code+" to "+rcpt)
	return *found
}

// eulaSubjects returns the subjects of the EULA emails LMS recorded for
// user's partner that name code in parentheses (the emails query, newest
// first).
func eulaSubjects(t *testing.T, env *lmstest.Env, user, code string) []string {
	t.Helper()
	var got struct {
		Emails struct {
			Edges []struct{ Node struct{ Subject string } }
		}
	}
	env.Query(t, user, `{ emails(first: 100) { edges { node { subject } } } }`, nil).Decode(t, &got)
	out := []string{}
	for _, e := range got.Emails.Edges {
		if containsAll(e.Node.Subject, eulaSubject, "("+code+")") {
			out = append(out, e.Node.Subject)
		}
	}
	return out
}

// containsAll reports whether s contains every one of parts.
func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// --- Racing requests ----------------------------------------------------------

// mutationResult is what racing goroutines report: the location's HWKC (""
// when none was created) and the payload error codes.
type mutationResult struct {
	HardwareKeyCode string
	Codes           []string
	Err             error
}

// postMutation posts a mutation that returns a location (createLocation or
// createChildLocation, named by field) as user without a *testing.T, so
// that goroutines may call it; the test goroutine asserts on the result.
func postMutation(env *lmstest.Env, user, field string, in map[string]any) mutationResult {
	resp, err := env.Post(user, mutationQuery(field, "location { hardwareKeyCode }"), map[string]any{"in": in})
	if err != nil {
		return mutationResult{Err: err}
	}
	var out map[string]struct {
		Location *struct{ HardwareKeyCode string }
		Errors   []userError
	}
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		return mutationResult{Err: err}
	}
	payload := out[field]
	r := mutationResult{Codes: codes(payload.Errors)}
	if payload.Location != nil {
		r.HardwareKeyCode = payload.Location.HardwareKeyCode
	}
	return r
}
