package inventory

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"lms/db"
)

// Order-number series LMS makes up for licenses that come without a
// purchase order of their own.
const (
	// DectImportSeries numbers a DECT import's licenses, M-1<yyyymmdd><nnn>
	// (DECT-3).
	DectImportSeries = "M-1"
	// MigrationSeries numbers a migration's licenses, MIGSU_<yyyymmdd><nn>
	// (MIG-1).
	MigrationSeries = "MIGSU"
)

// nextOrderNumberSQL takes the next number of a series on a day: the first
// request of the day inserts 1, the others add one.
const nextOrderNumberSQL = `INSERT INTO order_number_counters AS c (series, day, last) VALUES ($1, $2::date, 1)
	ON CONFLICT (series, day) DO UPDATE SET last = c.last + 1 RETURNING last`

// NextOrderNumber returns the next number, from 1, of an order-number
// series on day (UTC) in tx. The day's row stays locked until tx ends, so
// concurrent requests of one day number one after the other and a
// rolled-back request gives its number back; callers take it late in their
// transaction.
func NextOrderNumber(ctx context.Context, tx bun.Tx, series string, day time.Time) (int, error) {
	d := day.UTC().Format(time.DateOnly)
	var n int
	if err := db.Scan(ctx, tx, nextOrderNumberSQL, []any{series, d}, &n); err != nil {
		return 0, fmt.Errorf("next %s order number of %s: %w", series, d, err)
	}
	return n, nil
}
