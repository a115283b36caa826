package swa

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/idempotency"
	"lms/location"
)

// AssignInput assigns SWA to an application of a location for a term
// (SWA-7).
type AssignInput struct {
	LocationID uuid.UUID
	// Application is the SWA application's code; empty for the location's
	// only one.
	Application string
	// TermMonths is one of the quote's terms.
	TermMonths int
	// ReferenceNote is the user's reference (an order number, a name).
	ReferenceNote string
	// AuthoriseUnits is the user's consent to take the units from the SWA
	// unit bin.
	AuthoriseUnits bool
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// maxNote bounds a reference note or a reason.
const maxNote = 2000

// Validate checks the input on its own.
func (in *AssignInput) Validate() error {
	var errs apperr.List
	if !in.AuthoriseUnits {
		errs.Add(apperr.New(apperr.UnitsNotAuthorised, "authorise taking the SWA units from your SWA unit bin to assign Software Assurance").OnField("authoriseUnits"))
	}
	if in.TermMonths < 1 || in.TermMonths > 120 {
		errs.Add(apperr.Invalid("termMonths", "choose one of the quoted terms"))
	}
	in.Application = strings.TrimSpace(in.Application)
	errs.Text("referenceNote", &in.ReferenceNote, false, maxNote)
	return errs.Err()
}

// ActivateArgs is the River job that activates a pending assignment when
// its cooling-off period ends (SWA-8). It may run more than once (a retry
// after a crash); the activation happens once.
type ActivateArgs struct {
	ActivationID uuid.UUID `json:"activation_id"`
}

// Kind implements river.JobArgs.
func (ActivateArgs) Kind() string { return "swa_activate" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ActivateArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 25} }

// Assign assigns SWA to an application of a location (SWA-7): the quote is
// computed again under the system's lock (never trusted from the client),
// the term's units and any reinstatement fee are reserved from the unit
// bin first-expiring-first, and the assignment is PENDING for the
// cooling-off period, after which a scheduled job activates it (SWA-8) —
// all in one transaction. Errors: UNAUTHENTICATED, FORBIDDEN,
// UNITS_NOT_AUTHORISED, VALIDATION_FAILED (a term the quote does not
// offer), NOT_FOUND (location), NOT_APPLICABLE (no activated licenses of
// the application; an assignment already pending; an agreement that still
// runs), INSUFFICIENT_SWA_UNITS, IDEMPOTENCY_KEY_REUSED.
func (s *Service) Assign(ctx context.Context, in AssignInput) (*db.SwaActivation, error) {
	act, err := idempotency.Mutation(ctx, s.DB, "assignSwa", &in, in.IdempotencyKey, allowSwa, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*db.SwaActivation, error) {
		return s.assign(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("assign SWA to location %s: %w", in.LocationID, err)
	}
	return act, nil
}

func (s *Service) assign(ctx context.Context, tx bun.Tx, a *actor.Actor, in AssignInput) (*db.SwaActivation, error) {
	sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
	if err != nil {
		return nil, err
	}
	loc := sys.Location
	q, err := s.quote(ctx, tx, a, loc, in.Application)
	if err != nil {
		return nil, err
	}
	app := q.Application
	switch {
	case app.Pending != nil:
		return nil, apperr.New(apperr.NotApplicable, "%s already has an SWA assignment for %s in its cooling-off period: process it or cancel it first", loc.Name, app.Application.Name).OnField("locationId")
	case app.Current() != nil && !app.Current().EndsOn.Before(q.Today):
		return nil, apperr.New(apperr.NotApplicable, "%s has SWA for %s until %s (agreement %s): renew it instead", loc.Name, app.Application.Name,
			app.Current().EndsOn.Format(time.DateOnly), app.Current().FullNumber()).OnField("locationId")
	case app.FirstActivation == nil:
		return nil, apperr.New(apperr.NotApplicable, "%s has no activated %s licenses: activate licenses first", loc.Name, app.Application.Name).OnField("locationId")
	}
	term, ok := q.Term(in.TermMonths)
	if !ok {
		return nil, apperr.Invalid("termMonths", "%s offers terms of %v months", app.Application.Name, app.Application.Terms)
	}
	now := s.now()
	act := &db.SwaActivation{
		ID: uuid.New(), Kind: db.SwaAssignment, PartnerID: loc.PartnerID, LocationID: loc.ID, Application: app.Application.Code,
		TermMonths: term.Months, TermUnits: term.Units, LapsedMonths: q.LapsedMonths, ReinstatementUnits: q.ReinstatementUnits,
		ReferenceNote: in.ReferenceNote, QuotedOn: q.Today, Status: db.SwaActivationPending, RequestedBy: &a.User.ID, RequestedAt: now,
		DueAt: now.Add(s.coolingOff()),
	}
	if _, err := tx.NewInsert().Model(act).Exec(ctx); err != nil {
		return nil, fmt.Errorf("record SWA assignment: %w", err)
	}
	allocs, err := allocate(ctx, tx, loc.PartnerID, act.ID, act.Units(), q.Today)
	if err != nil {
		return nil, err
	}
	// The job waits the cooling-off period on the wall clock, which is the
	// service's clock except in tests that fix the latter (the job must not
	// run at once because the fixed day is in the past).
	if _, err := s.Jobs.InsertTx(ctx, tx.Tx, ActivateArgs{ActivationID: act.ID}, &river.InsertOpts{ScheduledAt: time.Now().Add(s.coolingOff())}); err != nil {
		return nil, fmt.Errorf("schedule SWA activation: %w", err)
	}
	objects := []string{audit.Ref("Location", loc.ID), audit.Ref("SwaActivation", act.ID)}
	for _, al := range allocs {
		objects = append(objects, audit.Ref("SwaUnitOrder", al.UnitOrderID))
	}
	return act, audit.Record(ctx, tx, audit.Event{
		Action: "swa.assign", PartnerIDs: []uuid.UUID{loc.PartnerID}, Objects: objects,
		Summary: map[string]any{
			"location": loc.Name, "hardwareKeyCode": loc.HardwareKeyCode, "application": app.Application.Name,
			"termMonths": act.TermMonths, "units": act.Units(), "reinstatementUnits": act.ReinstatementUnits,
			"lapsedMonths": act.LapsedMonths, "dueAt": act.DueAt.UTC().Format(time.RFC3339), "referenceNote": act.ReferenceNote,
		},
	})
}
