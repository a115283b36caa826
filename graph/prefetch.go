package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"lms/db"
	"lms/page"
)

// The resolvers of lists call these to load, for the whole list at once,
// what the query selects below it (see loaders). Each level walks the
// selection set, so only fields the client asked for are fetched, and the
// number of statements depends on the query's shape, not on list lengths.

var (
	customerTypes = []string{"Customer", "Node"}
	locationTypes = []string{"Location", "Node"}
)

// selected returns the sub-field name of f when the query selects it
// (directly or in fragments on types).
func selected(ctx context.Context, f graphql.CollectedField, name string, types []string) (graphql.CollectedField, bool) {
	if f.Field == nil {
		return graphql.CollectedField{}, false
	}
	for _, c := range graphql.CollectFields(graphql.GetOperationContext(ctx), f.Selections, types) {
		if c.Name == name {
			return c, true
		}
	}
	return graphql.CollectedField{}, false
}

// nodeOf returns the selection of edges.node of connection field f.
func nodeOf(ctx context.Context, f graphql.CollectedField) (graphql.CollectedField, bool) {
	edge, ok := selected(ctx, f, "edges", nil)
	if !ok {
		return edge, false
	}
	return selected(ctx, edge, "node", nil)
}

// currentNode is nodeOf the field being resolved.
func currentNode(ctx context.Context) (graphql.CollectedField, bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return graphql.CollectedField{}, false
	}
	return nodeOf(ctx, fc.Field)
}

// firstArg returns a first-page key's size for connection field f, and false
// when the field asks for a later page (those are not batched).
func firstArg(ctx context.Context, f graphql.CollectedField) (int, bool) {
	args := f.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	if after, ok := args["after"]; ok && after != nil {
		return 0, false
	}
	n, _ := asInt(args["first"]) // 0, the default page, when absent
	return int(n), true
}

func ptrs[T any](items []T) []*T {
	out := make([]*T, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}

// prefetchCustomers loads what node (the selection of each customer) asks
// for below customers.
func (r *Resolver) prefetchCustomers(ctx context.Context, customers []*db.Customer, node graphql.CollectedField) error {
	l := r.loaders(ctx)
	ids := make([]uuid.UUID, len(customers))
	partners := make([]uuid.UUID, len(customers))
	for i, c := range customers {
		l.customers.prime(c.ID, c)
		ids[i], partners[i] = c.ID, c.PartnerID
	}
	if _, ok := selected(ctx, node, "partner", customerTypes); ok {
		if err := l.partners.prefetch(ctx, partners); err != nil {
			return err
		}
	}
	if f, ok := selected(ctx, node, "locations", customerTypes); ok {
		if first, ok := firstArg(ctx, f); ok {
			locs, err := pagesItems(ctx, l.customerLocations, firstPageKeys(ids, first))
			if err != nil {
				return err
			}
			if n, ok := nodeOf(ctx, f); ok {
				return r.prefetchLocations(ctx, locs, n)
			}
		}
	}
	return nil
}

// prefetchLocations loads what node asks for below locations.
func (r *Resolver) prefetchLocations(ctx context.Context, locs []*db.Location, node graphql.CollectedField) error {
	l := r.loaders(ctx)
	var ids, customers, partners, parents []uuid.UUID
	var codes []string
	for _, loc := range locs {
		l.locations.prime(loc.ID, loc)
		ids = append(ids, loc.ID)
		customers = append(customers, loc.CustomerID)
		partners = append(partners, loc.PartnerID)
		codes = append(codes, loc.SystemType)
		if loc.ParentID != nil {
			parents = append(parents, *loc.ParentID)
		}
	}
	for _, p := range []struct {
		field string
		load  func() error
	}{
		{"customer", func() error { return l.customers.prefetch(ctx, customers) }},
		{"partner", func() error { return l.partners.prefetch(ctx, partners) }},
		{"systemType", func() error { return l.systemTypes.prefetch(ctx, codes) }},
		{"parent", func() error { return l.locations.prefetch(ctx, parents) }},
		{"demoLicensesLeft", func() error { return l.demoLicensesLeft.prefetch(ctx, ids) }},
		{"protectDat", func() error { return r.prefetchProtectDats(ctx, ids, node) }},
		{"dectUpload", func() error { return l.dectUploads.prefetch(ctx, ids) }},
		{"swa", func() error { return r.prefetchLocationSwa(ctx, ids) }},
		{"freeOfChargeLicenses", func() error { return r.prefetchFreeOfCharge(ctx, ids) }},
	} {
		if _, ok := selected(ctx, node, p.field, locationTypes); ok {
			if err := p.load(); err != nil {
				return err
			}
		}
	}
	if f, ok := selected(ctx, node, "children", locationTypes); ok && len(ids) > 0 {
		if first, ok := firstArg(ctx, f); ok {
			children, err := pagesItems(ctx, l.children, firstPageKeys(ids, first))
			if err != nil {
				return err
			}
			if n, ok := nodeOf(ctx, f); ok && len(children) > 0 {
				if err := r.prefetchLocations(ctx, children, n); err != nil {
					return err
				}
			}
		}
	}
	if len(ids) > 0 {
		return r.prefetchLicensePages(ctx, ids, node)
	}
	return nil
}

// prefetchLocation loads what the field being resolved (node,
// locationByHardwareKeyCode) selects below one location, so that the
// location license page (LIC-8) runs the same statements however many
// licenses it lists and however its fields' resolvers interleave.
func (r *Resolver) prefetchLocation(ctx context.Context, loc *db.Location) error {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	return r.prefetchLocations(ctx, []*db.Location{loc}, fc.Field)
}

// pagesItems prefetches first pages and returns all their items.
func pagesItems[K comparable, T any](ctx context.Context, l *loader[K, *page.Page[T]], keys []K) ([]*T, error) {
	if err := l.prefetch(ctx, keys); err != nil {
		return nil, err
	}
	pages, err := l.LoadAll(ctx, keys)
	if err != nil {
		return nil, err
	}
	var out []*T
	for _, p := range pages {
		if p != nil {
			out = append(out, ptrs(p.Items)...)
		}
	}
	return out, nil
}
