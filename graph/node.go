package graph

import (
	"context"

	"github.com/google/uuid"

	"lms/apperr"
	"lms/graph/model"
)

// node resolves a global id through the service that owns its type, with
// that service's authorisation: a foreign id answers null, exactly like a
// random one (ACT-3).
func (r *Resolver) node(ctx context.Context, id string) (model.Node, error) {
	typ, key, ok := decodeKey(id)
	if !ok {
		return nil, nil
	}
	n, err := r.find(ctx, typ, key)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, nil
	}
	return n, err
}

func (r *Resolver) find(ctx context.Context, typ, key string) (model.Node, error) {
	switch typ {
	case "SystemType", "Part", "SwaApplication":
		return r.catalogNode(ctx, typ, key)
	}
	id, err := uuid.Parse(key)
	if err != nil {
		return nil, nil
	}
	switch typ {
	case "Partner":
		return nilIfNone(r.partner(ctx, id))
	case "User":
		return nilIfNone(r.user(ctx, &id))
	case "ShippingAllowance":
		sas, err := r.Services.Partners.FindShippingAllowances(ctx, []uuid.UUID{id})
		if err != nil {
			return nil, err
		}
		return nilIfNone(sas[0], nil)
	case "ApiToken":
		return nilIfNone(r.Services.Tokens.FindToken(ctx, id))
	case "AuditEvent":
		return nilIfNone(r.Services.Audit.Find(ctx, id))
	case "Email":
		return nilIfNone(r.Services.Notify.Find(ctx, id))
	case "Customer":
		return nilIfNone(r.customer(ctx, id))
	case "Location":
		l, err := r.loaders(ctx).locations.Load(ctx, id)
		if err != nil || l == nil {
			return nilIfNone(l, err)
		}
		return l, r.prefetchLocation(ctx, l)
	case "LicenseOrder":
		return nilIfNone(r.loaders(ctx).licenseOrders.Load(ctx, id))
	case "OrderLine":
		return nilIfNone(r.loaders(ctx).orderLines.Load(ctx, id))
	case "License":
		ls, err := r.Services.Licenses.FindLicenses(ctx, []uuid.UUID{id})
		if err != nil {
			return nil, err
		}
		return nilIfNone(ls[0], nil)
	case "ProtectDat":
		pds, err := r.Services.Licenses.FindProtectDats(ctx, []uuid.UUID{id})
		if err != nil {
			return nil, err
		}
		return nilIfNone(pds[0], nil)
	case "LicenseReturn":
		rs, err := r.Services.Licenses.FindReturns(ctx, []uuid.UUID{id})
		if err != nil {
			return nil, err
		}
		return nilIfNone(rs[0], nil)
	case "LicenseFile":
		fs, err := r.Services.Licenses.FindFiles(ctx, []uuid.UUID{id})
		if err != nil {
			return nil, err
		}
		return nilIfNone(fs[0], nil)
	}
	return nil, nil
}

// nilIfNone returns a typed nil pointer as an untyped nil Node, so GraphQL
// answers null rather than an object of a nil type.
func nilIfNone[T any](v *T, err error) (model.Node, error) {
	if err != nil || v == nil {
		return nil, err
	}
	return v, nil
}

// nodes resolves several ids; each is independent of the others.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > 250 {
		return nil, apperr.Invalid("ids", "ask for at most 250 ids at once")
	}
	out := make([]model.Node, len(ids))
	for i, id := range ids {
		n, err := r.node(ctx, id)
		if err != nil {
			return nil, err
		}
		out[i] = n
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
