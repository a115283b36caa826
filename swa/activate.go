package swa

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/mail"
	"lms/swa/quote"
)

// ActivateDue activates a pending assignment whose cooling-off period has
// ended (SWA-8); the activation job calls it. An assignment activated or
// cancelled meanwhile is left alone, so however often the job runs (a
// retry after a crash, a race with "Process immediately") the activation
// happens once. One still in its cooling-off period (the job run early,
// by hand or on a clock apart from the service's) is left alone too, with
// a NotDueError.
func (s *Service) ActivateDue(ctx context.Context, activationID uuid.UUID) error {
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		act, err := lockActivation(ctx, tx, nil, nil, activationID)
		if err != nil || act == nil || act.Status != db.SwaActivationPending {
			return err
		}
		if left := act.DueAt.Sub(s.now()); left > 0 {
			return &NotDueError{Left: left}
		}
		_, err = s.activate(ctx, tx, act, nil, "")
		return err
	})
	if err != nil {
		return fmt.Errorf("activate SWA assignment %s: %w", activationID, err)
	}
	return nil
}

// NotDueError is ActivateDue's answer for an assignment whose cooling-off
// period has not ended: it is due in Left.
type NotDueError struct{ Left time.Duration }

func (e *NotDueError) Error() string {
	return fmt.Sprintf("the cooling-off period ends in %s", e.Left.Round(time.Millisecond))
}

// ProcessImmediately activates a pending assignment now instead of at the
// end of its cooling-off period ("Process immediately", SWA-8); the reason
// is kept for the record. Errors: UNAUTHENTICATED, FORBIDDEN,
// VALIDATION_FAILED (no reason), NOT_FOUND (also another partner's),
// NOT_APPLICABLE (activated or cancelled already).
func (s *Service) ProcessImmediately(ctx context.Context, activationID uuid.UUID, reason string) (*db.SwaAgreement, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	var errs apperr.List
	errs.Text("reason", &reason, true, maxNote)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	var ag *db.SwaAgreement
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		act, err := lockActivation(ctx, tx, a, ownActivations, activationID)
		if err != nil {
			return err
		}
		if err := requirePending(act); err != nil {
			return err
		}
		ag, err = s.activate(ctx, tx, act, a, reason)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("process SWA assignment %s immediately: %w", activationID, err)
	}
	return ag, nil
}

// Cancel cancels a pending assignment within its cooling-off period: the
// units go back to the orders they came from (SWA-8). The assignment's
// partner may, the license desk, and a distributor with a shipping
// allowance for the assignment's dealer (SWA-13: its units go back to the
// dealer's orders). Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED,
// NOT_FOUND (also another partner's), NOT_APPLICABLE (activated or
// cancelled already).
func (s *Service) Cancel(ctx context.Context, activationID uuid.UUID, reason string) (*db.SwaActivation, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	var errs apperr.List
	errs.Text("reason", &reason, false, maxNote)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	var act *db.SwaActivation
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if act, err = lockActivation(ctx, tx, a, reservations, activationID); err != nil {
			return err
		}
		if err := requirePending(act); err != nil {
			return err
		}
		if err := settle(ctx, tx, act.ID, false); err != nil {
			return err
		}
		if err := s.resolve(ctx, tx, act, db.SwaActivationCancelled, a, reason); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: "swa.cancel", PartnerIDs: []uuid.UUID{act.PartnerID},
			Objects: []string{audit.Ref("Location", act.LocationID), audit.Ref("SwaActivation", act.ID)},
			Summary: map[string]any{"application": act.Application, "units": act.Units(), "reason": reason},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cancel SWA assignment %s: %w", activationID, err)
	}
	return act, nil
}

