package swa_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/actor"
	"lms/apperr"
	"lms/lmstest"
	"lms/server"
	"lms/swa"
	"lms/swa/quote"
)

// RenewalQuote co-terms a location's agreement (SWA-10): renewed from the
// day after it ends while it runs, from the activation moment with the
// reinstatement fee once it has expired, for a customer as for its
// location; a renewal shorter than 12 months fails the quote.
func TestRenewalQuote(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{Config: func(c *server.Config) { c.SwaCoolingOff = time.Hour }})
	svc := env.Server.Graph.Services
	svc.Licenses.Now = func() time.Time { return day("2014-12-15") }
	svc.Swa.Now = func() time.Time { return day("2015-06-30") }
	loc := activatedLocation(t, env, lmstest.DealerY, "IS3000", "SIP@Net Server", "aa0014SA2792654399AA", sipNetServer...)
	shipUnits(t, env, lmstest.DealerY, "SO-SWA-RENEW", 400, "2018-01-31")
	act, errs := assign(t, env, lmstest.DealerY, loc, 12, "")
	require.Empty(t, errs)
	ag, errs := processNow(t, env, lmstest.DealerY, act.ID)
	require.Empty(t, errs)
	require.Equal(t, "2016-06-30", ag.EndsOn)

	ctx := context.Background()
	a, err := env.Server.Tokens.Authenticate(ctx, env.Tokens[lmstest.DealerY])
	require.NoError(t, err)
	ctx = actor.With(ctx, a)
	locID := lmstest.UUIDOf(t, loc)
	months := func(n int) *int { return &n }
	date := func(s string) time.Time { return quote.Day(day(s)) }

	// While it runs: from 01-07-2016. Twelve months from 15-05-2016 end on
	// 31-05-2017, 11 months of renewal: not enough on its own.
	svc.Swa.Now = func() time.Time { return day("2016-05-15") }
	q, err := svc.Swa.RenewalQuote(ctx, swa.RenewalQuoteInput{LocationID: &locID})
	require.NoError(t, err)
	require.Equal(t, date("2017-05-31"), q.EndsOn)
	require.Len(t, q.Lines, 1)
	require.Equal(t, date("2016-07-01"), q.Lines[0].StartsOn)
	require.Equal(t, 11, q.Lines[0].Months)
	require.Equal(t, "at least one location must renew for 12 months or more; the longest renewal here covers 11", q.Failure)
	require.Zero(t, q.Units)

	// Thirteen months: 12 months of renewal, 66 units; the customer's
	// renewal is the same.
	q, err = svc.Swa.RenewalQuote(ctx, swa.RenewalQuoteInput{LocationID: &locID, Months: months(13)})
	require.NoError(t, err)
	require.Empty(t, q.Failure)
	require.Equal(t, date("2017-06-30"), q.EndsOn)
	require.Equal(t, 12, q.Lines[0].Months)
	require.Equal(t, 66, q.Units)
	require.Equal(t, 400-66-17, q.UnitsAvailable, "the 12 months assigned and their 3 months of reinstatement are spent")
	custID := q.Lines[0].Location.CustomerID
	byCustomer, err := svc.Swa.RenewalQuote(ctx, swa.RenewalQuoteInput{CustomerID: &custID, Months: months(13)})
	require.NoError(t, err)
	require.Equal(t, q.Lines[0].RenewalLine, byCustomer.Lines[0].RenewalLine)
	deselected, err := svc.Swa.RenewalQuote(ctx, swa.RenewalQuoteInput{CustomerID: &custID, Deselected: []uuid.UUID{locID}})
	require.NoError(t, err)
	require.Empty(t, deselected.Lines)

	// Expired on 30-06-2016: renewed from the activation moment, 10-09-2016,
	// to 30-09-2017, 13 months rounded up (72 units) plus 3 lapsed months
	// (17 units).
	svc.Swa.Now = func() time.Time { return day("2016-09-10") }
	q, err = svc.Swa.RenewalQuote(ctx, swa.RenewalQuoteInput{LocationID: &locID})
	require.NoError(t, err)
	l := q.Lines[0]
	require.Equal(t, date("2016-09-10"), l.StartsOn)
	require.Equal(t, date("2017-09-30"), l.EndsOn)
	require.Equal(t, 13, l.Months)
	require.Equal(t, 3, l.LapsedMonths)
	require.Equal(t, 17, l.ReinstatementUnits)
	require.Equal(t, 72+17, q.Units)

	// A renewal leaves out at most 1,000 locations.
	_, err = svc.Swa.RenewalQuote(ctx, swa.RenewalQuoteInput{CustomerID: &custID, Deselected: make([]uuid.UUID, 1001)})
	require.ErrorContains(t, err, "VALIDATION_FAILED: leave out at most 1000 locations")

	// Another partner's location reads as missing.
	other, err := env.Server.Tokens.Authenticate(context.Background(), env.Tokens[lmstest.DealerZ])
	require.NoError(t, err)
	_, err = svc.Swa.RenewalQuote(actor.With(context.Background(), other), swa.RenewalQuoteInput{LocationID: &locID})
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "%v", err)
}

