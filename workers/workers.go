// Package workers holds LMS's River workers, one file per job kind. Workers
// translate a job into one call of a domain service; the job args belong to
// the domain package that enqueues them.
package workers

import (
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"lms/licensefile"
	"lms/notify"
	"lms/swa"
)

// Deps are the services workers call.
type Deps struct {
	// DB is the database of periodic maintenance (idempotency keys).
	DB     *bun.DB
	Notify *notify.Service
	Files  *licensefile.Service
	Swa    *swa.Service
	// RetryBase is the first retry delay of email delivery; later retries
	// double it. Zero means DefaultRetryBase.
	RetryBase time.Duration
}

// DefaultRetryBase is the first delay before retrying a temporary failure.
const DefaultRetryBase = 30 * time.Second

// Timeouts of one attempt of each job kind: River cancels the attempt's
// context when it passes, and the job is retried (or given up). A new job
// kind names its timeout here and in RescueStuckJobsAfter.
const (
	SendEmailTimeout            = time.Minute
	LicenseFileTimeout          = time.Minute
	PurgeIdempotencyKeysTimeout = time.Minute
	SwaActivationTimeout        = time.Minute
	SwaDailyTimeout             = time.Minute
	DectUploadTimeout           = time.Minute
)

// RescueMargin is how long past its timeout a job may still show as running
// before River takes it for abandoned, its process having died (kill -9, a
// lost host), and retries it. It covers a cancelled attempt returning and
// recording its result (licensefile.Service.GiveUp takes up to 10 s) and clock
// skew between hosts.
const RescueMargin = 15 * time.Second

// RescueStuckJobsAfter is River's rescue threshold (river.Config): rescue
// after = timeout + margin. River's rescuer runs every 30 s on the leader
// (when the leader died, another process takes over within about 15 s)
// and takes a running job once it has run RescueStuckJobsAfter and its
// kind's timeout, so one value for the client is the longest timeout plus
// the margin; with today's equal timeouts every kind is rescued at its own
// timeout + margin. A rescued job is retried after its kind's NextRetry;
// its work is idempotent (a file generation is built once, an email keeps
// its Message-ID).
const RescueStuckJobsAfter = max(SendEmailTimeout, LicenseFileTimeout, PurgeIdempotencyKeysTimeout, SwaActivationTimeout, SwaDailyTimeout, DectUploadTimeout) + RescueMargin

// Register adds every worker to ws.
func Register(ws *river.Workers, d Deps) {
	base := d.RetryBase
	if base == 0 {
		base = DefaultRetryBase
	}
	river.AddWorker(ws, &SendEmailWorker{Notify: d.Notify, RetryBase: base})
	river.AddWorker(ws, &GenerateLicenseFileWorker{Files: d.Files, RetryBase: min(base, time.Second)})
	river.AddWorker(ws, &PurgeIdempotencyKeysWorker{DB: d.DB})
	river.AddWorker(ws, &SwaActivateWorker{Swa: d.Swa})
	river.AddWorker(ws, &SwaDailyWorker{Swa: d.Swa})
	river.AddWorker(ws, &ParseDectUploadWorker{Files: d.Files})
}

// backoff returns base·2^(attempt-1), capped at limit.
func backoff(base time.Duration, attempt int, limit time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
