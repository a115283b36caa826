package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// turns lets at most cap(turns) queries and mutations execute at once
// (HandlerOpts.ConcurrentOperations). It holds a turn only while an
// operation executes, after its request was read and parsed, so a client
// sending its body slowly, with or without a token, holds none; and
// subscriptions, which wait on events rather than the database, take none.
type turns chan struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = turns(nil)

func (turns) ExtensionName() string                   { return "ConcurrentOperations" }
func (turns) Validate(graphql.ExecutableSchema) error { return nil }

func (t turns) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if oc := graphql.GetOperationContext(ctx); oc.Operation == nil || oc.Operation.Operation == ast.Subscription {
		return next(ctx)
	}
	select {
	case t <- struct{}{}:
	case <-ctx.Done():
		return graphql.ErrorResponse(ctx, "the request was cancelled while waiting for its turn")
	}
	defer func() { <-t }()
	return next(ctx)
}
