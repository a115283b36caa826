package workers

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"lms/license"
)

// GenerateLicenseFileWorker builds a requested license file generation
// (LIC-6, LIC-7).
type GenerateLicenseFileWorker struct {
	river.WorkerDefaults[license.GenerateFileArgs]
	Licenses  *license.Service
	RetryBase time.Duration
}

// Work builds the file; a generation already built is left alone, so a job
// retried after an interruption yields exactly one file. After the last
// attempt the generation is recorded as FAILED.
func (w *GenerateLicenseFileWorker) Work(ctx context.Context, job *river.Job[license.GenerateFileArgs]) error {
	err := w.Licenses.Generate(ctx, job.Args.FileID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		return w.Licenses.GiveUp(ctx, job.Args.FileID, err)
	}
	return err
}

// NextRetry retries soon: the user is waiting for the file.
func (w *GenerateLicenseFileWorker) NextRetry(job *river.Job[license.GenerateFileArgs]) time.Time {
	return time.Now().Add(backoff(w.RetryBase, job.Attempt, 10*time.Minute))
}

// Timeout bounds one generation.
func (w *GenerateLicenseFileWorker) Timeout(*river.Job[license.GenerateFileArgs]) time.Duration {
	return LicenseFileTimeout
}

// PurgeIdempotencyKeysWorker deletes expired idempotency keys (SPEC §12).
type PurgeIdempotencyKeysWorker struct {
	river.WorkerDefaults[license.PurgeIdempotencyKeysArgs]
	Licenses *license.Service
}

// Work purges the keys older than license.IdempotencyRetention.
func (w *PurgeIdempotencyKeysWorker) Work(ctx context.Context, _ *river.Job[license.PurgeIdempotencyKeysArgs]) error {
	_, err := w.Licenses.PurgeIdempotencyKeys(ctx)
	return err
}

// Timeout bounds one purge.
func (w *PurgeIdempotencyKeysWorker) Timeout(*river.Job[license.PurgeIdempotencyKeysArgs]) time.Duration {
	return PurgeIdempotencyKeysTimeout
}
