package license_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/catalog"
	"lms/licensefile/format"
	"lms/lmstest"
)

// demoPayload is generateDemoLicense's payload.
type demoPayload struct {
	LicenseFile *struct {
		ID      string
		Version int
		Status  string
		Reason  string
	}
	Location *struct {
		ID               string
		DemoLicensesLeft *int
	}
	Errors []userError
}

const demoSelection = `licenseFile { id version status reason } location { id demoLicensesLeft }`

// generateDemo asks for a demo license of a location as user.
func generateDemo(t testing.TB, env *lmstest.Env, user, locationID string, accept bool) demoPayload {
	t.Helper()
	return mutate[demoPayload](t, env, user, "generateDemoLicense", demoSelection,
		map[string]any{"locationId": locationID, "acceptAgreement": accept})
}

// mustGenerateDemo generates a demo license and returns its file's id.
func mustGenerateDemo(t testing.TB, env *lmstest.Env, user, locationID string) string {
	t.Helper()
	p := generateDemo(t, env, user, locationID, true)
	require.Empty(t, p.Errors)
	require.NotNil(t, p.LicenseFile)
	require.Equal(t, "DEMO", p.LicenseFile.Reason)
	return p.LicenseFile.ID
}

// demoLicensesLeft reads Location.demoLicensesLeft as user.
func demoLicensesLeft(t testing.TB, env *lmstest.Env, user, locationID string) *int {
	t.Helper()
	var got struct {
		Node *struct{ DemoLicensesLeft *int }
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { demoLicensesLeft } } }`, map[string]any{"id": locationID}).Decode(t, &got)
	require.NotNil(t, got.Node)
	return got.Node.DemoLicensesLeft
}

// fileExpiry reads LicenseFile.reason and expiresAt as user.
func fileExpiry(t testing.TB, env *lmstest.Env, user, fileID string) (string, *time.Time) {
	t.Helper()
	var got struct {
		Node *struct {
			Reason    string
			ExpiresAt *time.Time
		}
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on LicenseFile { reason expiresAt } } }`, map[string]any{"id": fileID}).Decode(t, &got)
	require.NotNil(t, got.Node)
	return got.Node.Reason, got.Node.ExpiresAt
}

// demoFilesOf counts a location's demo file generations in the database,
// by status.
func demoFilesOf(t testing.TB, env *lmstest.Env, loc apiLocation) map[string]int {
	t.Helper()
	var rows []struct {
		Status string `bun:"status"`
		N      int    `bun:"n"`
	}
	require.NoError(t, env.DB.Bun.NewRaw(`SELECT status, count(*) AS n FROM license_files WHERE location_id = ? AND reason = 'DEMO' GROUP BY status`,
		uuid.MustParse(loc.LocationID)).Scan(context.Background(), &rows))
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out
}

// allFeaturesOf is what a demo file of systemType must open: every catalog
// part of the type except SWA units, by part number, with its amount.
func allFeaturesOf(t testing.TB, systemType string) map[string]string {
	t.Helper()
	c, err := catalog.Default()
	require.NoError(t, err)
	out := map[string]string{}
	for _, p := range c.PartsFor(systemType) {
		switch {
		case p.HasFlag(catalog.FlagSwaUnit):
		case p.Stacking == catalog.StackingVersion:
			out[p.Number] = "V" + strconv.Itoa(*p.Version)
		case p.MaxPerSystem != nil:
			out[p.Number] = strconv.Itoa(*p.MaxPerSystem)
		default:
			out[p.Number] = "unlimited"
		}
	}
	require.NotEmpty(t, out)
	return out
}

