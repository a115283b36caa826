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

// riverSchedulerInterval is how often River's scheduler (on the leader)
// makes scheduled jobs available: every 5 s, those due within the next
// 5 s. A job due sooner than that after its insertion runs at the
// scheduler's next tick, up to 5 s late; one due later is available
// before it is due and runs at its time, within a fetch poll.
const riverSchedulerInterval = 5 * time.Second

// TestActivationExactlyOnce races "Process immediately" against the due
// activation job, 50 times (SWA-8): each of 50 locations gets an
// assignment, and around its due moment (from 90 ms before to 45 ms after,
// so that either may come first or both meet on the assignment's row lock)
// processSwaImmediately is sent while the worker picks up the activation
// job. Whichever wins, each assignment becomes exactly one agreement,
// takes its units once, sends one "SWA activated" email to each of the
// partner's users and writes one swa.activate audit event; the loser
// changes nothing ("Process immediately" answers NOT_APPLICABLE, the job
// completes without doing anything).
//
// The cooling-off is just over River's scheduler interval rather than a
// few milliseconds: with a few milliseconds, the job would run at the
// scheduler's next tick, up to 5 s after the due moment, and "Process
// immediately" sent at the due moment would always win.
func TestActivationExactlyOnce(t *testing.T) {
	t.Parallel()
	const trials, months, qty = 50, 12, 1
	coolingOff := riverSchedulerInterval + time.Second
	env := lmstest.New(t, lmstest.Opts{Config: func(c *server.Config) {
		c.SwaCoolingOff = coolingOff
		c.FetchPollInterval = 10 * time.Millisecond
	}})
	locs := activatedLocations(t, env, "Race", trials, qty)
	// An order of units per assignment, each expiring a day after the
	// previous one: assigned in turn, each assignment takes one order
	// whole (first-expiring-first), so the activations do not queue on
	// one order's row lock.
	for i := range trials {
		shipUnits(t, env, lmstest.DealerY, fmt.Sprintf("SO-RACE-%02d", i), months*qty, time.Date(2099, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
	}

	type answer struct {
		activation string
		process    processPayload
		err        error
	}
	answers := make(chan answer, trials)
	acts := make([]string, trials)
	for i, loc := range locs {
		act, errs := assign(t, env, lmstest.DealerY, loc, months, "")
		require.Empty(t, errs)
		require.Equal(t, "PENDING", act.Status)
		acts[i] = act.ID
		var due time.Time
		require.NoError(t, env.DB.SQL.QueryRow(`SELECT due_at FROM swa_activations WHERE id = $1`, lmstest.UUIDOf(t, act.ID)).Scan(&due))
		at := due.Add(offset(i))
		go func() {
			// A timer, not synchronisation: the request is meant to
			// arrive at a moment, whatever the job does.
			<-time.After(time.Until(at))
			p, err := postProcessNow(env, lmstest.DealerY, act.ID)
			answers <- answer{act.ID, p, err}
		}()
	}
	byProcess := map[string]bool{}
	for range trials {
		a := <-answers
		require.NoError(t, a.err)
		if a.process.Agreement != nil {
			require.Empty(t, a.process.Errors)
			byProcess[a.activation] = true
			continue
		}
		require.Equal(t, []string{"NOT_APPLICABLE"}, codes(a.process.Errors), "%+v", a.process.Errors)
	}

	// Every job ends completed at its first attempt, the loser's as well.
	ctx := context.Background()
	lmstest.Eventually(t, 30*time.Second, func() bool {
		return countRows(env.DB.SQL, `SELECT count(*) FROM river_job WHERE kind = 'swa_activate' AND state = 'completed' AND attempt = 1 AND errors IS NULL`) == trials
	}, "every activation job completed at its first attempt")

	var activated int
	require.NoError(t, env.DB.SQL.QueryRowContext(ctx, `SELECT count(*) FROM swa_activations WHERE status = 'ACTIVATED'`).Scan(&activated))
	require.Equal(t, trials, activated)
	for _, id := range acts {
		act := lmstest.UUIDOf(t, id)
		var agreements, audits, byActor int
		var number string
		require.NoError(t, env.DB.SQL.QueryRowContext(ctx,
			`SELECT count(*), min(number || '-' || suffix) FROM swa_agreements WHERE activation_id = $1`, act).Scan(&agreements, &number))
		require.Equal(t, 1, agreements, "agreements of assignment %s", act)
		require.NoError(t, env.DB.SQL.QueryRowContext(ctx,
			`SELECT count(*), count(actor_id) FROM audit_events WHERE action = 'swa.activate' AND $1 = ANY(object_ids)`,
			"SwaActivation:"+act.String()).Scan(&audits, &byActor))
		require.Equal(t, 1, audits, "swa.activate audit events of assignment %s", act)
		if byProcess[id] {
			require.Equal(t, 1, byActor, "processed immediately by Yara")
		} else {
			require.Zero(t, byActor, "activated by the job")
		}
		var emails []string
		rows, err := env.DB.SQL.QueryContext(ctx, `SELECT recipient FROM emails WHERE template = 'swa_activated' AND subject LIKE '%' || $1 || '%' ORDER BY recipient`, number)
		require.NoError(t, err)
		for rows.Next() {
			var r string
			require.NoError(t, rows.Scan(&r))
			emails = append(emails, r)
		}
		require.NoError(t, rows.Err())
		require.Equal(t, []string{lmstest.DealerY, lmstest.DealerY2}, emails, "one SWA activated email per user of Dealer Y for %s", number)
	}

	// One unit debit each: every order gave its units to its agreement.
	orders := requireUnitsConserved(t, env)
	for i := range trials {
		so := fmt.Sprintf("SO-RACE-%02d", i)
		require.Equal(t, orderBalance{Shipped: months * qty, Consumed: months * qty, HeldByActivated: months * qty}, withoutIdentity(orders[so]), so)
	}

	// And the test SMTP server received each of them, once.
	sent := map[string]int{}
	lmstest.Eventually(t, 30*time.Second, func() bool {
		clear(sent)
		for _, m := range env.SMTP.Messages() {
			if strings.HasPrefix(m.Subject, "SWA activated: ") {
				sent[strings.Fields(m.Subject)[2]+" to "+strings.Join(m.To, ",")]++
			}
		}
		return len(sent) == 2*trials
	}, "two SWA activated mails per agreement delivered")
	for k, n := range sent {
		require.Equal(t, 1, n, "SWA activated mails %s", k)
	}
	t.Logf("%d of %d assignments activated by processSwaImmediately, %d by the due job", len(byProcess), trials, trials-len(byProcess))
	// Sent 90 ms early "Process immediately" wins; 45 ms late, the job:
	// both winning at least once shows that the two really met.
	require.NotEmpty(t, byProcess, "processSwaImmediately never came first")
	require.Less(t, len(byProcess), trials, "the due job never came first")
}

// offset is when trial i sends "Process immediately", from its due
// moment: from 90 ms before to 45 ms after, in 15 ms steps. The job starts
// some 1 to 30 ms after the due moment, a request takes some 10 ms to
// reach the assignment's row lock (more under load), so the crossing lies
// within.
func offset(i int) time.Duration { return time.Duration(i%10-6) * 15 * time.Millisecond }

// TestConcurrentAssignmentsConserveUnits races 40 assignSwa requests on 40
// identical locations (12 units each) against 300 units, enough for exactly
// 25, in three orders of different expiry (SWA-2, SWA-7): exactly 25 win,
// the other 15 are told INSUFFICIENT_SWA_UNITS, and units are conserved on
// every order (shipped = available + allocated + consumed, allocated being
// what the pending assignments hold of it). Then ten of the winners are
// processed immediately and ten cancelled while the 15 losers try again,
// all at once: the retries get at most the 120 units given back, and units
// are still conserved.
func TestConcurrentAssignmentsConserveUnits(t *testing.T) {
	t.Parallel()
	const locations, winners, units = 40, 25, 12
	env := lmstest.New(t, lmstest.Opts{Config: func(c *server.Config) { c.SwaCoolingOff = time.Hour }})
	locs := activatedLocations(t, env, "Conserve", locations, 1)
	// 100 + 77 + 123 = 300 = 25 × 12: assignments straddle orders.
	shipUnits(t, env, lmstest.DealerY, "SO-LATE", 123, "2099-12-31")
	shipUnits(t, env, lmstest.DealerY, "SO-FIRST", 100, "2098-12-31")
	shipUnits(t, env, lmstest.DealerY, "SO-MIDDLE", 77, "2099-06-30")

	type result struct {
		p   assignPayload
		err error
	}
	results := lmstest.Together(locations, func(i int) result {
		p, err := postAssign(env, lmstest.DealerY, locs[i], 12)
		return result{p, err}
	})
	var won, lost []int
	for i, r := range results {
		require.NoError(t, r.err)
		if r.p.Activation != nil {
			require.Empty(t, r.p.Errors)
			require.Equal(t, units, r.p.Activation.Units)
			won = append(won, i)
			continue
		}
		require.Equal(t, []string{"INSUFFICIENT_SWA_UNITS"}, codes(r.p.Errors), "%+v", r.p.Errors)
		lost = append(lost, i)
	}
	require.Len(t, won, winners)
	orders := requireUnitsConserved(t, env)
	total := 0
	for so, o := range orders {
		require.Zero(t, o.Available, "every unit of %s is allocated", so)
		require.Zero(t, o.Consumed, so)
		total += o.Allocated
	}
	require.Equal(t, winners*units, total)
	b := bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{300, 300, 0}, []int{b.UnAllocated, b.Allocated, b.Available})

	// Ten processed, ten cancelled, five left pending; the losers retry.
	type outcome struct {
		kind string
		ok   bool
		errs []userError
		err  error
	}
	ops := len(won) - 5 + len(lost)
	outcomes := lmstest.Together(ops, func(i int) outcome {
		switch {
		case i < 10:
			p, err := postProcessNow(env, lmstest.DealerY, results[won[i]].p.Activation.ID)
			return outcome{"process", p.Agreement != nil, p.Errors, err}
		case i < 20:
			p, err := postCancel(env, lmstest.DealerY, results[won[i]].p.Activation.ID)
			return outcome{"cancel", p.Activation != nil && p.Activation.Status == "CANCELLED", p.Errors, err}
		default:
			p, err := postAssign(env, lmstest.DealerY, locs[lost[i-20]], 12)
			if err == nil && p.Activation == nil && !slices.Equal(codes(p.Errors), []string{"INSUFFICIENT_SWA_UNITS"}) {
				err = fmt.Errorf("assignSwa answered %+v", p.Errors)
			}
			return outcome{"assign", p.Activation != nil, p.Errors, err}
		}
	})
	reassigned := 0
	for _, o := range outcomes {
		require.NoError(t, o.err)
		if o.kind == "assign" {
			if o.ok {
				reassigned++
			}
			continue
		}
		require.True(t, o.ok, "%s: %+v", o.kind, o.errs)
	}
	require.LessOrEqual(t, reassigned, 10, "the retries took no more than the units given back")
	orders = requireUnitsConserved(t, env)
	var available, allocated, consumed int
	for _, o := range orders {
		available += o.Available
		allocated += o.Allocated
		consumed += o.Consumed
	}
	require.Equal(t, 10*units, consumed)
	require.Equal(t, (5+reassigned)*units, allocated)
	require.Equal(t, (10-reassigned)*units, available)
	t.Logf("%d of the %d retried assignments got units given back by the cancellations", reassigned, len(lost))
}
