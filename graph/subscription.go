package graph

import (
	"context"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"lms/actor"
	"lms/apperr"
	"lms/auth"
)

// tokenGuard ends every subscription whose API token can no longer act
// (revoked, expired, its user or impersonator disabled, the impersonation
// ended): it asks auth.Service.StillValid when the subscription starts and
// before each event is delivered, so no subscription resolver has to
// remember to. The event is not delivered; a websocket is closed with
// CloseUnauthorized, a server-sent event stream ends with an
// UNAUTHENTICATED error.
type tokenGuard struct {
	Tokens  *auth.Service
	Present graphql.ErrorPresenterFunc
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = tokenGuard{}

func (tokenGuard) ExtensionName() string                   { return "TokenGuard" }
func (tokenGuard) Validate(graphql.ExecutableSchema) error { return nil }

// noLongerValid is what a subscription whose token can no longer act is
// told; it fits a websocket close reason (123 bytes).
const noLongerValid = "the API token is no longer valid; subscribe again with a valid token"

// InterceptOperation guards the subscriptions of signed-in callers.
func (g tokenGuard) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx).Operation
	a := actor.From(ctx)
	if op == nil || op.Operation != ast.Subscription || a == nil {
		return next(ctx)
	}
	if end, refusal := g.check(ctx, a); end {
		return graphql.OneShot(refusal)
	}
	responses := next(ctx)
	ended := false
	return func(ctx context.Context) *graphql.Response {
		if ended {
			return nil
		}
		resp := responses(ctx)
		if resp == nil {
			return nil
		}
		if end, refusal := g.check(ctx, a); end {
			ended = true
			return refusal
		}
		return resp
	}
}

// check reports whether a's subscription must end, and with what last
// response: nil when it came over a websocket, closed by check.
func (g tokenGuard) check(ctx context.Context, a *actor.Actor) (end bool, refusal *graphql.Response) {
	valid, err := g.Tokens.StillValid(ctx, a.TokenID)
	switch {
	case err != nil && ctx.Err() != nil:
		return true, nil // the client has gone
	case err != nil:
		err = fmt.Errorf("subscription: %w", err)
		if closeSocket(ctx, int(coderws.StatusInternalError), "internal server error") {
			_ = g.Present(ctx, err) // logs it
			return true, nil
		}
	case !valid:
		if closeSocket(ctx, CloseUnauthorized, noLongerValid) {
			return true, nil
		}
		err = apperr.Unauthenticatedf(noLongerValid)
	default:
		return false, nil
	}
	return true, &graphql.Response{Errors: gqlerror.List{g.Present(ctx, err)}}
}

// subscriptionTransports is the answer to a subscription sent over plain
// HTTP.
const subscriptionTransports = "a subscription needs a streaming transport: a websocket (subprotocol graphql-transport-ws, or the legacy graphql-ws) or server-sent events (POST with Accept: text/event-stream)"

// plainHTTP is a transport with one answer per request (POST, GET) that
// refuses subscriptions at once with 400: it would otherwise hold the
// request until the subscription's first event, which may be hours away.
type plainHTTP struct{ graphql.Transport }

// Do serves the request, refusing a subscription.
func (t plainHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	rw := &refusalWriter{ResponseWriter: w}
	t.Transport.Do(rw, r, refuseSubscriptions{GraphExecutor: exec, refused: &rw.refused})
}

// refuseSubscriptions fails the operation context of a subscription, so
// the transport answers with the error and runs nothing.
type refuseSubscriptions struct {
	graphql.GraphExecutor
	refused *bool
}

func (e refuseSubscriptions) CreateOperationContext(ctx context.Context, p *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	oc, errs := e.GraphExecutor.CreateOperationContext(ctx, p)
	if len(errs) == 0 && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		*e.refused = true
		return oc, gqlerror.List{{Message: subscriptionTransports, Extensions: map[string]any{"code": string(apperr.ValidationFailed)}}}
	}
	return oc, errs
}

// refusalWriter answers 400 once a subscription has been refused (gqlgen's
// transports answer 200 or 422 to a failed operation context).
type refusalWriter struct {
	http.ResponseWriter
	refused bool
}

func (w *refusalWriter) WriteHeader(code int) {
	if w.refused {
		code = http.StatusBadRequest
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *refusalWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