// renewalQuoteQuery is the renewal page of a customer as a front end asks
// for it.
const renewalQuoteQuery = `query($customer: ID!, $months: Int) { swaRenewalQuote(customerId: $customer, months: $months) {
  activationOn endsOn units unitsAvailable failure
  lines { location { name hardwareKeyCode } application { code name } currentAgreement { number endsOn }
    startsOn endsOn months lapsedMonths reinstatementUnits units failure } } }`

type renewalQuoteAnswer struct {
	SwaRenewalQuote struct {
		EndsOn  string
		Units   int
		Failure *string
		Lines   []struct {
			Location         struct{ Name string }
			Application      struct{ Code string }
			CurrentAgreement *struct{ Number, EndsOn string }
			StartsOn, EndsOn *string
			Months, Units    int
			Failure          *string
		}
	}
}

// TestSwaRenewalQuoteStatements reads the renewal quote of a customer with
// 5 locations under SWA and of one with 50 over HTTP with the same
// statements; every line renews to the common end.
func TestSwaRenewalQuoteStatements(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, Config: func(c *server.Config) { c.SwaCoolingOff = time.Hour }})
	shipUnits(t, env, lmstest.DealerY, "SO-SWA-RENEWALS", 5000, time.Now().AddDate(3, 0, 0).Format(time.DateOnly))
	customer := func(tag string, n int) string {
		locs := activatedLocations(t, env, tag, n, 1)
		for _, loc := range locs {
			a, err := postAssign(env, lmstest.DealerY, loc, 12)
			require.NoError(t, err)
			require.Empty(t, a.Errors)
			p, err := postProcessNow(env, lmstest.DealerY, a.Activation.ID)
			require.NoError(t, err)
			require.Empty(t, p.Errors)
		}
		var got struct {
			Node struct{ Customer struct{ ID string } }
		}
		env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { customer { id } } } }`, map[string]any{"id": locs[0]}).Decode(t, &got)
		return got.Node.Customer.ID
	}
	small, large := customer("RENEW-S", 5), customer("RENEW-L", 50)

	read := func(cust string, n int) int {
		t.Helper()
		resp := env.Query(t, lmstest.DealerY, renewalQuoteQuery, map[string]any{"customer": cust, "months": 36})
		var got renewalQuoteAnswer
		resp.Decode(t, &got)
		q := got.SwaRenewalQuote
		if q.Failure != nil {
			t.Fatalf("quote failed: %s; lines %+v", *q.Failure, q.Lines)
		}
		require.Len(t, q.Lines, n)
		total := 0
		for _, l := range q.Lines {
			require.Nil(t, l.Failure, "%s", l.Location.Name)
			require.Equal(t, "SV9100", l.Application.Code)
			require.NotNil(t, l.CurrentAgreement)
			require.Equal(t, q.EndsOn, *l.EndsOn, "co-termed")
			require.Greater(t, *l.StartsOn, l.CurrentAgreement.EndsOn, "renewed from the day after the agreement ends")
			require.Positive(t, l.Months)
			require.Equal(t, l.Months, l.Units, "one unit a month: BE114044 weighs 1, no factor below 24 months")
			total += l.Units
		}
		require.Equal(t, total, q.Units)
		return resp.Statements()
	}
	s, l := read(small, 5), read(large, 50)
	t.Logf("swaRenewalQuote: %d statements for 5 locations, %d for 50", s, l)
	require.Equal(t, s, l, "the statements do not grow with the locations")

	// Another partner's customer reads as missing.
	resp := env.Query(t, lmstest.DealerZ, renewalQuoteQuery, map[string]any{"customer": small})
	require.Equal(t, "NOT_FOUND", resp.Errors[0].Code())
}
