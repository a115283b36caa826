package workers

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"lms/licensefile"
)

// GenerateLicenseFileWorker builds a requested license file generation
// (LIC-6, LIC-7).
type GenerateLicenseFileWorker struct {
	river.WorkerDefaults[licensefile.GenerateFileArgs]
	Files     *licensefile.Service
	RetryBase time.Duration
}

// Work builds the file; a generation already built is left alone, so a job
// retried after an interruption yields exactly one file. After the last
// attempt the generation is recorded as FAILED.
func (w *GenerateLicenseFileWorker) Work(ctx context.Context, job *river.Job[licensefile.GenerateFileArgs]) error {
	err := w.Files.Generate(ctx, job.Args.FileID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		return w.Files.GiveUp(ctx, job.Args.FileID, err)
	}
	return err
}

// NextRetry retries soon: the user is waiting for the file.
func (w *GenerateLicenseFileWorker) NextRetry(job *river.Job[licensefile.GenerateFileArgs]) time.Time {
	return time.Now().Add(backoff(w.RetryBase, job.Attempt, 10*time.Minute))
}

// Timeout bounds one generation.
func (w *GenerateLicenseFileWorker) Timeout(*river.Job[licensefile.GenerateFileArgs]) time.Duration {
	return LicenseFileTimeout
}
