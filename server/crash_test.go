package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"lms/db"
	"lms/licensefile"
	"lms/lmstest"
	"lms/mail"
	"lms/mail/mailtest"
	"lms/notify"
	"lms/server"
	"lms/workers"
)

// recoveryDeadline bounds the wait for an abandoned job after the kill: a
// generous deadline, not a performance assertion. River rescues a job
// workers.RescueStuckJobsAfter after its attempt began, when its rescuer
// next runs (every 30 s, on the leader), and retries it after its kind's
// first retry delay (an email's is workers.DefaultRetryBase; a file's 1 s).
const recoveryDeadline = workers.RescueStuckJobsAfter + 30*time.Second + workers.DefaultRetryBase + 45*time.Second

// TestCrashRecovery kills (SIGKILL) an `lms serve` process while it runs a
// job, starts another and measures how long the abandoned job takes to
// complete: River rescues it at its kind's timeout + margin, not after its
// default hour, and the retried work is idempotent (issue 11 item 6). The
// subtests take about 80 s and 110 s, in parallel.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	bin := buildLMS(t)

	// An email whose message reached the SMTP server, but whose reply never
	// came before the kill, is sent once more with the same Message-ID.
	t.Run("EmailSentAgainWithItsMessageID", func(t *testing.T) {
		t.Parallel()
		env, dbURL := newCrashEnv(t, false)
		env.SMTP.HoldNext(1)
		emailID := enqueueEmail(t, env)

		first := startLMS(t, bin, dbURL, env.SMTP)
		held := env.SMTP.WaitForMessages(t, 1, time.Minute)
		running := onlyJob(t, env, "send_email")
		require.Equal(t, rivertype.JobStateRunning, running.State)
		killed := first.kill(t)

		startLMS(t, bin, dbURL, env.SMTP)
		waitFor(t, "the email to be sent and its job completed", func() bool {
			return emailStatus(t, env, emailID) == db.EmailSent && onlyJob(t, env, "send_email").State == rivertype.JobStateCompleted
		})
		job := onlyJob(t, env, "send_email")
		logRecovery(t, "send_email", *running.AttemptedAt, killed, job)

		msgs := env.SMTP.Messages()
		require.Len(t, msgs, 2, "sent once before the kill and once after")
		require.Equal(t, emailID.String()+"@lms", held[0].MessageID)
		require.Equal(t, held[0].MessageID, msgs[1].MessageID, "the re-sent email carries the same Message-ID")
		require.Equal(t, 2, job.Attempt, "one abandoned attempt, one rescued")
	})

	// Two generations of a location's file are in flight when the process
	// dies: A before its transaction committed, B after it committed but
	// before River recorded its job as completed. After the rescue A is
	// built once, B is left alone: two file versions, and one "license
	// file ready" mail per file and recipient.
	t.Run("LicenseFilesBuiltOnce", func(t *testing.T) {
		t.Parallel()
		env, dbURL := newCrashEnv(t, true)
		locationID := createDemoLocation(t, env)
		fileA, fileB := requestDemoFile(t, env, locationID), requestDemoFile(t, env, locationID)

		// Both jobs block on their file's row lock: they run when killed.
		lockA := lmstest.LockRow(t, env.DB.SQL, "SELECT 1 FROM license_files WHERE id = $1 FOR UPDATE", fileA)
		lockB := lmstest.LockRow(t, env.DB.SQL, "SELECT 1 FROM license_files WHERE id = $1 FOR UPDATE", fileB)
		first := startLMS(t, bin, dbURL, nil)
		lockA.WaitBlocking(t, 1, recoveryDeadline)
		lockB.WaitBlocking(t, 1, recoveryDeadline)
		runningA, runningB := fileJob(t, env, fileA), fileJob(t, env, fileB)
		require.Equal(t, rivertype.JobStateRunning, runningA.State)
		// B builds its file once its job row is locked: River's
		// completion then waits on the job row.
		jobLockB := lmstest.LockRow(t, env.DB.SQL, "SELECT 1 FROM river_job WHERE id = $1 FOR UPDATE", runningB.ID)
		lockB.Release(t)
		completionB := jobLockB.WaitBlocking(t, 1, recoveryDeadline)
		builtB := fileRow(t, env, fileB)
		require.Equal(t, db.LicenseFileReady, builtB.Status)
		require.Equal(t, db.LicenseFilePending, fileRow(t, env, fileA).Status)

		killed := first.kill(t)
		// The killed process's completion waiting on the lock ends with
		// it, as if it had never been sent. A's statement is left to find
		// its client gone; its transaction cannot commit.
		jobLockB.Terminate(t, completionB, recoveryDeadline)
		jobLockB.Release(t)
		lockA.Release(t)
		require.Equal(t, rivertype.JobStateRunning, fileJob(t, env, fileB).State)

		startLMS(t, bin, dbURL, nil)
		waitFor(t, "both file jobs to be completed", func() bool {
			return fileJob(t, env, fileA).State == rivertype.JobStateCompleted && fileJob(t, env, fileB).State == rivertype.JobStateCompleted
		})
		logRecovery(t, "generate_license_file A (interrupted)", *runningA.AttemptedAt, killed, fileJob(t, env, fileA))
		logRecovery(t, "generate_license_file B (built before the kill)", *runningB.AttemptedAt, killed, fileJob(t, env, fileB))

		var files []db.LicenseFile
		require.NoError(t, env.DB.Bun.NewSelect().Model(&files).Order("version").Scan(context.Background()))
		require.Len(t, files, 2, "one file version per generation")
		for i, id := range []uuid.UUID{fileA, fileB} {
			require.Equal(t, id, files[i].ID)
			require.Equal(t, i+1, files[i].Version)
			require.Equal(t, db.LicenseFileReady, files[i].Status)
			require.NotEmpty(t, files[i].Content)
		}
		require.Equal(t, builtB.SHA256, files[1].SHA256, "B is the file built before the kill")
		var recipients []string
		require.NoError(t, env.DB.Bun.NewSelect().Model((*db.Email)(nil)).Column("recipient").
			Where("template = ?", mail.LicenseFileReady{}.Template()).Order("recipient").Scan(context.Background(), &recipients))
		require.Equal(t, []string{"dealer-desk@dealer.example", "dealer-desk@dealer.example", lmstest.DealerY, lmstest.DealerY}, recipients)
	})
}

