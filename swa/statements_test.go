package swa_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// unitBinPage is the SWA unit bin as a front end shows it (SWA-2): the
// totals and every order with its partner and part.
const unitBinPage = `query($p: ID) { swaUnitBin(partnerId: $p) { unAllocated allocated available
  orders(first: 250) { totalCount edges { node { id salesOrder purchaseOrder quantity available expiresOn partner { name } part { number name } } } } } }`

type unitBinPageAnswer struct {
	SwaUnitBin struct {
		UnAllocated, Allocated, Available int
		Orders                            struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, SalesOrder, PurchaseOrder, ExpiresOn string
					Quantity, Available                      int
					Partner                                  struct{ Name string }
					Part                                     struct{ Number, Name string }
				}
			}
		}
	}
}

// The N+1 guard of the SWA unit bin (SWA-2): 10 orders and 200 orders, with
// their partner and part, are read with the same number of SQL statements,
// by the dealer and by the license desk naming the dealer or seeing all.
func TestSwaUnitBinStatementsDoNotGrowWithOrders(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	start := time.Now()
	for i := range 10 {
		shipUnits(t, env, lmstest.DealerZ, fmt.Sprintf("SO-Z-%03d", i), 10+i, "2031-12-31")
	}
	for i := range 200 {
		shipUnits(t, env, lmstest.DealerY, fmt.Sprintf("SO-Y-%03d", i), 10+i, fmt.Sprintf("2031-%02d-28", 1+i%12))
	}
	t.Logf("shipped 210 SWA unit orders through the API in %s", time.Since(start))

	read := func(user string, partnerID any, orders int, partners ...string) int {
		resp := env.Query(t, user, unitBinPage, map[string]any{"p": partnerID})
		var got unitBinPageAnswer
		resp.Decode(t, &got)
		b := got.SwaUnitBin
		require.Equal(t, orders, b.Orders.TotalCount)
		require.Len(t, b.Orders.Edges, orders)
		for _, e := range b.Orders.Edges {
			require.Contains(t, partners, e.Node.Partner.Name)
			require.Equal(t, "BE112031", e.Node.Part.Number)
			require.NotEmpty(t, e.Node.Part.Name)
		}
		return resp.Statements()
	}
	zoePartner, yaraPartner := lmstest.PartnerID(t, env, lmstest.DealerZ), lmstest.PartnerID(t, env, lmstest.DealerY)
	small, large := read(lmstest.DealerZ, nil, 10, "Dealer Z"), read(lmstest.DealerY, nil, 200, "Dealer Y")
	t.Logf("swaUnitBin as a dealer: %d statements for 10 orders, %d for 200", small, large)
	require.Positive(t, small)
	require.Equal(t, small, large, "statement count must not grow with the orders")

	adminSmall, adminLarge := read(lmstest.Admin, zoePartner, 10, "Dealer Z"), read(lmstest.Admin, yaraPartner, 200, "Dealer Y")
	adminAll := read(lmstest.Admin, nil, 210, "Dealer Y", "Dealer Z")
	t.Logf("swaUnitBin as the license desk: %d statements for Dealer Z's 10 orders, %d for Dealer Y's 200, %d for all 210", adminSmall, adminLarge, adminAll)
	require.Equal(t, adminSmall, adminLarge, "statement count must not grow with the orders")
	require.Equal(t, adminSmall, adminAll, "nor with their partners")
}

// prospectivePage is the list of prospective SWA locations (SWA-7b) with
// what each shows of its SWA.
const prospectivePage = `query($s: String) { prospectiveSwaLocations(search: $s, first: 250) { totalCount edges { node { id name hardwareKeyCode
  customer { name } swa { status monthlyRate graceEndsOn application { code } agreement { number } pendingActivation { timeLeft } } } } } }`

type prospectivePageAnswer struct {
	ProspectiveSwaLocations struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID, Name, HardwareKeyCode string
				Customer                  struct{ Name string }
				Swa                       []struct {
					Status, MonthlyRate string
					GraceEndsOn         *string
					Application         struct{ Code string }
					Agreement           *struct{ Number string }
					PendingActivation   *struct{ TimeLeft string }
				}
			}
		}
	}
}

// The N+1 guard of the prospective SWA locations (SWA-7b): 10 and 200
// locations in their grace period, each with its SWA, are read with the
// same number of SQL statements.
func TestProspectiveSwaLocationsStatementsDoNotGrowWithLocations(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	start := time.Now()
	sv8100Sites(t, env, lmstest.DealerZ, "Zoe prospect", 10)
	sv8100Sites(t, env, lmstest.DealerY, "Yara prospect", 200)
	t.Logf("activated licenses at 210 locations through the API in %s", time.Since(start))

	read := func(user string, n int) int {
		resp := env.Query(t, user, prospectivePage, nil)
		var got prospectivePageAnswer
		resp.Decode(t, &got)
		l := got.ProspectiveSwaLocations
		require.Equal(t, n, l.TotalCount)
		require.Len(t, l.Edges, n)
		for _, e := range l.Edges {
			require.Len(t, e.Node.Swa, 1, e.Node.Name)
			s := e.Node.Swa[0]
			require.Equal(t, "GRACE", s.Status)
			require.Equal(t, "2", s.MonthlyRate)
			require.Equal(t, "2030-06-30", *s.GraceEndsOn)
			require.Equal(t, "SV8100", s.Application.Code)
			require.Nil(t, s.Agreement)
			require.Nil(t, s.PendingActivation)
		}
		return resp.Statements()
	}
	small, large := read(lmstest.DealerZ, 10), read(lmstest.DealerY, 200)
	t.Logf("prospectiveSwaLocations: %d statements for 10 locations, %d for 200", small, large)
	require.Positive(t, small)
	require.Equal(t, small, large, "statement count must not grow with the locations")
}
