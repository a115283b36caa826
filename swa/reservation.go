package swa

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/idempotency"
	"lms/mail"
	"lms/page"
	"lms/partner"
)

// SWA reservations (SWA-13): the assignments in their cooling-off period
// (SWA-8) as the guide's "SWA Reservations" pages list them — a dealer its
// own, a distributor those of the dealers it ships to — which the
// distributor may cancel (Cancel) or escalate to the license desk.

// reservations restricts q over swa_activations (alias sac) to the
// assignments a may reach: its partner's own and, for a distributor, those
// of the dealers it has a shipping allowance with (partner.Visible, ACT-4);
// the license desk reaches all. It is the one rule of the reservations
// list, of cancelling and escalating an assignment, of its escalations, and
// of reading assignments by id. "Process immediately" stays the
// assignment's partner's own (ownActivations).
func reservations(a *actor.Actor, q *bun.SelectQuery) *bun.SelectQuery {
	if a.IsAdmin() {
		return q
	}
	return q.Where("sac.partner_id IN (?)", partner.Visible(a))
}

// ownActivations restricts q over swa_activations to a's partner's.
func ownActivations(a *actor.Actor, q *bun.SelectQuery) *bun.SelectQuery {
	return a.Restrict(q, "sac.partner_id")
}

// Reservation is a pending assignment as the reservations list shows it:
// the assignment, and its location named, for a distributor may read its
// dealers' assignments but not their locations or customers (ACT-3).
type Reservation struct {
	db.SwaActivation `bun:",extend"`

	CustomerName    string `bun:"customer_name"`
	LocationName    string `bun:"location_name"`
	HardwareKeyCode string `bun:"hardware_key_code"`
	// SystemType is the location's system type code.
	SystemType string `bun:"system_type"`
}

// ReservationFilter narrows Reservations.
type ReservationFilter struct {
	// PartnerID narrows the list to one partner's assignments: a dealer the
	// distributor ships to, or any partner for the license desk; for others
	// it only narrows what they may see anyway.
	PartnerID *uuid.UUID
}

func reservationKey(r *Reservation) (time.Time, uuid.UUID) { return r.DueAt, r.ID }

// Reservations pages the pending assignments the caller reaches
// (reservations), the first due first (SWA-13). Errors: UNAUTHENTICATED,
// FORBIDDEN, VALIDATION_FAILED (a cursor of another list).
func (s *Service) Reservations(ctx context.Context, f ReservationFilter, args page.Args) (*page.Page[Reservation], error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	q := reservations(a, s.DB.NewSelect().Model((*Reservation)(nil))).
		ColumnExpr("sac.*").
		ColumnExpr("c.name AS customer_name, l.name AS location_name, l.hardware_key_code, l.system_type").
		Join("JOIN locations AS l ON l.id = sac.location_id").
		Join("JOIN customers AS c ON c.id = l.customer_id").
		Where("sac.status = ?", db.SwaActivationPending)
	scope := a.Scope() + "/swa-reservations"
	if f.PartnerID != nil {
		q = q.Where("sac.partner_id = ?", *f.PartnerID)
		scope += "/" + f.PartnerID.String()
	}
	p, err := page.OldestFirst(ctx, q, args, scope, "sac.due_at", "sac.id", reservationKey)
	if err != nil {
		return nil, fmt.Errorf("SWA reservations: %w", err)
	}
	return p, nil
}

// EscalationsOf returns the escalations of each assignment, oldest first,
// in one statement; none for an assignment out of the caller's reach.
// Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) EscalationsOf(ctx context.Context, activationIDs []uuid.UUID) ([][]db.SwaEscalation, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.SwaEscalation
	q := reservations(a, s.DB.NewSelect().Model(&rows).ColumnExpr("ses.*").
		Join("JOIN swa_activations AS sac ON sac.id = ses.activation_id")).
		Where("ses.activation_id IN (?)", bun.In(activationIDs)).Order("ses.created_at", "ses.id")
	if err := q.Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find SWA escalations: %w", err)
	}
	byActivation := make(map[uuid.UUID][]db.SwaEscalation, len(activationIDs))
	for _, e := range rows {
		byActivation[e.ActivationID] = append(byActivation[e.ActivationID], e)
	}
	out := make([][]db.SwaEscalation, len(activationIDs))
	for i, id := range activationIDs {
		out[i] = byActivation[id]
		if out[i] == nil {
			out[i] = []db.SwaEscalation{}
		}
	}
	return out, nil
}

// EscalateInput escalates a pending assignment to the license desk
// (SWA-13).
type EscalateInput struct {
	ActivationID uuid.UUID
	// Reason says what the license desk should look at; required.
	Reason string
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *EscalateInput) Validate() error {
	var errs apperr.List
	errs.Text("reason", &in.Reason, true, maxNote)
	return errs.Err()
}

// Escalated is what Escalate answers: the assignment, still pending, and
// the escalation recorded.
type Escalated struct {
	Activation *db.SwaActivation
	Escalation *db.SwaEscalation
}

