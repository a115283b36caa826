package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"lms/db"
	"lms/swa"
)

// prefetchReservations loads what node asks for below a page of SWA
// reservations (SWA-13): their dealers and system types and, below each
// assignment, its location (with what the query selects below it), the
// user who assigned it, its application and its escalations — one call
// each for the page.
func (r *Resolver) prefetchReservations(ctx context.Context, rs []*swa.Reservation, node graphql.CollectedField) error {
	l := r.loaders(ctx)
	var ids, partners, locations, users []uuid.UUID
	var systemTypes, applications []string
	for _, x := range rs {
		ids, partners, locations = append(ids, x.ID), append(partners, x.PartnerID), append(locations, x.LocationID)
		systemTypes, applications = append(systemTypes, x.SystemType), append(applications, x.Application)
		if x.RequestedBy != nil {
			users = append(users, *x.RequestedBy)
		}
	}
	types := []string{"SwaReservation"}
	if _, ok := selected(ctx, node, "dealer", types); ok {
		if err := l.partners.prefetch(ctx, partners); err != nil {
			return err
		}
	}
	if _, ok := selected(ctx, node, "systemType", types); ok {
		if err := l.systemTypes.prefetch(ctx, systemTypes); err != nil {
			return err
		}
	}
	act, ok := selected(ctx, node, "activation", types)
	if !ok {
		return nil
	}
	types = []string{"SwaActivation", "Node"}
	if f, ok := selected(ctx, act, "location", types); ok {
		locs, err := l.locations.loadAll(ctx, locations)
		if err != nil {
			return err
		}
		var seen []*db.Location // a distributor sees none of its dealers'
		for _, loc := range locs {
			if loc != nil {
				seen = append(seen, loc)
			}
		}
		if err := r.prefetchLocations(ctx, seen, f); err != nil {
			return err
		}
	}
	for _, p := range []struct {
		field string
		load  func() error
	}{
		{"requestedBy", func() error { return l.users.prefetch(ctx, users) }},
		{"application", func() error { return l.swaApplicationsByCode.prefetch(ctx, applications) }},
		{"escalations", func() error { return l.swaEscalations.prefetch(ctx, ids) }},
	} {
		if _, ok := selected(ctx, act, p.field, types); ok {
			if err := p.load(); err != nil {
				return err
			}
		}
	}
	return nil
}
