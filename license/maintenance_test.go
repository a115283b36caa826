package license_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"lms/idempotency"
	"lms/licensefile"
	"lms/licensefile/format"
	"lms/lmstest"
	"lms/server"
	"lms/workers"
)

// pendingFile activates a ready location's licenses in an env without
// workers and returns the location, the pending file's global id and its
// row id (the database has no other file).
func pendingFile(t testing.TB, env *lmstest.Env) (loc apiLocation, fileID string, id uuid.UUID) {
	t.Helper()
	loc, lics := readyLocation(t, env)
	fileID = mustActivate(t, env, lmstest.DealerY, loc.ID, lics...)
	require.NoError(t, env.DB.Bun.NewRaw("SELECT id FROM license_files").Scan(context.Background(), &id))
	return loc, fileID, id
}

// TestPurgeIdempotencyKeys: keys are kept for the retention period
// (SPEC §12 asks for at least 24 hours) and purged after it.
func TestPurgeIdempotencyKeys(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	loc, _ := readyLocation(t, env)
	lines := ship(t, env, lmstest.DealerY, "SO-PURGE", "PO-PURGE", line{"BE107576", 2})
	for _, key := range []string{"old", "recent"} {
		_, errs := attachWithKey(t, env, lmstest.DealerY, loc.ID, key, sel{Line: lines["BE107576"], Qty: qty(1)})
		require.Empty(t, errs)
	}
	ctx := context.Background()
	_, err := env.DB.Bun.ExecContext(ctx, "UPDATE idempotency_keys SET created_at = now() - ?::interval WHERE key = 'old'",
		(idempotency.Retention + time.Minute).String())
	require.NoError(t, err)
	_, err = env.DB.Bun.ExecContext(ctx, "UPDATE idempotency_keys SET created_at = now() - interval '24 hours' WHERE key = 'recent'")
	require.NoError(t, err)

	n, err := idempotency.Purge(ctx, env.Server.Graph.Services.Files.DB, time.Now())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	var keys []string
	require.NoError(t, env.DB.Bun.NewRaw("SELECT key FROM idempotency_keys ORDER BY key").Scan(ctx, &keys))
	require.Equal(t, []string{"recent"}, keys, "a key of 24 hours is still kept")
}

// TestGenerationGivenUp: a generation whose job ran out of attempts shows
// as FAILED with a reason, and its download says so instead of hanging on
// pending (LIC-6).
func TestGenerationGivenUp(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	loc, fileID, id := pendingFile(t, env)

	status, body, _ := get(t, env, lmstest.DealerY, "/license-files/"+id.String())
	require.Equal(t, 409, status)
	require.Contains(t, string(body), "still being generated")

	<-env.Server.Graph.Services.Files.Events.Listening()
	files := subscribe(t, env, lmstest.DealerY, loc.ID, "")
	waitSubscribed(t, env, loc, 1)
	cause := errors.New("worker crashed")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the job's context is often what ended it
	require.ErrorIs(t, env.Server.Graph.Services.Files.GiveUp(ctx, id, cause), cause)
	failed := next(t, files)
	require.Equal(t, fileID, failed.ID)
	require.Equal(t, "FAILED", failed.Status, "a subscriber waiting for the file hears that it failed")

	var got struct {
		Node struct {
			Status      string
			Error       *string
			DownloadURL *string
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on LicenseFile { status error downloadUrl } } }`,
		map[string]any{"id": fileID}).Decode(t, &got)
	require.Equal(t, "FAILED", got.Node.Status)
	require.NotNil(t, got.Node.Error)
	require.Contains(t, *got.Node.Error, "regenerate")
	require.Nil(t, got.Node.DownloadURL)
	status, body, _ = get(t, env, lmstest.DealerY, "/license-files/"+id.String())
	require.Equal(t, 409, status)
	require.True(t, strings.Contains(string(body), "could not be generated"), string(body))
}

// TestSigningKeyRotation: after a rotation the server signs with the new
// key and still publishes the old one, so files signed before verify
// (LIC-6).
func TestSigningKeyRotation(t *testing.T) {
	t.Parallel()
	oldKey, err := format.GenerateKey()
	require.NoError(t, err)
	old := format.NewSigner(oldKey)
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, Config: func(c *server.Config) {
		c.TrustedLicenseKeys = format.Keyring{old.PublicKey()}
	}})
	status, body, _ := get(t, env, "", server.LicenseKeysPath)
	require.Equal(t, 200, status)
	published, err := format.ParseJWKS(body)
	require.NoError(t, err)
	require.Len(t, published, 2)
	require.NotEqual(t, old.KeyID(), published[0].ID, "the current key signs")
	require.Equal(t, old.KeyID(), published[1].ID)

	before, err := format.Build(old, format.LayoutSVI, format.Payload{
		FormatVersion: format.FormatVersion, LocationID: uuid.NewString(), SystemType: "SV8100", SystemName: "SV8100",
		HardwareKeyCode: "190400324412", IssuedAt: time.Now(), Sequence: 1,
		Features: []format.Feature{{PartNumber: "BE107585", Name: "LK-SYS-IP-TERMINAL-1-LIC", Stacking: "QUANTITY", Quantity: 20}},
	})
	require.NoError(t, err)
	_, err = format.Verify(before.Zip, published)
	require.NoError(t, err, "a file signed before the rotation still verifies")
	loc, lics := readyLocation(t, env)
	f := waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, loc.ID, lics...))
	require.Equal(t, published[0].ID, *f.KeyID)
}

// TestWorkerGivesUpAfterLastAttempt: a generation whose job fails (here:
// its context ended, as on a timeout) stays pending while River will retry
// it, and is recorded FAILED after the last attempt (LIC-6).
func TestWorkerGivesUpAfterLastAttempt(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	_, fileID, id := pendingFile(t, env)

	w := &workers.GenerateLicenseFileWorker{Files: env.Server.Graph.Services.Files}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	attempt := func(n int) error {
		return w.Work(ended, &river.Job[licensefile.GenerateFileArgs]{
			JobRow: &rivertype.JobRow{Attempt: n, MaxAttempts: 10}, Args: licensefile.GenerateFileArgs{FileID: id},
		})
	}
	status := func() string {
		var got struct{ Node struct{ Status string } }
		env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on LicenseFile { status } } }`, map[string]any{"id": fileID}).Decode(t, &got)
		return got.Node.Status
	}
	require.Error(t, attempt(3))
	require.Equal(t, "PENDING", status(), "River retries it")
	require.Error(t, attempt(10))
	require.Equal(t, "FAILED", status())
}
