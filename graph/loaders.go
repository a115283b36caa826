package graph

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"lms/catalog"
	"lms/db"
	"lms/inventory"
	"lms/license"
	"lms/licensefile"
	"lms/page"
	"lms/swa"
)

// loaders batch the lookups of one request so lists never run one query per
// item. They are made per request: their caches hold what this actor may see.
//
// Batching by time alone is not enough: the resolvers below a long list run
// in many goroutines, and under load they do not all ask within one wait
// window. So the resolver of a list also prefetches what the query selects
// below it (prefetch.go): one call per field for the whole list, primed into
// these loaders, which the nested resolvers then find cached.
//
// Measured against plain loaders without the walker (issue 12): with a 0.5
// or 2 ms wait most statement-count tests failed (100 locations took 8 to 17
// statements instead of 8, varying run to run); with dataloadgen's default
// 16 ms they passed 5 runs of 5 without -race, but one of 5 with -race and
// two of 3 beside another test package failed, and every nesting level waited
// out the window (the license page of 100 licenses: p50 70 ms instead of 4).
type loaders struct {
	users             *loader[uuid.UUID, *db.User]
	partners          *loader[uuid.UUID, *db.Partner]
	customers         *loader[uuid.UUID, *db.Customer]
	locations         *loader[uuid.UUID, *db.Location]
	systemTypes       *loader[string, *catalog.SystemType]
	customerLocations *loader[firstPageKey, *page.Page[db.Location]]
	children          *loader[firstPageKey, *page.Page[db.Location]]

	parts            *loader[string, *catalog.Part]
	licenseOrders    *loader[uuid.UUID, *db.LicenseOrder]
	orderLines       *loader[uuid.UUID, *inventory.BinLine]
	linesOfOrders    *loader[uuid.UUID, []inventory.BinLine]
	locationLicenses *loader[licenseListKey, *page.Page[db.License]]
	licenseFiles     *loader[firstPageKey, *page.Page[db.LicenseFile]]
	currentFiles     *loader[uuid.UUID, licensefile.CurrentFiles]
	entitlements     *loader[uuid.UUID, []licensefile.Entitlement]
	demoLicensesLeft *loader[uuid.UUID, *int]
	orderLicenses    *loader[firstPageKey, *page.Page[db.License]]
	protectDats      *loader[uuid.UUID, *db.ProtectDat]
	dectUploads      *loader[uuid.UUID, *db.DectUpload]
	filesByID        *loader[uuid.UUID, *db.LicenseFile]

	swaApplications       *loader[uuid.UUID, []*swa.Application]
	swaApplicationsByCode *loader[string, *catalog.SwaApplication]
	swaEscalations        *loader[uuid.UUID, []db.SwaEscalation]
	freeOfChargeLicenses  *loader[uuid.UUID, []*swa.FreeOfChargeLicense]

	locationHistory *loader[firstPageKey, *page.Page[db.LocationHistory]]
	historyEntries  *loader[uuid.UUID, *db.LocationHistory]
	migrations      *loader[uuid.UUID, *db.SystemMigration]
	files           *loader[uuid.UUID, *db.LicenseFile]
}

// firstPageKey asks for the first page of a parent's list (a customer's
// locations, a location's children): the parent and the page size (0: the
// default). Later pages are not batched; they follow one parent.
type firstPageKey struct {
	ID    uuid.UUID
	First int
}

// firstPageKeys are the keys of the first pages of size first (0: the
// default) of the lists of parents ids.
func firstPageKeys(ids []uuid.UUID, first int) []firstPageKey {
	keys := make([]firstPageKey, len(ids))
	for i, id := range ids {
		keys[i] = firstPageKey{ID: id, First: first}
	}
	return keys
}

// listPage answers a parent's list: the first page through loader (batched
// over the parents of the request), later pages from later (one parent).
func listPage[T any](ctx context.Context, l *loader[firstPageKey, *page.Page[T]], id uuid.UUID, first *int, after *string,
	later func(context.Context, uuid.UUID, page.Args) (*page.Page[T], error),
) (*page.Page[T], error) {
	if after != nil {
		return later(ctx, id, pageArgs(first, after))
	}
	return l.Load(ctx, firstPageKey{ID: id, First: deref(first)})
}