// A dealer uses both demo licenses of an SV8100 location (LIC-10): each is
// a signed file opening every SV8100 feature for 30 days, mailed with its
// expiry; the counter goes 2 → 1 → 0 and a third request is refused
// without creating anything.
func TestDemoLicense_SV8100(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	require.Equal(t, 2, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID), `"initially 2 demo licenses per Customer Location are available"`)

	t.Log("the checkbox must be ticked")
	p := generateDemo(t, env, lmstest.DealerY, loc.ID, false)
	e := requireError(t, p.Errors, "AGREEMENT_NOT_ACCEPTED")
	require.Equal(t, []string{"input", "acceptAgreement"}, e.Field)
	require.Nil(t, p.LicenseFile)
	require.Equal(t, 2, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID))

	requested := time.Now().Truncate(time.Second)
	p = generateDemo(t, env, lmstest.DealerY, loc.ID, true)
	require.Empty(t, p.Errors)
	require.Equal(t, "PENDING", p.LicenseFile.Status)
	require.Equal(t, "DEMO", p.LicenseFile.Reason)
	require.Equal(t, loc.ID, p.Location.ID)
	require.Equal(t, 1, *p.Location.DemoLicensesLeft, "the payload's location shows the counter after the request")

	f := waitFile(t, env, lmstest.DealerY, p.LicenseFile.ID)
	ready := time.Now()
	require.False(t, f.Current, "a demo file never becomes the location's current file")
	require.Equal(t, loc.HardwareKeyCode+"-svi.zip", *f.FileName)
	reason, expiresAt := fileExpiry(t, env, lmstest.DealerY, f.ID)
	require.Equal(t, "DEMO", reason)
	require.NotNil(t, expiresAt)

	t.Log("the download verifies, and opens every SV8100 feature until 30 days after it was issued")
	zip, name := download(t, env, lmstest.DealerY, f)
	require.Equal(t, *f.FileName, name)
	v, err := format.Verify(zip, keys(env))
	require.NoError(t, err)
	require.Equal(t, *f.ActivationCode, v.ActivationCode)
	require.Len(t, v.Payloads, 1)
	pl := v.Payloads[0]
	require.Equal(t, loc.HardwareKeyCode, pl.HardwareKeyCode)
	require.Equal(t, "SV8100", pl.SystemType)
	require.Equal(t, f.Version, pl.Sequence)
	require.NotNil(t, pl.ExpiresAt)
	require.Equal(t, pl.IssuedAt.AddDate(0, 0, 30), *pl.ExpiresAt)
	require.False(t, pl.ExpiresAt.Before(requested.AddDate(0, 0, 30)))
	require.False(t, pl.ExpiresAt.After(ready.AddDate(0, 0, 30)))
	require.True(t, expiresAt.Equal(*pl.ExpiresAt), "the file's expiresAt is the signed one: %s, %s", expiresAt, pl.ExpiresAt)
	got := map[string]string{}
	for _, ft := range pl.Features {
		got[ft.PartNumber] = ft.Amount()
	}
	require.Equal(t, allFeaturesOf(t, "SV8100"), got)
	listed := map[string]string{}
	for _, ft := range f.Features {
		listed[ft.Part.Number] = ft.Amount
	}
	require.Equal(t, got, listed, "the file's features in the API are those of the file")

	t.Log("the ready mail says it is a demo license and until when")
	expiry := pl.ExpiresAt.UTC().Format("2 January 2006")
	for _, rcpt := range []string{lmstest.DealerY, "dealer-desk@dealer.example"} {
		m := mailTo(t, env, rcpt, "Activation code "+v.ActivationCode, "demo license file")
		require.Contains(t, m.Subject, "valid until "+expiry)
		require.Contains(t, m.Text, "It is a demo license, valid until "+pl.ExpiresAt.UTC().Format("2 January 2006, 15:04 UTC"))
		require.Contains(t, m.Text, "unlimited")
	}

	t.Log("the second demo license, then none")
	second := mustGenerateDemo(t, env, lmstest.DealerY, loc.ID)
	require.Equal(t, 0, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID))
	f2 := waitFile(t, env, lmstest.DealerY, second)
	zip2, _ := download(t, env, lmstest.DealerY, f2)
	v2, err := format.Verify(zip2, keys(env))
	require.NoError(t, err)
	require.NotNil(t, v2.Payloads[0].ExpiresAt)
	require.Equal(t, v2.Payloads[0].IssuedAt.AddDate(0, 0, 30), *v2.Payloads[0].ExpiresAt)
	require.Equal(t, f.Version+1, v2.Payloads[0].Sequence)
	p = generateDemo(t, env, lmstest.DealerY, loc.ID, true)
	e = requireError(t, p.Errors, "NO_DEMO_LICENSES_LEFT")
	require.Equal(t, []string{"input", "locationId"}, e.Field)
	require.Nil(t, p.LicenseFile)
	require.Nil(t, p.Location)
	require.Equal(t, map[string]int{"READY": 2}, demoFilesOf(t, env, loc), "the refused request created nothing")
	require.Equal(t, 0, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID))

	var audited int
	require.NoError(t, env.DB.Bun.NewRaw(`SELECT count(*) FROM audit_events WHERE action = 'license.demo' AND ? = ANY(object_ids)`,
		"Location:"+loc.LocationID).Scan(context.Background(), &audited))
	require.Equal(t, 2, audited)
}

