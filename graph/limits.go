package graph

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"lms/page"
)

// Limits refuses expensive operations before any resolver runs: nesting
// deeper than MaxDepth, more than MaxAliases aliased fields, a connection
// asked for more than page.MaxFirst items, or an estimated cost above
// MaxComplexity, where a field costs 1 plus its children, times `first` for
// connections (their default page size when `first` is absent).
type Limits struct {
	MaxDepth      int
	MaxComplexity int
	MaxAliases    int
}

// DefaultLimits fit every legitimate client of the API with room to spare.
var DefaultLimits = Limits{MaxDepth: 12, MaxComplexity: 50000, MaxAliases: 100}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Limits{}

// ExtensionName implements graphql.HandlerExtension.
func (Limits) ExtensionName() string { return "QueryLimits" }

// Validate implements graphql.HandlerExtension.
func (Limits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator; it runs
// after validation and before execution.
func (l Limits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	w := &limitWalker{vars: oc.Variables}
	cost := w.selections(oc.Operation.SelectionSet, 1)
	code := map[string]any{"code": "QUERY_TOO_COMPLEX"}
	switch {
	case w.err != nil:
		return w.err
	case w.maxDepth > l.MaxDepth:
		return &gqlerror.Error{Message: fmt.Sprintf("the query is nested %d levels deep; the limit is %d", w.maxDepth, l.MaxDepth), Extensions: code}
	case w.aliases > l.MaxAliases:
		return &gqlerror.Error{Message: fmt.Sprintf("the query uses %d aliases; the limit is %d", w.aliases, l.MaxAliases), Extensions: code}
	case cost > l.MaxComplexity:
		return &gqlerror.Error{Message: fmt.Sprintf("the query's estimated cost is %d; the limit is %d (ask for fewer items per page or fewer fields)", cost, l.MaxComplexity), Extensions: code}
	}
	return nil
}

type limitWalker struct {
	vars     map[string]any
	maxDepth int
	aliases  int
	err      *gqlerror.Error
}

// costCap keeps the arithmetic bounded for absurd queries; anything above it
// is far over every limit anyway.
const costCap = 1 << 30

func (w *limitWalker) selections(set ast.SelectionSet, depth int) int {
	cost := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			cost += w.field(s, depth)
		case *ast.InlineFragment:
			cost += w.selections(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				cost += w.selections(s.Definition.SelectionSet, depth)
			}
		}
		cost = min(cost, costCap)
	}
	return cost
}

func (w *limitWalker) field(f *ast.Field, depth int) int {
	if f.Name == "__typename" {
		return 0
	}
	if f.Alias != "" && f.Alias != f.Name {
		w.aliases++
	}
	w.maxDepth = max(w.maxDepth, depth)
	children := w.selections(f.SelectionSet, depth+1)
	mult := 1
	if f.Definition != nil && f.Definition.Arguments.ForName("first") != nil {
		mult = page.DefaultFirst
		if arg := f.Arguments.ForName("first"); arg != nil {
			v, err := arg.Value.Value(w.vars)
			if n, ok := asInt(v); err == nil && ok {
				if n < 1 || n > page.MaxFirst {
					if w.err == nil {
						w.err = &gqlerror.Error{
							Message:    fmt.Sprintf("%s: first must be between 1 and %d, got %d", f.Alias, page.MaxFirst, n),
							Extensions: map[string]any{"code": "VALIDATION_FAILED"},
						}
					}
					n = page.MaxFirst
				}
				mult = int(n)
			}
		}
	}
	return min(1+mult*children, costCap)
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}
