package swa

// Free-of-charge licenses (SWA-12): while a location's SWA runs, or its
// grace period does, the upgrade licenses its system type offers free of
// charge (catalog flag FREE_OF_CHARGE_UPGRADE: iS3000 Lic 078, SV8300
// System R8) can be attached without a purchase order and then activated
// like any license. When a location may have them is decided here; the
// license row and the part rules every attach obeys are package license's.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/idempotency"
	"lms/license"
	"lms/location"
	"lms/swa/quote"
)

// FreeOfChargeLicense is an upgrade license a location may attach free of
// charge (SWA-12): a part its system type offers that way, the SWA
// application the part belongs to, where the location's SWA of it stands,
// and the location's license of the part if it holds one.
type FreeOfChargeLicense struct {
	LocationID  uuid.UUID
	Part        *catalog.Part
	Application *catalog.SwaApplication
	Status      Status
	// License is the location's license of the part, attached or
	// activated (the first attached); nil while it holds none.
	License *db.License
}

// FreeOfChargeAllowed reports whether the application's location may use
// free-of-charge licenses on today (SWA-12: "while its SWA is ACTIVE or in
// GRACE"), read as a user would: an agreement runs today, or the grace
// period does. So RENEWABLE counts in the last 90 days of an agreement,
// which still runs, and not once it has ended (it must be renewed first);
// PENDING counts while the grace period runs (an assignment made in it),
// not for an assignment after the grace period, cooling off: no SWA runs
// until it is activated, and it may still be cancelled. NONE and EXPIRED
// never count.
func (a *Application) FreeOfChargeAllowed(today time.Time) bool {
	today = quote.Day(today)
	if c := a.Current(); c != nil && !today.After(c.EndsOn) {
		return true
	}
	return a.GraceEnd != nil && !today.After(*a.GraceEnd)
}

// freeOfChargeRefusal says why the location of app may not use
// free-of-charge licenses (FreeOfChargeAllowed is false): NOT_APPLICABLE.
// app is nil when the location has no SWA of the part's application at all.
func freeOfChargeRefusal(loc *db.Location, appName string, app *Application) *apperr.Error {
	const rule = "free-of-charge licenses are for locations whose Software Assurance is active or in its grace period"
	var e *apperr.Error
	switch {
	case app != nil && app.Pending != nil:
		e = apperr.New(apperr.NotApplicable, "%s: the SWA assignment for %s is in its cooling-off period until %s; %s, so they can be attached once it is activated",
			loc.Name, appName, app.Pending.DueAt.UTC().Format("2006-01-02 15:04 MST"), rule)
	case app != nil && app.Current() != nil:
		c := app.Current()
		e = apperr.New(apperr.NotApplicable, "%s: its SWA agreement %s for %s ended on %s; %s: renew it first",
			loc.Name, c.FullNumber(), appName, c.EndsOn.Format(time.DateOnly), rule)
	case app != nil && app.GraceEnd != nil:
		e = apperr.New(apperr.NotApplicable, "%s: its grace period for %s ended on %s and it has no SWA agreement; %s: assign SWA first",
			loc.Name, appName, app.GraceEnd.Format(time.DateOnly), rule)
	default:
		e = apperr.New(apperr.NotApplicable, "%s has no activated %s licenses yet, so neither SWA nor a grace period runs; %s",
			loc.Name, appName, rule)
	}
	return e.OnField("locationId")
}

// findApplication returns the application with code among a location's,
// nil when it has none.
func findApplication(apps []*Application, code string) *Application {
	for _, a := range apps {
		if a.Application.Code == code {
			return a
		}
	}
	return nil
}