// An iS3000 location has demo licenses too; its file opens the iS3000
// features, VERSION parts at their version (LIC-10).
func TestDemoLicense_IS3000(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	loc := createLocation(t, env, lmstest.DealerY, "IS3000", map[string]any{"hardwareKeyCode": "aa0014" + strings.ToLower(randomHex(14)) + "AA"})
	require.Equal(t, 2, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID))

	f := waitFile(t, env, lmstest.DealerY, mustGenerateDemo(t, env, lmstest.DealerY, loc.ID))
	zip, _ := download(t, env, lmstest.DealerY, f)
	v, err := format.Verify(zip, keys(env))
	require.NoError(t, err)
	pl := v.Payloads[0]
	require.Equal(t, pl.IssuedAt.AddDate(0, 0, 30), *pl.ExpiresAt)
	got := map[string]string{}
	for _, ft := range pl.Features {
		got[ft.PartNumber] = ft.Amount()
	}
	want := allFeaturesOf(t, "IS3000")
	require.Equal(t, want, got)
	require.Equal(t, "V20151", got["EU92067151"], "Lic 073 opens at its version")
	require.Equal(t, 1, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID))
}

// System types without the catalog flag have no demo licenses: the counter
// is null and a request is NOT_APPLICABLE; another dealer's location is
// NOT_FOUND, like a missing one (ACT-3).
func TestDemoLicense_Refused(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})

	for _, tt := range []struct{ systemType, hwkc string }{
		{"SL1000", "28" + randomHex(10)},
		{"SV9100_CP10", "34" + randomHex(10)},
	} {
		loc := createLocation(t, env, lmstest.DealerY, tt.systemType, map[string]any{"hardwareKeyCode": tt.hwkc})
		require.Nil(t, demoLicensesLeft(t, env, lmstest.DealerY, loc.ID), tt.systemType)
		p := generateDemo(t, env, lmstest.DealerY, loc.ID, true)
		e := requireError(t, p.Errors, "NOT_APPLICABLE")
		require.Equal(t, []string{"input", "locationId"}, e.Field)
		require.Nil(t, p.LicenseFile)
		require.Empty(t, demoFilesOf(t, env, loc))
	}

	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	p := generateDemo(t, env, lmstest.DealerZ, loc.ID, true)
	e := requireError(t, p.Errors, "NOT_FOUND")
	require.Equal(t, []string{"input", "locationId"}, e.Field)
	missing := generateDemo(t, env, lmstest.DealerZ, base64.RawURLEncoding.EncodeToString([]byte("Location:"+uuid.NewString())), true)
	requireError(t, missing.Errors, "NOT_FOUND")
	require.Equal(t, e.Message, missing.Errors[0].Message, "another dealer's location reads like a missing one")
	require.Empty(t, demoFilesOf(t, env, loc))
	require.Equal(t, 2, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID))

	t.Log("the counter is not told to another dealer either")
	var got struct {
		Node *struct{ DemoLicensesLeft *int }
	}
	env.Query(t, lmstest.DealerZ, `query($id: ID!) { node(id: $id) { ... on Location { demoLicensesLeft } } }`, map[string]any{"id": loc.ID}).Decode(t, &got)
	require.Nil(t, got.Node)
}

