package db

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// StatementCounter counts the SQL statements one request sends to
// PostgreSQL. The GraphQL layer attaches one to every request so tests (and
// logs) can prove a list does not run one query per item, and a mutation
// how many round trips it costs. Authentication is counted apart: it costs
// one statement or, for a token seen moments ago, none, and would make the
// counts of one operation differ from request to request.
type StatementCounter struct{ n, auth atomic.Int64 }

// Count returns the number of statements run so far, authentication aside.
func (c *StatementCounter) Count() int64 { return c.n.Load() }

// Authentication returns the statements authentication cost.
func (c *StatementCounter) Authentication() int64 { return c.auth.Load() }

// AddAuthentication records n statements spent on authentication.
func (c *StatementCounter) AddAuthentication(n int64) { c.auth.Add(n) }

type counterKey struct{}

// WithStatementCounter returns a context whose statements are counted by c.
func WithStatementCounter(ctx context.Context, c *StatementCounter) context.Context {
	return context.WithValue(ctx, counterKey{}, c)
}

// StatementCounterFrom returns the counter attached to ctx, or nil.
func StatementCounterFrom(ctx context.Context) *StatementCounter {
	c, _ := ctx.Value(counterKey{}).(*StatementCounter)
	return c
}

// statementCounter feeds StatementCounter from pgx, below bun and River:
// it sees every statement sent on the wire with the request's context —
// bun's queries, BEGIN and COMMIT, and the River jobs inserted through the
// transaction's *sql.Tx — and each statement of a batch or COPY once.
type statementCounter struct{}

var (
	_ pgx.QueryTracer    = statementCounter{}
	_ pgx.BatchTracer    = statementCounter{}
	_ pgx.CopyFromTracer = statementCounter{}
)

func count(ctx context.Context, n int) {
	if c := StatementCounterFrom(ctx); c != nil {
		c.n.Add(int64(n))
	}
}

func (statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	count(ctx, 1)
	return ctx
}

func (statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (statementCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	count(ctx, d.Batch.Len())
	return ctx
}

func (statementCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (statementCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (statementCounter) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	count(ctx, 1)
	return ctx
}

func (statementCounter) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}
