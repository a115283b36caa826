package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"lms/db"
)

// selects reports whether the query selects field name of the object the
// current field returns (directly or in a fragment).
func selects(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{fc.Field.Definition.Type.Name()}) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// payloadLocation is the location a mutation's payload shows after the
// change, read only when the query selects it: a client that asks for the
// licenses alone costs no statement more (issue 14).
func (r *mutationResolver) payloadLocation(ctx context.Context, id uuid.UUID) (*db.Location, error) {
	if !selects(ctx, "location") {
		return nil, nil
	}
	return r.Services.Locations.FindLocation(ctx, id)
}
