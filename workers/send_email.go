package workers

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"lms/notify"
)

// SendEmailWorker delivers one recorded email (SPEC §9).
type SendEmailWorker struct {
	river.WorkerDefaults[notify.SendEmailArgs]
	Notify    *notify.Service
	RetryBase time.Duration
}

// Work delivers the email; a temporary SMTP failure is returned so River
// retries it, a permanent one cancels the job (notify.Service.Deliver).
func (w *SendEmailWorker) Work(ctx context.Context, job *river.Job[notify.SendEmailArgs]) error {
	return w.Notify.Deliver(ctx, job.Args.EmailID, job.Attempt >= job.MaxAttempts)
}

// NextRetry backs off exponentially from RetryBase, up to six hours.
func (w *SendEmailWorker) NextRetry(job *river.Job[notify.SendEmailArgs]) time.Time {
	return time.Now().Add(backoff(w.RetryBase, job.Attempt, 6*time.Hour))
}

// Timeout bounds one delivery attempt.
func (w *SendEmailWorker) Timeout(*river.Job[notify.SendEmailArgs]) time.Duration {
	return SendEmailTimeout
}
