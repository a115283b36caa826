package replacement

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
	"lms/hwkc"
	"lms/idempotency"
	"lms/licensefile"
	"lms/location"
	"lms/mail"
	"lms/page"
	"lms/partner"
)

// Request is a hardware replacement request as the queue shows it (HWR-2):
// the request, and its location named, for a distributor reads its dealers'
// requests but not their locations or customers (ACT-3).
type Request struct {
	db.HardwareReplacementRequest `bun:",extend"`

	CustomerName string `bun:"customer_name"`
	LocationName string `bun:"location_name"`
	// SystemType is the location's system type code.
	SystemType string `bun:"system_type"`
	// EmergencyRequestedAt is when the emergency file was requested, nil
	// without one.
	EmergencyRequestedAt *time.Time `bun:"emergency_requested_at"`
}

// EmergencyExpiresAt is when the request's emergency file stops working;
// nil when it yielded none.
func (r *Request) EmergencyExpiresAt() *time.Time {
	if r.EmergencyRequestedAt == nil {
		return nil
	}
	t := licensefile.EmergencyExpiry(*r.EmergencyRequestedAt)
	return &t
}

// visible restricts q over hardware_replacement_requests (alias hrr) to the
// requests a may read: its partner's own and, for a distributor, those of
// the dealers it has a shipping allowance with (partner.Visible, ACT-4: the
// guide's T2 dealer asks its T1 distributor); the license desk reads all.
// It is the one rule of the queue and of reading requests by id.
func visible(a *actor.Actor, q *bun.SelectQuery) *bun.SelectQuery {
	if a.IsAdmin() {
		return q
	}
	return q.Where("hrr.partner_id IN (?)", partner.Visible(a))
}

// requests selects requests with their location's names and their
// emergency file's request time.
func requests(idb bun.IDB) *bun.SelectQuery {
	return idb.NewSelect().Model((*Request)(nil)).
		ColumnExpr("hrr.*").
		ColumnExpr("c.name AS customer_name, l.name AS location_name, l.system_type, ef.requested_at AS emergency_requested_at").
		Join("JOIN locations AS l ON l.id = hrr.location_id").
		Join("JOIN customers AS c ON c.id = l.customer_id").
		Join("LEFT JOIN license_files AS ef ON ef.id = hrr.emergency_file_id")
}

// RequestFilter narrows Requests.
type RequestFilter struct {
	Status *db.HardwareReplacementStatus
}

func requestKey(r *Request) (time.Time, uuid.UUID) { return r.RequestedAt, r.ID }

// Requests pages the hardware replacement requests the caller may read
// (visible), oldest first, as the license desk works the queue (HWR-2):
// all for the license desk; a partner's own, and for a distributor its
// dealers'. Any signed-in user may call it. Errors: UNAUTHENTICATED,
// VALIDATION_FAILED (a cursor of another list).
func (s *Service) Requests(ctx context.Context, f RequestFilter, args page.Args) (*page.Page[Request], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := visible(a, requests(s.DB))
	scope := a.Scope() + "/hardware-replacement-requests"
	if f.Status != nil {
		q = q.Where("hrr.status = ?", *f.Status)
		scope += "/" + string(*f.Status)
	}
	p, err := page.OldestFirst(ctx, q, args, scope, "hrr.requested_at", "hrr.id", requestKey)
	if err != nil {
		return nil, fmt.Errorf("hardware replacement requests: %w", err)
	}
	return p, nil
}

// FindRequests returns requests by id, in order, nil where one is missing
// or not visible to the caller. Errors: UNAUTHENTICATED.
func (s *Service) FindRequests(ctx context.Context, ids []uuid.UUID) ([]*Request, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []Request
	if err := visible(a, requests(s.DB)).Where("hrr.id IN (?)", bun.In(ids)).Scan(ctx, &rows); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find hardware replacement requests: %w", err)
	}
	return db.InOrder(ids, rows, func(r *Request) uuid.UUID { return r.ID }), nil
}