// buildLMS builds the lms command (without -race: it only has to run).
func buildLMS(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lms")
	out, err := exec.Command("go", "build", "-o", bin, "lms/cmd/lms").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// newCrashEnv starts an API-only LMS on a fresh database, so that only the
// lms processes the test starts work its jobs, and returns it with the
// database's URL for them.
func newCrashEnv(t *testing.T, noSMTP bool) (*lmstest.Env, string) {
	t.Helper()
	var dbURL string
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: noSMTP, Config: func(c *server.Config) { dbURL = c.DatabaseURL }})
	return env, dbURL
}

// lmsProcess is a running `lms serve -api=false`: workers only.
type lmsProcess struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// startLMS starts the workers of an lms process on the database; it stops
// it gracefully when the test ends, and logs its output if the test failed.
func startLMS(t *testing.T, bin, dbURL string, smtp *mailtest.Server) *lmsProcess {
	t.Helper()
	dir := t.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "lms.log"))
	require.NoError(t, err)
	cmd := exec.Command(bin, "serve", "-api=false")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+dbURL,
		"LMS_ENV=development",
		"LMS_SKIP_MIGRATE=true",
		"LMS_JOB_POLL_INTERVAL=100ms",
		// A mail job the killed process had fetched is rescued and retried
		// after the mail worker's first backoff: seconds, not the default
		// half minute, within the tests' wait for mail.
		"LMS_MAIL_RETRY_BASE=1s",
		"LMS_LICENSE_KEY_FILE="+filepath.Join(dir, "license-key.pem"),
		"LMS_SMTP_HOST=",
	)
	if smtp != nil {
		cmd.Env = append(cmd.Env,
			"LMS_SMTP_HOST="+smtp.Host(),
			"LMS_SMTP_PORT="+strconv.Itoa(smtp.Port()),
			"LMS_SMTP_TLS_POLICY=none",
			"LMS_SMTP_FROM="+mailtest.From,
		)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	p := &lmsProcess{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-p.exited
			t.Error("lms did not stop within 20s of SIGINT")
		}
		_ = logFile.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logFile.Name())
			t.Logf("output of lms (pid %d):\n%s", cmd.Process.Pid, out)
		}
	})
	return p
}

// kill sends SIGKILL, waits for the process to die and returns when.
func (p *lmsProcess) kill(t *testing.T) time.Time {
	t.Helper()
	require.NoError(t, p.cmd.Process.Kill())
	<-p.exited
	require.Equal(t, "signal: killed", p.cmd.ProcessState.String())
	return time.Now()
}

// waitFor polls cond, on the test's goroutine, until it holds; it fails
// the test after recoveryDeadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(recoveryDeadline)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", recoveryDeadline, what)
		}
		<-tick.C
	}
}

// logRecovery logs, from the kill, when River rescued the abandoned
// attempt and when the job completed, and how long after the abandoned
// attempt began it completed.
func logRecovery(t *testing.T, kind string, abandoned, killed time.Time, job *rivertype.JobRow) {
	t.Helper()
	require.Len(t, job.Errors, 1)
	require.Equal(t, "Stuck job rescued by JobRescuer", job.Errors[0].Error)
	require.NotNil(t, job.FinalizedAt)
	round := func(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }
	t.Logf("%s: killed %s into its attempt; after the kill: rescued at +%s, completed at +%s (%s after the abandoned attempt began)",
		kind, round(killed.Sub(abandoned)), round(job.Errors[0].At.Sub(killed)), round(job.FinalizedAt.Sub(killed)), round(job.FinalizedAt.Sub(abandoned)))
}

