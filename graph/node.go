package graph

import (
	"context"
	"maps"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"lms/apperr"
	"lms/graph/model"
)

// node resolves one global id, as nodes does.
func (r *Resolver) node(ctx context.Context, id string) (model.Node, error) {
	ns, err := r.nodes(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return ns[0], nil
}

// nodes resolves global ids, in order, through the services that own their
// types, with each service's authorisation: an id that is malformed, of no
// object, or of an object the caller may not see answers null, exactly like
// a random one (ACT-3). The ids are grouped by type and each type is loaded
// with one call, so the statements a request runs depend on the types it
// asks for, not on how many ids it sends (issue 11 item 5).
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > 250 {
		return nil, apperr.Invalid("ids", "ask for at most 250 ids at once")
	}
	type ref struct{ typ, key string }
	refs := make([]ref, len(ids))
	byType := map[string][]string{}
	seen := map[ref]bool{}
	for i, s := range ids {
		typ, key, ok := decodeKey(s)
		if !ok {
			continue
		}
		refs[i] = ref{typ, key}
		if !seen[refs[i]] {
			seen[refs[i]] = true
			byType[typ] = append(byType[typ], key)
		}
	}
	found := map[ref]model.Node{}
	// Types in a fixed order, so that a request runs the same statements
	// every time.
	for _, typ := range slices.Sorted(maps.Keys(byType)) {
		keys := byType[typ]
		var ns []model.Node
		var err error
		switch typ {
		case "SystemType", "Part", "SwaApplication":
			ns, err = r.catalogNodes(ctx, typ, keys)
		default:
			ns, err = r.findNodes(ctx, typ, keys)
		}
		if err != nil {
			return nil, err
		}
		for i, n := range ns {
			found[ref{typ, keys[i]}] = n
		}
	}
	out := make([]model.Node, len(ids))
	for i, rf := range refs {
		out[i] = found[rf]
	}
	return out, nil
}

// findNodes loads the objects of one type, in the order of ids and nil where
// the caller may not see one, with one call of the service that owns the
// type: through the request's loaders where there is one, so that fields
// below find the objects cached. What the query selects below locations,
// customers, orders, licenses and files is prefetched as their lists do.
func (r *Resolver) findNodes(ctx context.Context, typ string, keys []string) ([]model.Node, error) {
	// A key that is no uuid finds nothing; uuid.Nil stands in for it.
	ids := make([]uuid.UUID, len(keys))
	for i, k := range keys {
		ids[i], _ = uuid.Parse(k)
	}
	l, s := r.loaders(ctx), r.Services
	switch typ {
	case "Partner":
		return loadNodes(ctx, ids, l.partners.loadAll, nil)
	case "User":
		return loadNodes(ctx, ids, l.users.loadAll, nil)
	case "ShippingAllowance":
		return loadNodes(ctx, ids, s.Partners.FindShippingAllowances, nil)
	case "ApiToken":
		return loadNodes(ctx, ids, s.Tokens.FindTokens, nil)
	case "AuditEvent":
		return loadNodes(ctx, ids, s.Audit.FindEvents, nil)
	case "Email":
		return loadNodes(ctx, ids, s.Notify.FindEmails, nil)
	case "Customer":
		return loadNodes(ctx, ids, l.customers.loadAll, r.prefetchCustomers)
	case "Location":
		return loadNodes(ctx, ids, l.locations.loadAll, r.prefetchLocations)
	case "LocationHistoryEntry":
		return loadNodes(ctx, ids, s.Locations.FindHistory, nil)
	case "SystemMigration":
		return loadNodes(ctx, ids, l.migrations.loadAll, nil)
	case "LicenseOrder":
		return loadNodes(ctx, ids, l.licenseOrders.loadAll, r.prefetchOrders)
	case "OrderLine":
		return loadNodes(ctx, ids, l.orderLines.loadAll, nil)
	case "License":
		return loadNodes(ctx, ids, s.Licenses.FindLicenses, r.prefetchLicenses)
	case "ProtectDat":
		return loadNodes(ctx, ids, s.Files.FindProtectDats, nil)
	case "DectUpload":
		return loadNodes(ctx, ids, s.Files.FindDectUploads, nil)
	case "LicenseReturn":
		return loadNodes(ctx, ids, s.Inventory.FindReturns, nil)
	case "SwaUnitOrder":
		return loadNodes(ctx, ids, unseenWithoutRole(s.Swa.FindUnitOrders), nil)
	case "SwaActivation":
		return loadNodes(ctx, ids, unseenWithoutRole(s.Swa.FindActivations), nil)
	case "SwaAgreement":
		return loadNodes(ctx, ids, unseenWithoutRole(s.Swa.FindAgreements), nil)
	case "LicenseFile":
		return loadNodes(ctx, ids, s.Files.FindFiles, r.prefetchFiles)
	case "HardwareReplacementRequest":
		return loadNodes(ctx, ids, s.Replacements.FindRequests, r.prefetchReplacementRequests)
	}
	return make([]model.Node, len(ids)), nil
}

// unseenWithoutRole answers the objects of a type that needs a role
// (SWA_ADMIN) as null for a caller without it: objects the caller may not
// see, like missing ones (ACT-3), rather than a FORBIDDEN that would fail
// every other id of the request too.
func unseenWithoutRole[T any](find func(context.Context, []uuid.UUID) ([]*T, error)) func(context.Context, []uuid.UUID) ([]*T, error) {
	return func(ctx context.Context, ids []uuid.UUID) ([]*T, error) {
		vs, err := find(ctx, ids)
		if apperr.CodeOf(err) == apperr.Forbidden {
			return make([]*T, len(ids)), nil
		}
		return vs, err
	}
}

// loadNodes loads ids with find and, when prefetch is set, prefetches for
// the objects found what the field being resolved selects below them. A
// missing object is an untyped nil, so GraphQL answers null rather than an
// object of a nil type.
func loadNodes[T any](ctx context.Context, ids []uuid.UUID,
	find func(context.Context, []uuid.UUID) ([]*T, error),
	prefetch func(context.Context, []*T, graphql.CollectedField) error,
) ([]model.Node, error) {
	vs, err := find(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]model.Node, len(vs))
	var found []*T
	for i, v := range vs {
		if v != nil {
			out[i] = v
			found = append(found, v)
		}
	}
	if fc := graphql.GetFieldContext(ctx); fc != nil && prefetch != nil && len(found) > 0 {
		if err := prefetch(ctx, found, fc.Field); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
