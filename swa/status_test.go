package swa_test

// Statuses, dates and the refusals of SWA over the API with the clock
// moved (SWA-5..SWA-9, SPEC §11).

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// swaView is Location.swa of a location with one application.
type swaView struct {
	Status, MonthlyRate        string
	GraceStartsOn, GraceEndsOn *string
	Agreement                  *struct{ Number, StartsOn, EndsOn string }
	History                    []struct{ Number string }
	PendingActivation          *struct{ ID, TimeLeft string }
}

// locationSwa reads Location.swa of a location with one application, and
// checks that its quote says the same status.
func locationSwa(t *testing.T, env *lmstest.Env, user, locationID string) swaView {
	t.Helper()
	var got struct {
		Node     struct{ Swa []swaView }
		SwaQuote struct{ Status string }
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { swa { status monthlyRate graceStartsOn graceEndsOn
		agreement { number startsOn endsOn } history { number } pendingActivation { id timeLeft } } } }
		swaQuote(locationId: $id) { status } }`, map[string]any{"id": locationID}).Decode(t, &got)
	require.Len(t, got.Node.Swa, 1)
	require.Equal(t, got.Node.Swa[0].Status, got.SwaQuote.Status, "Location.swa and swaQuote agree")
	return got.Node.Swa[0]
}

// prospects lists the names of user's prospective SWA locations matching
// search.
func prospects(t *testing.T, env *lmstest.Env, user, search string) []string {
	t.Helper()
	var got struct {
		ProspectiveSwaLocations struct {
			Edges []struct{ Node struct{ Name string } }
		}
	}
	env.Query(t, user, prospectiveQuery, map[string]any{"s": search}).Decode(t, &got)
	out := []string{}
	for _, e := range got.ProspectiveSwaLocations.Edges {
		out = append(out, e.Node.Name)
	}
	return out
}

// timeLeft reads an assignment's time left.
func timeLeft(t *testing.T, env *lmstest.Env, user, activationID string) string {
	t.Helper()
	var got struct{ Node struct{ TimeLeft string } }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on SwaActivation { timeLeft } } }`,
		map[string]any{"id": activationID}).Decode(t, &got)
	return got.Node.TimeLeft
}

