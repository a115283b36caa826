package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/google/uuid"

	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/swa"
)

// locationSwa answers Location.swa: null for a caller without the
// SWA_ADMIN role, who may see the location but not its Software Assurance.
func (r *Resolver) locationSwa(ctx context.Context, locationID uuid.UUID) ([]swa.Application, error) {
	apps, err := r.loaders(ctx).swaApplications.Load(ctx, locationID)
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]swa.Application, len(apps))
	for i, a := range apps {
		out[i] = *a
	}
	return out, nil
}

// prefetchLocationSwa loads Location.swa of a list of locations in one
// call. For a caller without the SWA_ADMIN role there is nothing to load:
// each location answers null (locationSwa).
func (r *Resolver) prefetchLocationSwa(ctx context.Context, ids []uuid.UUID) error {
	err := r.loaders(ctx).swaApplications.prefetch(ctx, ids)
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil
	}
	return err
}

// prefetchUnitOrders loads what node asks for below a page of SWA unit
// orders: their partners (and the distributors they were reshipped from)
// and parts, one call each for the page.
func (r *Resolver) prefetchUnitOrders(ctx context.Context, orders []*db.SwaUnitOrder, node graphql.CollectedField) error {
	l := r.loaders(ctx)
	var partners []uuid.UUID
	parts := make([]string, len(orders))
	for i, o := range orders {
		parts[i] = o.PartNumber
	}
	types := []string{"SwaUnitOrder", "Node"}
	if _, ok := selected(ctx, node, "partner", types); ok {
		for _, o := range orders {
			partners = append(partners, o.PartnerID)
		}
	}
	if _, ok := selected(ctx, node, "reshippedFrom", types); ok {
		for _, o := range orders {
			if o.ReshippedFrom != nil {
				partners = append(partners, *o.ReshippedFrom)
			}
		}
	}
	if len(partners) > 0 {
		if err := l.partners.prefetch(ctx, partners); err != nil {
			return err
		}
	}
	if _, ok := selected(ctx, node, "part", types); ok {
		return l.parts.prefetch(ctx, parts)
	}
	return nil
}

// swaActivation loads an assignment the caller may see.
func (r *Resolver) swaActivation(ctx context.Context, id uuid.UUID) (*db.SwaActivation, error) {
	acts, err := r.Services.Swa.FindActivations(ctx, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	return acts[0], nil
}

// swaApplication loads a catalog SWA application by code.
func (r *Resolver) swaApplication(ctx context.Context, code string) (*catalog.SwaApplication, error) {
	return r.loaders(ctx).swaApplicationsByCode.Load(ctx, code)
}

// activationSwaQuote is the quote activateLicenses answers with (SWA-7a),
// computed only when the client selects it: nil when the caller may not
// see SWA or the location has no application.
func (r *Resolver) activationSwaQuote(ctx context.Context, locationID uuid.UUID) (*swa.Quote, error) {
	if fc := graphql.GetFieldContext(ctx); fc == nil {
		return nil, nil
	} else if _, ok := selected(ctx, fc.Field, "swaQuote", nil); !ok {
		return nil, nil
	}
	q, err := r.Services.Swa.Quote(ctx, locationID, "")
	switch apperr.CodeOf(err) {
	case "":
		return q, err
	case apperr.Forbidden, apperr.NotApplicable, apperr.NotFound:
		return nil, nil
	}
	return nil, err
}

// nonZero is t, or nil for the zero time (a date a failed quote line has not).
func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// renewalQuoteInput is the question of swaRenewalQuote and renewSwa.
func renewalQuoteInput(customerID, locationID *string, activationOn *time.Time, months *int, deselected []string) (swa.RenewalQuoteInput, error) {
	in := swa.RenewalQuoteInput{ActivationOn: activationOn, Months: months}
	var err error
	in.CustomerID, err = parseOptionalID(customerID, "Customer", "customerId")
	loc, lerr := parseOptionalID(locationID, "Location", "locationId")
	in.LocationID, err = loc, firstErr(err, lerr)
	for i, s := range deselected {
		id, perr := parseID(s, "Location", fmt.Sprintf("deselectedLocationIds.%d", i))
		in.Deselected, err = append(in.Deselected, id), firstErr(err, perr)
	}
	return in, err
}