// FreeOfChargeLicensesOf returns, for each location in the order of
// locationIDs, the free-of-charge licenses it may use today (SWA-12), by
// part number: the parts its system type offers free of charge whose
// application's SWA runs or whose grace period does (FreeOfChargeAllowed),
// each with the location's license of the part if it holds one. None for a
// location that is not the caller's, deleted, or whose SWA neither runs nor
// is in its grace period. The whole list takes the same statements as one
// location. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FreeOfChargeLicensesOf(ctx context.Context, locationIDs []uuid.UUID) ([][]*FreeOfChargeLicense, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	out := make([][]*FreeOfChargeLicense, len(locationIDs))
	if len(locationIDs) == 0 {
		return out, nil
	}
	var locs []db.Location
	if err := a.Restrict(s.DB.NewSelect().Model(&locs).Column("id", "system_type"), "l.partner_id").
		Where("l.id IN (?)", bun.In(locationIDs)).Where("l.deleted_at IS NULL").Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find locations: %w", err)
	}
	offers, types, err := freeOfChargeParts(ctx, s.DB, locs)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, l := range locs {
		if len(offers[l.SystemType]) > 0 {
			ids = append(ids, l.ID)
		}
	}
	today := quote.Day(s.now())
	apps, err := applications(ctx, s.DB, ids, today)
	if err != nil {
		return nil, err
	}
	by := map[uuid.UUID][]*FreeOfChargeLicense{}
	var holders []uuid.UUID
	var numbers []string
	for _, l := range locs {
		for _, p := range offers[l.SystemType] {
			app := findApplication(apps[l.ID], p.ApplicationCode(*types[l.SystemType]))
			if app == nil || !app.FreeOfChargeAllowed(today) {
				continue
			}
			by[l.ID] = append(by[l.ID], &FreeOfChargeLicense{LocationID: l.ID, Part: p, Application: app.Application, Status: app.Status})
			holders, numbers = append(holders, l.ID), append(numbers, p.Number)
		}
	}
	held, err := license.LicensesOfParts(ctx, s.DB, slices.Compact(holders), slices.Compact(slices.Sorted(slices.Values(numbers))))
	if err != nil {
		return nil, err
	}
	for i := range held {
		for _, f := range by[held[i].LocationID] {
			if f.Part.Number == held[i].PartNumber && f.License == nil {
				f.License = &held[i]
			}
		}
	}
	for i, id := range locationIDs {
		out[i] = by[id]
	}
	return out, nil
}

// freeOfChargeParts returns the free-of-charge parts each system type of
// the locations offers, by number, and the system types by code.
func freeOfChargeParts(ctx context.Context, idb bun.IDB, locs []db.Location) (map[string][]*catalog.Part, map[string]*catalog.SystemType, error) {
	var codes []string
	for _, l := range locs {
		codes = append(codes, l.SystemType)
	}
	codes = slices.Compact(slices.Sorted(slices.Values(codes)))
	offers, types := map[string][]*catalog.Part{}, map[string]*catalog.SystemType{}
	if len(codes) == 0 {
		return offers, types, nil
	}
	found, err := catalog.FindSystemTypes(ctx, idb, codes)
	if err != nil {
		return nil, nil, err
	}
	for i, st := range found {
		if st == nil {
			return nil, nil, fmt.Errorf("system type %s is not in the catalog", codes[i])
		}
		types[st.Code] = st
		parts, err := catalog.PartsWithFlag(ctx, idb, st.Code, catalog.FlagFreeOfChargeUpgrade)
		if err != nil {
			return nil, nil, err
		}
		for j := range parts {
			offers[st.Code] = append(offers[st.Code], &parts[j])
		}
	}
	return offers, types, nil
}

// AttachFreeOfChargeInput attaches a free-of-charge license to a location
// (SWA-12).
type AttachFreeOfChargeInput struct {
	LocationID uuid.UUID
	// PartNumber is one of the parts the location's system type offers
	// free of charge.
	PartNumber string
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *AttachFreeOfChargeInput) Validate() error {
	var errs apperr.List
	errs.Text("partNumber", &in.PartNumber, true, 100)
	return errs.Err()
}

// freeOfChargeOrder is the purchase and sales order of a free-of-charge
// license attached on day (SWA-12): FOC-<yyyymmdd>.
func freeOfChargeOrder(day time.Time) string { return "FOC-" + day.Format("20060102") }

