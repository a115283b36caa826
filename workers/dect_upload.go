package workers

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"lms/licensefile"
)

// ParseDectUploadWorker parses an uploaded DECT license file into its
// preview or the guide's error (DECT-3, DECT-4).
type ParseDectUploadWorker struct {
	river.WorkerDefaults[licensefile.ParseDectUploadArgs]
	Files *licensefile.Service
}

// Work parses the upload; one parsed already is left alone, so a job
// retried after an interruption yields exactly one outcome. After the last
// attempt the upload is recorded as FAILED (UNKNOWN_ERROR).
func (w *ParseDectUploadWorker) Work(ctx context.Context, job *river.Job[licensefile.ParseDectUploadArgs]) error {
	err := w.Files.ParseDectUpload(ctx, job.Args.UploadID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		return w.Files.GiveUpDectUpload(ctx, job.Args.UploadID, err)
	}
	return err
}

// NextRetry retries soon: the user is waiting for the preview.
func (w *ParseDectUploadWorker) NextRetry(job *river.Job[licensefile.ParseDectUploadArgs]) time.Time {
	return time.Now().Add(backoff(time.Second, job.Attempt, time.Minute))
}

// Timeout bounds one parse.
func (w *ParseDectUploadWorker) Timeout(*river.Job[licensefile.ParseDectUploadArgs]) time.Duration {
	return DectUploadTimeout
}
