package replacement_test

// Helpers of the hardware replacement API tests: they drive the GraphQL API
// of an lmstest.Env as a client would, over HTTP.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

type userError = lmstest.UserError

func codes(errs []userError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Code
	}
	return out
}

// sv8100Code is a random SV8100 Hardware Key Code (^19[0-9A-F]{10}$).
func sv8100Code() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return "19" + strings.ToUpper(hex.EncodeToString(b))
}

// newCustomer creates a customer of user's partner and returns its id.
func newCustomer(t testing.TB, env *lmstest.Env, user, name string) string {
	t.Helper()
	p := lmstest.Mutate[struct {
		Customer *struct{ ID string }
		Errors   []userError
	}](t, env, user, "createCustomer", "customer { id }", map[string]any{"name": name, "eulaEmail": "eula@customer.example"})
	require.Empty(t, p.Errors)
	return p.Customer.ID
}

// shipLine ships qty of part to user's partner as the license desk and
// returns the order line's id.
func shipLine(t testing.TB, env *lmstest.Env, user, part string, qty int) string {
	t.Helper()
	so := fmt.Sprintf("SO-%d", time.Now().UnixNano())
	p := lmstest.Mutate[struct {
		Order *struct {
			Lines struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		Errors []userError
	}](t, env, lmstest.Admin, "shipLicenseOrder", "order { lines(first: 5) { edges { node { id } } } }", map[string]any{
		"partnerId": lmstest.PartnerID(t, env, user), "salesOrder": so, "purchaseOrder": "PO-" + so,
		"lines": []map[string]any{{"partNumber": part, "quantity": qty}},
	})
	require.Empty(t, p.Errors)
	return p.Order.Lines.Edges[0].Node.ID
}

// site is a location as the tests create it.
type site struct{ ID, Name, HardwareKeyCode string }

// createLocation creates a location of customer with fields (systemType,
// name, and its code or what it is generated from) and returns it.
func createLocation(t testing.TB, env *lmstest.Env, user, customerID string, fields map[string]any) site {
	t.Helper()
	in := map[string]any{"customerId": customerID, "dealerEmail": "desk@dealer.example"}
	for k, v := range fields {
		in[k] = v
	}
	p := lmstest.Mutate[struct {
		Location *site
		Errors   []userError
	}](t, env, user, "createLocation", "location { id name hardwareKeyCode }", in)
	require.Empty(t, p.Errors)
	return *p.Location
}

// activate attaches qty from line to the location and activates it.
func activate(t testing.TB, env *lmstest.Env, user, locationID, lineID string, qty int) {
	t.Helper()
	att := lmstest.Mutate[struct {
		Licenses []struct{ ID string }
		Errors   []userError
	}](t, env, user, "attachLicenses", "licenses { id }", map[string]any{"locationId": locationID, "lines": []map[string]any{{"lineId": lineID, "quantity": qty}}})
	require.Empty(t, att.Errors)
	act := lmstest.Mutate[struct{ Errors []userError }](t, env, user, "activateLicenses", "licenses { id }",
		map[string]any{"locationId": locationID, "licenseIds": []string{att.Licenses[0].ID}, "acceptAgreement": true})
	require.Empty(t, act.Errors)
}

// activatedSV8100 creates an SV8100 location of user's partner with a
// random code and activates 1 BE107573 (the system, weighing 2 SWA units
// a month) and 5 BE107582 on it.
func activatedSV8100(t testing.TB, env *lmstest.Env, user, name string) site {
	t.Helper()
	loc := createLocation(t, env, user, newCustomer(t, env, user, "Customer of "+name), map[string]any{
		"systemType": "SV8100", "name": name, "hardwareKeyCode": sv8100Code(),
	})
	activate(t, env, user, loc.ID, shipLine(t, env, user, "BE107573", 1), 1)
	activate(t, env, user, loc.ID, shipLine(t, env, user, "BE107582", 5), 5)
	return loc
}

// apiFile is a license file as fileFields selects it.
type apiFile struct {
	ID, Status, Reason                      string
	Version                                 int
	Current                                 bool
	FileName, ActivationCode, DownloadURL   *string
	HardwareKeyCode, ExpiresAt, RequestedAt *string
}

const fileFields = `id status reason version current fileName activationCode downloadUrl hardwareKeyCode expiresAt requestedAt`

// apiRequest is a hardware replacement request as requestFields selects it.
type apiRequest struct {
	ID, Status, CustomerName, LocationName    string
	OldHardwareKeyCode, NewHardwareKeyCode    string
	Reason, Resolution, RequestedAt           string
	ResolvedAt, EmergencyLicenseFileExpiresAt *string
	Partner                                   struct{ Name string }
	SystemType                                struct{ Code string }
	RequestedBy                               struct{ Name, Email, PartnerName string }
	ResolvedBy                                *struct{ Name string }
	Location                                  *struct{ ID, HardwareKeyCode string }
	EmergencyLicenseFile, LicenseFile         *apiFile
	EmergencyLicenseFileRefusal               *userError
}

const requestFields = `id status customerName locationName oldHardwareKeyCode newHardwareKeyCode reason resolution requestedAt resolvedAt
  emergencyLicenseFileExpiresAt partner { name } systemType { code } requestedBy { name email partnerName } resolvedBy { name }
  location { id hardwareKeyCode } emergencyLicenseFile { ` + fileFields + ` } licenseFile { ` + fileFields + ` }
  emergencyLicenseFileRefusal { code message field }`

// requestReplacement files a request as user.
func requestReplacement(t testing.TB, env *lmstest.Env, user, locationID, oldCode, newCode string) (*apiRequest, []userError) {
	t.Helper()
	p := lmstest.Mutate[struct {
		Request *apiRequest
		Errors  []userError
	}](t, env, user, "requestHardwareReplacement", "request { "+requestFields+" }", map[string]any{
		"locationId": locationID, "oldHardwareKeyCode": oldCode, "newHardwareKeyCode": newCode, "reason": "CPU board defective after a power cut",
	})
	return p.Request, p.Errors
}

// apiHistory is a location history entry as replacedFields selects it.
type apiHistory struct {
	Kind, HardwareKeyCode, NewHardwareKeyCode, Reason string
	SystemType, NewSystemType                         struct{ Code string }
	Licenses                                          []struct {
		PartNumber, Status, PurchaseOrder, SalesOrder string
		Quantity                                      int
	}
}

const historyFields = `kind hardwareKeyCode newHardwareKeyCode reason systemType { code } newSystemType { code }
  licenses { partNumber status purchaseOrder salesOrder quantity }`

// replaced is the payload of replaceHardware and of a completion.
type replaced struct {
	Request      *apiRequest
	Location     *struct{ ID, HardwareKeyCode string }
	LicenseFile  *apiFile
	HistoryEntry *apiHistory
	Errors       []userError
}

const replacedFields = `location { id hardwareKeyCode } licenseFile { ` + fileFields + ` } historyEntry { ` + historyFields + ` }`

// replaceHardware replaces a location's hardware as user.
func replaceHardware(t testing.TB, env *lmstest.Env, user, locationID, newCode string) replaced {
	t.Helper()
	return lmstest.Mutate[replaced](t, env, user, "replaceHardware", replacedFields,
		map[string]any{"locationId": locationID, "newHardwareKeyCode": newCode, "reason": "dongle lost in a fire"})
}

// resolve completes or rejects a request as user.
func resolve(t testing.TB, env *lmstest.Env, user, requestID, decision, reason string) replaced {
	t.Helper()
	in := map[string]any{"requestId": requestID, "decision": decision}
	if reason != "" {
		in["reason"] = reason
	}
	return lmstest.Mutate[replaced](t, env, user, "resolveHardwareReplacementRequest", "request { "+requestFields+" } "+replacedFields, in)
}

// waitFile polls a license file as user until the worker has built it.
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
	url := *f.DownloadURL
	if !strings.HasPrefix(url, "http") {
		url = env.URL + url
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+env.Tokens[user])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	_, name, _ := strings.Cut(resp.Header.Get("Content-Disposition"), `filename="`)
	return body, strings.TrimSuffix(name, `"`)
}

// TestMain removes the lms command lmstest.Verify built, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	lmstest.RemoveBuiltCommand()
	os.Exit(code)
}

// request reads a request by id as user; nil when user may not see it.
func request(t testing.TB, env *lmstest.Env, user, id string) *apiRequest {
	t.Helper()
	var got struct{ Node *apiRequest }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on HardwareReplacementRequest { `+requestFields+` } } }`,
		map[string]any{"id": id}).Decode(t, &got)
	return got.Node
}

// queue lists the requests user may read, of status when set.
func queue(t testing.TB, env *lmstest.Env, user string, status any) []apiRequest {
	t.Helper()
	var got struct {
		HardwareReplacementRequests struct {
			TotalCount int
			Edges      []struct{ Node apiRequest }
		}
	}
	env.Query(t, user, `query($s: HardwareReplacementRequestStatus) { hardwareReplacementRequests(status: $s, first: 250) {
	  totalCount edges { node { `+requestFields+` } } } }`, map[string]any{"s": status}).Decode(t, &got)
	l := got.HardwareReplacementRequests
	require.Len(t, l.Edges, l.TotalCount)
	out := make([]apiRequest, len(l.Edges))
	for i, e := range l.Edges {
		out[i] = e.Node
	}
	return out
}
