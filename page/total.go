package page

import (
	"context"
	"fmt"
	"sync"

	"github.com/uptrace/bun"
)

// Total is the number of items in a whole list, all its pages together (a
// connection's totalCount). A list held in memory, or whose first page was
// loaded with a window count, knows it (Known). A list paged in SQL counts
// the rows of the very query that selects its pages, before the cursor, the
// order and the limit are applied (CountOf): the count has the list's filter
// and tenant scope because it is the list's own query. That count runs once,
// on the first call of Count, so a client that does not ask for the total
// costs no statement.
type Total struct {
	once  sync.Once
	count func(context.Context) (int, error)
	n     int
	err   error
}

// Known is the total of a list whose length is known.
func Known(n int) *Total { return &Total{n: n} }

// CountOf is the total of the rows q selects. q is copied now: what the
// caller adds to q later (a cursor's position, the limit) does not narrow
// the count.
func CountOf(q *bun.SelectQuery) *Total {
	q = q.Clone()
	return &Total{count: func(ctx context.Context) (int, error) {
		n, err := q.Count(ctx)
		if err != nil {
			return 0, fmt.Errorf("count list: %w", err)
		}
		return int(n), nil
	}}
}

// Count returns the total, counting the list on the first call.
func (t *Total) Count(ctx context.Context) (int, error) {
	t.once.Do(func() {
		if t.count != nil {
			t.n, t.err = t.count(ctx)
		}
	})
	return t.n, t.err
}
