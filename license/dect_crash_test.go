package license_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the test's own connections
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// TestDectParseJobKilledAndRetried kills the parse job of a DECT upload
// mid-run (River has claimed it; its database connection is terminated
// while its transaction waits for the upload's row): nothing of it is
// left, River retries the job, and the upload ends in exactly one PREVIEW
// with one parse recorded. Run again after it committed (a process that
// died before River recorded the job done), and eight times at once, the
// job changes nothing.
func TestDectParseJobKilledAndRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// The workers start once the test holds the upload's row.
	var dbURL string
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true, Config: func(c *server.Config) {
		c.FetchPollInterval = 10 * time.Millisecond
		dbURL = c.DatabaseURL
	}})
	own, err := sql.Open("pgx", dbURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = own.Close() })
	user := lmstest.DealerY
	pari := randomPARI()
	loc := dectLocation(t, env, user, "Crash care home", "DECT crash", pari)
	up := mustUploadDect(t, env, user, loc, guideExport(pari))
	require.Equal(t, "PARSING", up.Status)
	e := requireError(t, importDect(t, env, user, up.ID, "").Errors, "NOT_APPLICABLE")
	require.Contains(t, e.Message, "still being read")
	id := lmstest.UUIDOf(t, up.ID)
	var job int64
	require.NoError(t, own.QueryRow(`SELECT id FROM river_job WHERE kind = 'parse_dect_upload' AND args->>'upload_id' = $1`, id.String()).Scan(&job))
	parses := func() int {
		return dectCount(t, env, `SELECT count(*) FROM audit_events WHERE action = 'dect.parse' AND $1 = ANY(object_ids)`, "DectUpload:"+id.String())
	}

	row := lmstest.LockRow(t, own, `SELECT 1 FROM dect_uploads WHERE id = $1 FOR UPDATE`, id)
	require.NoError(t, env.Server.Worker.Start(context.WithoutCancel(ctx)))
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = env.Server.Worker.Stop(stop)
	})
	pids := row.WaitBlocking(t, 1, 10*time.Second)
	running, err := env.Server.Jobs.JobGet(ctx, job)
	require.NoError(t, err)
	require.Equal(t, rivertype.JobStateRunning, running.State, "River has claimed the job")
	row.Terminate(t, pids, 10*time.Second)
	waitParseJob(t, env, job, "the killed attempt recorded as failed", func(r *rivertype.JobRow) bool { return len(r.Errors) == 1 })
	require.Equal(t, "PARSING", getDectUpload(t, env, user, up.ID).Status, "nothing of the killed attempt remains")
	require.Zero(t, parses())

	row.Release(t)
	done := waitParseJob(t, env, job, "the retried job completed", func(r *rivertype.JobRow) bool { return r.State == rivertype.JobStateCompleted })
	require.Equal(t, 2, done.Attempt)
	require.Contains(t, done.Errors[0].Error, "57P01", "the first attempt's connection was terminated")
	preview := getDectUpload(t, env, user, up.ID)
	require.Equal(t, "PREVIEW", preview.Status)
	require.Len(t, preview.Lines, 5)
	require.Equal(t, 1, parses())
	var parsedAt time.Time
	require.NoError(t, own.QueryRow(`SELECT parsed_at FROM dect_uploads WHERE id = $1`, id).Scan(&parsedAt))

	_, err = env.Server.Jobs.JobRetry(ctx, job)
	require.NoError(t, err)
	waitParseJob(t, env, job, "the job run once more", func(r *rivertype.JobRow) bool {
		return r.State == rivertype.JobStateCompleted && r.Attempt == 3
	})
	errs := lmstest.Together(8, func(int) error { return env.Server.Graph.Services.Files.ParseDectUpload(ctx, id) })
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, preview, getDectUpload(t, env, user, up.ID))
	require.Equal(t, 1, parses(), "one parse, however often the job ran")
	var again time.Time
	require.NoError(t, own.QueryRow(`SELECT parsed_at FROM dect_uploads WHERE id = $1`, id).Scan(&again))
	require.True(t, parsedAt.Equal(again))
	require.Equal(t, 1, dectCount(t, env, `SELECT count(*) FROM dect_uploads WHERE location_id = $1`, lmstest.UUIDOf(t, loc)))

	p := importDect(t, env, user, up.ID, "")
	require.Empty(t, p.Errors)
	require.Len(t, p.Licenses, 5)
}

// waitParseJob waits until a job satisfies cond and returns it.
func waitParseJob(t testing.TB, env *lmstest.Env, id int64, what string, cond func(*rivertype.JobRow) bool) *rivertype.JobRow {
	t.Helper()
	var row *rivertype.JobRow
	lmstest.Eventually(t, 20*time.Second, func() bool {
		r, err := env.Server.Jobs.JobGet(context.Background(), id)
		row = r
		return err == nil && cond(r)
	}, what)
	return row
}
