package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
)

var protectDatTypes = []string{"ProtectDat", "Node"}

// prefetchProtectDats loads the current protect.dat of every location of a
// list in one statement (EXT-4), and, when the query asks for it below, who
// uploaded them in one more; node is the selection of each location.
func (r *Resolver) prefetchProtectDats(ctx context.Context, ids []uuid.UUID, node graphql.CollectedField) error {
	l := r.loaders(ctx)
	if err := l.protectDats.prefetch(ctx, ids); err != nil {
		return err
	}
	f, _ := selected(ctx, node, "protectDat", locationTypes)
	if _, ok := selected(ctx, f, "uploadedBy", protectDatTypes); !ok {
		return nil
	}
	pds, err := l.protectDats.LoadAll(ctx, ids)
	if err != nil {
		return err
	}
	var users []uuid.UUID
	for _, pd := range pds {
		if pd != nil && pd.UploadedBy != nil {
			users = append(users, *pd.UploadedBy)
		}
	}
	return l.users.prefetch(ctx, users)
}