// licenseListKey asks for the first page of a location's licenses of a
// status (Location.attachedLicenses, activatedLicenses), of size First (0:
// the default).
type licenseListKey struct {
	ID     uuid.UUID
	Status db.LicenseStatus
	First  int
}

// firstLicenseLists loads the first pages of the license lists keys ask
// for in one statement, whatever their statuses and sizes: the license page
// (LIC-8) shows both lists.
func (r *Resolver) firstLicenseLists(ctx context.Context, keys []licenseListKey) ([]*page.Page[db.License], []error) {
	type list struct {
		status db.LicenseStatus
		first  int
	}
	var lists []license.LicenseList
	index := map[list]int{}
	locations := map[uuid.UUID]int{}
	var ids []uuid.UUID
	for _, k := range keys {
		l := list{k.Status, k.First}
		if _, ok := index[l]; !ok {
			index[l] = len(lists)
			var first *int
			if k.First != 0 {
				first = &k.First
			}
			lists = append(lists, license.LicenseList{Status: k.Status, First: first})
		}
		if _, ok := locations[k.ID]; !ok {
			locations[k.ID] = len(ids)
			ids = append(ids, k.ID)
		}
	}
	pages, err := r.Services.Licenses.FirstLicenseListsOf(ctx, ids, lists)
	if err != nil {
		return make([]*page.Page[db.License], len(keys)), fill(len(keys), err)
	}
	out := make([]*page.Page[db.License], len(keys))
	for i, k := range keys {
		out[i] = pages[index[list{k.Status, k.First}]][locations[k.ID]]
	}
	return out, nil
}

type loadersKey struct{}

const loaderWait = 2 * time.Millisecond

// loader is a dataloader that can also prefetch: load many keys at once,
// deterministically in one fetch, and keep them for Load.
type loader[K comparable, V any] struct {
	*dataloadgen.Loader[K, V]
	fetch func(context.Context, []K) ([]V, []error)

	mu sync.Mutex
	// known holds, per key prefetched or primed, a channel closed once its
	// value is in the loader, so that concurrent prefetches of one key
	// (fields of one object resolve in parallel) fetch it once.
	known map[K]chan struct{}
}

func newLoader[K comparable, V any](fetch func(context.Context, []K) ([]V, []error)) *loader[K, V] {
	return &loader[K, V]{
		Loader: dataloadgen.NewLoader(fetch, dataloadgen.WithWait(loaderWait)),
		fetch:  fetch,
		known:  map[K]chan struct{}{},
	}
}

// prime stores a value the request already holds.
func (l *loader[K, V]) prime(key K, v V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	done := make(chan struct{})
	close(done)
	l.known[key] = done
	l.Prime(key, v)
}

// prefetch fetches, in one call, the keys not prefetched or primed before in
// this request, and primes the loader with them; keys another prefetch is
// fetching are waited for, not fetched again.
func (l *loader[K, V]) prefetch(ctx context.Context, keys []K) error {
	return l.prefetchWith(ctx, keys, l.fetch)
}