// A location's SWA through its life, the clock moved from its first
// activation on: GRACE (a prospective SWA location, found by name and
// HWKC) until the end of the quarter after the activation's; PENDING with
// the time left counting down; ACTIVE from the day after the grace period
// (the guide's SWA-6 example: first activation in Q1 2013, assigned
// 26-03-2013 for 12 months → 01-07-2013 .. 30-06-2014, suffix N);
// RENEWABLE from 90 days before its end until 12 months after; then
// EXPIRED. A location left without SWA is NONE once its grace period ends.
func TestSwaStatusesOverTime(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true, Config: func(c *server.Config) { c.SwaCoolingOff = 24 * time.Hour }})
	c := newClock(env, "2013-02-15")
	harbour := sv8100Site(t, env, lmstest.DealerY, "Harbour Office")
	quiet := sv8100Site(t, env, lmstest.DealerY, "Quiet Farm")
	shipUnits(t, env, lmstest.DealerY, "SO-LIFE", 200, "2016-12-31")

	c.set("2013-03-26")
	s := locationSwa(t, env, lmstest.DealerY, harbour.ID)
	require.Equal(t, "GRACE", s.Status)
	require.Equal(t, "2", s.MonthlyRate)
	require.Equal(t, "2013-02-15", *s.GraceStartsOn)
	require.Equal(t, "2013-06-30", *s.GraceEndsOn)
	require.Nil(t, s.Agreement)
	require.Nil(t, s.PendingActivation)
	require.Equal(t, []string{harbour.Name, quiet.Name}, prospects(t, env, lmstest.DealerY, ""))
	require.Equal(t, []string{harbour.Name}, prospects(t, env, lmstest.DealerY, "Harbour"), "by name")
	require.Equal(t, []string{harbour.Name}, prospects(t, env, lmstest.DealerY, "bour off"), "by part of the name")
	require.Equal(t, []string{harbour.Name}, prospects(t, env, lmstest.DealerY, harbour.HardwareKeyCode), "by HWKC")
	require.Equal(t, []string{harbour.Name}, prospects(t, env, lmstest.DealerY, harbour.HardwareKeyCode[3:9]), "by part of the HWKC")
	require.Empty(t, prospects(t, env, lmstest.DealerY, "Lighthouse"))

	q := swaQuote(t, env, lmstest.DealerY, harbour.ID)
	require.True(t, q.InGrace)
	require.Equal(t, 0, q.LapsedMonths)
	require.Equal(t, 0, q.ReinstatementUnits)
	require.Equal(t, 200, q.UnitsAvailable)
	require.Len(t, q.Terms, 4)
	for i, want := range []struct {
		months, units    int
		startsOn, endsOn string
	}{{12, 24, "2013-07-01", "2014-06-30"}, {24, 47, "2013-07-01", "2015-06-30"}, {36, 69, "2013-07-01", "2016-06-30"}} {
		got := q.Terms[i]
		require.Equal(t, []any{want.months, want.units, want.startsOn, want.endsOn}, []any{got.Months, got.Units, *got.StartsOn, *got.EndsOn})
	}
	require.Equal(t, 0, q.Terms[3].Months, `"activate later"`)
	require.Equal(t, 0, q.Terms[3].Units)

	// Assigned at noon: pending for 24 hours, counting down.
	act, errs := assign(t, env, lmstest.DealerY, harbour.ID, 12, "")
	require.Empty(t, errs)
	require.Equal(t, "PENDING", act.Status)
	require.Equal(t, 24, act.Units)
	require.Equal(t, "24:00", act.TimeLeft)
	require.Equal(t, "2013-03-27T12:00:00Z", act.DueAt)
	require.Nil(t, act.Agreement)
	c.advance(90*time.Minute + 30*time.Second)
	s = locationSwa(t, env, lmstest.DealerY, harbour.ID)
	require.Equal(t, "PENDING", s.Status)
	require.Equal(t, act.ID, s.PendingActivation.ID)
	require.Equal(t, "22:30", s.PendingActivation.TimeLeft, "hh:mm, rounded up to the minute")
	require.Equal(t, []string{quiet.Name}, prospects(t, env, lmstest.DealerY, ""), "a pending location is no prospect")
	c.at(day("2013-03-27").Add(-30 * time.Second))
	require.Equal(t, "00:01", timeLeft(t, env, lmstest.DealerY, act.ID))
	c.at(day("2013-03-27").Add(time.Minute))
	require.Equal(t, "00:00", timeLeft(t, env, lmstest.DealerY, act.ID), "due: the job activates it")

	ag, errs := processNow(t, env, lmstest.DealerY, act.ID)
	require.Empty(t, errs)
	require.Regexp(t, `^50190-[A-Z]{4}[0-9]{5}-N$`, ag.Number)
	require.Equal(t, []any{"2013-07-01", "2014-06-30", 24, 12}, []any{ag.StartsOn, ag.EndsOn, ag.Units, ag.TermMonths})
	require.Equal(t, "00:00", timeLeft(t, env, lmstest.DealerY, act.ID))
	b := bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{176, 0, 176}, []int{b.UnAllocated, b.Allocated, b.Available})

	for _, tc := range []struct{ date, status string }{
		{"2013-03-28", "ACTIVE"}, // before its start: the agreement is what counts
		{"2013-07-01", "ACTIVE"},
		{"2014-03-31", "ACTIVE"}, // 91 days before the end
		{"2014-04-01", "RENEWABLE"},
		{"2014-06-30", "RENEWABLE"},
		{"2014-07-01", "RENEWABLE"}, // ended yesterday
		{"2015-06-29", "RENEWABLE"},
		{"2015-06-30", "EXPIRED"}, // ended 12 months ago
		{"2017-01-01", "EXPIRED"},
	} {
		c.set(tc.date)
		s := locationSwa(t, env, lmstest.DealerY, harbour.ID)
		require.Equal(t, tc.status, s.Status, tc.date)
		require.Equal(t, ag.Number, s.Agreement.Number, tc.date)
		require.Len(t, s.History, 1)
		require.Nil(t, s.PendingActivation)
	}

	// Quiet Farm never got SWA: a prospect on the last day of its grace
	// period, NONE the day after.
	c.set("2013-06-30")
	require.Equal(t, "GRACE", locationSwa(t, env, lmstest.DealerY, quiet.ID).Status)
	require.Equal(t, []string{quiet.Name}, prospects(t, env, lmstest.DealerY, ""))
	c.set("2013-07-01")
	require.Equal(t, "NONE", locationSwa(t, env, lmstest.DealerY, quiet.ID).Status)
	require.Empty(t, prospects(t, env, lmstest.DealerY, ""))
}

