package replacement_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// requestsAt files one request at each of n new SV8100 locations of user's
// partner, each with a license activated from one shipped line, and
// returns the requests' ids.
func requestsAt(t *testing.T, env *lmstest.Env, user, name string, n int) []string {
	t.Helper()
	line := shipLine(t, env, user, "BE107582", n)
	cust := newCustomer(t, env, user, "Customer of "+name)
	ids := make([]string, n)
	for i := range n {
		loc := createLocation(t, env, user, cust, map[string]any{"systemType": "SV8100", "name": fmt.Sprintf("%s %02d", name, i), "hardwareKeyCode": sv8100Code()})
		activate(t, env, user, loc.ID, line, 1)
		req, errs := requestReplacement(t, env, user, loc.ID, loc.HardwareKeyCode, sv8100Code())
		require.Empty(t, errs)
		ids[i] = req.ID
	}
	return ids
}

// Each partner reads its own requests, a distributor also those of the
// dealer it ships to (named, without the dealer's locations and files),
// the license desk all; another partner's request reads like a missing one
// through node, and a cursor of one tenant's list is refused in another's
// (ACT-3, HWR-2).
func TestHardwareReplacementRequestsTenantIsolation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	yara := requestsAt(t, env, lmstest.DealerY, "Yara", 2)
	zoe := requestsAt(t, env, lmstest.DealerZ, "Zoe", 1)

	idsOf := func(rs []apiRequest) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.ID
		}
		return out
	}
	require.Equal(t, yara, idsOf(queue(t, env, lmstest.DealerY, nil)), "oldest first")
	require.Equal(t, yara, idsOf(queue(t, env, lmstest.DealerY2, "PENDING")))
	require.Empty(t, queue(t, env, lmstest.DealerY, "COMPLETED"))
	require.Equal(t, zoe, idsOf(queue(t, env, lmstest.DealerZ, nil)))
	require.Equal(t, append(append([]string{}, yara...), zoe...), idsOf(queue(t, env, lmstest.Admin, nil)))

	dist := queue(t, env, lmstest.Distributor, nil)
	require.Equal(t, yara, idsOf(dist), "the distributor ships to Dealer Y, not to Dealer Z")
	for _, r := range dist {
		require.Equal(t, "Dealer Y", r.Partner.Name)
		require.Equal(t, "Customer of Yara", r.CustomerName)
		require.Nil(t, r.Location, "not the dealer's location")
		require.Nil(t, r.EmergencyLicenseFile, "nor its files")
		require.NotNil(t, r.EmergencyLicenseFileExpiresAt)
	}
	mine := request(t, env, lmstest.DealerY, yara[0])
	require.NotNil(t, mine.Location)
	require.NotNil(t, mine.EmergencyLicenseFile)

	require.Nil(t, request(t, env, lmstest.DealerZ, yara[0]), "another dealer's request is like a missing one")
	require.Nil(t, request(t, env, lmstest.Distributor, zoe[0]), "so is a dealer's the distributor does not ship to")
	require.Nil(t, request(t, env, lmstest.DealerY, zoe[0]))
	require.NotNil(t, request(t, env, lmstest.Admin, zoe[0]))
	rejected := resolve(t, env, lmstest.DealerZ, yara[0], "REJECT", "not yours")
	require.Equal(t, []string{"FORBIDDEN"}, codes(rejected.Errors))

	t.Log("a cursor is bound to its tenant and filter")
	var page struct {
		HardwareReplacementRequests struct{ PageInfo struct{ EndCursor string } }
	}
	env.Query(t, lmstest.DealerY, `{ hardwareReplacementRequests(first: 1) { pageInfo { endCursor } } }`, nil).Decode(t, &page)
	for _, user := range []string{lmstest.DealerZ, lmstest.Distributor, lmstest.Admin} {
		resp := env.Query(t, user, `query($a: String) { hardwareReplacementRequests(first: 1, after: $a) { totalCount } }`,
			map[string]any{"a": page.HardwareReplacementRequests.PageInfo.EndCursor})
		require.Len(t, resp.Errors, 1, user)
		require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code(), user)
	}
}

// requestsPage is the license desk's queue as a front end shows it, with
// what each request links to.
const requestsPage = `query($s: HardwareReplacementRequestStatus) { hardwareReplacementRequests(status: $s, first: 250) { totalCount
  edges { node { ` + requestFields + ` location { name customer { name } systemType { name } }
  emergencyLicenseFile { location { name } } } } } }`

// The N+1 guard of the hardware replacement queue: 3 and 30 requests, with
// their partners, system types, locations and files, are read with the
// same number of SQL statements, by a dealer and by the license desk.
func TestHardwareReplacementRequestsStatements(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	start := time.Now()
	requestsAt(t, env, lmstest.DealerZ, "Zoe", 3)
	yara := requestsAt(t, env, lmstest.DealerY, "Yara", 30)
	t.Logf("filed 33 requests at 33 activated locations through the API in %s", time.Since(start))
	// Some completed, so that the permanent files are in the page too.
	for _, id := range yara[:5] {
		require.Empty(t, resolve(t, env, lmstest.Admin, id, "COMPLETE", "").Errors)
	}

	read := func(user string, status any, n int) int {
		resp := env.Query(t, user, requestsPage, map[string]any{"s": status})
		var got struct {
			HardwareReplacementRequests struct {
				TotalCount int
				Edges      []struct{ Node apiRequest }
			}
		}
		resp.Decode(t, &got)
		require.Equal(t, n, got.HardwareReplacementRequests.TotalCount)
		require.Len(t, got.HardwareReplacementRequests.Edges, n)
		for _, e := range got.HardwareReplacementRequests.Edges {
			require.NotNil(t, e.Node.Location)
			require.NotNil(t, e.Node.EmergencyLicenseFile)
			require.Equal(t, e.Node.Status == "COMPLETED", e.Node.LicenseFile != nil)
		}
		return resp.Statements()
	}
	small, large := read(lmstest.DealerZ, nil, 3), read(lmstest.DealerY, nil, 30)
	t.Logf("hardwareReplacementRequests as a dealer: %d statements for 3 requests, %d for 30", small, large)
	require.Positive(t, small)
	require.Equal(t, small, large, "statement count must not grow with the requests")
	adminPending, adminAll := read(lmstest.Admin, "PENDING", 28), read(lmstest.Admin, nil, 33)
	t.Logf("hardwareReplacementRequests as the license desk: %d statements for 28 pending, %d for all 33", adminPending, adminAll)
	require.Equal(t, small, adminAll, "nor with the partners")
	require.Equal(t, adminPending, adminAll)
}
