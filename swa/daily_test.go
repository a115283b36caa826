package swa_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// The daily job's reminders (SWA-9), run twice on the day that is 30 days
// before a grace period ends and 60 days before an agreement ends, and once
// more the day after: each reminder is emailed once to each of the
// partner's users, and none for a location that has SWA or an assignment
// pending, or for another partner.
func TestSwaDailyRemindersAreSentOnce(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{Config: func(c *server.Config) { c.SwaCoolingOff = 24 * time.Hour }})
	// The daily job runs as the workers start, on the real clock: wait for
	// it, so that it does not run on the test's.
	lmstest.Eventually(t, 15*time.Second, func() bool {
		return count(t, env, `SELECT count(*) FROM river_job WHERE kind = 'swa_daily' AND state = 'completed'`) > 0
	}, "the daily job ran on start")
	// Dates after today's, so that no activation job is due while the
	// test runs.
	c := newClock(env, "2029-10-15")
	bay := sv8100Site(t, env, lmstest.DealerY, "Bay Depot")
	shipUnits(t, env, lmstest.DealerY, "SO-DAILY", 500, "2032-12-31")
	c.set("2030-04-15") // after Bay Depot's grace period: a term from today, 12 months
	act, errs := assign(t, env, lmstest.DealerY, bay.ID, 12, "")
	require.Empty(t, errs)
	ending, errs := processNow(t, env, lmstest.DealerY, act.ID)
	require.Empty(t, errs)
	require.Equal(t, "2031-04-30", ending.EndsOn)

	c.set("2030-11-10") // grace periods until 2031-03-31
	gate := sv8100Site(t, env, lmstest.DealerY, "Gate House")
	covered := sv8100Site(t, env, lmstest.DealerY, "Covered Yard")
	pier := sv8100Site(t, env, lmstest.DealerY, "Pending Pier")
	point := sv8100Site(t, env, lmstest.DealerZ, "Zoe Point")
	c.set("2030-12-01")
	act, errs = assign(t, env, lmstest.DealerY, covered.ID, 12, "")
	require.Empty(t, errs)
	_, errs = processNow(t, env, lmstest.DealerY, act.ID)
	require.Empty(t, errs)
	_, errs = assign(t, env, lmstest.DealerY, pier.ID, 12, "")
	require.Empty(t, errs)

	daily := env.Server.Graph.Services.Swa.Daily
	ctx := context.Background()
	c.set("2031-03-01") // 30 days before 2031-03-31, 60 before 2031-04-30
	n, err := daily(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n, "Gate House's and Zoe Point's grace periods, Bay Depot's agreement")
	n, err = daily(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "a second run the same day sends nothing")
	c.set("2031-03-02")
	n, err = daily(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nor one the next day")

	// Every email of the test delivered: count what arrived.
	lmstest.Eventually(t, 15*time.Second, func() bool {
		return count(t, env, `SELECT count(*) FROM emails WHERE status <> 'SENT'`) == 0
	}, "every email sent")
	got := map[string][]string{}
	for _, m := range env.SMTP.Messages() {
		for _, to := range m.To {
			got[m.Subject] = append(got[m.Subject], to)
		}
	}
	graceSubject := func(loc site) string {
		return fmt.Sprintf("SWA grace period ends on 31 March 2031: SV 8100 at %s has no SWA yet", loc.Name)
	}
	agreementSubject := fmt.Sprintf("SWA agreement %s ends on 30 April 2031: SV 8100 at %s", ending.Number, bay.Name)
	for subject, want := range map[string][]string{
		graceSubject(gate):    {lmstest.DealerY, lmstest.DealerY2},
		agreementSubject:      {lmstest.DealerY, lmstest.DealerY2},
		graceSubject(point):   {lmstest.DealerZ},
		graceSubject(covered): nil,
		graceSubject(pier):    nil,
	} {
		to := got[subject]
		slices.Sort(to)
		require.Equal(t, want, to, subject)
	}
	var reminders int
	for subject, to := range got {
		if strings.HasPrefix(subject, "SWA grace period ends") || strings.HasPrefix(subject, "SWA agreement ") {
			reminders += len(to)
		}
	}
	require.Equal(t, 5, reminders, "no other reminder")
}