// AttachFreeOfCharge attaches one license of a free-of-charge part to a
// location (SWA-12): quantity 1, no bin line, purchase and sales order
// FOC-<yyyymmdd> of today, under the system's lock, with the part rules of
// any attach; it is then activated like any license (activateLicenses).
// The location's system type must offer the part free of charge, and the
// SWA of the part's application run or be in its grace period
// (FreeOfChargeAllowed); a location takes one free-of-charge license of a
// part. One transaction with its audit event. Errors: UNAUTHENTICATED,
// FORBIDDEN, VALIDATION_FAILED, NOT_FOUND (location, also another
// partner's), NOT_APPLICABLE (not a free-of-charge part of the system
// type; SWA neither runs nor is in its grace period), PART_NOT_ALLOWED,
// WRONG_LOCATION_FOR_PART, LIMIT_EXCEEDED, ALREADY_EXISTS (the location
// holds the part already), IDEMPOTENCY_KEY_REUSED.
func (s *Service) AttachFreeOfCharge(ctx context.Context, in AttachFreeOfChargeInput) (*db.License, error) {
	l, err := idempotency.Mutation(ctx, s.DB, "attachFreeOfChargeLicense", &in, in.IdempotencyKey, allowSwa, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*db.License, error) {
		return s.attachFreeOfCharge(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("attach free-of-charge license %s to location %s: %w", in.PartNumber, in.LocationID, err)
	}
	return l, nil
}

func (s *Service) attachFreeOfCharge(ctx context.Context, tx bun.Tx, a *actor.Actor, in AttachFreeOfChargeInput) (*db.License, error) {
	sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
	if err != nil {
		return nil, err
	}
	loc := sys.Location
	offers, _, err := freeOfChargeParts(ctx, tx, []db.Location{*loc})
	if err != nil {
		return nil, err
	}
	offered := offers[loc.SystemType]
	i := slices.IndexFunc(offered, func(p *catalog.Part) bool { return strings.EqualFold(p.Number, in.PartNumber) })
	if i < 0 {
		var names []string
		for _, p := range offered {
			names = append(names, fmt.Sprintf("%s (%s)", p.Number, p.Name))
		}
		if len(names) == 0 {
			return nil, apperr.New(apperr.NotApplicable, "%s locations offer no free-of-charge licenses", sys.Type.Name).OnField("partNumber")
		}
		return nil, apperr.New(apperr.NotApplicable, "%s is not a free-of-charge license of %s locations; they offer %s",
			in.PartNumber, sys.Type.Name, strings.Join(names, ", ")).OnField("partNumber")
	}
	p := offered[i]
	today := quote.Day(s.now())
	apps, err := applications(ctx, tx, []uuid.UUID{loc.ID}, today)
	if err != nil {
		return nil, err
	}
	code := p.ApplicationCode(*sys.Type)
	app := findApplication(apps[loc.ID], code)
	if app == nil || !app.FreeOfChargeAllowed(today) {
		name := code
		if app != nil {
			name = app.Application.Name
		}
		return nil, freeOfChargeRefusal(loc, name, app)
	}
	lic, err := license.AttachFreeOfCharge(ctx, tx, a, sys, license.FreeOfChargeInput{Part: p, Order: freeOfChargeOrder(today), At: s.now()})
	if err != nil {
		return nil, err
	}
	return lic, audit.Record(ctx, tx, audit.Event{
		Action: "swa.attach_free_of_charge", PartnerIDs: []uuid.UUID{loc.PartnerID},
		Objects: []string{audit.Ref("Location", loc.ID), audit.Ref("License", lic.ID)},
		Summary: map[string]any{
			"location": loc.Name, "hardwareKeyCode": loc.HardwareKeyCode, "application": app.Application.Name, "swaStatus": app.Status,
			lic.SoftwareKeyCode: fmt.Sprintf("%s × %d (PO %s, free of charge)", lic.PartNumber, lic.Quantity, lic.PurchaseOrder),
		},
	})
}
