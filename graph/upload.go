package graph

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// uploadTransport takes GraphQL multipart requests (SPEC §12) of at most
// maxUpload bytes. It receives every file part, into memory or a temporary
// file, before any resolver runs: the services check the caller before they
// read a file, but the body has been received by then.
func uploadTransport(maxUpload int64) uploads {
	return uploads{transport.MultipartForm{MaxUploadSize: cmp.Or(maxUpload, DefaultMaxUploadBytes), MaxMemory: maxUploadMemory}}
}

// uploads is gqlgen's multipart transport with its one unchecked step
// guarded. gqlgen follows each path of the request's `map` into the
// variables with unchecked type assertions (graphql.RawParams.AddUpload),
// so a path through a string or past a list ("variables.in.salesOrder.x",
// "variables.in.5") panics; here it is answered as the client's mistake.
type uploads struct{ transport.MultipartForm }

// badMapMessage says what a multipart map path must look like.
const badMapMessage = `the multipart "map" names a path that is not a variable of the operation: ` +
	`each path must lead to a variable, or an element of a list variable, that the operation sends as null, ` +
	`e.g. {"0": ["variables.input.file"]}`

// Do implements graphql.Transport.
func (u uploads) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	e := &reached{GraphExecutor: exec}
	defer func() {
		if e.executing {
			return // panics of the operation are the executor's to recover
		}
		if p := recover(); p != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_ = json.NewEncoder(w).Encode(graphql.Response{Errors: gqlerror.List{{
				Message: badMapMessage, Extensions: map[string]any{"code": "VALIDATION_FAILED", "field": []string{"map"}},
			}}})
		}
	}()
	u.MultipartForm.Do(w, r, e)
}

// reached notes when a transport has handed the request to the executor.
type reached struct {
	graphql.GraphExecutor
	executing bool
}

func (e *reached) CreateOperationContext(ctx context.Context, p *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	e.executing = true
	return e.GraphExecutor.CreateOperationContext(ctx, p)
}
