package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"lms/graph/generated"
)

// answer is what the limits test reads of a GraphQL response.
type answer struct {
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
	Extensions struct{ LimitVisits int }
}

// limitsHandler is the GraphQL handler over no database: enough for
// documents that are refused, or that ask only for __typename.
func limitsHandler() *testHandler {
	return &testHandler{NewHandler(HandlerOpts{
		Resolver: &Resolver{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Introspection: true, ExposeStatementCount: true, Limits: DefaultLimits,
	})}
}

type testHandler struct{ h http.Handler }

func (h *testHandler) post(t *testing.T, query string, vars map[string]any) answer {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	var a answer
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a), rec.Body.String())
	return a
}

func fanOut(levels int) string {
	var b strings.Builder
	b.WriteString("query { ...F0 }")
	for i := range levels {
		fmt.Fprintf(&b, " fragment F%d on Query { ...F%d ...F%d }", i, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Query { __typename }", levels)
	return b.String()
}

// A fragment that spreads the next one twice, to any depth, is measured
// once per fragment: the limits' work grows with the document's length,
// not with its 2^levels expansion, and it is refused.
func TestFragmentFanOutIsMeasuredOnce(t *testing.T) {
	t.Parallel()
	h := limitsHandler()
	visits := map[int]int{}
	for _, levels := range []int{20, 40, 80, 160} {
		a := h.post(t, fanOut(levels), nil)
		require.Len(t, a.Errors, 1)
		require.Equal(t, "QUERY_TOO_COMPLEX", a.Errors[0].Extensions["code"])
		require.Contains(t, a.Errors[0].Message, "fields with its fragments expanded")
		visits[levels] = a.Extensions.LimitVisits
		require.LessOrEqual(t, visits[levels], 3*levels+3, "linear in the document")
	}
	require.InDelta(t, 2*visits[80], visits[160], 4, "twice the fragments, twice the work")

	// The verdict is kept with the document: asking again costs nothing.
	a := h.post(t, fanOut(40), nil)
	require.Equal(t, 0, a.Extensions.LimitVisits)
}

// A verdict that depends on variables (a page size) is measured again for
// each request's values; one that does not is kept.
func TestVerdictsFollowVariables(t *testing.T) {
	t.Parallel()
	h := limitsHandler()
	q := `query($n: Int) { partners(first: $n) { edges { node { users(first: $n) { edges { node { id } } } } } } }`
	a := h.post(t, q, map[string]any{"n": 250})
	require.Len(t, a.Errors, 1)
	require.Contains(t, a.Errors[0].Message, "estimated cost")
	a = h.post(t, q, map[string]any{"n": 1000})
	require.Contains(t, a.Errors[0].Message, "first must be between 1 and 250, got 1000")
	a = h.post(t, q, map[string]any{"n": 10})
	require.NotContains(t, fmt.Sprint(a.Errors), "QUERY_TOO_COMPLEX", "within the limits (and refused later: no one is signed in)")
	require.Positive(t, a.Extensions.LimitVisits, "measured again")
}

// The limits stop measuring when the request's context ends (the client
// went away), and no field is resolved after it ended.
func TestWorkStopsWhenTheRequestEnds(t *testing.T) {
	t.Parallel()
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
	query := "{" + strings.Repeat(" a: viewer { roles }", 5000) + " }"
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := newAnalyzer(ctx, schema, doc, nil, DefaultLimits.MaxRepeats)
	a.operation(doc.Operations[0])
	require.True(t, a.cancelled)
	require.Equal(t, checkCancelEvery, a.visits, "stopped at the first look at the context")

	resolved := false
	_, err = newLimiter(DefaultLimits).InterceptField(ctx, func(context.Context) (any, error) {
		resolved = true
		return nil, nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, resolved)
}

// Once the client has gone, the fields that are not resolved any more are
// not reported (or logged) as internal errors.
func TestCancelledRequestsAreNotInternalErrors(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	present := ErrorPresenter(slog.New(slog.NewTextHandler(&logged, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newLimiter(DefaultLimits).InterceptField(ctx, func(context.Context) (any, error) { return nil, nil })
	e := present(ctx, err)
	require.Equal(t, "REQUEST_CANCELLED", e.Extensions["code"])
	require.Empty(t, logged.String())

	e = present(context.Background(), context.Canceled)
	require.Equal(t, "INTERNAL_SERVER_ERROR", e.Extensions["code"], "a cancellation of something else is a failure")
	require.Contains(t, logged.String(), "internal error")
}
