package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"lms/inventory"
)

// nextOrderNumber returns the next migration order number of day (UTC),
// MIGSU_<yyyymmdd><nn> as in the guide's MIGSU_2019071769: nn counts the
// day's migrations from 01, and takes a third digit after the 99th. The
// caller should take it late in its transaction, which it serialises with
// the day's other migrations.
func nextOrderNumber(ctx context.Context, tx bun.Tx, day time.Time) (string, error) {
	n, err := inventory.NextOrderNumber(ctx, tx, inventory.MigrationSeries, day)
	if err != nil {
		return "", err
	}
	return orderNumber(day.UTC(), n), nil
}

// orderNumber is the n-th migration order number of day.
func orderNumber(day time.Time, n int) string {
	return fmt.Sprintf("%s_%s%02d", inventory.MigrationSeries, day.Format("20060102"), n)
}
