package replacement

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/idempotency"
	"lms/license"
	"lms/location"
	"lms/mail"
	"lms/partner"
)

// ReplaceInput replaces a location's hardware (HWR-1).
type ReplaceInput struct {
	LocationID uuid.UUID
	// NewHardwareKeyCode is the code of the new CPU or dongle, as typed.
	NewHardwareKeyCode string
	// Reason is why, kept in the location's history; required.
	Reason string
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *ReplaceInput) Validate() error {
	var errs apperr.List
	errs.Text("newHardwareKeyCode", &in.NewHardwareKeyCode, true, maxText)
	errs.Text("reason", &in.Reason, true, maxText)
	return errs.Err()
}

// Replaced is what a hardware replacement made: the location with its new
// code, the history entry that keeps the old one, and the new license file
// (nil when nothing is activated on the location).
type Replaced struct {
	Location *db.Location
	History  *db.LocationHistory
	File     *db.LicenseFile
}

// ReplaceHardware replaces a location's hardware (HWR-1): the license desk
// gives it the code of its new CPU or dongle, of the same system type,
// validated like an entered code at creation and unique among live
// locations. The licenses and SWA agreement stay with the location; the old
// code and the licenses as they were go into its history; a new license file
// is generated and the partner is emailed, in one transaction. A location
// with a pending request is replaced by resolving the request. License desk
// only. Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED, NOT_FOUND,
// NOT_APPLICABLE (a generated HWKC, an external product, a redundant
// secondary, a BX hardware product, a pending request),
// INVALID_HARDWARE_KEYCODE, DUPLICATE_HARDWARE_KEYCODE,
// IDEMPOTENCY_KEY_REUSED.
func (s *Service) ReplaceHardware(ctx context.Context, in ReplaceInput) (*Replaced, error) {
	out, err := idempotency.Mutation(ctx, s.DB, "replaceHardware", &in, in.IdempotencyKey, requireDesk, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*Replaced, error) {
		sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
		if err != nil {
			return nil, err
		}
		code, err := sys.ReplacementCode(ctx, tx, in.NewHardwareKeyCode, "locationId", "newHardwareKeyCode")
		if err != nil {
			return nil, err
		}
		pending, err := pendingOf(ctx, tx, sys.Location.ID)
		if err != nil {
			return nil, err
		}
		if pending != nil {
			return nil, apperr.New(apperr.NotApplicable, "%s has a pending hardware replacement request (to %s): complete or reject it (resolveHardwareReplacementRequest)",
				sys.Location.Name, pending.NewHardwareKeyCode).OnField("locationId")
		}
		return s.replace(ctx, tx, a, sys, code, in.Reason, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("replace the hardware of location %s: %w", in.LocationID, err)
	}
	return out, nil
}

// requireDesk lets the license desk only.
func requireDesk(a *actor.Actor) error {
	if !a.IsAdmin() {
		return apperr.Forbiddenf("only the license desk (ADMIN) replaces hardware; partners file a request (requestHardwareReplacement)")
	}
	return nil
}

// replace is the one hardware replacement (HWR-1), of ReplaceHardware and of
// a completed request req: sys, locked by the caller and checked
// (ReplacementCode), gets code; the history keeps the old code with the
// licenses as they were; the new license file is requested when anything is
// activated; the audit event and the partner's mail go into tx.
func (s *Service) replace(ctx context.Context, tx bun.Tx, a *actor.Actor, sys *location.System, code, reason string, req *Request) (*Replaced, error) {
	loc := sys.Location
	old := loc.HardwareKeyCode
	licenses, err := license.Snapshot(ctx, tx, loc.ID)
	if err != nil {
		return nil, err
	}
	field := "newHardwareKeyCode"
	if req != nil {
		field = "requestId"
	}
	if err := sys.ReplaceHardwareKeyCode(ctx, tx, code, field); err != nil {
		return nil, err
	}
	h := &db.LocationHistory{
		LocationID: loc.ID, PartnerID: loc.PartnerID, Kind: db.HardwareReplaced,
		SystemType: loc.SystemType, HardwareKeyCode: old, NewSystemType: loc.SystemType, NewHardwareKeyCode: code,
		Reason: reason, Licenses: licenses, ChangedBy: &a.User.ID,
	}
	if err := location.RecordHistory(ctx, tx, h); err != nil {
		return nil, err
	}
	activated := 0
	for _, l := range licenses {
		if l.Status == db.LicenseActivated {
			activated++
		}
	}
	out := &Replaced{Location: loc, History: h}
	if activated > 0 {
		if out.File, err = s.Files.Request(ctx, tx, a, loc, db.FileForHardwareReplacement); err != nil {
			return nil, err
		}
	}
	objects := []string{audit.Ref("Location", loc.ID), audit.Ref("LocationHistoryEntry", h.ID)}
	summary := map[string]any{"location": loc.Name, "oldHardwareKeyCode": old, "newHardwareKeyCode": code, "reason": reason, "activatedLicenses": activated}
	if out.File != nil {
		objects = append(objects, audit.Ref("LicenseFile", out.File.ID))
		summary["fileVersion"] = out.File.Version
	}
	if req != nil {
		objects = append(objects, audit.Ref("HardwareReplacementRequest", req.ID))
		summary["requestedAt"] = req.RequestedAt
	}
	if err := audit.Record(ctx, tx, audit.Event{
		Action: "hardware_replacement.replace", PartnerIDs: []uuid.UUID{loc.PartnerID}, Objects: objects, Summary: summary,
	}); err != nil {
		return nil, err
	}
	return out, s.mailReplaced(ctx, tx, sys, out, old, activated, req)
}

// mailReplaced tells the location's partner that its hardware was replaced
// (HWR-1), with a signed link to the new license file.
func (s *Service) mailReplaced(ctx context.Context, tx bun.Tx, sys *location.System, r *Replaced, old string, activated int, req *Request) error {
	loc := sys.Location
	p, customer, err := partnerAndCustomer(ctx, tx, loc)
	if err != nil {
		return err
	}
	e := mail.HardwareReplaced{
		PartnerName: p.Name, CustomerName: customer, LocationName: loc.Name, LocationID: loc.ID.String(),
		SystemTypeName: sys.Type.Name, OldHardwareKeyCode: old, NewHardwareKeyCode: loc.HardwareKeyCode,
		Reason: r.History.Reason, ReplacedAt: r.History.ChangedAt, ActivatedLicenses: activated,
	}
	if r.File != nil {
		e.FileVersion = r.File.Version
		e.DownloadURL, e.LinkExpiresAt = s.Files.EmailedLink(r.File.ID)
	}
	if req != nil {
		e.RequestedAt = &req.RequestedAt
		e.EmergencyExpiresAt = req.EmergencyExpiresAt()
	}
	return s.mailPartner(ctx, tx, p, func(name string) mail.Email { e.RecipientName = name; return e })
}

// partnerAndCustomer reads the partner and the customer's name of loc,
// which mails name.
func partnerAndCustomer(ctx context.Context, idb bun.IDB, loc *db.Location) (*db.Partner, string, error) {
	p := new(db.Partner)
	if err := idb.NewSelect().Model(p).Where("id = ?", loc.PartnerID).Scan(ctx); err != nil {
		return nil, "", fmt.Errorf("load partner %s: %w", loc.PartnerID, err)
	}
	var customer string
	if err := idb.NewSelect().Model((*db.Customer)(nil)).Column("name").Where("id = ?", loc.CustomerID).Scan(ctx, &customer); err != nil {
		return nil, "", fmt.Errorf("load customer %s: %w", loc.CustomerID, err)
	}
	return p, customer, nil
}

// mailPartner sends the mail email makes for each of p's recipients (its
// users, or its contact address).
func (s *Service) mailPartner(ctx context.Context, tx bun.Tx, p *db.Partner, email func(recipientName string) mail.Email) error {
	to, err := partner.Recipients(ctx, tx, p)
	if err != nil {
		return err
	}
	for _, r := range to {
		if _, err := s.Notify.Enqueue(ctx, tx, r, email(r.Name)); err != nil {
			return fmt.Errorf("enqueue %s mail: %w", email(r.Name).Template(), err)
		}
	}
	return nil
}
