package graph

import (
	"context"

	"lms/catalog"
)

// migratesTo answers SystemType.migratesTo: the types of the catalog's
// migration paths from code (MIG-3), from the catalog in memory.
func (r *Resolver) migratesTo(ctx context.Context, code string) ([]catalog.SystemType, error) {
	paths, err := catalog.MigrationPathsFrom(ctx, r.DB, code)
	if err != nil || len(paths) == 0 {
		return []catalog.SystemType{}, err
	}
	codes := make([]string, len(paths))
	for i, p := range paths {
		codes[i] = p.To
	}
	types, err := r.loaders(ctx).systemTypes.LoadAll(ctx, codes)
	if err != nil {
		return nil, err
	}
	out := make([]catalog.SystemType, 0, len(types))
	for _, st := range types {
		if st != nil {
			out = append(out, *st)
		}
	}
	return out, nil
}