// Escalate escalates a pending assignment to the license desk (SWA-13,
// "SWA Reservations Escalation"): the escalation is recorded, the license
// desk's users are emailed, and an audit event shows in the trails of the
// assignment's partner and of the escalating one — in one transaction,
// under the assignment's lock, so it cannot cross its activation or
// cancellation. The assignment's partner may, and a distributor with a
// shipping allowance for it; the license desk handles escalations and may
// not. Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED (no reason),
// NOT_FOUND (also another partner's), NOT_APPLICABLE (activated or
// cancelled already), IDEMPOTENCY_KEY_REUSED.
func (s *Service) Escalate(ctx context.Context, in EscalateInput) (*Escalated, error) {
	out, err := idempotency.Mutation(ctx, s.DB, "escalateSwaReservation", &in, in.IdempotencyKey, allowEscalate, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*Escalated, error) {
		return s.escalate(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("escalate SWA assignment %s: %w", in.ActivationID, err)
	}
	return out, nil
}

// allowEscalate lets partners' SWA admins escalate; the license desk is
// whom they escalate to.
func allowEscalate(a *actor.Actor) error {
	if a.IsAdmin() {
		return apperr.Forbiddenf("the license desk receives escalations: cancel the assignment or process it immediately instead")
	}
	return allowSwa(a)
}

func (s *Service) escalate(ctx context.Context, tx bun.Tx, a *actor.Actor, in EscalateInput) (*Escalated, error) {
	act, err := lockActivation(ctx, tx, a, reservations, in.ActivationID)
	if err != nil {
		return nil, err
	}
	if err := requirePending(act); err != nil {
		return nil, err
	}
	esc := &db.SwaEscalation{
		ActivationID: act.ID, PartnerID: a.Partner.ID, UserID: &a.User.ID, Reason: in.Reason,
		UserLabel: &db.Identity{Name: a.User.Name, Email: a.User.Email, PartnerName: a.Partner.Name},
	}
	if _, err := tx.NewInsert().Model(esc).Returning("*").Exec(ctx); err != nil {
		return nil, fmt.Errorf("record SWA escalation: %w", err)
	}
	var d struct {
		PartnerName     string  `bun:"partner_name"`
		CustomerName    string  `bun:"customer_name"`
		LocationName    string  `bun:"location_name"`
		HardwareKeyCode string  `bun:"hardware_key_code"`
		ApplicationName string  `bun:"application_name"`
		RequestedBy     *string `bun:"requested_by"`
	}
	if err := tx.NewSelect().TableExpr("swa_activations AS sac").
		ColumnExpr("p.name AS partner_name, c.name AS customer_name, l.name AS location_name, l.hardware_key_code").
		ColumnExpr("app.name AS application_name, u.name AS requested_by").
		Join("JOIN partners AS p ON p.id = sac.partner_id").
		Join("JOIN locations AS l ON l.id = sac.location_id").
		Join("JOIN customers AS c ON c.id = l.customer_id").
		Join("JOIN swa_applications AS app ON app.code = sac.application").
		Join("LEFT JOIN users AS u ON u.id = sac.requested_by").
		Where("sac.id = ?", act.ID).Scan(ctx, &d); err != nil {
		return nil, fmt.Errorf("load SWA assignment %s: %w", act.ID, err)
	}
	to, err := partner.LicenseDesk(ctx, tx)
	if err != nil {
		return nil, err
	}
	e := mail.SwaEscalation{
		PartnerName: d.PartnerName, EscalatedBy: a.User.Name, EscalatedByEmail: a.User.Email, EscalatingPartnerName: a.Partner.Name,
		Reason: in.Reason, CustomerName: d.CustomerName, LocationName: d.LocationName, LocationID: act.LocationID.String(),
		HardwareKeyCode: d.HardwareKeyCode, ApplicationName: d.ApplicationName, TermMonths: act.TermMonths, Units: act.Units(),
		ReferenceNote: act.ReferenceNote, RequestedAt: act.RequestedAt, DueAt: act.DueAt, EscalatedAt: esc.CreatedAt,
		TimeLeft: s.TimeLeft(act),
	}
	if d.RequestedBy != nil {
		e.RequestedBy = *d.RequestedBy
	}
	for _, r := range to {
		e.RecipientName = r.Name
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return nil, fmt.Errorf("enqueue SWA escalation mail: %w", err)
		}
	}
	return &Escalated{Activation: act, Escalation: esc}, audit.Record(ctx, tx, audit.Event{
		Action: "swa.escalate", PartnerIDs: []uuid.UUID{act.PartnerID},
		Objects: []string{audit.Ref("Location", act.LocationID), audit.Ref("SwaActivation", act.ID)},
		Summary: map[string]any{
			"partner": d.PartnerName, "location": d.LocationName, "application": d.ApplicationName, "units": act.Units(),
			"dueAt": act.DueAt.UTC().Format(time.RFC3339), "reason": in.Reason, "licenseDesk": len(to),
		},
	})
}