// lockActivation locks an assignment; for an actor a (nil for the job)
// reach restricts it to the assignments a may act on (ownActivations or
// reservations): one out of reach is NOT_FOUND, as is a missing one for an
// actor; the job gets nil for a missing one.
func lockActivation(ctx context.Context, tx bun.Tx, a *actor.Actor, reach func(*actor.Actor, *bun.SelectQuery) *bun.SelectQuery, id uuid.UUID) (*db.SwaActivation, error) {
	act := new(db.SwaActivation)
	q := tx.NewSelect().Model(act).Where("sac.id = ?", id).For("UPDATE OF sac")
	if a != nil {
		q = reach(a, q)
	}
	err := q.Scan(ctx)
	switch {
	case isNoRows(err) && a != nil:
		return nil, apperr.NotFoundf("SWA activation").OnField("activationId")
	case isNoRows(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("lock SWA activation %s: %w", id, err)
	}
	return act, nil
}

func requirePending(act *db.SwaActivation) error {
	if act.Status == db.SwaActivationPending {
		return nil
	}
	return apperr.New(apperr.NotApplicable, "this SWA assignment is %s already", map[db.SwaActivationStatus]string{
		db.SwaActivationActivated: "activated", db.SwaActivationCancelled: "cancelled",
	}[act.Status]).OnField("activationId")
}

// resolve ends a pending assignment with status, by a (nil: the job).
func (s *Service) resolve(ctx context.Context, tx bun.Tx, act *db.SwaActivation, status db.SwaActivationStatus, a *actor.Actor, reason string) error {
	now := s.now()
	act.Status, act.ResolvedAt, act.Reason = status, &now, reason
	if a != nil {
		act.ResolvedBy = &a.User.ID
	}
	if _, err := tx.NewUpdate().Model(act).Column("status", "resolved_at", "resolved_by", "reason").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("record SWA assignment %s: %w", status, err)
	}
	return nil
}

// activate turns a locked pending assignment into an agreement (SWA-8): the
// reserved units are consumed, the agreement gets its number and the dates
// the quote gave at assignment (SWA-6), and the partner is emailed — in
// tx, once: the assignment is no longer pending afterwards.
func (s *Service) activate(ctx context.Context, tx bun.Tx, act *db.SwaActivation, a *actor.Actor, reason string) (*db.SwaAgreement, error) {
	loc := new(db.Location)
	if err := tx.NewSelect().Model(loc).Where("l.id = ?", act.LocationID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load location: %w", err)
	}
	apps, err := applications(ctx, tx, []uuid.UUID{loc.ID}, act.QuotedOn)
	if err != nil {
		return nil, err
	}
	var app *Application
	for _, x := range apps[loc.ID] {
		if x.Application.Code == act.Application {
			app = x
		}
	}
	if app == nil {
		return nil, fmt.Errorf("location %s has no SWA application %s", loc.ID, act.Application)
	}
	// The dates the quote gave (SWA-6): a zero grace end is none.
	var graceEnd time.Time
	if app.GraceEnd != nil {
		graceEnd = *app.GraceEnd
	}
	start, end := quote.TermDates(act.QuotedOn, graceEnd, act.TermMonths)
	if err := settle(ctx, tx, act.ID, true); err != nil {
		return nil, err
	}
	suffix := "N"
	if act.ReinstatementUnits > 0 {
		suffix = "W"
	}
	ag := &db.SwaAgreement{
		ID: uuid.New(), PartnerID: act.PartnerID, LocationID: act.LocationID, Application: act.Application, Suffix: suffix,
		StartsOn: start, EndsOn: end, TermMonths: act.TermMonths, Units: act.Units(), ReinstatementUnits: act.ReinstatementUnits,
		ReferenceNote: act.ReferenceNote, ActivationID: &act.ID,
	}
	if err := insertAgreement(ctx, tx, ag, app.Application.AgreementCode); err != nil {
		return nil, err
	}
	if err := s.resolve(ctx, tx, act, db.SwaActivationActivated, a, reason); err != nil {
		return nil, err
	}
	if err := s.mailActivated(ctx, tx, act, ag, loc, app, a != nil); err != nil {
		return nil, err
	}
	summary := map[string]any{
		"location": loc.Name, "application": app.Application.Name, "agreement": ag.FullNumber(),
		"startsOn": ag.StartsOn.Format(time.DateOnly), "endsOn": ag.EndsOn.Format(time.DateOnly), "units": ag.Units,
	}
	if a != nil {
		summary["processedImmediately"], summary["reason"] = true, reason
	}
	return ag, audit.Record(ctx, tx, audit.Event{
		Action: "swa.activate", PartnerIDs: []uuid.UUID{act.PartnerID},
		Objects: []string{audit.Ref("Location", loc.ID), audit.Ref("SwaActivation", act.ID), audit.Ref("SwaAgreement", ag.ID)},
		Summary: summary,
	})
}

