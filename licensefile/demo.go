package licensefile

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/idempotency"
	"lms/location"
)

// DemoLicenseInput asks for a demo (or service) license file of a location
// (LIC-10): a time-limited file that opens every feature of its system type,
// for use while the real licenses are on their way.
type DemoLicenseInput struct {
	LocationID uuid.UUID
	// AcceptAgreement is the user's confirmation of the demo license terms
	// (the guide: "Select the Checkbox and click Proceed"): each location has
	// only a few demo licenses, and using one cannot be undone.
	AcceptAgreement bool
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in DemoLicenseInput) Validate() error {
	if !in.AcceptAgreement {
		return apperr.New(apperr.AgreementNotAccepted, "a location has only a few demo licenses and a used one does not come back: confirm the demo license terms to generate one").OnField("acceptAgreement")
	}
	return nil
}

// GenerateDemoLicense uses one of a location's demo licenses: it requests a
// demo license file, which a worker builds like any license file, opening
// every feature of the system type until the catalog's number of days after
// it is issued (LIC-10); it answers at once with the PENDING file. The
// location's lock orders concurrent requests, so a location never gets more
// demo files than its system type allows; a generation that FAILED does not
// count. Errors: UNAUTHENTICATED, AGREEMENT_NOT_ACCEPTED, NOT_FOUND,
// NOT_APPLICABLE (the system type has no demo licenses, or the location
// still has its temp key), NO_DEMO_LICENSES_LEFT, IDEMPOTENCY_KEY_REUSED.
func (s *Service) GenerateDemoLicense(ctx context.Context, in DemoLicenseInput) (*db.LicenseFile, error) {
	f, err := idempotency.Mutation(ctx, s.DB, "generateDemoLicense", &in, in.IdempotencyKey, nil, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*db.LicenseFile, error) {
		sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
		if err != nil {
			return nil, err
		}
		if !offersDemoLicenses(sys.Type) {
			return nil, apperr.New(apperr.NotApplicable, "%s locations have no demo licenses", sys.Type.Name).OnField("locationId")
		}
		if sys.Provisional() {
			return nil, apperr.New(apperr.NotApplicable, "%s still has its temp key %s: a demo license is bound to the Hardware Key Code, create it first", sys.Location.Name, sys.Location.HardwareKeyCode).OnField("locationId")
		}
		lefts, err := demoLicensesLeft(ctx, tx, a, []uuid.UUID{sys.Location.ID})
		if err != nil {
			return nil, err
		}
		left := *lefts[0] // the system type offers demo licenses: checked above
		if left <= 0 {
			return nil, apperr.New(apperr.NoDemoLicensesLeft, "%s has used all %d demo licenses of a %s location", sys.Location.Name, sys.Type.DemoLicenses, sys.Type.Name).OnField("locationId")
		}
		f, err := s.Request(ctx, tx, a, sys.Location, db.FileForDemo)
		if err != nil {
			return nil, err
		}
		return f, audit.Record(ctx, tx, audit.Event{
			Action: "license.demo", PartnerIDs: []uuid.UUID{sys.Location.PartnerID},
			Objects: []string{audit.Ref("Location", sys.Location.ID), audit.Ref("LicenseFile", f.ID)},
			Summary: map[string]any{
				"location": sys.Location.Name, "hardwareKeyCode": sys.Location.HardwareKeyCode, "fileVersion": f.Version,
				"validDays": sys.Type.DemoLicenseDays, "demoLicensesLeft": left - 1,
			},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("generate demo license of location %s: %w", in.LocationID, err)
	}
	return f, nil
}

// offersDemoLicenses reports whether locations of st have demo licenses
// (LIC-10: a catalog flag, with the number and duration in the catalog).
func offersDemoLicenses(st *catalog.SystemType) bool {
	return st.HasFlag(catalog.FlagDemoLicenses) && st.DemoLicenses > 0
}

// DemoLicensesLeftOf returns, in one statement and in the order of
// locationIDs, how many demo licenses each location has left (LIC-8: "You
// have 2 demo license(s) left"): nil for a location whose system type has
// none, and for a missing one or another partner's. Any signed-in user may
// call it. Errors: UNAUTHENTICATED.
func (s *Service) DemoLicensesLeftOf(ctx context.Context, locationIDs []uuid.UUID) ([]*int, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	return demoLicensesLeft(ctx, s.DB, a, locationIDs)
}

// demoLicensesLeft is DemoLicensesLeftOf in idb: the one place that counts
// a location's demo licenses (those not FAILED) against its system type's.
func demoLicensesLeft(ctx context.Context, idb bun.IDB, a *actor.Actor, locationIDs []uuid.UUID) ([]*int, error) {
	var rows []struct {
		ID           uuid.UUID `bun:"id"`
		Flags        []string  `bun:"flags,array"`
		DemoLicenses int       `bun:"demo_licenses"`
		Used         int       `bun:"used"`
	}
	q := idb.NewSelect().TableExpr("locations AS l").
		ColumnExpr("l.id, st.flags, st.demo_licenses, count(lf.id)::int AS used").
		Join("JOIN system_types AS st ON st.code = l.system_type").
		Join("LEFT JOIN license_files AS lf ON lf.location_id = l.id AND lf.reason = ? AND lf.status <> ?", db.FileForDemo, db.LicenseFileFailed).
		Where("l.id IN (?)", bun.In(locationIDs)).
		GroupExpr("l.id, st.flags, st.demo_licenses")
	if err := a.Restrict(q, "l.partner_id").Scan(ctx, &rows); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("count demo licenses left: %w", err)
	}
	left := make(map[uuid.UUID]int, len(rows))
	for _, r := range rows {
		if offersDemoLicenses(&catalog.SystemType{Flags: r.Flags, DemoLicenses: r.DemoLicenses}) {
			left[r.ID] = max(r.DemoLicenses-r.Used, 0)
		}
	}
	out := make([]*int, len(locationIDs))
	for i, id := range locationIDs {
		if n, ok := left[id]; ok {
			out[i] = &n
		}
	}
	return out, nil
}

// demoFeatures are what a demo file opens (LIC-10): every part allowed on
// the system type except SWA units (they buy Software Assurance, not a
// feature of the system); VERSION parts at the part's version, QUANTITY
// parts at their per-system limit (LIC-11), else unlimited.
func demoFeatures(ctx context.Context, idb bun.IDB, st *catalog.SystemType) ([]Entitlement, error) {
	var parts []catalog.Part
	if err := idb.NewSelect().Model(&parts).Where("? = ANY(system_types)", st.Code).
		Where("NOT (? = ANY(flags))", catalog.FlagSwaUnit).Order("number").Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find parts of %s: %w", st.Code, err)
	}
	out := make([]Entitlement, 0, len(parts))
	for _, p := range parts {
		e := Entitlement{PartNumber: p.Number, Name: p.Name, Stacking: p.Stacking}
		switch {
		case p.Stacking == catalog.StackingVersion:
			e.Version = deref(p.Version)
		case p.MaxPerSystem != nil:
			e.Quantity = *p.MaxPerSystem
		default:
			e.Unlimited = true
		}
		out = append(out, e)
	}
	return out, nil
}
