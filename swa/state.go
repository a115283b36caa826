package swa

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/catalog"
	"lms/db"
	"lms/swa/quote"
)

// Status is where SWA stands for one application of a location (SWA-9).
type Status string

// Statuses.
const (
	// StatusNone: no SWA, and no grace period running (nothing activated
	// yet, or the grace period has ended).
	StatusNone Status = "NONE"
	// StatusGrace: the grace period after the first activation runs and the
	// application has no SWA (a prospective SWA location).
	StatusGrace Status = "GRACE"
	// StatusPending: an assignment is in its cooling-off period.
	StatusPending Status = "PENDING"
	// StatusActive: the current agreement runs.
	StatusActive Status = "ACTIVE"
	// StatusExpired: the last agreement ended more than 12 months ago.
	StatusExpired Status = "EXPIRED"
	// StatusRenewable: the agreement ends within 90 days, or ended less
	// than 12 months ago.
	StatusRenewable Status = "RENEWABLE"
)

// renewableBefore and renewableAfter bound RENEWABLE around an agreement's
// end (SWA-9).
const (
	renewableBeforeDays  = 90
	renewableAfterMonths = 12
)

// StatusOf is SWA-9's status on today of an application whose grace period
// ends on graceEnd (nil: nothing activated), with its latest agreement
// ending on agreementEnd (nil: none) and an assignment pending or not.
func StatusOf(today time.Time, graceEnd, agreementEnd *time.Time, pending bool) Status {
	today = quote.Day(today)
	switch {
	case pending:
		return StatusPending
	case agreementEnd != nil && !today.After(*agreementEnd):
		if agreementEnd.Sub(today) <= renewableBeforeDays*24*time.Hour {
			return StatusRenewable
		}
		return StatusActive
	case agreementEnd != nil:
		if today.Before(agreementEnd.AddDate(0, renewableAfterMonths, 0)) {
			return StatusRenewable
		}
		return StatusExpired
	case graceEnd != nil && !today.After(*graceEnd):
		return StatusGrace
	}
	return StatusNone
}

// Application is the SWA of one application of a location: what it is
// quoted from and where it stands.
type Application struct {
	LocationID  uuid.UUID
	Application *catalog.SwaApplication
	// Rate is the monthly rate of the location's activated licenses of the
	// application (SWA-4).
	Rate quote.Rate
	// FirstActivation is when the first of those licenses was activated;
	// nil when none is.
	FirstActivation *time.Time
	// GraceEnd is the last day of the grace period (SWA-5); nil without
	// activation.
	GraceEnd *time.Time
	// Agreements are the application's agreements, newest first; the first
	// is the current one.
	Agreements []db.SwaAgreement
	// Pending is the assignment in its cooling-off period, if any.
	Pending *db.SwaActivation
	Status  Status
}

// Current is the application's latest agreement, nil when it has none.
func (a *Application) Current() *db.SwaAgreement {
	if len(a.Agreements) == 0 {
		return nil
	}
	return &a.Agreements[0]
}

// applications loads the SWA of every application of the given locations,
// in four statements whatever their number: the location's system type's
// application and every application its activated licenses count towards
// (catalog.ApplicationOf), each with its rate, first activation, agreements
// and pending assignment. The caller has checked the locations are the
// actor's. Locations are in the order of ids, applications by code.
func applications(ctx context.Context, idb bun.IDB, ids []uuid.UUID, today time.Time) (map[uuid.UUID][]*Application, error) {
	out := map[uuid.UUID][]*Application{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		LocationID      uuid.UUID  `bun:"location_id"`
		Application     string     `bun:"application"`
		Rate            int64      `bun:"rate"`
		FirstActivation *time.Time `bun:"first_activation"`
	}
	// The applications of the activated licenses, with their rates, and
	// the system type's application (rate 0, no activation) for a
	// location whose licenses count elsewhere or that has none yet.
	if err := idb.NewRaw(`
		SELECT lic.location_id, app.code AS application,
		       (sum(p.swa_weight * lic.quantity) * 10000)::bigint AS rate,
		       min(lic.activated_at) AS first_activation
		FROM licenses AS lic
		JOIN parts AS p ON p.number = lic.part_number
		JOIN locations AS l ON l.id = lic.location_id
		JOIN system_types AS st ON st.code = l.system_type
		JOIN swa_applications AS app ON app.code = `+licenseApplication+`
		WHERE lic.location_id IN (?) AND lic.status = ?
		GROUP BY lic.location_id, app.code
		UNION ALL
		SELECT l.id, st.swa_application, 0, NULL
		FROM locations AS l JOIN system_types AS st ON st.code = l.system_type
		WHERE l.id IN (?) AND st.swa_application IS NOT NULL`,
		bun.In(ids), db.LicenseActivated, bun.In(ids)).Scan(ctx, &rows); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("SWA applications of locations: %w", err)
	}
	var agreements []db.SwaAgreement
	if err := idb.NewSelect().Model(&agreements).Where("sag.location_id IN (?)", bun.In(ids)).
		OrderExpr("sag.location_id, sag.application, sag.ends_on DESC, sag.created_at DESC").Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("SWA agreements of locations: %w", err)
	}
	var pending []db.SwaActivation
	if err := idb.NewSelect().Model(&pending).Where("sac.location_id IN (?)", bun.In(ids)).
		Where("sac.status = ?", db.SwaActivationPending).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("pending SWA activations of locations: %w", err)
	}
	codes := []string{}
	for _, r := range rows {
		codes = append(codes, r.Application)
	}
	for _, a := range agreements {
		codes = append(codes, a.Application)
	}
	for _, p := range pending {
		codes = append(codes, p.Application)
	}
	codes = slices.Compact(slices.Sorted(slices.Values(codes)))
	apps := map[string]*catalog.SwaApplication{}
	if len(codes) > 0 {
		found, err := catalog.FindSwaApplications(ctx, idb, codes)
		if err != nil {
			return nil, err
		}
		for _, a := range found {
			if a != nil {
				apps[a.Code] = a
			}
		}
	}
	type key struct {
		loc uuid.UUID
		app string
	}
	by := map[key]*Application{}
	get := func(loc uuid.UUID, app string) *Application {
		k := key{loc, app}
		if by[k] == nil {
			by[k] = &Application{LocationID: loc, Application: apps[app]}
		}
		return by[k]
	}
	for _, r := range rows {
		a := get(r.LocationID, r.Application)
		if r.FirstActivation != nil {
			a.Rate = quote.Rate(r.Rate)
			first := r.FirstActivation.UTC()
			end := quote.GraceEnd(first)
			a.FirstActivation, a.GraceEnd = &first, &end
		}
	}
	for _, ag := range agreements {
		a := get(ag.LocationID, ag.Application)
		a.Agreements = append(a.Agreements, ag)
	}
	for i := range pending {
		get(pending[i].LocationID, pending[i].Application).Pending = &pending[i]
	}
	for k, a := range by {
		if a.Application == nil {
			continue
		}
		var end *time.Time
		if c := a.Current(); c != nil {
			end = &c.EndsOn
		}
		a.Status = StatusOf(today, a.GraceEnd, end, a.Pending != nil)
		out[k.loc] = append(out[k.loc], a)
	}
	for _, list := range out {
		slices.SortFunc(list, func(a, b *Application) int { return cmp.Compare(a.Application.Code, b.Application.Code) })
	}
	return out, nil
}
