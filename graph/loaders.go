package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"lms/db"
)

// loaders batch the lookups of one request so lists never run one query per
// item. They are made per request: their caches hold what this actor may see.
type loaders struct {
	users    *dataloadgen.Loader[uuid.UUID, *db.User]
	partners *dataloadgen.Loader[uuid.UUID, *db.Partner]
}

type loadersKey struct{}

const loaderWait = 2 * time.Millisecond

func (r *Resolver) newLoaders() *loaders {
	return &loaders{
		users: dataloadgen.NewLoader(func(ctx context.Context, ids []uuid.UUID) ([]*db.User, []error) {
			us, err := r.Services.Partners.FindUsers(ctx, ids)
			if err != nil {
				return make([]*db.User, len(ids)), fill(len(ids), err)
			}
			return us, nil
		}, dataloadgen.WithWait(loaderWait)),
		partners: dataloadgen.NewLoader(func(ctx context.Context, ids []uuid.UUID) ([]*db.Partner, []error) {
			ps, err := r.Services.Partners.FindPartners(ctx, ids)
			if err != nil {
				return make([]*db.Partner, len(ids)), fill(len(ids), err)
			}
			return ps, nil
		}, dataloadgen.WithWait(loaderWait)),
	}
}

// fill returns err for every key.
func fill(n int, err error) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// LoaderMiddleware gives every request its own loaders.
func (r *Resolver) LoaderMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := context.WithValue(req.Context(), loadersKey{}, r.newLoaders())
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}

func (r *Resolver) loaders(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	return r.newLoaders() // outside HTTP (tests calling resolvers): unbatched
}

// user loads a user the actor may see, nil otherwise.
func (r *Resolver) user(ctx context.Context, id *uuid.UUID) (*db.User, error) {
	if id == nil {
		return nil, nil
	}
	return r.loaders(ctx).users.Load(ctx, *id)
}

// partner loads a partner the actor may see, nil otherwise.
func (r *Resolver) partner(ctx context.Context, id uuid.UUID) (*db.Partner, error) {
	return r.loaders(ctx).partners.Load(ctx, id)
}
