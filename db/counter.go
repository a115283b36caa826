package db

import (
	"context"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// StatementCounter counts the SQL statements bun runs for one request. The
// GraphQL layer attaches one to every request so tests (and logs) can prove a
// list does not run one query per item.
type StatementCounter struct{ n atomic.Int64 }

// Count returns the number of statements run so far.
func (c *StatementCounter) Count() int64 { return c.n.Load() }

type counterKey struct{}

// WithStatementCounter returns a context whose bun queries are counted by c.
func WithStatementCounter(ctx context.Context, c *StatementCounter) context.Context {
	return context.WithValue(ctx, counterKey{}, c)
}

// StatementCounterFrom returns the counter attached to ctx, or nil.
func StatementCounterFrom(ctx context.Context) *StatementCounter {
	c, _ := ctx.Value(counterKey{}).(*StatementCounter)
	return c
}

// statementCounter is the bun query hook that feeds StatementCounter.
type statementCounter struct{}

func (statementCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (statementCounter) AfterQuery(ctx context.Context, _ *bun.QueryEvent) {
	if c := StatementCounterFrom(ctx); c != nil {
		c.n.Add(1)
	}
}
