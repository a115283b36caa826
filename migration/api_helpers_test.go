package migration_test

// Helpers of the migration API tests: they drive the GraphQL API of an
// lmstest.Env as a client would, over HTTP.

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
	"lms/lmstest"
)

type userError = lmstest.UserError

// requireError checks that errs is exactly one error with code.
func requireError(t testing.TB, errs []userError, code string) userError {
	t.Helper()
	require.Len(t, errs, 1, "errors: %+v", errs)
	require.Equal(t, code, errs[0].Code, "error: %+v", errs[0])
	return errs[0]
}

// clock is the clock of a test's license, SWA and migration services,
// installed before the first request and moved by the test; workers and
// requests read it, so it is atomic.
type clock struct{ now atomic.Pointer[time.Time] }

func newClock(env *lmstest.Env, date string) *clock {
	c := new(clock)
	c.set(date)
	svc := env.Server.Graph.Services
	svc.Licenses.Now, svc.Swa.Now, svc.Migrations.Now = c.Now, c.Now, c.Now
	return c
}

func (c *clock) Now() time.Time { return *c.now.Load() }

// set moves the clock to noon UTC of a date (2006-01-02).
func (c *clock) set(date string) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	d = d.Add(12 * time.Hour)
	c.now.Store(&d)
}

// part is a part number and quantity of an order line.
type part struct {
	Number string
	Qty    int
}

