package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"lms/catalog"
	"lms/db"
	"lms/page"
)

// loaders batch the lookups of one request so lists never run one query per
// item. They are made per request: their caches hold what this actor may see.
type loaders struct {
	users             *dataloadgen.Loader[uuid.UUID, *db.User]
	partners          *dataloadgen.Loader[uuid.UUID, *db.Partner]
	customers         *dataloadgen.Loader[uuid.UUID, *db.Customer]
	locations         *dataloadgen.Loader[uuid.UUID, *db.Location]
	systemTypes       *dataloadgen.Loader[string, *catalog.SystemType]
	customerLocations *dataloadgen.Loader[firstPageKey, *page.Page[db.Location]]
	children          *dataloadgen.Loader[firstPageKey, *page.Page[db.Location]]
}

// firstPageKey asks for the first page of a parent's list (a customer's
// locations, a location's children): the parent and the page size (0: the
// default). Later pages are not batched; they follow one parent.
type firstPageKey struct {
	ID    uuid.UUID
	First int
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
		customers: dataloadgen.NewLoader(func(ctx context.Context, ids []uuid.UUID) ([]*db.Customer, []error) {
			cs, err := r.Services.Locations.FindCustomers(ctx, ids)
			if err != nil {
				return make([]*db.Customer, len(ids)), fill(len(ids), err)
			}
			return cs, nil
		}, dataloadgen.WithWait(loaderWait)),
		locations: dataloadgen.NewLoader(func(ctx context.Context, ids []uuid.UUID) ([]*db.Location, []error) {
			ls, err := r.Services.Locations.FindLocations(ctx, ids)
			if err != nil {
				return make([]*db.Location, len(ids)), fill(len(ids), err)
			}
			return ls, nil
		}, dataloadgen.WithWait(loaderWait)),
		systemTypes: dataloadgen.NewLoader(func(ctx context.Context, codes []string) ([]*catalog.SystemType, []error) {
			sts, err := catalog.FindSystemTypes(ctx, r.DB, codes)
			if err != nil {
				return make([]*catalog.SystemType, len(codes)), fill(len(codes), err)
			}
			return sts, nil
		}, dataloadgen.WithWait(loaderWait)),
		customerLocations: dataloadgen.NewLoader(firstPages(r.Services.Locations.FirstLocationsOfCustomers), dataloadgen.WithWait(loaderWait)),
		children:          dataloadgen.NewLoader(firstPages(r.Services.Locations.FirstChildrenOf), dataloadgen.WithWait(loaderWait)),
	}
}

// firstPages batches first-page keys into one service call per page size.
func firstPages[T any](load func(context.Context, []uuid.UUID, *int) ([]*page.Page[T], error)) func(context.Context, []firstPageKey) ([]*page.Page[T], []error) {
	return func(ctx context.Context, keys []firstPageKey) ([]*page.Page[T], []error) {
		out := make([]*page.Page[T], len(keys))
		errs := make([]error, len(keys))
		bySize := map[int][]int{}
		for i, k := range keys {
			bySize[k.First] = append(bySize[k.First], i)
		}
		for size, idx := range bySize {
			ids := make([]uuid.UUID, len(idx))
			for j, i := range idx {
				ids[j] = keys[i].ID
			}
			var first *int
			if size != 0 {
				first = &size
			}
			pages, err := load(ctx, ids, first)
			for j, i := range idx {
				if err != nil {
					errs[i] = err
				} else {
					out[i] = pages[j]
				}
			}
		}
		return out, errs
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

// customer loads a customer the actor may see, nil otherwise.
func (r *Resolver) customer(ctx context.Context, id uuid.UUID) (*db.Customer, error) {
	return r.loaders(ctx).customers.Load(ctx, id)
}