// prefetchWith is prefetch through another fetch of the same values: one
// that primes other loaders from the same statement.
func (l *loader[K, V]) prefetchWith(ctx context.Context, keys []K, fetch func(context.Context, []K) ([]V, []error)) error {
	done := make(chan struct{})
	var missing []K
	var waits []chan struct{}
	l.mu.Lock()
	for _, k := range keys {
		if ch, ok := l.known[k]; ok {
			waits = append(waits, ch) // ours (a key twice in keys) is closed before the waits
			continue
		}
		l.known[k] = done
		missing = append(missing, k)
	}
	l.mu.Unlock()
	if len(missing) > 0 {
		vals, errs := fetch(ctx, missing)
		if err := errors.Join(errs...); err != nil {
			l.mu.Lock()
			for _, k := range missing {
				delete(l.known, k)
			}
			l.mu.Unlock()
			close(done)
			return err
		}
		for i, k := range missing {
			l.Prime(k, vals[i])
		}
		close(done)
	}
	for _, ch := range waits {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// loadAll loads keys in one fetch (those not prefetched or primed before)
// and keeps them for Load.
func (l *loader[K, V]) loadAll(ctx context.Context, keys []K) ([]V, error) {
	if err := l.prefetch(ctx, keys); err != nil {
		return nil, err
	}
	return l.LoadAll(ctx, keys)
}

// batch adapts a service's FindXs(ctx, ids) to a loader's fetch.
func batch[K comparable, V any](find func(context.Context, []K) ([]V, error)) func(context.Context, []K) ([]V, []error) {
	return func(ctx context.Context, keys []K) ([]V, []error) {
		vs, err := find(ctx, keys)
		if err != nil {
			return make([]V, len(keys)), fill(len(keys), err)
		}
		return vs, nil
	}
}

func (r *Resolver) newLoaders() *loaders {
	return &loaders{
		users:     newLoader(batch(r.Services.Partners.FindUsers)),
		partners:  newLoader(batch(r.Services.Partners.FindPartners)),
		customers: newLoader(batch(r.Services.Locations.FindCustomers)),
		locations: newLoader(batch(r.Services.Locations.FindLocations)),
		systemTypes: newLoader(batch(func(ctx context.Context, codes []string) ([]*catalog.SystemType, error) {
			return catalog.FindSystemTypes(ctx, r.DB, codes)
		})),
		customerLocations: newLoader(firstPages(r.Services.Locations.FirstLocationsOfCustomers)),
		children:          newLoader(firstPages(r.Services.Locations.FirstChildrenOf)),
		parts: newLoader(batch(func(ctx context.Context, numbers []string) ([]*catalog.Part, error) {
			return catalog.FindParts(ctx, r.DB, numbers)
		})),
		licenseOrders:    newLoader(batch(r.Services.Inventory.FindOrders)),
		orderLines:       newLoader(batch(r.Services.Inventory.FindLines)),
		linesOfOrders:    newLoader(batch(r.Services.Inventory.LinesOf)),
		locationLicenses: newLoader(r.firstLicenseLists),
		licenseFiles:     newLoader(firstPages(r.Services.Files.FirstFilesOf)),
		currentFiles:     newLoader(batch(r.Services.Files.CurrentFilesOf)),
		entitlements:     newLoader(batch(r.Services.Files.EntitlementsOf)),
		demoLicensesLeft: r.newDemoLicensesLeftLoader(),
		orderLicenses:    newLoader(firstPages(r.Services.Licenses.FirstLicensesOfOrders)),
		protectDats:      newLoader(batch(r.Services.Files.CurrentProtectDats)),
		dectUploads:      newLoader(batch(r.Services.Files.CurrentDectUploads)),
		filesByID:        newLoader(batch(r.Services.Files.FindFiles)),
		swaApplications:  newLoader(batch(r.Services.Swa.ApplicationsOf)),
		swaApplicationsByCode: newLoader(batch(func(ctx context.Context, codes []string) ([]*catalog.SwaApplication, error) {
			return catalog.FindSwaApplications(ctx, r.DB, codes)
		})),
		swaEscalations:       newLoader(batch(r.Services.Swa.EscalationsOf)),
		freeOfChargeLicenses: newLoader(batch(r.Services.Swa.FreeOfChargeLicensesOf)),
		locationHistory:      newLoader(firstPages(r.Services.Locations.FirstHistoryOf)),
		historyEntries:       newLoader(batch(r.Services.Locations.FindHistory)),
		migrations:           newLoader(batch(r.Services.Migrations.FindMigrations)),
		files:                newLoader(batch(r.Services.Files.FindFiles)),
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
	// A subscription lives long and answers one object per event: its
	// answers must not come from what an earlier event cached.
	if graphql.HasOperationContext(ctx) {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Subscription {
			return r.newLoaders()
		}
	}
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
