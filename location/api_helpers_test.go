package location_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/mail/mailtest"
)

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

// userError is one entry of a payload's errors.
type userError struct {
	Code    string
	Message string
	Field   []string
}

func codes(errs []userError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Code
	}
	return out
}

// createCustomer creates a customer as user and returns its id.
func createCustomer(t *testing.T, env *lmstest.Env, user, name string) string {
	t.Helper()
	var got struct {
		CreateCustomer struct {
			Customer *struct{ ID string }
			Errors   []userError
		}
	}
	env.Query(t, user, `mutation($in: CreateCustomerInput!) { createCustomer(input: $in) { customer { id } errors { code message field } } }`,
		map[string]any{"in": map[string]any{
			"name": name, "eulaEmail": "eula@" + slug(name) + ".example", "referenceNote": "CUST-" + slug(name),
			"address": map[string]any{"street": "Olympia 4", "city": "Hilversum", "state": "Noord-Holland", "country": "Netherlands", "zip": "1213NT"},
		}}).Decode(t, &got)
	require.Empty(t, got.CreateCustomer.Errors)
	return got.CreateCustomer.Customer.ID
}

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

// createLocation runs createLocation as user with input in (customerId
// included) and returns the location and the payload errors.
func createLocation(t *testing.T, env *lmstest.Env, user string, in map[string]any) (*apiLocation, []userError) {
	t.Helper()
	var got struct {
		CreateLocation struct {
			Location *apiLocation
			Errors   []userError
		}
	}
	env.Query(t, user, `mutation($in: CreateLocationInput!) { createLocation(input: $in) { location { `+locationFields+` } errors { code message field } } }`,
		map[string]any{"in": in}).Decode(t, &got)
	return got.CreateLocation.Location, got.CreateLocation.Errors
}

// mustCreateLocation is createLocation that fails the test on payload errors.
func mustCreateLocation(t *testing.T, env *lmstest.Env, user string, in map[string]any) *apiLocation {
	t.Helper()
	loc, errs := createLocation(t, env, user, in)
	require.Empty(t, errs)
	require.NotNil(t, loc)
	return loc
}

// createChild runs createChildLocation as user.
func createChild(t *testing.T, env *lmstest.Env, user string, in map[string]any) (*apiLocation, []userError) {
	t.Helper()
	var got struct {
		CreateChildLocation struct {
			Location *apiLocation
			Errors   []userError
		}
	}
	env.Query(t, user, `mutation($in: CreateChildLocationInput!) { createChildLocation(input: $in) { location { `+locationFields+` } errors { code message field } } }`,
		map[string]any{"in": in}).Decode(t, &got)
	return got.CreateChildLocation.Location, got.CreateChildLocation.Errors
}

// getLocation reads a location through node(id).
func getLocation(t *testing.T, env *lmstest.Env, user, id string) *apiLocation {
	t.Helper()
	var got struct{ Node *apiLocation }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { `+locationFields+` } } }`, map[string]any{"id": id}).Decode(t, &got)
	return got.Node
}

// eulaFor waits until the test SMTP server has received the EULA mail for
// the location with HWKC code, sent to rcpt, and returns it.
func eulaFor(t *testing.T, env *lmstest.Env, rcpt, code string) mailtest.Received {
	t.Helper()
	var found *mailtest.Received
	lmstest.Eventually(t, 10*time.Second, func() bool {
		for _, m := range env.SMTP.Messages() {
			if slices.Contains(m.To, rcpt) && m.Subject != "" && containsAll(m.Subject, "End User License Agreement", code) {
				found = &m
				return true
			}
		}
		return false
	}, "EULA mail for "+code+" to "+rcpt)
	return *found
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
