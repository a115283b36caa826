package swa

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun/dialect/pgdialect"

	"lms/db/dbtest"
	"lms/swa/quote"
)

// TestGraceEndSQL: the grace end PostgreSQL computes for the prospective
// list and the reminders is quote.GraceEnd's, for every day of two years
// (leap year included) and at both ends of a UTC day.
func TestGraceEndSQL(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	var firsts []time.Time
	for day := time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC); day.Year() < 2026; day = day.AddDate(0, 0, 1) {
		firsts = append(firsts, day, day.Add(24*time.Hour-time.Microsecond))
	}
	var got []time.Time
	q := "SELECT g FROM (SELECT " + fmt.Sprintf(graceEndSQL, "f.at") + " AS g, f.ord FROM unnest(?::timestamptz[]) WITH ORDINALITY AS f(at, ord)) x ORDER BY ord"
	require.NoError(t, d.Bun.NewRaw(q, pgdialect.Array(firsts)).Scan(ctx, &got))
	require.Len(t, got, len(firsts))
	for i, first := range firsts {
		require.Equal(t, quote.GraceEnd(first).Format(time.DateOnly), got[i].UTC().Format(time.DateOnly), "first activation %s", first)
	}
}
