package graph

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"lms/page"
)

// Limits bound what one GraphQL request may ask of the server (SPEC §12:
// queries have a depth and complexity limit). They are checked on the
// parsed document before gqlgen validates or executes it, in time linear in
// the document's size however far its fragments expand, and the verdict is
// kept per distinct document: a refused request costs the server about what
// reading it costs, signed in or not.
type Limits struct {
	// MaxTokens stops the parser: a longer document is refused unread.
	MaxTokens int
	// MaxFields bounds the fields of a document with every fragment
	// expanded where it is spread (all operations and fragment definitions:
	// validation reads them all).
	MaxFields int
	// MaxRepeats bounds how often one response name occurs in one selection
	// set once fragments and same-named fields are merged: validation
	// compares such fields pairwise (OverlappingFieldsCanBeMerged).
	MaxRepeats int
	// MaxFragments bounds the fragment definitions of a document
	// (validation compares fragments spread side by side pairwise).
	MaxFragments int
	// MaxDepth bounds nesting (the root fields are level 1). Introspection
	// (__schema, __type) does not count: the schema bounds it, and
	// validation's MaxIntrospectionDepth rule refuses deep introspection.
	MaxDepth int
	// MaxAliases bounds aliased fields, __typename included.
	MaxAliases int
	// MaxComplexity bounds the estimated cost: a field costs 1 plus its
	// children times its multiplier, which is `first` (or the default page
	// size) for a connection and the number of `ids` for nodes.
	MaxComplexity int
	// MaxNodeIDs bounds the ids one request looks up through `nodes`
	// (however many times it asks): each id is a lookup of its own.
	MaxNodeIDs int
	// MaxErrors bounds the errors of one answer; one more error says how
	// many were left out.
	MaxErrors int
}

// DefaultLimits fit every legitimate client of the API with room to spare.
// The graphql-js introspection query has 350 tokens and 150 fields
// expanded, the largest query of our own tests about 60 fields.
var DefaultLimits = Limits{
	MaxTokens:     15000,
	MaxFields:     5000,
	MaxRepeats:    50,
	MaxFragments:  500,
	MaxDepth:      12,
	MaxAliases:    100,
	MaxComplexity: 50000,
	MaxNodeIDs:    page.MaxFirst,
	MaxErrors:     50,
}

// maxCachedQuery is the longest query whose parsed form and verdict are
// kept between requests: the caches hold the query text, and a cache of
// 1000 one-megabyte strings would be a gigabyte.
const maxCachedQuery = 64 << 10

// limiter is Limits as a gqlgen extension.
type limiter struct {
	Limits
	schema   *ast.Schema
	verdicts *lru.LRU[*verdict]
}

func newLimiter(l Limits) *limiter {
	return &limiter{Limits: l, verdicts: lru.New[*verdict](1000)}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.FieldInterceptor
	graphql.ResponseInterceptor
} = (*limiter)(nil)

// ExtensionName implements graphql.HandlerExtension.
func (*limiter) ExtensionName() string { return "QueryLimits" }

// Validate implements graphql.HandlerExtension; it keeps the schema that
// documents are measured against.
func (l *limiter) Validate(es graphql.ExecutableSchema) error {
	l.schema = es.Schema()
	return nil
}

// verdict is what the limits say of one operation of one document.
type verdict struct {
	// err refuses the operation whatever its variables.
	err *gqlerror.Error
	// doc and op are kept when the cost depends on variables (a `first` or
	// `ids` given as a variable): it is measured again for every request.
	doc *ast.QueryDocument
	op  *ast.OperationDefinition
	// uses maps each variable to the argument it is first passed to, so
	// that a refused value is reported on the input field it fills.
	uses map[string][]string
}

// MutateOperationParameters implements graphql.OperationParameterMutator:
// it runs before gqlgen parses and validates the query (and after the
// persisted-query extension has filled it in).
func (l *limiter) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	key := verdictKey(p.Query, p.OperationName)
	v, ok := l.verdicts.Get(ctx, key)
	if !ok {
		v = l.judge(ctx, p.Query, p.OperationName)
		if len(p.Query) <= maxCachedQuery && ctx.Err() == nil {
			l.verdicts.Add(ctx, key, v)
		}
	}
	if v.err != nil {
		return v.err
	}
	if v.op != nil {
		if err := l.cost(ctx, v.doc, v.op, p.Variables); err != nil {
			return err
		}
	}
	return checkVariables(p.Variables, v.uses)
}

