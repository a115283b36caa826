package license_test

// Helpers of the API tests: they drive the GraphQL API of an lmstest.Env
// as a client would, over HTTP.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
	"lms/lmstest"
	"lms/mail/mailtest"
)

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

// requireError checks that errs is exactly one error with code.
func requireError(t *testing.T, errs []userError, code string) userError {
	t.Helper()
	require.Len(t, errs, 1, "errors: %+v", errs)
	require.Equal(t, code, errs[0].Code, "error: %+v", errs[0])
	return errs[0]
}

// mutate runs mutation field with input in as user, selecting selection and
// the errors, and decodes the payload into P. It fails on top-level errors
// only.
func mutate[P any](t testing.TB, env *lmstest.Env, user, field, selection string, in map[string]any) P {
	t.Helper()
	inputType := strings.ToUpper(field[:1]) + field[1:] + "Input"
	q := fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { %s errors { code message field } } }`, inputType, field, selection)
	var got map[string]P
	env.Query(t, user, q, map[string]any{"in": in}).Decode(t, &got)
	return got[field]
}

// partnerID returns the global id of user's partner.
func partnerID(t testing.TB, env *lmstest.Env, user string) string {
	t.Helper()
	var got struct {
		Viewer struct{ Partner struct{ ID string } }
	}
	env.Query(t, user, `{ viewer { partner { id } } }`, nil).Decode(t, &got)
	return got.Viewer.Partner.ID
}

// line is a part and quantity of an order to ship.
type line struct {
	Part string
	Qty  int
}

// apiOrder is a shipped order with its lines.
type apiOrder struct {
	ID            string
	SalesOrder    string
	PurchaseOrder string
	Lines         struct {
		Edges []struct {
			Node apiLine
		}
	}
}

// apiLine is a bin line.
type apiLine struct {
	ID        string
	Part      struct{ Number, Name string }
	Shipped   int
	Available int
}

const orderFields = `id salesOrder purchaseOrder lines(first: 50) { edges { node { id part { number name } shipped available } } }`

// ship ships an order to the partner of user (as the admin) and returns the
// line id per part number.
func ship(t testing.TB, env *lmstest.Env, user, so, po string, lines ...line) map[string]string {
	t.Helper()
	in := map[string]any{"partnerId": partnerID(t, env, user), "salesOrder": so, "purchaseOrder": po}
	var ls []map[string]any
	for _, l := range lines {
		ls = append(ls, map[string]any{"partNumber": l.Part, "quantity": l.Qty})
	}
	in["lines"] = ls
	p := mutate[struct {
		Order  *apiOrder
		Errors []userError
	}](t, env, lmstest.Admin, "shipLicenseOrder", "order { "+orderFields+" }", in)
	require.Empty(t, p.Errors)
	out := map[string]string{}
	for _, e := range p.Order.Lines.Edges {
		out[e.Node.Part.Number] = e.Node.ID
	}
	return out
}

// randomHex returns n random upper-case hex digits.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))[:n]
}

// createCustomer creates a customer as user and returns its id.
func createCustomer(t testing.TB, env *lmstest.Env, user, name string) string {
	t.Helper()
	p := mutate[struct {
		Customer *struct{ ID string }
		Errors   []userError
	}](t, env, user, "createCustomer", "customer { id }", map[string]any{"name": name, "eulaEmail": "eula@customer.example"})
	require.Empty(t, p.Errors)
	return p.Customer.ID
}

// apiLocation is a location as locationFields selects it.
type apiLocation struct {
	ID, LocationID, Name, HardwareKeyCode string
	HasTemporaryKey                       bool
	IPAddress                             *string
	ProductKey                            *string
	Children                              struct {
		Edges []struct {
			Node struct{ ID, Name, HardwareKeyCode, ChildKind string }
		}
	}
}

const locationFields = `id locationId name hardwareKeyCode hasTemporaryKey ipAddress productKey
  children { edges { node { id name hardwareKeyCode childKind } } }`

// createLocation creates a location of systemType for a new customer as
// user, with in's extra fields (hardwareKeyCode etc.), and fails on errors.
func createLocation(t testing.TB, env *lmstest.Env, user, systemType string, in map[string]any) apiLocation {
	t.Helper()
	input := map[string]any{
		"customerId": createCustomer(t, env, user, "Customer of "+systemType), "name": systemType + " location",
		"systemType": systemType, "dealerEmail": "dealer-desk@dealer.example",
	}
	for k, v := range in {
		input[k] = v
	}
	p := mutate[struct {
		Location *apiLocation
		Errors   []userError
	}](t, env, user, "createLocation", "location { "+locationFields+" }", input)
	require.Empty(t, p.Errors)
	return *p.Location
}

// createChild creates a child location of parent as user.
func createChild(t testing.TB, env *lmstest.Env, user, parentID, kind string, in map[string]any) apiLocation {
	t.Helper()
	input := map[string]any{"parentId": parentID, "kind": kind, "confirmed": true}
	for k, v := range in {
		input[k] = v
	}
	p := mutate[struct {
		Location *apiLocation
		Errors   []userError
	}](t, env, user, "createChildLocation", "location { "+locationFields+" }", input)
	require.Empty(t, p.Errors)
	return *p.Location
}

// getLocation reads a location as user.
func getLocation(t testing.TB, env *lmstest.Env, user, id string) apiLocation {
	t.Helper()
	var got struct{ Node *apiLocation }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { `+locationFields+` } } }`, map[string]any{"id": id}).Decode(t, &got)
	require.NotNil(t, got.Node)
	return *got.Node
}

