package workers

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"lms/idempotency"
)

// PurgeIdempotencyKeysWorker deletes expired idempotency keys (SPEC §12).
type PurgeIdempotencyKeysWorker struct {
	river.WorkerDefaults[idempotency.PurgeArgs]
	DB *bun.DB
}

// Work purges the keys older than idempotency.Retention.
func (w *PurgeIdempotencyKeysWorker) Work(ctx context.Context, _ *river.Job[idempotency.PurgeArgs]) error {
	_, err := idempotency.Purge(ctx, w.DB, time.Now())
	return err
}

// Timeout bounds one purge.
func (w *PurgeIdempotencyKeysWorker) Timeout(*river.Job[idempotency.PurgeArgs]) time.Duration {
	return PurgeIdempotencyKeysTimeout
}