// assignIn runs assignSwa with the given input as user.
func assignIn(t *testing.T, env *lmstest.Env, user string, in map[string]any) (*activation, []userError) {
	t.Helper()
	p := lmstest.Mutate[struct {
		Activation *activation
		Errors     []userError
	}](t, env, user, "assignSwa", "activation { "+activationFields+" }", in)
	return p.Activation, p.Errors
}

// The refusals of assignSwa, processSwaImmediately and cancelSwaActivation
// (SWA-7, SWA-8, SPEC §11), each on its field and changing nothing.
func TestSwaRefusals(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	c := newClock(env, "2030-02-15")
	sites := sv8100Sites(t, env, lmstest.DealerY, "Refused", 3)
	attachedOnly := newSites(t, env, lmstest.DealerY, "Attached only", 1, false)[0]
	// Units that expire before they are needed, and 30 that do not: 12
	// months take 24.
	shipUnits(t, env, lmstest.DealerY, "SO-EXPIRING", 500, "2030-02-28")
	shipUnits(t, env, lmstest.DealerY, "SO-LASTING", 30, "2031-12-31")
	c.set("2030-03-01")
	before := bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{30, 0, 30}, []int{before.UnAllocated, before.Allocated, before.Available}, "expired units do not count")

	in := func(loc string, change func(map[string]any)) map[string]any {
		m := map[string]any{"locationId": loc, "termMonths": 12, "authoriseUnits": true}
		if change != nil {
			change(m)
		}
		return m
	}
	for name, tc := range map[string]struct {
		in    map[string]any
		code  string
		field []string
	}{
		"units not authorised": {in(sites[0].ID, func(m map[string]any) { m["authoriseUnits"] = false }), "UNITS_NOT_AUTHORISED", []string{"input", "authoriseUnits"}},
		"a term not offered":   {in(sites[0].ID, func(m map[string]any) { m["termMonths"] = 18 }), "VALIDATION_FAILED", []string{"input", "termMonths"}},
		"a term of another product": {in(sites[0].ID, func(m map[string]any) { m["termMonths"] = 60 }), "VALIDATION_FAILED",
			[]string{"input", "termMonths"}},
		"no term":                {in(sites[0].ID, func(m map[string]any) { m["termMonths"] = 0 }), "VALIDATION_FAILED", []string{"input", "termMonths"}},
		"licenses only attached": {in(attachedOnly.ID, nil), "NOT_APPLICABLE", []string{"input", "locationId"}},
		"an unknown application": {in(sites[0].ID, func(m map[string]any) { m["application"] = "IS3000" }), "NOT_APPLICABLE",
			[]string{"input", "application"}},
		"not enough units": {in(sites[0].ID, func(m map[string]any) { m["termMonths"] = 24 }), "INSUFFICIENT_SWA_UNITS", nil},
	} {
		act, errs := assignIn(t, env, lmstest.DealerY, tc.in)
		require.Nil(t, act, name)
		require.Equal(t, []string{tc.code}, codes(errs), name)
		if tc.field != nil {
			require.Equal(t, tc.field, errs[0].Field, name)
		}
	}
	require.Equal(t, before, bin(t, env, lmstest.DealerY), "the refusals took nothing")

	// A second assignment while one is PENDING, or while the agreement is
	// ACTIVE.
	pending, errs := assign(t, env, lmstest.DealerY, sites[0].ID, 12, "")
	require.Empty(t, errs)
	_, errs = assign(t, env, lmstest.DealerY, sites[0].ID, 12, "")
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(errs), "while PENDING")
	_, errs = assign(t, env, lmstest.DealerY, sites[1].ID, 12, "")
	require.Equal(t, []string{"INSUFFICIENT_SWA_UNITS"}, codes(errs), "6 units left")

	for _, reason := range []string{"", "   "} {
		p := lmstest.Mutate[struct {
			Agreement *agreement
			Errors    []userError
		}](t, env, lmstest.DealerY, "processSwaImmediately", "agreement { id }", map[string]any{"activationId": pending.ID, "reason": reason})
		require.Nil(t, p.Agreement)
		require.Equal(t, []string{"VALIDATION_FAILED"}, codes(p.Errors), "reason %q", reason)
		require.Equal(t, []string{"input", "reason"}, p.Errors[0].Field)
	}
	require.Equal(t, "PENDING", locationSwa(t, env, lmstest.DealerY, sites[0].ID).Status, "not processed without a reason")

	_, errs = processNow(t, env, lmstest.DealerY, pending.ID)
	require.Empty(t, errs)
	require.Equal(t, "ACTIVE", locationSwa(t, env, lmstest.DealerY, sites[0].ID).Status)
	_, errs = assign(t, env, lmstest.DealerY, sites[0].ID, 12, "")
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(errs), "while ACTIVE")
	_, errs = processNow(t, env, lmstest.DealerY, pending.ID)
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(errs), "process an activated one")
	_, errs = cancel(t, env, lmstest.DealerY, pending.ID)
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(errs), "cancel an activated one")

	// Cancelled: the units go back, the location is a prospect again, and
	// the cancelled assignment can be neither processed nor cancelled.
	shipUnits(t, env, lmstest.DealerY, "SO-MORE", 100, "2031-12-31")
	mid := bin(t, env, lmstest.DealerY)
	second, errs := assign(t, env, lmstest.DealerY, sites[1].ID, 12, "")
	require.Empty(t, errs)
	cancelled, errs := cancel(t, env, lmstest.DealerY, second.ID)
	require.Empty(t, errs)
	require.Equal(t, "CANCELLED", cancelled.Status)
	require.Equal(t, mid, bin(t, env, lmstest.DealerY), "the units are back in the orders they came from")
	require.Equal(t, "GRACE", locationSwa(t, env, lmstest.DealerY, sites[1].ID).Status)
	_, errs = processNow(t, env, lmstest.DealerY, second.ID)
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(errs), "process a cancelled one")
	_, errs = cancel(t, env, lmstest.DealerY, second.ID)
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(errs), "cancel a cancelled one")
	_, errs = assign(t, env, lmstest.DealerY, sites[1].ID, 12, "")
	require.Empty(t, errs, "a cancelled assignment does not block a new one")
}

