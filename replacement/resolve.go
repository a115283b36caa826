package replacement

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/idempotency"
	"lms/location"
	"lms/mail"
)

// Decision is the license desk's answer to a request (HWR-2).
type Decision string

// Decisions.
const (
	// Complete replaces the hardware as requested.
	Complete Decision = "COMPLETE"
	// Reject refuses the request, with a reason.
	Reject Decision = "REJECT"
)

// ResolveInput completes or rejects a hardware replacement request.
type ResolveInput struct {
	RequestID uuid.UUID
	Decision  Decision
	// Reason is why a request is rejected (required then), or a note on a
	// completion.
	Reason string
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *ResolveInput) Validate() error {
	var errs apperr.List
	if in.Decision != Complete && in.Decision != Reject {
		errs.Add(apperr.Invalid("decision", "decide COMPLETE or REJECT"))
	}
	errs.Text("reason", &in.Reason, in.Decision == Reject, maxText)
	return errs.Err()
}

// Resolved is what resolving a request made: the request, resolved, and
// for a completion the replacement (nil for a rejection).
type Resolved struct {
	Request  *Request
	Replaced *Replaced
}

// Resolve completes or rejects a pending hardware replacement request
// (HWR-2). Completing it runs the replacement ReplaceHardware runs, to the
// request's new code and with its reason, under the location's lock; the
// new permanent license file takes over from the emergency one.
// Rejecting it keeps the location as it is and lets the emergency file run
// out. The requester's partner is emailed either way, in the same
// transaction. License desk only. Errors: UNAUTHENTICATED, FORBIDDEN,
// VALIDATION_FAILED, NOT_FOUND, NOT_APPLICABLE (resolved already, the
// location's code changed since the request, or the replacement no longer
// applies), INVALID_HARDWARE_KEYCODE, DUPLICATE_HARDWARE_KEYCODE (a
// location registered the new code since), IDEMPOTENCY_KEY_REUSED.
func (s *Service) Resolve(ctx context.Context, in ResolveInput) (*Resolved, error) {
	out, err := idempotency.Mutation(ctx, s.DB, "resolveHardwareReplacementRequest", &in, in.IdempotencyKey, requireDesk, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*Resolved, error) {
		r, err := findRequest(ctx, tx, a, in.RequestID)
		if err != nil {
			return nil, err
		}
		var sys *location.System
		if in.Decision == Complete {
			// The location's lock first, as every change of its system
			// takes it, then the request's.
			if sys, err = location.LockSystem(ctx, tx, a, r.LocationID, "requestId"); err != nil {
				return nil, err
			}
		}
		if err := tx.NewSelect().Model(&r.HardwareReplacementRequest).WherePK().For("UPDATE").Scan(ctx); err != nil {
			return nil, fmt.Errorf("lock hardware replacement request %s: %w", r.ID, err)
		}
		if r.Status != db.ReplacementPending {
			return nil, apperr.New(apperr.NotApplicable, "the request was %s on %s", strings.ToLower(string(r.Status)), r.ResolvedAt.UTC().Format("2 January 2006")).OnField("requestId")
		}
		out := &Resolved{Request: r}
		if in.Decision == Complete {
			if out.Replaced, err = s.complete(ctx, tx, a, sys, r); err != nil {
				return nil, err
			}
		}
		return out, s.close(ctx, tx, a, r, in, out.Replaced)
	})
	if err != nil {
		return nil, fmt.Errorf("resolve hardware replacement request %s: %w", in.RequestID, err)
	}
	return out, nil
}

// complete replaces the hardware of r's location, locked as sys, as r asks.
func (s *Service) complete(ctx context.Context, tx bun.Tx, a *actor.Actor, sys *location.System, r *Request) (*Replaced, error) {
	if sys.Location.HardwareKeyCode != r.OldHardwareKeyCode {
		return nil, apperr.New(apperr.NotApplicable, "%s has Hardware Key Code %s since the request (for %s): reject the request",
			sys.Location.Name, sys.Location.HardwareKeyCode, r.OldHardwareKeyCode).OnField("requestId")
	}
	code, err := sys.ReplacementCode(ctx, tx, r.NewHardwareKeyCode, "requestId", "requestId")
	if err != nil {
		return nil, err
	}
	return s.replace(ctx, tx, a, sys, code, r.Reason, r)
}

// close records the decision on r, its audit event (a completion's is the
// replacement's) and the rejection's mail.
func (s *Service) close(ctx context.Context, tx bun.Tx, a *actor.Actor, r *Request, in ResolveInput, replaced *Replaced) error {
	r.Status, r.Resolution = db.ReplacementRejected, in.Reason
	if replaced != nil {
		r.Status = db.ReplacementCompleted
		if replaced.File != nil {
			r.LicenseFileID = &replaced.File.ID
		}
	}
	r.ResolvedBy = &a.User.ID
	r.ResolvedByLabel = &db.Identity{Name: a.User.Name, Email: a.User.Email, PartnerName: a.Partner.Name}
	if _, err := tx.NewUpdate().Model(&r.HardwareReplacementRequest).
		Column("status", "resolution", "resolved_by", "resolved_by_label", "license_file_id").
		Set("resolved_at = clock_timestamp()").WherePK().Returning("resolved_at").Exec(ctx); err != nil {
		return fmt.Errorf("record the decision on hardware replacement request %s: %w", r.ID, err)
	}
	if replaced != nil {
		return nil
	}
	if err := audit.Record(ctx, tx, audit.Event{
		Action: "hardware_replacement.reject", PartnerIDs: []uuid.UUID{r.PartnerID},
		Objects: []string{audit.Ref("HardwareReplacementRequest", r.ID), audit.Ref("Location", r.LocationID)},
		Summary: map[string]any{"location": r.LocationName, "oldHardwareKeyCode": r.OldHardwareKeyCode, "newHardwareKeyCode": r.NewHardwareKeyCode, "rejection": r.Resolution},
	}); err != nil {
		return err
	}
	loc := new(db.Location)
	if err := tx.NewSelect().Model(loc).Where("l.id = ?", r.LocationID).Scan(ctx); err != nil {
		return fmt.Errorf("load location %s: %w", r.LocationID, err)
	}
	p, customer, err := partnerAndCustomer(ctx, tx, loc)
	if err != nil {
		return err
	}
	e := mail.HardwareReplacementRejected{
		PartnerName: p.Name, CustomerName: customer, LocationName: loc.Name, LocationID: loc.ID.String(),
		OldHardwareKeyCode: r.OldHardwareKeyCode, NewHardwareKeyCode: r.NewHardwareKeyCode, Reason: r.Reason, Rejection: r.Resolution,
		RequestedAt: r.RequestedAt, RejectedAt: *r.ResolvedAt, EmergencyExpiresAt: r.EmergencyExpiresAt(),
	}
	return s.mailPartner(ctx, tx, p, func(name string) mail.Email { e.RecipientName = name; return e })
}
