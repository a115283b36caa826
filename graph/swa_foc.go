package graph

import (
	"context"

	"github.com/google/uuid"

	"lms/apperr"
	"lms/swa"
)

// locationFreeOfCharge answers Location.freeOfChargeLicenses (SWA-12):
// null for a caller without the SWA_ADMIN role, who may see the location
// but not its Software Assurance; an empty list when it may use none.
func (r *Resolver) locationFreeOfCharge(ctx context.Context, locationID uuid.UUID) ([]swa.FreeOfChargeLicense, error) {
	list, err := r.loaders(ctx).freeOfChargeLicenses.Load(ctx, locationID)
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]swa.FreeOfChargeLicense, len(list))
	for i, f := range list {
		out[i] = *f
	}
	return out, nil
}

// prefetchFreeOfCharge loads Location.freeOfChargeLicenses of a list of
// locations in one call; for a caller without the SWA_ADMIN role there is
// nothing to load (each answers null).
func (r *Resolver) prefetchFreeOfCharge(ctx context.Context, ids []uuid.UUID) error {
	err := r.loaders(ctx).freeOfChargeLicenses.prefetch(ctx, ids)
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil
	}
	return err
}