// onlyJob returns the one job of kind.
func onlyJob(t *testing.T, env *lmstest.Env, kind string) *rivertype.JobRow {
	t.Helper()
	res, err := env.Server.Jobs.JobList(context.Background(), river.NewJobListParams().Kinds(kind))
	require.NoError(t, err)
	require.Len(t, res.Jobs, 1, "jobs of kind %s", kind)
	return res.Jobs[0]
}

// enqueueEmail records an email and its delivery job, as a change does.
func enqueueEmail(t *testing.T, env *lmstest.Env) uuid.UUID {
	t.Helper()
	var row *db.Email
	err := env.DB.Bun.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) (err error) {
		row, err = env.Server.Graph.Services.Notify.Enqueue(ctx, tx, notify.Recipient{Email: lmstest.DealerZ},
			mail.ShippingAllowanceGranted{DealerName: "Dealer Z", DistributorName: "Distributor X"})
		return err
	})
	require.NoError(t, err)
	return row.ID
}

func emailStatus(t *testing.T, env *lmstest.Env, id uuid.UUID) db.EmailStatus {
	t.Helper()
	var status db.EmailStatus
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT status FROM emails WHERE id = $1`, id).Scan(&status))
	return status
}

// createDemoLocation has Dealer Y create an SV8100 location, which has
// two demo licenses, and returns its global id.
func createDemoLocation(t *testing.T, env *lmstest.Env) string {
	t.Helper()
	var customer struct {
		CreateCustomer struct {
			Customer struct{ ID string }
			Errors   []struct{ Code, Message string }
		}
	}
	env.Query(t, lmstest.DealerY, `mutation($in: CreateCustomerInput!) { createCustomer(input: $in) { customer { id } errors { code message } } }`,
		map[string]any{"in": map[string]any{"name": "Crash Test Customer", "eulaEmail": "eula@customer.example"}}).Decode(t, &customer)
	require.Empty(t, customer.CreateCustomer.Errors)
	var location struct {
		CreateLocation struct {
			Location struct{ ID string }
			Errors   []struct{ Code, Message string }
		}
	}
	env.Query(t, lmstest.DealerY, `mutation($in: CreateLocationInput!) { createLocation(input: $in) { location { id } errors { code message } } }`,
		map[string]any{"in": map[string]any{
			"customerId": customer.CreateCustomer.Customer.ID, "name": "Crash test SV8100", "systemType": "SV8100",
			"hardwareKeyCode": "190400324412", "dealerEmail": "dealer-desk@dealer.example",
		}}).Decode(t, &location)
	require.Empty(t, location.CreateLocation.Errors)
	return location.CreateLocation.Location.ID
}

// requestDemoFile has Dealer Y ask for a demo license file of the location:
// a PENDING generation and its job, which no process works yet. It returns
// the generation's id.
func requestDemoFile(t *testing.T, env *lmstest.Env, locationID string) uuid.UUID {
	t.Helper()
	var demo struct {
		GenerateDemoLicense struct {
			LicenseFile struct {
				Version int
				Status  string
			}
			Errors []struct{ Code, Message string }
		}
	}
	env.Query(t, lmstest.DealerY, `mutation($in: GenerateDemoLicenseInput!) { generateDemoLicense(input: $in) { licenseFile { version status } errors { code message } } }`,
		map[string]any{"in": map[string]any{"locationId": locationID, "acceptAgreement": true}}).Decode(t, &demo)
	require.Empty(t, demo.GenerateDemoLicense.Errors)
	require.Equal(t, "PENDING", demo.GenerateDemoLicense.LicenseFile.Status)
	var id uuid.UUID
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT id FROM license_files WHERE version = $1`, demo.GenerateDemoLicense.LicenseFile.Version).Scan(&id))
	return id
}

// fileJob returns the job that builds a file generation.
func fileJob(t *testing.T, env *lmstest.Env, fileID uuid.UUID) *rivertype.JobRow {
	t.Helper()
	var id int64
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT id FROM river_job WHERE kind = $1 AND args->>'file_id' = $2`,
		licensefile.GenerateFileArgs{}.Kind(), fileID.String()).Scan(&id))
	job, err := env.Server.Jobs.JobGet(context.Background(), id)
	require.NoError(t, err)
	return job
}

func fileRow(t *testing.T, env *lmstest.Env, id uuid.UUID) *db.LicenseFile {
	t.Helper()
	f := new(db.LicenseFile)
	require.NoError(t, env.DB.Bun.NewSelect().Model(f).Column(db.LicenseFileColumns...).Where("id = ?", id).Scan(context.Background()))
	return f
}
