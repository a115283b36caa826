package swa_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// TestEarlyJobKeepsCoolingOff runs an assignment's activation job an hour
// before its cooling-off period ends, as retrying it by hand in the River
// UI does (or a clock skewed against the database's): the assignment stays
// pending, the job waiting until the due moment, and the job run after it
// activates the assignment (SWA-8: "Cancel" within the period must still
// be possible).
func TestEarlyJobKeepsCoolingOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := lmstest.New(t, lmstest.Opts{Config: func(c *server.Config) {
		c.SwaCoolingOff = time.Hour
		c.FetchPollInterval = 10 * time.Millisecond
	}})
	var ahead atomic.Int64 // how far the service's clock runs ahead of the real one
	env.Server.Graph.Services.Swa.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	loc := activatedLocations(t, env, "Early", 1, 1)[0]
	shipUnits(t, env, lmstest.DealerY, "SO-EARLY", 12, "2099-12-31")
	act, errs := assign(t, env, lmstest.DealerY, loc, 12, "")
	require.Empty(t, errs)
	id := lmstest.UUIDOf(t, act.ID)
	job := activationJob(t, env, id)
	var due time.Time
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT due_at FROM swa_activations WHERE id = $1`, id).Scan(&due))

	_, err := env.Server.Jobs.JobRetry(ctx, job)
	require.NoError(t, err)
	row := waitJob(t, env, job, "the early job run", func(row *rivertype.JobRow) bool {
		return row.AttemptedAt != nil && row.State != rivertype.JobStateAvailable && row.State != rivertype.JobStateRunning
	})
	require.Equal(t, rivertype.JobStateScheduled, row.State, "the early job waits for the due moment")
	require.WithinDuration(t, due, row.ScheduledAt, time.Second)
	requireActivationEffects(t, env, id, 0)

	ahead.Store(int64(time.Hour + time.Minute))
	_, err = env.Server.Jobs.JobRetry(ctx, job)
	require.NoError(t, err)
	waitJob(t, env, job, "the job run after the due moment", completed)
	requireActivationEffects(t, env, id, 1)
}
