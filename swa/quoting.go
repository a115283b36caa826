package swa

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/page"
	"lms/swa/quote"
)

// Quote is what assigning SWA to an application of a location would take
// (SWA-4, SWA-7): each allowed term with its units and dates, "activate
// later" (0), any reinstatement fee, and the units the caller has.
type Quote struct {
	Location    *db.Location
	Application *Application
	quote.Quote
	// Today is the day the quote is for.
	Today time.Time
	// UnitsAvailable are the caller's partner's assignable SWA units.
	UnitsAvailable int
}

// Term returns the quoted term of the given length, false when the
// application does not offer it.
func (q *Quote) Term(months int) (quote.Term, bool) {
	for _, t := range q.Terms {
		if t.Months == months {
			return t, true
		}
	}
	return quote.Term{}, false
}

// Quote quotes SWA for an application of a location (SWA-4, SWA-7); an
// empty application means the location's system type's. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (location, also another partner's),
// NOT_APPLICABLE (the location has no such application).
func (s *Service) Quote(ctx context.Context, locationID uuid.UUID, application string) (*Quote, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	loc := new(db.Location)
	err = a.Restrict(s.DB.NewSelect().Model(loc), "l.partner_id").Where("l.id = ?", locationID).Where("l.deleted_at IS NULL").Scan(ctx)
	if isNoRows(err) {
		return nil, apperr.NotFoundf("location").OnField("locationId")
	}
	if err != nil {
		return nil, fmt.Errorf("find location %s: %w", locationID, err)
	}
	q, err := s.quote(ctx, s.DB, a, loc, application)
	if err != nil {
		return nil, fmt.Errorf("quote SWA of location %s: %w", locationID, err)
	}
	return q, nil
}

// quote computes the quote of a location the caller may see, in idb (the
// assigning transaction recomputes it there, under the system's lock).
func (s *Service) quote(ctx context.Context, idb bun.IDB, a *actor.Actor, loc *db.Location, application string) (*Quote, error) {
	today := quote.Day(s.now())
	all, err := applications(ctx, idb, []uuid.UUID{loc.ID}, today)
	if err != nil {
		return nil, err
	}
	app, err := pick(loc, all[loc.ID], application)
	if err != nil {
		return nil, err
	}
	factors, err := termFactors(ctx, idb)
	if err != nil {
		return nil, err
	}
	in := quote.Input{Today: today, Rate: app.Rate, Terms: app.Application.Terms, Factors: factors, FirstActivation: app.FirstActivation}
	if c := app.Current(); c != nil {
		in.LastAgreementEnd = &c.EndsOn
	}
	owner := a
	if a.IsAdmin() {
		// The license desk quotes with the location's partner's units.
		owner = &actor.Actor{User: a.User, Partner: &db.Partner{ID: loc.PartnerID}}
	}
	t, err := totals(ctx, idb, owner, UnitFilter{}, today)
	if err != nil {
		return nil, err
	}
	return &Quote{Location: loc, Application: app, Quote: quote.Compute(in), Today: today, UnitsAvailable: t.Available}, nil
}

// pick chooses the application a quote or an assignment is for: the named
// one, or the location's only one when none is named. Errors:
// NOT_APPLICABLE (the location has no such application, or none),
// VALIDATION_FAILED (several and none named).
func pick(loc *db.Location, apps []*Application, code string) (*Application, error) {
	if code == "" && len(apps) == 1 {
		return apps[0], nil
	}
	var codes []string
	for _, a := range apps {
		if a.Application.Code == code {
			return a, nil
		}
		codes = append(codes, a.Application.Code)
	}
	switch {
	case len(apps) == 0:
		return nil, apperr.New(apperr.NotApplicable, "%s is not under Software Assurance: its system type and licenses belong to no SWA application", loc.Name).OnField("locationId")
	case code == "":
		return nil, apperr.Invalid("application", "%s has several SWA applications: name one of %s", loc.Name, strings.Join(codes, ", "))
	}
	return nil, apperr.New(apperr.NotApplicable, "%s has no SWA application %s; it has %s", loc.Name, code, strings.Join(codes, ", ")).OnField("application")
}

// termFactors are the catalog's SWA-4 term factors, exact.
func termFactors(ctx context.Context, idb bun.IDB) (map[int]quote.Factor, error) {
	var rows []catalog.SwaTermFactor
	if err := idb.NewSelect().Model(&rows).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("load SWA term factors: %w", err)
	}
	out := make(map[int]quote.Factor, len(rows))
	for _, f := range rows {
		out[f.Months] = quote.FactorOf(f.Factor)
	}
	return out, nil
}

// ApplicationsOf returns the SWA of every application of each location, in
// the order of locationIDs (none for a location that is not the caller's),
// in four statements for the whole list. Errors: UNAUTHENTICATED,
// FORBIDDEN.
func (s *Service) ApplicationsOf(ctx context.Context, locationIDs []uuid.UUID) ([][]*Application, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	ids := locationIDs
	if !a.IsAdmin() {
		ids = nil
		if err := s.DB.NewSelect().Model((*db.Location)(nil)).Column("id").Where("id IN (?)", bun.In(locationIDs)).
			Where("partner_id = ?", a.Partner.ID).Scan(ctx, &ids); err != nil && !isNoRows(err) {
			return nil, fmt.Errorf("find locations: %w", err)
		}
	}
	by, err := applications(ctx, s.DB, ids, quote.Day(s.now()))
	if err != nil {
		return nil, err
	}
	out := make([][]*Application, len(locationIDs))
	for i, id := range locationIDs {
		out[i] = by[id]
	}
	return out, nil
}

// ProspectiveFilter narrows ProspectiveLocations.
type ProspectiveFilter struct {
	// Search matches part of a location's name, HWKC or customer, like
	// the location search.
	Search string
}

// ProspectiveLocations pages the caller's locations in their grace period
// without SWA (SWA-5, SWA-7b: "Prospective Software Assurance Locations"),
// by name: an application of theirs has activated licenses, its grace
// period runs on today, and it has no agreement and no pending assignment.
// Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED.
func (s *Service) ProspectiveLocations(ctx context.Context, f ProspectiveFilter, args page.Args) (*page.Page[db.Location], error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	if err := page.ValidateSearch(&f.Search); err != nil {
		return nil, err
	}
	// Open-ended: no grace period ends after the year 9999.
	grace := inGraceWithoutSwa(s.DB, quote.Day(s.now()), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)).
		Where("lic.location_id = l.id")
	q := a.Restrict(s.DB.NewSelect().Model((*db.Location)(nil)), "l.partner_id").
		Where("l.deleted_at IS NULL").Where("EXISTS (?)", grace)
	if f.Search != "" {
		q = q.Where("l.search_text LIKE ?", db.ContainsPattern(f.Search))
	}
	return page.Alphabetical(ctx, q, args, a.Scope()+"/swa-prospective/"+f.Search, "l.name", "l.id",
		func(l *db.Location) (string, uuid.UUID) { return l.Name, l.ID })
}