// activateLicenses answers with the location's SWA quote (SWA-7a) for a
// user with the SWA_ADMIN role, and null for one without.
func TestActivateLicensesAnswersTheSwaQuote(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	shipUnits(t, env, lmstest.DealerY, "SO-7A", 50, "2031-12-31")
	sites := newSites(t, env, lmstest.DealerY, "Activated by", 2, false)

	activate := func(user string, loc site) *quoteAnswer {
		t.Helper()
		var lic struct {
			Node struct {
				AttachedLicenses struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { attachedLicenses(first: 5) { edges { node { id } } } } } }`,
			map[string]any{"id": loc.ID}).Decode(t, &lic)
		require.Len(t, lic.Node.AttachedLicenses.Edges, 1)
		p := lmstest.Mutate[struct {
			Licenses []struct{ ID string }
			SwaQuote *quoteAnswer
			Errors   []userError
		}](t, env, user, "activateLicenses",
			"licenses { id } swaQuote { monthlyRate status graceEndsOn inGrace lapsedMonths reinstatementUnits unitsAvailable terms { months units startsOn endsOn } }",
			map[string]any{"locationId": loc.ID, "licenseIds": []string{lic.Node.AttachedLicenses.Edges[0].Node.ID}, "acceptAgreement": true})
		require.Empty(t, p.Errors)
		require.Len(t, p.Licenses, 1, "activated")
		return p.SwaQuote
	}

	q := activate(lmstest.DealerY, sites[0])
	require.NotNil(t, q, "yara has the SWA_ADMIN role")
	require.Equal(t, "GRACE", q.Status)
	require.Equal(t, "2", q.MonthlyRate)
	require.Equal(t, "2030-06-30", *q.GraceEndsOn)
	require.True(t, q.InGrace)
	require.Equal(t, 50, q.UnitsAvailable)
	require.Equal(t, 24, q.Terms[0].Units)
	require.Equal(t, "2030-07-01", *q.Terms[0].StartsOn)

	require.Nil(t, activate(lmstest.DealerY2, sites[1]), "yuri has not")
}
