package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"lms/apperr"
	"lms/requestid"
)

// ErrorPresenter is the one place errors leave the API. Application errors
// keep their message and carry their code in extensions.code; GraphQL
// parse and validation errors pass as they are; the errors of a request
// whose client has gone are not logged; anything else is logged with
// the request id and reported as a generic internal error naming that id, so
// no internals leak.
func ErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := apperr.As(err); ok {
			gqlErr.Message = e.Message
			gqlErr.Extensions = map[string]any{"code": string(e.Code)}
			if len(e.Field) > 0 {
				gqlErr.Extensions["field"] = e.Field
			}
			return gqlErr
		}
		var raw *gqlerror.Error
		if errors.As(err, &raw) && raw.Err == nil {
			return gqlErr // parse, validation and limit errors: written for the client
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			// The client went away (or the request timed out): nothing
			// failed, and no one reads the answer.
			gqlErr.Message = "the request was cancelled"
			gqlErr.Extensions = map[string]any{"code": "REQUEST_CANCELLED"}
			return gqlErr
		}
		id := requestid.From(ctx)
		logger.ErrorContext(ctx, "internal error", "request_id", id, "path", gqlErr.Path.String(), "err", err)
		gqlErr.Message = internalMessage(id)
		gqlErr.Extensions = map[string]any{"code": "INTERNAL_SERVER_ERROR", "requestId": id}
		return gqlErr
	}
}

func internalMessage(id string) string {
	return fmt.Sprintf("internal server error; quote request id %s when reporting it", id)
}

// Recover turns a resolver panic into an internal error, logged like one.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "request_id", requestid.From(ctx), "panic", p)
		return fmt.Errorf("panic: %v", p)
	}
}