// ship ships one order to user's partner as the license desk and returns
// its lines' ids in the order of parts.
func ship(t testing.TB, env *lmstest.Env, user, so, po string, parts ...part) []string {
	t.Helper()
	var lines []map[string]any
	for _, p := range parts {
		lines = append(lines, map[string]any{"partNumber": p.Number, "quantity": p.Qty})
	}
	shipped := lmstest.Mutate[struct {
		Order *struct {
			Lines struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		Errors []userError
	}](t, env, lmstest.Admin, "shipLicenseOrder", "order { lines(first: 50) { edges { node { id } } } }",
		map[string]any{"partnerId": lmstest.PartnerID(t, env, user), "salesOrder": so, "purchaseOrder": po, "lines": lines})
	require.Empty(t, shipped.Errors)
	ids := make([]string, len(shipped.Order.Lines.Edges))
	for i, e := range shipped.Order.Lines.Edges {
		ids[i] = e.Node.ID
	}
	return ids
}

// newLocation creates a customer of user's partner and a location of it.
func newLocation(t testing.TB, env *lmstest.Env, user, systemType, name, hwkc string) string {
	t.Helper()
	cust := lmstest.Mutate[struct {
		Customer *struct{ ID string }
		Errors   []userError
	}](t, env, user, "createCustomer", "customer { id }", map[string]any{"name": "Customer of " + name, "eulaEmail": "eula@customer.example"})
	require.Empty(t, cust.Errors)
	loc := lmstest.Mutate[struct {
		Location *struct{ ID string }
		Errors   []userError
	}](t, env, user, "createLocation", "location { id }", map[string]any{
		"customerId": cust.Customer.ID, "systemType": systemType, "name": name, "hardwareKeyCode": hwkc,
		"dealerEmail": "desk@dealer.example",
	})
	require.Empty(t, loc.Errors)
	return loc.Location.ID
}

// attach attaches every line (one unit of each when one is set) to a
// location and returns the licenses' ids.
func attach(t testing.TB, env *lmstest.Env, user, locationID string, one bool, lineIDs ...string) []string {
	t.Helper()
	var sel []map[string]any
	for _, id := range lineIDs {
		s := map[string]any{"lineId": id}
		if one {
			s["quantity"] = 1
		}
		sel = append(sel, s)
	}
	att := lmstest.Mutate[struct {
		Licenses []struct{ ID string }
		Errors   []userError
	}](t, env, user, "attachLicenses", "licenses { id }", map[string]any{"locationId": locationID, "lines": sel})
	require.Empty(t, att.Errors)
	ids := make([]string, len(att.Licenses))
	for i, l := range att.Licenses {
		ids[i] = l.ID
	}
	return ids
}

// activate activates licenses and returns the file generation it requested.
func activate(t testing.TB, env *lmstest.Env, user, locationID string, licenseIDs ...string) string {
	t.Helper()
	act := lmstest.Mutate[struct {
		LicenseFile *struct{ ID string }
		Errors      []userError
	}](t, env, user, "activateLicenses", "licenseFile { id }",
		map[string]any{"locationId": locationID, "licenseIds": licenseIDs, "acceptAgreement": true})
	require.Empty(t, act.Errors)
	return act.LicenseFile.ID
}

// activatedLocation creates a location of systemType with hwkc and
// activates one order of parts on it, waiting for its file.
func activatedLocation(t testing.TB, env *lmstest.Env, user, systemType, name, hwkc, so string, parts ...part) string {
	t.Helper()
	loc := newLocation(t, env, user, systemType, name, hwkc)
	waitFile(t, env, user, activate(t, env, user, loc, attach(t, env, user, loc, false, ship(t, env, user, so, so, parts...)...)...))
	return loc
}

// migrationPayload is migrateSystem's payload as migrationFields selects it.
type migrationPayload struct {
	Migration *apiMigration
	Errors    []userError
}

type apiMigration struct {
	ID, OrderNumber, MigratedAt string
	Location                    struct{ ID string }
	FromSystemType              struct{ Code string }
	ToSystemType                struct{ Code string }
	History                     historyEntry
	LicenseFile                 *struct{ ID string }
	MigratedBy                  *struct{ Email string }
}

const migrationFields = `migration { id orderNumber migratedAt location { id } fromSystemType { code } toSystemType { code }
	history { ` + historyFields + ` } licenseFile { id } migratedBy { email } }`

// migrate runs migrateSystem as user; in holds the input besides the
// location, which is confirmed unless in says otherwise.
func migrate(t testing.TB, env *lmstest.Env, user, locationID, hwkc string, in map[string]any) migrationPayload {
	t.Helper()
	return lmstest.Mutate[migrationPayload](t, env, user, "migrateSystem", migrationFields, migrationInput(locationID, hwkc, in))
}

func migrationInput(locationID, hwkc string, in map[string]any) map[string]any {
	out := map[string]any{"locationId": locationID, "newHardwareKeyCode": hwkc, "confirm": true}
	for k, v := range in {
		out[k] = v
	}
	return out
}

// historyEntry is a LocationHistoryEntry as historyFields selects it.
type historyEntry struct {
	ID, Kind, Reason                    string
	SystemType, NewSystemType           struct{ Code string }
	HardwareKeyCode, NewHardwareKeyCode string
	Licenses                            []historyLicense
}

type historyLicense struct {
	PartNumber, PartName, Status, SoftwareKeyCode, PurchaseOrder, SalesOrder string
	Quantity                                                                 int
	AttachedAt                                                               time.Time
	ActivatedAt                                                              *time.Time
}

const historyFields = `id kind reason systemType { code } newSystemType { code } hardwareKeyCode newHardwareKeyCode
	licenses { partNumber partName status softwareKeyCode purchaseOrder salesOrder quantity attachedAt activatedAt }`

// apiLicense is a license as licenseFields selects it.
type apiLicense struct {
	ID, SoftwareKeyCode, Status     string
	Part                            struct{ Number, Name string }
	Quantity                        int
	PurchaseOrder, SalesOrder       string
	NecPurchaseOrder, NecSalesOrder *string
	ActivatedAt                     *time.Time
	Migration                       *struct{ ID, OrderNumber string }
	OrderLine                       *struct{ ID string }
}

const licenseFields = `id softwareKeyCode status part { number name } quantity purchaseOrder salesOrder
	necPurchaseOrder necSalesOrder activatedAt migration { id orderNumber } orderLine { id }`

// locationPage is the location license page (LIC-8) after a migration.
type locationPage struct {
	Name, HardwareKeyCode string
	SystemType            struct {
		Code       string
		MigratesTo []struct{ Code string }
	}
	AttachedLicenses, ActivatedLicenses struct {
		TotalCount int
		Edges      []struct{ Node apiLicense }
	}
	History struct {
		TotalCount int
		Edges      []struct{ Node historyEntry }
	}
	CurrentLicenseFile *apiFile
}

const locationPageQuery = `query($id: ID!) { node(id: $id) { ... on Location { name hardwareKeyCode
	systemType { code migratesTo { code } }
	attachedLicenses(first: 250) { totalCount edges { node { ` + licenseFields + ` } } }
	activatedLicenses(first: 250) { totalCount edges { node { ` + licenseFields + ` } } }
	history { totalCount edges { node { ` + historyFields + ` } } }
	currentLicenseFile { ` + fileFields + ` } } } }`

func page(t testing.TB, env *lmstest.Env, user, locationID string) locationPage {
	t.Helper()
	var got struct{ Node *locationPage }
	env.Query(t, user, locationPageQuery, map[string]any{"id": locationID}).Decode(t, &got)
	require.NotNil(t, got.Node, "location %s", locationID)
	return *got.Node
}

// apiFile is a license file generation.
type apiFile struct {
	ID, Status, Reason    string
	Version               int
	FileName, DownloadURL *string
	ActivationCode        *string
}

const fileFields = `id status reason version fileName downloadUrl activationCode`

// waitFile waits for a file generation to be READY and returns it.
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

// download fetches a ready file's zip as user.
func download(t testing.TB, env *lmstest.Env, user string, f apiFile) []byte {
	t.Helper()
	require.NotNil(t, f.DownloadURL)
	req, err := http.NewRequest(http.MethodGet, env.URL+*f.DownloadURL, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+env.Tokens[user])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return body
}

// keys are the public keys the env signs license files with.
func keys(env *lmstest.Env) format.Keyring { return env.Server.Graph.Services.Files.Keys }

// randomHex returns n random upper-case hex digits.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))[:n]
}