// judge measures a document that has no verdict yet. Variables are not
// looked at: where the cost depends on them, the verdict keeps the
// document to measure the cost again with each request's values.
func (l *limiter) judge(ctx context.Context, query, operation string) *verdict {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, l.MaxTokens)
	if err != nil {
		var gqlErr *gqlerror.Error
		if !errors.As(err, &gqlErr) {
			gqlErr = gqlerror.Wrap(err)
		}
		if strings.HasPrefix(gqlErr.Message, "exceeded token limit") {
			return &verdict{err: tooComplex("the query is longer than %d tokens; ask for less in one request", l.MaxTokens)}
		}
		errcode.Set(gqlErr, errcode.ParseFailed)
		return &verdict{err: gqlErr}
	}
	if n := len(doc.Fragments); n > l.MaxFragments {
		return &verdict{err: tooComplex("the query defines %d fragments; the limit is %d", n, l.MaxFragments)}
	}
	a := newAnalyzer(ctx, l.schema, doc, nil, l.MaxRepeats)
	defer func() { workFrom(ctx).add(a.visits) }()
	fields := 0
	for _, o := range doc.Operations {
		fields = capped(fields + a.operation(o).fields)
	}
	for _, f := range doc.Fragments {
		fields = capped(fields + a.fragment(f.Name, false).fields)
	}
	if a.cancelled {
		return &verdict{err: cancelled()}
	}
	if a.cycle != nil {
		return &verdict{err: a.cycle}
	}
	if a.invalid != nil {
		return &verdict{err: a.invalid}
	}
	if fields > l.MaxFields {
		return &verdict{err: tooComplex("the query has %s fields with its fragments expanded; the limit is %d", count(fields), l.MaxFields)}
	}
	if err := a.checkRepeats(doc); err != nil {
		return &verdict{err: err}
	}
	op := doc.Operations.ForName(operation)
	if op == nil {
		return &verdict{} // gqlgen answers that there is no such operation
	}
	s := a.operation(op)
	switch {
	case s.depth > l.MaxDepth:
		return &verdict{err: tooComplex("the query is nested %d levels deep; the limit is %d", s.depth, l.MaxDepth)}
	case s.aliases > l.MaxAliases:
		return &verdict{err: tooComplex("the query uses %s aliases; the limit is %d", count(s.aliases), l.MaxAliases)}
	case a.usesVariables:
		return &verdict{doc: doc, op: op, uses: a.uses}
	}
	return &verdict{err: l.cost(ctx, doc, op, nil), uses: a.uses}
}

// cost applies to operation op the limits that may depend on variables:
// the bounds of `first` and the estimated cost.
func (l *limiter) cost(ctx context.Context, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) *gqlerror.Error {
	a := newAnalyzer(ctx, l.schema, doc, vars, l.MaxRepeats)
	defer func() { workFrom(ctx).add(a.visits) }()
	s := a.operation(op)
	switch {
	case a.cancelled:
		return cancelled()
	case a.firstErr != nil:
		return a.firstErr
	case s.cost > l.MaxComplexity:
		return tooComplex("the query's estimated cost is %s; the limit is %d (ask for fewer items per page or fewer fields)", count(s.cost), l.MaxComplexity)
	case s.ids > l.MaxNodeIDs:
		return tooComplex("the query looks up %s ids with nodes; the limit is %d per request", count(s.ids), l.MaxNodeIDs)
	}
	return nil
}

func cancelled() *gqlerror.Error {
	return &gqlerror.Error{Message: "the request was cancelled", Extensions: map[string]any{"code": "REQUEST_CANCELLED"}}
}

// InterceptField implements graphql.FieldInterceptor: once the client has
// gone (the request's context ended), no further field is resolved.
func (*limiter) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return next(ctx)
}

// InterceptResponse implements graphql.ResponseInterceptor: it keeps the
// first MaxErrors errors of an answer and says how many more there were.
func (l *limiter) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil && l.MaxErrors > 0 && len(resp.Errors) > l.MaxErrors {
		more := len(resp.Errors) - l.MaxErrors
		resp.Errors = append(resp.Errors[:l.MaxErrors:l.MaxErrors], &gqlerror.Error{
			Message:    fmt.Sprintf("%d more errors are not shown", more),
			Extensions: map[string]any{"code": "TOO_MANY_ERRORS"},
		})
	}
	return resp
}

func tooComplex(format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": "QUERY_TOO_COMPLEX"}}
}

func verdictKey(query, operation string) string {
	h := sha256.Sum256([]byte(query))
	return string(h[:]) + operation
}

// count prints a measured number; saturated ones are beyond counting.
func count(n int) string {
	if n >= costCap {
		return fmt.Sprintf("more than %d", costCap)
	}
	return fmt.Sprint(n)
}

// LimitWork counts the selections the limits visited while measuring the
// documents of one request (development and tests: it shows that a
// refusal's cost is bounded).
type LimitWork struct{ n atomic.Int64 }

// Count returns the visits so far.
func (w *LimitWork) Count() int64 { return w.n.Load() }

func (w *LimitWork) add(n int) {
	if w != nil {
		w.n.Add(int64(n))
	}
}

type limitWorkKey struct{}

// WithLimitWork returns ctx counting the limits' work into w.
func WithLimitWork(ctx context.Context, w *LimitWork) context.Context {
	return context.WithValue(ctx, limitWorkKey{}, w)
}

func workFrom(ctx context.Context) *LimitWork {
	w, _ := ctx.Value(limitWorkKey{}).(*LimitWork)
	return w
}
