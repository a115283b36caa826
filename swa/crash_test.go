package swa_test

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the test's own connections
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// TestActivationCrashRetried kills the activation job mid-activation (its
// database connection is terminated while its transaction, holding the
// assignment's row lock, waits for the unit order's): nothing of the
// activation is left, River retries the job, and the retry activates the
// assignment once (SWA-8). Then the job, eight calls of ActivateDue (what
// the job runs) and two processSwaImmediately requests wait together on
// another assignment and are let go at once: one agreement.
func TestActivationCrashRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Nothing falls due by itself: the test makes the jobs due, moving the
	// service's clock past the cooling-off period and retrying the job.
	var dbURL string
	env := lmstest.New(t, lmstest.Opts{Config: func(c *server.Config) {
		c.SwaCoolingOff = time.Hour
		c.FetchPollInterval = 10 * time.Millisecond
		dbURL = c.DatabaseURL
	}})
	var ahead atomic.Int64 // how far the service's clock runs ahead of the real one
	svc := env.Server.Graph.Services.Swa
	svc.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	pastDue := func() { ahead.Add(int64(2 * time.Hour)) }
	// The test holds its locks and watches the waiting on connections of
	// its own: the server's pool is small, and the waiting activators
	// fill it.
	own, err := sql.Open("pgx", dbURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = own.Close() })
	locs := activatedLocations(t, env, "Crash", 2, 1)
	shipUnits(t, env, lmstest.DealerY, "SO-CRASH", 100, "2099-12-31")

	t.Run("KilledMidActivation", func(t *testing.T) {
		act, errs := assign(t, env, lmstest.DealerY, locs[0], 12, "")
		require.Empty(t, errs)
		id := lmstest.UUIDOf(t, act.ID)
		job := activationJob(t, env, id)

		// The job locks the assignment, then waits for the order.
		order := lmstest.LockRow(t, own, `SELECT 1 FROM swa_unit_orders WHERE sales_order = 'SO-CRASH' FOR UPDATE`)
		pastDue()
		_, err := env.Server.Jobs.JobRetry(ctx, job)
		require.NoError(t, err)
		pids := order.WaitBlocking(t, 1, 10*time.Second)
		_, err = own.ExecContext(ctx, `SELECT 1 FROM swa_activations WHERE id = $1 FOR UPDATE NOWAIT`, id)
		require.ErrorContains(t, err, "55P03", "the job holds the assignment's row lock")

		_, err = own.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pids[0])
		require.NoError(t, err)
		waitJob(t, env, job, "the killed attempt recorded as failed", func(row *rivertype.JobRow) bool { return len(row.Errors) == 1 })
		// Nothing of it remains: the assignment is pending and holds its
		// units, and no agreement, email or audit event exists.
		requireActivationEffects(t, env, id, 0)
		require.Equal(t, orderBalance{Shipped: 100, Available: 88, Allocated: 12, HeldByPending: 12}, withoutIdentity(requireUnitsConserved(t, env)["SO-CRASH"]))

		order.Release(t)
		row := waitJob(t, env, job, "the retried job completed", completed)
		require.Equal(t, 2, row.Attempt)
		require.Contains(t, row.Errors[0].Error, "57P01", "the first attempt's connection was terminated")
		requireActivationEffects(t, env, id, 1)
		require.Equal(t, orderBalance{Shipped: 100, Available: 88, Consumed: 12, HeldByActivated: 12}, withoutIdentity(requireUnitsConserved(t, env)["SO-CRASH"]))

		// A process that dies after the activation committed but before
		// River recorded the job completed has it run once more: it
		// changes nothing.
		_, err = env.Server.Jobs.JobRetry(ctx, job)
		require.NoError(t, err)
		waitJob(t, env, job, "the job run again", func(row *rivertype.JobRow) bool { return completed(row) && row.Attempt == 3 })
		requireActivationEffects(t, env, id, 1)
		require.Equal(t, orderBalance{Shipped: 100, Available: 88, Consumed: 12, HeldByActivated: 12}, withoutIdentity(requireUnitsConserved(t, env)["SO-CRASH"]))
	})

	t.Run("ManyAtOnce", func(t *testing.T) {
		act, errs := assign(t, env, lmstest.DealerY, locs[1], 12, "")
		require.Empty(t, errs)
		id := lmstest.UUIDOf(t, act.ID)
		job := activationJob(t, env, id)

		// The job locks the assignment and waits for the order; then
		// the others come and wait for the assignment (or, the server's
		// few pooled connections taken, for a connection).
		order := lmstest.LockRow(t, own, `SELECT 1 FROM swa_unit_orders WHERE sales_order = 'SO-CRASH' FOR UPDATE`)
		pastDue()
		_, err := env.Server.Jobs.JobRetry(ctx, job)
		require.NoError(t, err)
		order.WaitBlocking(t, 1, 10*time.Second)
		const direct, processes = 8, 2
		type answer struct {
			p   processPayload
			err error
		}
		directErrs := make(chan error, direct)
		answers := make(chan answer, processes)
		bounded, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		for range direct {
			go func() { directErrs <- svc.ActivateDue(bounded, id) }()
		}
		for range processes {
			go func() {
				p, err := postProcessNow(env, lmstest.DealerY, act.ID)
				answers <- answer{p, err}
			}()
		}
		lmstest.Eventually(t, 10*time.Second, func() bool {
			return countRows(own, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) >= 2
		}, "activators waiting on the assignment's row lock")
		order.Release(t)

		for range direct {
			require.NoError(t, <-directErrs)
		}
		agreements := 0
		for range processes {
			a := <-answers
			require.NoError(t, a.err)
			if a.p.Agreement != nil {
				agreements++
			} else {
				require.Equal(t, []string{"NOT_APPLICABLE"}, codes(a.p.Errors))
			}
		}
		require.LessOrEqual(t, agreements, 1)
		row := waitJob(t, env, job, "the job completed", completed)
		require.Equal(t, 1, row.Attempt)
		require.Empty(t, row.Errors)
		requireActivationEffects(t, env, id, 1)
		require.Equal(t, orderBalance{Shipped: 100, Available: 76, Consumed: 24, HeldByActivated: 24}, withoutIdentity(requireUnitsConserved(t, env)["SO-CRASH"]))
	})
}