// Five requests at once on a fresh location: the location lock lets them
// in one at a time, so exactly two get a demo license (LIC-10).
func TestDemoLicense_Concurrent(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})

	const racers = 5
	type result struct {
		P   demoPayload
		Err error
	}
	results := lmstest.Together(racers, func(int) result {
		p, err := lmstest.PostMutation[demoPayload](env, lmstest.DealerY, "generateDemoLicense", demoSelection,
			map[string]any{"locationId": loc.ID, "acceptAgreement": true})
		return result{p, err}
	})
	won, refused := 0, 0
	versions := map[int]bool{}
	for i, r := range results {
		require.NoError(t, r.Err, "request %d", i)
		if len(r.P.Errors) == 0 {
			won++
			require.NotNil(t, r.P.LicenseFile, "request %d", i)
			require.False(t, versions[r.P.LicenseFile.Version], "version %d given twice", r.P.LicenseFile.Version)
			versions[r.P.LicenseFile.Version] = true
			continue
		}
		refused++
		require.Equal(t, []string{"NO_DEMO_LICENSES_LEFT"}, codes(r.P.Errors), "request %d: %+v", i, r.P.Errors)
	}
	require.Equal(t, 2, won)
	require.Equal(t, racers-2, refused)
	require.Equal(t, map[string]int{"PENDING": 2}, demoFilesOf(t, env, loc))
	require.Equal(t, 0, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID))
}

// A demo generation that failed for good does not use up a demo license:
// the user may ask again (LIC-10).
func TestDemoLicense_FailedGenerationDoesNotCount(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	fileID := mustGenerateDemo(t, env, lmstest.DealerY, loc.ID)
	require.Equal(t, 1, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID))

	cause := errors.New("worker gave up")
	err := env.Server.Graph.Services.Files.GiveUp(context.Background(), lmstest.UUIDOf(t, fileID), cause)
	require.ErrorIs(t, err, cause)
	require.Equal(t, map[string]int{"FAILED": 1}, demoFilesOf(t, env, loc))
	require.Equal(t, 2, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID))
	mustGenerateDemo(t, env, lmstest.DealerY, loc.ID)
	mustGenerateDemo(t, env, lmstest.DealerY, loc.ID)
	requireError(t, generateDemo(t, env, lmstest.DealerY, loc.ID, true).Errors, "NO_DEMO_LICENSES_LEFT")
}

// A list of locations shows each one's counter: used, unused, and none
// for a system type without demo licenses.
func TestDemoLicense_LeftInLists(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	used := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	unused := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	none := createLocation(t, env, lmstest.DealerY, "SL1000", map[string]any{"hardwareKeyCode": "28" + randomHex(10)})
	mustGenerateDemo(t, env, lmstest.DealerY, used.ID)

	var got struct {
		Locations struct {
			Edges []struct {
				Node struct {
					ID               string
					DemoLicensesLeft *int
				}
			}
		}
	}
	env.Query(t, lmstest.DealerY, `{ locations(first: 50) { edges { node { id demoLicensesLeft } } } }`, nil).Decode(t, &got)
	left := map[string]*int{}
	for _, e := range got.Locations.Edges {
		left[e.Node.ID] = e.Node.DemoLicensesLeft
	}
	require.Equal(t, 1, *left[used.ID])
	require.Equal(t, 2, *left[unused.ID])
	require.Contains(t, left, none.ID)
	require.Nil(t, left[none.ID])
}