// findRequest reads one request in idb for the caller (visible); a request
// it may not read is NOT_FOUND on requestId.
func findRequest(ctx context.Context, idb bun.IDB, a *actor.Actor, id uuid.UUID) (*Request, error) {
	r := new(Request)
	if err := visible(a, requests(idb)).Where("hrr.id = ?", id).Scan(ctx, r); isNoRows(err) {
		return nil, apperr.NotFoundf("hardware replacement request").OnField("requestId")
	} else if err != nil {
		return nil, fmt.Errorf("find hardware replacement request %s: %w", id, err)
	}
	return r, nil
}

// pendingOf returns the pending request of a location, nil when it has
// none.
func pendingOf(ctx context.Context, idb bun.IDB, locationID uuid.UUID) (*db.HardwareReplacementRequest, error) {
	r := new(db.HardwareReplacementRequest)
	err := idb.NewSelect().Model(r).Where("location_id = ?", locationID).Where("status = ?", db.ReplacementPending).Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the pending hardware replacement request of %s: %w", locationID, err)
	}
	return r, nil
}

// RequestInput files a hardware replacement request (HWR-2).
type RequestInput struct {
	LocationID uuid.UUID
	// OldHardwareKeyCode is the code of the defective CPU or dongle: the
	// location's, which the requester confirms.
	OldHardwareKeyCode string
	// NewHardwareKeyCode is the code of the new CPU or dongle.
	NewHardwareKeyCode string
	// Reason is why, for the license desk; required.
	Reason string
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *RequestInput) Validate() error {
	var errs apperr.List
	errs.Text("oldHardwareKeyCode", &in.OldHardwareKeyCode, true, maxText)
	errs.Text("newHardwareKeyCode", &in.NewHardwareKeyCode, true, maxText)
	errs.Text("reason", &in.Reason, true, maxText)
	return errs.Err()
}

