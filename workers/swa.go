package workers

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"lms/swa"
)

// SwaActivateWorker activates an SWA assignment when its cooling-off period
// ends (SWA-8). It may run for an assignment already activated by "Process
// immediately", or cancelled, or twice after a crash: the service
// activates once and leaves the rest alone.
type SwaActivateWorker struct {
	river.WorkerDefaults[swa.ActivateArgs]
	Swa *swa.Service
}

// Work activates the assignment if it is still pending; run before the
// cooling-off period ends (retried by hand), it waits until then.
func (w *SwaActivateWorker) Work(ctx context.Context, job *river.Job[swa.ActivateArgs]) error {
	err := w.Swa.ActivateDue(ctx, job.Args.ActivationID)
	if early := (*swa.NotDueError)(nil); errors.As(err, &early) {
		return river.JobSnooze(early.Left)
	}
	return err
}

// NextRetry retries soon: the partner expects SWA to be active.
func (w *SwaActivateWorker) NextRetry(job *river.Job[swa.ActivateArgs]) time.Time {
	return time.Now().Add(backoff(time.Second, job.Attempt, 10*time.Minute))
}

// Timeout bounds one activation.
func (w *SwaActivateWorker) Timeout(*river.Job[swa.ActivateArgs]) time.Duration {
	return SwaActivationTimeout
}

// SwaDailyWorker runs SWA's daily job: the reminders of SWA-9.
type SwaDailyWorker struct {
	river.WorkerDefaults[swa.DailyArgs]
	Swa *swa.Service
}

// Work sends the reminders due today, each once.
func (w *SwaDailyWorker) Work(ctx context.Context, _ *river.Job[swa.DailyArgs]) error {
	_, err := w.Swa.Daily(ctx)
	return err
}

// Timeout bounds one daily run.
func (w *SwaDailyWorker) Timeout(*river.Job[swa.DailyArgs]) time.Duration { return SwaDailyTimeout }