// insertAgreement gives ag a new agreement number (SWA-3: "50" + the
// application's agreement code + "-" + 4 letters + 5 digits) and inserts
// it; a number that exists already is drawn again.
func insertAgreement(ctx context.Context, tx bun.Tx, ag *db.SwaAgreement, code string) error {
	for attempt := 0; attempt < 5; attempt++ {
		n, err := agreementNumber(code)
		if err != nil {
			return err
		}
		ag.Number = n
		res, err := tx.NewInsert().Model(ag).On("CONFLICT ON CONSTRAINT swa_agreements_number_key DO NOTHING").Returning("created_at").Exec(ctx)
		if err != nil {
			return fmt.Errorf("insert SWA agreement: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			return nil
		}
	}
	return fmt.Errorf("no free SWA agreement number after 5 attempts")
}

// agreementNumber draws an agreement number without its suffix.
func agreementNumber(code string) (string, error) {
	const letters, digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
	b := []byte("50" + code + "-")
	for i := 0; i < 9; i++ {
		set := letters
		if i >= 4 {
			set = digits
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return "", err
		}
		b = append(b, set[n.Int64()])
	}
	return string(b), nil
}

// mailActivated tells the partner that SWA is active (SWA-8), with a link
// to the agreement's certificate.
func (s *Service) mailActivated(ctx context.Context, tx bun.Tx, act *db.SwaActivation, ag *db.SwaAgreement, loc *db.Location, app *Application, immediately bool) error {
	p, cust, to, err := mailingOf(ctx, tx, loc)
	if err != nil {
		return err
	}
	link := s.emailedCertificateLink(ag.ID)
	e := mail.SwaActivated{
		PartnerName: p.Name, CustomerName: cust.Name, LocationName: loc.Name, HardwareKeyCode: loc.HardwareKeyCode,
		ApplicationName: app.Application.Name, AgreementNumber: ag.FullNumber(), StartsOn: ag.StartsOn, EndsOn: ag.EndsOn,
		TermMonths: ag.TermMonths, Units: ag.Units, ReinstatementUnits: ag.ReinstatementUnits, LapsedMonths: act.LapsedMonths,
		ReferenceNote: ag.ReferenceNote, ActivatedAt: *act.ResolvedAt, ProcessedImmediately: immediately, Reason: act.Reason,
		CertificateURL: link.URL, CertificateLinkExpiresAt: link.Expires,
	}
	for _, r := range to {
		e.RecipientName = r.Name
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return fmt.Errorf("enqueue SWA activated mail: %w", err)
		}
	}
	return nil
}

// TimeLeft is the time left until a pending assignment is activated, as
// the guide shows it: hh:mm, rounded up to the minute; 00:00 once due or
// no longer pending (SWA-8).
func (s *Service) TimeLeft(act *db.SwaActivation) string {
	left := act.DueAt.Sub(s.now())
	if act.Status != db.SwaActivationPending || left <= 0 {
		return "00:00"
	}
	minutes := int((left + time.Minute - 1) / time.Minute)
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}

// FindActivations returns SWA assignments by id, in order, nil where one is
// missing or out of the caller's reach: its partner's, and a distributor's
// dealers' (reservations, SWA-13). Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindActivations(ctx context.Context, ids []uuid.UUID) ([]*db.SwaActivation, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.SwaActivation
	if err := reservations(a, s.DB.NewSelect().Model(&rows)).Where("sac.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find SWA activations: %w", err)
	}
	return db.InOrder(ids, rows, func(x *db.SwaActivation) uuid.UUID { return x.ID }), nil
}

// FindAgreements returns SWA agreements by id, in order, nil where one is
// missing or not the caller's. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindAgreements(ctx context.Context, ids []uuid.UUID) ([]*db.SwaAgreement, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.SwaAgreement
	if err := a.Restrict(s.DB.NewSelect().Model(&rows), "sag.partner_id").Where("sag.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find SWA agreements: %w", err)
	}
	return db.InOrder(ids, rows, func(x *db.SwaAgreement) uuid.UUID { return x.ID }), nil
}

// AgreementsOfActivations returns the agreement each activated assignment
// became, in order (nil for one pending or cancelled, or not the caller's),
// in one statement. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) AgreementsOfActivations(ctx context.Context, acts []*db.SwaActivation) ([]*db.SwaAgreement, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(acts))
	for i, x := range acts {
		ids[i] = x.ID
	}
	var rows []db.SwaAgreement
	if err := a.Restrict(s.DB.NewSelect().Model(&rows), "sag.partner_id").Where("sag.activation_id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find the agreements of SWA activations: %w", err)
	}
	return db.InOrder(ids, rows, func(x *db.SwaAgreement) uuid.UUID { return *x.ActivationID }), nil
}