// RequestReplacement files a partner's hardware replacement request for
// one of its locations (HWR-2; the guide's "Request Hardware Replacement"
// call: old code, new code, reason), checked like a replacement
// (ReplacementCode) and with the old code the location's. The request
// yields at once its emergency license file for the new code
// (licensefile.RequestEmergencyFile): built by the file worker, READY in
// moments, downloadable and mailed to the requester. When the location may
// not get one (LIMIT_EXCEEDED: two in the last 12 months; NOT_APPLICABLE:
// nothing activated) the request is filed without it and says why
// (EmergencyRefusal): the license desk still handles it. The license desk
// is emailed. Partner users only (a distributor files for its dealer by
// impersonating it, ACT-5); the license desk replaces hardware directly.
// Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED, NOT_FOUND (also
// another partner's location), NOT_APPLICABLE, INVALID_HARDWARE_KEYCODE,
// DUPLICATE_HARDWARE_KEYCODE (also when another pending request names the
// new code), ALREADY_EXISTS (the location has a pending request),
// IDEMPOTENCY_KEY_REUSED.
func (s *Service) RequestReplacement(ctx context.Context, in RequestInput) (*Request, error) {
	out, err := idempotency.Mutation(ctx, s.DB, "requestHardwareReplacement", &in, in.IdempotencyKey, requirePartner, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*Request, error) {
		return s.request(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("request a hardware replacement for location %s: %w", in.LocationID, err)
	}
	return out, nil
}

// requirePartner lets partners' users file requests: the license desk is
// whom they ask.
func requirePartner(a *actor.Actor) error {
	if a.IsAdmin() {
		return apperr.Forbiddenf("the license desk replaces hardware directly (replaceHardware) instead of requesting it")
	}
	return nil
}

func (s *Service) request(ctx context.Context, tx bun.Tx, a *actor.Actor, in RequestInput) (*Request, error) {
	sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
	if err != nil {
		return nil, err
	}
	loc := sys.Location
	code, err := sys.ReplacementCode(ctx, tx, in.NewHardwareKeyCode, "locationId", "newHardwareKeyCode")
	if err != nil {
		return nil, err
	}
	if old, ok := hwkc.Normalize(*sys.Type, in.OldHardwareKeyCode); !ok || old != loc.HardwareKeyCode {
		return nil, apperr.New(apperr.InvalidHardwareKeyCode, "%q is not the Hardware Key Code of %s: enter the code of the CPU or dongle to be replaced", in.OldHardwareKeyCode, loc.Name).OnField("oldHardwareKeyCode")
	}
	pending, err := pendingOf(ctx, tx, loc.ID)
	if err != nil {
		return nil, err
	}
	if pending != nil {
		return nil, apperr.New(apperr.AlreadyExists, "%s already has a pending hardware replacement request (to %s) filed on %s", loc.Name,
			pending.NewHardwareKeyCode, pending.RequestedAt.UTC().Format("2 January 2006")).OnField("locationId")
	}
	r := &Request{HardwareReplacementRequest: db.HardwareReplacementRequest{
		ID: uuid.New(), LocationID: loc.ID, PartnerID: loc.PartnerID, OldHardwareKeyCode: loc.HardwareKeyCode, NewHardwareKeyCode: code,
		Reason: in.Reason, Status: db.ReplacementPending, RequestedBy: &a.User.ID,
		RequestedByLabel: &db.Identity{Name: a.User.Name, Email: a.User.Email, PartnerName: a.Partner.Name},
	}, LocationName: loc.Name, SystemType: loc.SystemType}
	f, err := s.Files.RequestEmergencyFile(ctx, tx, a, sys, code)
	if e, ok := apperr.As(err); ok {
		r.EmergencyRefusal = &db.Refusal{Code: string(e.Code), Message: e.Message}
	} else if err != nil {
		return nil, err
	} else {
		r.EmergencyFileID, r.EmergencyRequestedAt = &f.ID, &f.RequestedAt
	}
	// The location's lock rules out a second pending request for it; the
	// unique index on the pending new codes answers for requests on other
	// locations naming the same new hardware.
	err = tx.NewInsert().Model(&r.HardwareReplacementRequest).On("CONFLICT DO NOTHING").Returning("requested_at").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("record hardware replacement request: %w", err)
	}
	if isNoRows(err) {
		return nil, apperr.New(apperr.DuplicateHardwareKeyCode, "another pending hardware replacement request names Hardware Key Code %s", code).OnField("newHardwareKeyCode")
	}
	p, customer, err := partnerAndCustomer(ctx, tx, loc)
	if err != nil {
		return nil, err
	}
	r.CustomerName = customer
	objects := []string{audit.Ref("HardwareReplacementRequest", r.ID), audit.Ref("Location", loc.ID)}
	summary := map[string]any{"location": loc.Name, "oldHardwareKeyCode": r.OldHardwareKeyCode, "newHardwareKeyCode": code, "reason": r.Reason}
	if f != nil {
		objects = append(objects, audit.Ref("LicenseFile", f.ID))
		summary["emergencyFileVersion"] = f.Version
	} else {
		summary["emergencyFileRefused"] = r.EmergencyRefusal.Message
	}
	if err := audit.Record(ctx, tx, audit.Event{
		Action: "hardware_replacement.request", PartnerIDs: []uuid.UUID{loc.PartnerID}, Objects: objects, Summary: summary,
	}); err != nil {
		return nil, err
	}
	return r, s.mailDesk(ctx, tx, sys, r, p)
}

// mailDesk asks the license desk to handle a request (HWR-2).
func (s *Service) mailDesk(ctx context.Context, tx bun.Tx, sys *location.System, r *Request, p *db.Partner) error {
	to, err := partner.LicenseDesk(ctx, tx)
	if err != nil {
		return err
	}
	e := mail.HardwareReplacementRequested{
		PartnerName: p.Name, RequestedBy: r.RequestedByLabel.Name, RequestedByEmail: r.RequestedByLabel.Email,
		CustomerName: r.CustomerName, LocationName: r.LocationName, LocationID: r.LocationID.String(), SystemTypeName: sys.Type.Name,
		OldHardwareKeyCode: r.OldHardwareKeyCode, NewHardwareKeyCode: r.NewHardwareKeyCode, Reason: r.Reason,
		RequestedAt: r.RequestedAt, EmergencyExpiresAt: r.EmergencyExpiresAt(),
	}
	if r.EmergencyRefusal != nil {
		e.EmergencyRefusal = r.EmergencyRefusal.Message
	}
	for _, rcpt := range to {
		e.RecipientName = rcpt.Name
		if _, err := s.Notify.Enqueue(ctx, tx, rcpt, e); err != nil {
			return fmt.Errorf("enqueue hardware replacement request mail: %w", err)
		}
	}
	return nil
}
