package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"lms/db"
)

// orderSeries is the prefix of a migration's order number.
const orderSeries = "MIGSU"

// nextOrderNumberSQL takes the next number of a series on a day: the first
// request of the day inserts 1, the others add one. The row stays locked
// until the transaction ends, so requests of one day number one after the
// other, and a rolled-back request gives its number back.
const nextOrderNumberSQL = `INSERT INTO order_number_counters AS c (series, day, last) VALUES ($1, $2, 1)
	ON CONFLICT (series, day) DO UPDATE SET last = c.last + 1 RETURNING last`

// nextOrderNumber returns the next migration order number of day (UTC),
// MIGSU_<yyyymmdd><nn> as in the guide's MIGSU_2019071769: nn counts the
// day's migrations from 01, and takes a third digit after the 99th. The
// caller should take it late in its transaction, which it serialises with
// the day's other migrations.
func nextOrderNumber(ctx context.Context, tx bun.Tx, day time.Time) (string, error) {
	day = day.UTC()
	var n int
	if err := db.Scan(ctx, tx, nextOrderNumberSQL, []any{orderSeries, day.Format(time.DateOnly)}, &n); err != nil {
		return "", fmt.Errorf("next %s order number of %s: %w", orderSeries, day.Format(time.DateOnly), err)
	}
	return orderNumber(day, n), nil
}

// orderNumber is the n-th migration order number of day.
func orderNumber(day time.Time, n int) string {
	return fmt.Sprintf("%s_%s%02d", orderSeries, day.Format("20060102"), n)
}
