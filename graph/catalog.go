package graph

import (
	"context"

	"lms/actor"
	"lms/catalog"
	"lms/graph/model"
)

// catalogNode finds a catalog object by its key, the code or part number its
// id holds: any signed-in user reads the catalog, as the catalog query does.
// Errors: UNAUTHENTICATED.
func (r *Resolver) catalogNode(ctx context.Context, typ, key string) (model.Node, error) {
	if _, err := actor.Require(ctx); err != nil {
		return nil, err
	}
	switch typ {
	case "SystemType":
		sts, err := catalog.FindSystemTypes(ctx, r.DB, []string{key})
		return firstNode(sts, err)
	case "Part":
		ps, err := catalog.FindParts(ctx, r.DB, []string{key})
		return firstNode(ps, err)
	case "SwaApplication":
		as, err := catalog.FindSwaApplications(ctx, r.DB, []string{key})
		return firstNode(as, err)
	}
	return nil, nil
}

// firstNode answers the one object a Find of one key returned.
func firstNode[T any](found []*T, err error) (model.Node, error) {
	if err != nil {
		return nil, err
	}
	return nilIfNone(found[0], nil)
}
