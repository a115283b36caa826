package graph

import (
	"context"

	"lms/actor"
	"lms/catalog"
	"lms/graph/model"
)

// catalogNodes finds catalog objects by their keys, the codes or part
// numbers their ids hold, in one statement: any signed-in user reads the
// catalog, as the catalog query does. An unknown key answers nil.
// Errors: UNAUTHENTICATED.
func (r *Resolver) catalogNodes(ctx context.Context, typ string, keys []string) ([]model.Node, error) {
	if _, err := actor.Require(ctx); err != nil {
		return nil, err
	}
	switch typ {
	case "SystemType":
		return nodesOf(catalog.FindSystemTypes(ctx, r.DB, keys))
	case "Part":
		return nodesOf(catalog.FindParts(ctx, r.DB, keys))
	case "SwaApplication":
		return nodesOf(catalog.FindSwaApplications(ctx, r.DB, keys))
	}
	return make([]model.Node, len(keys)), nil
}

// nodesOf turns what a Find returned into nodes, an untyped nil for each
// object not found (GraphQL answers null rather than an object of a nil
// type).
func nodesOf[T any](found []*T, err error) ([]model.Node, error) {
	if err != nil {
		return nil, err
	}
	out := make([]model.Node, len(found))
	for i, v := range found {
		if v != nil {
			out[i] = v
		}
	}
	return out, nil
}