// apiLicense is a license as licenseFields selects it.
type apiLicense struct {
	ID              string
	SoftwareKeyCode string
	Part            struct{ Number string }
	Quantity        int
	Status          string
	PurchaseOrder   string
	SalesOrder      string
	ActivatedAt     *time.Time
}

const licenseFields = `id softwareKeyCode part { number } quantity status purchaseOrder salesOrder activatedAt`

// sel is one attach selection: a bin line and an optional quantity.
type sel struct {
	Line string
	Qty  *int
}

func qty(n int) *int { return &n }

// attach attaches selections to a location and returns the payload.
func attach(t testing.TB, env *lmstest.Env, user, locationID string, sels ...sel) ([]apiLicense, []userError) {
	t.Helper()
	return attachWithKey(t, env, user, locationID, "", sels...)
}

func attachWithKey(t testing.TB, env *lmstest.Env, user, locationID, key string, sels ...sel) ([]apiLicense, []userError) {
	t.Helper()
	var lines []map[string]any
	for _, s := range sels {
		l := map[string]any{"lineId": s.Line}
		if s.Qty != nil {
			l["quantity"] = *s.Qty
		}
		lines = append(lines, l)
	}
	in := map[string]any{"locationId": locationID, "lines": lines}
	if key != "" {
		in["idempotencyKey"] = key
	}
	p := mutate[struct {
		Licenses []apiLicense
		Errors   []userError
	}](t, env, user, "attachLicenses", "licenses { "+licenseFields+" }", in)
	return p.Licenses, p.Errors
}

// mustAttach attaches and fails on errors.
func mustAttach(t testing.TB, env *lmstest.Env, user, locationID string, sels ...sel) []apiLicense {
	t.Helper()
	lics, errs := attach(t, env, user, locationID, sels...)
	require.Empty(t, errs)
	return lics
}

// activationPayload is activateLicenses' payload.
type activationPayload struct {
	Licenses    []apiLicense
	LicenseFile *struct {
		ID      string
		Version int
		Status  string
	}
	Errors []userError
}

// activate activates licenses (with the agreement accepted).
func activate(t testing.TB, env *lmstest.Env, user, locationID string, licenseIDs ...string) activationPayload {
	t.Helper()
	return mutate[activationPayload](t, env, user, "activateLicenses", "licenses { "+licenseFields+" } licenseFile { id version status }",
		map[string]any{"locationId": locationID, "licenseIds": licenseIDs, "acceptAgreement": true})
}

// mustActivate activates and returns the requested file's id.
func mustActivate(t testing.TB, env *lmstest.Env, user, locationID string, lics ...apiLicense) string {
	t.Helper()
	p := activate(t, env, user, locationID, ids(lics)...)
	require.Empty(t, p.Errors)
	require.NotNil(t, p.LicenseFile)
	return p.LicenseFile.ID
}

func ids(lics []apiLicense) []string {
	out := make([]string, len(lics))
	for i, l := range lics {
		out[i] = l.ID
	}
	return out
}

// apiFile is a license file as fileFields selects it.
type apiFile struct {
	ID             string
	Version        int
	Current        bool
	Status         string
	FileName       *string
	ActivationCode *string
	KeyID          *string
	DownloadURL    *string
	Features       []struct {
		Part   struct{ Number string }
		Amount string
	}
}

const fileFields = `id version current status fileName activationCode keyId downloadUrl features { part { number } amount }`

// waitFile polls a license file until it is READY.
func waitFile(t testing.TB, env *lmstest.Env, user, fileID string) apiFile {
	t.Helper()
	var f apiFile
	lmstest.Eventually(t, 20*time.Second, func() bool {
		var got struct{ Node *apiFile }
		env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on LicenseFile { `+fileFields+` } } }`, map[string]any{"id": fileID}).Decode(t, &got)
		require.NotNil(t, got.Node)
		f = *got.Node
		require.NotEqual(t, "FAILED", f.Status)
		return f.Status == "READY"
	}, "license file "+fileID+" ready")
	return f
}

// download fetches a ready file's zip as user, with its file name.
func download(t testing.TB, env *lmstest.Env, user string, f apiFile) ([]byte, string) {
	t.Helper()
	require.NotNil(t, f.DownloadURL)
	status, body, header := get(t, env, user, *f.DownloadURL)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, "application/zip", header.Get("Content-Type"))
	_, name, _ := strings.Cut(header.Get("Content-Disposition"), `filename="`)
	return body, strings.TrimSuffix(name, `"`)
}

// get fetches a path (or URL) of the server with user's token.
func get(t testing.TB, env *lmstest.Env, user, path string) (int, []byte, http.Header) {
	t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = env.URL + path
	}
	req, err := http.NewRequest(http.MethodGet, path, nil)
	require.NoError(t, err)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+env.Tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body, resp.Header
}

// keys are the public keys the env signs license files with.
func keys(env *lmstest.Env) format.Keyring { return env.Server.Graph.Services.Files.Keys }

// mailTo waits for a mail to rcpt whose subject contains all of parts.
func mailTo(t testing.TB, env *lmstest.Env, rcpt string, parts ...string) mailtest.Received {
	t.Helper()
	return lmstest.MailTo(t, env, rcpt, parts...)
}
