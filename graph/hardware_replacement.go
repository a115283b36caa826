package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"lms/db"
	"lms/replacement"
)

var replacementRequestTypes = []string{"HardwareReplacementRequest", "Node"}

// prefetchReplacementRequests loads what node asks for below hardware
// replacement requests (HWR-2): their partners, system types, locations
// (with what the query selects below them) and license files (emergency
// and permanent, with what it selects below them) — one call each for the
// whole list.
func (r *Resolver) prefetchReplacementRequests(ctx context.Context, rs []*replacement.Request, node graphql.CollectedField) error {
	l := r.loaders(ctx)
	var partners, locations, emergency, permanent []uuid.UUID
	var systemTypes []string
	for _, x := range rs {
		partners, locations, systemTypes = append(partners, x.PartnerID), append(locations, x.LocationID), append(systemTypes, x.SystemType)
		if x.EmergencyFileID != nil {
			emergency = append(emergency, *x.EmergencyFileID)
		}
		if x.LicenseFileID != nil {
			permanent = append(permanent, *x.LicenseFileID)
		}
	}
	if _, ok := selected(ctx, node, "partner", replacementRequestTypes); ok {
		if err := l.partners.prefetch(ctx, partners); err != nil {
			return err
		}
	}
	if _, ok := selected(ctx, node, "systemType", replacementRequestTypes); ok {
		if err := l.systemTypes.prefetch(ctx, systemTypes); err != nil {
			return err
		}
	}
	if f, ok := selected(ctx, node, "location", replacementRequestTypes); ok {
		locs, err := l.locations.loadAll(ctx, locations)
		if err != nil {
			return err
		}
		if err := r.prefetchLocations(ctx, seen(locs), f); err != nil {
			return err
		}
	}
	// Both files in one call, then what is selected below each.
	ef, eok := selected(ctx, node, "emergencyLicenseFile", replacementRequestTypes)
	pf, pok := selected(ctx, node, "licenseFile", replacementRequestTypes)
	var ids []uuid.UUID
	if eok {
		ids = append(ids, emergency...)
	}
	if pok {
		ids = append(ids, permanent...)
	}
	if len(ids) == 0 {
		return nil
	}
	if err := l.filesByID.prefetch(ctx, ids); err != nil {
		return err
	}
	for _, p := range []struct {
		ok    bool
		node  graphql.CollectedField
		files []uuid.UUID
	}{{eok, ef, emergency}, {pok, pf, permanent}} {
		if !p.ok || len(p.files) == 0 {
			continue
		}
		files, err := l.filesByID.LoadAll(ctx, p.files)
		if err != nil {
			return err
		}
		if err := r.prefetchFiles(ctx, seen(files), p.node); err != nil {
			return err
		}
	}
	return nil
}

// seen drops the nils of objects loaded for the caller: those it may not
// see (a distributor sees none of its dealers' locations and files).
func seen[T any](xs []*T) []*T {
	var out []*T
	for _, x := range xs {
		if x != nil {
			out = append(out, x)
		}
	}
	return out
}

// licenseFile loads a license file the caller may see by id, nil for none.
func (r *Resolver) licenseFile(ctx context.Context, id *uuid.UUID) (*db.LicenseFile, error) {
	if id == nil {
		return nil, nil
	}
	return r.loaders(ctx).filesByID.Load(ctx, *id)
}
