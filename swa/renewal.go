package swa

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/db"
	"lms/swa/quote"
)

// RenewalQuoteInput asks for a co-termed renewal quote (SWA-10): of every
// location of a customer with an agreement, or of one location, less the
// deselected locations, from the activation moment for Months months.
type RenewalQuoteInput struct {
	// CustomerID or LocationID, exactly one.
	CustomerID, LocationID *uuid.UUID
	// ActivationOn is the renewal's activation moment; today when nil.
	ActivationOn *time.Time
	// Months is the renewal's duration; 12 when nil.
	Months *int
	// Deselected are locations left out of the renewal.
	Deselected []uuid.UUID
}

// maxDeselected bounds the locations a renewal quote may leave out.
const maxDeselected = 1000

// Validate checks the input on its own.
func (in *RenewalQuoteInput) Validate() error {
	var errs apperr.List
	in.validate(&errs)
	return errs.Err()
}

func (in *RenewalQuoteInput) validate(errs *apperr.List) {
	if (in.CustomerID == nil) == (in.LocationID == nil) {
		errs.Add(apperr.Invalid("customerId", "give a customer or a location, not both"))
	}
	if in.Months != nil && *in.Months < 1 {
		errs.Add(apperr.Invalid("months", "a renewal lasts 1 month or more"))
	}
	if len(in.Deselected) > maxDeselected {
		errs.Add(apperr.Invalid("deselectedLocationIds", "leave out at most %d locations; quote the locations to renew one by one instead", maxDeselected))
	}
}

// RenewalLine is one agreement of a renewal quote: the location, its
// application and current agreement, and the renewal's dates and units or
// why it fails.
type RenewalLine struct {
	Location    *db.Location
	Application *Application
	quote.RenewalLine
}

// RenewalQuote is a co-termed renewal quote (SWA-10).
type RenewalQuote struct {
	Today, ActivationOn time.Time
	Months              int
	// EndsOn, Units and Failure are those of quote.Renewal.
	EndsOn  time.Time
	Units   int
	Failure string
	Lines   []RenewalLine
	// UnitsAvailable are the partner's assignable SWA units.
	UnitsAvailable int
}

// RenewalQuote quotes the co-termed renewal of a customer's or a location's
// agreements (SWA-10): for a customer, every application of its locations
// with an agreement, active or expired; for a location, each of its
// applications, those without an agreement failing (as do those whose
// assignment cools off). Who may call it: a user
// with SWA_ADMIN of the partner, or the license desk. Errors:
// UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED, NOT_FOUND (customer or
// location, also another partner's).
func (s *Service) RenewalQuote(ctx context.Context, in RenewalQuoteInput) (*RenewalQuote, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.renewalQuote(ctx, s.DB, a, in, false)
}

// renewalQuote quotes in's renewal in idb, locking the locations when lock
// is set (renewSwa's transaction).
func (s *Service) renewalQuote(ctx context.Context, idb bun.IDB, a *actor.Actor, in RenewalQuoteInput, lock bool) (*RenewalQuote, error) {
	today := quote.Day(s.now())
	out := &RenewalQuote{Today: today, ActivationOn: today, Months: 12}
	if in.ActivationOn != nil {
		out.ActivationOn = quote.Day(*in.ActivationOn)
	}
	if in.Months != nil {
		out.Months = *in.Months
	}
	if out.ActivationOn.Before(today) {
		return nil, apperr.Invalid("activationOn", "the activation moment is today or later, not %s", out.ActivationOn.Format(time.DateOnly))
	}
	locs, err := renewalLocations(ctx, idb, a, in, lock)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(locs))
	for i, l := range locs {
		ids[i] = l.ID
	}
	apps, err := applications(ctx, idb, ids, today)
	if err != nil {
		return nil, err
	}
	factors, err := termFactors(ctx, idb)
	if err != nil {
		return nil, err
	}
	var items []quote.RenewalItem
	for _, loc := range locs {
		for _, app := range apps[loc.ID] {
			current := app.Current()
			if current == nil && in.CustomerID != nil {
				continue // a customer's renewal lists the agreements there are
			}
			it := quote.RenewalItem{Rate: app.Rate, Factors: factors, MaxMonths: app.Application.MaxRenewalMonths, CoolingOff: app.Pending != nil}
			if current != nil {
				it.CurrentEnd = current.EndsOn
			}
			items = append(items, it)
			out.Lines = append(out.Lines, RenewalLine{Location: loc, Application: app})
		}
	}
	r := quote.RenewalQuote(quote.RenewalInput{Today: today, Activation: out.ActivationOn, Months: out.Months, Items: items})
	for i := range out.Lines {
		out.Lines[i].RenewalLine = r.Lines[i]
	}
	out.EndsOn, out.Units, out.Failure = r.EndsOn, r.Units, r.Failure
	if len(locs) > 0 {
		owner := &actor.Actor{User: a.User, Partner: &db.Partner{ID: locs[0].PartnerID}}
		t, err := totals(ctx, idb, owner, UnitFilter{}, today)
		if err != nil {
			return nil, err
		}
		out.UnitsAvailable = t.Available
	}
	return out, nil
}

// renewalLocations are the live locations a renewal quote covers, by name:
// the customer's or the one location, the caller's to see, less the
// deselected ones. With lock, they are locked for the renewal: roots before
// children, each in id order, the order location.LockSystem takes a parent
// and its child in, so a renewal and an assignment never wait on each
// other in a cycle.
func renewalLocations(ctx context.Context, idb bun.IDB, a *actor.Actor, in RenewalQuoteInput, lock bool) ([]*db.Location, error) {
	var locs []*db.Location
	q := a.Restrict(idb.NewSelect().Model(&locs), "l.partner_id").Where("l.deleted_at IS NULL")
	if in.CustomerID != nil {
		exists, err := a.Restrict(idb.NewSelect().Model((*db.Customer)(nil)), "c.partner_id").Where("c.id = ?", *in.CustomerID).Exists(ctx)
		if err != nil {
			return nil, fmt.Errorf("find customer %s: %w", *in.CustomerID, err)
		}
		if !exists {
			return nil, apperr.NotFoundf("customer").OnField("customerId")
		}
		q = q.Where("l.customer_id = ?", *in.CustomerID)
	} else {
		q = q.Where("l.id = ?", *in.LocationID)
	}
	if lock {
		q = q.OrderExpr("l.parent_id IS NOT NULL, l.id").For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find the locations to renew: %w", err)
	}
	if in.LocationID != nil && len(locs) == 0 {
		return nil, apperr.NotFoundf("location").OnField("locationId")
	}
	deselected := make(map[uuid.UUID]bool, len(in.Deselected))
	for _, id := range in.Deselected {
		deselected[id] = true
	}
	locs = slices.DeleteFunc(locs, func(l *db.Location) bool { return deselected[l.ID] })
	slices.SortFunc(locs, func(x, y *db.Location) int {
		return cmp.Or(cmp.Compare(x.Name, y.Name), slices.Compare(x.ID[:], y.ID[:]))
	})
	return locs, nil
}
