// Package workers holds LMS's River workers, one file per job kind. Workers
// translate a job into one call of a domain service; the job args belong to
// the domain package that enqueues them.
package workers

import (
	"time"

	"github.com/riverqueue/river"

	"lms/license"
	"lms/notify"
)

// Deps are the services workers call.
type Deps struct {
	Notify   *notify.Service
	Licenses *license.Service
	// RetryBase is the first retry delay of email delivery; later retries
	// double it. Zero means DefaultRetryBase.
	RetryBase time.Duration
}

// DefaultRetryBase is the first delay before retrying a temporary failure.
const DefaultRetryBase = 30 * time.Second

// Register adds every worker to ws.
func Register(ws *river.Workers, d Deps) {
	base := d.RetryBase
	if base == 0 {
		base = DefaultRetryBase
	}
	river.AddWorker(ws, &SendEmailWorker{Notify: d.Notify, RetryBase: base})
	river.AddWorker(ws, &GenerateLicenseFileWorker{Licenses: d.Licenses, RetryBase: min(base, time.Second)})
	river.AddWorker(ws, &PurgeIdempotencyKeysWorker{Licenses: d.Licenses})
}

// backoff returns base·2^(attempt-1), capped at limit.
func backoff(base time.Duration, attempt int, limit time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
