package graph

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"lms/db"
)

// externalLoaders batch the lookups of external-product fields (EXT-4) per
// request, like loaders: a list of locations asking for protectDat runs one
// query.
type externalLoaders struct {
	protectDats *loader[uuid.UUID, *db.ProtectDat]
}

type externalLoadersKey struct{}

func (r *Resolver) newExternalLoaders() *externalLoaders {
	return &externalLoaders{protectDats: newLoader(batch(r.Services.Licenses.CurrentProtectDats))}
}

// externalLoaderMiddleware gives every request its own externalLoaders.
func (r *Resolver) externalLoaderMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := context.WithValue(req.Context(), externalLoadersKey{}, r.newExternalLoaders())
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}

func (r *Resolver) externalLoaders(ctx context.Context) *externalLoaders {
	// A subscription's answers must not come from an earlier event's cache.
	if graphql.HasOperationContext(ctx) {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Subscription {
			return r.newExternalLoaders()
		}
	}
	if l, ok := ctx.Value(externalLoadersKey{}).(*externalLoaders); ok {
		return l
	}
	return r.newExternalLoaders()
}

// readUpload reads an uploaded file whole; the multipart transport has
// already bounded its size (LMS_MAX_UPLOAD_BYTES).
func readUpload(u graphql.Upload) ([]byte, error) {
	if u.File == nil {
		return nil, nil
	}
	b, err := io.ReadAll(u.File)
	if err != nil {
		return nil, fmt.Errorf("read upload %q: %w", u.Filename, err)
	}
	return b, nil
}
