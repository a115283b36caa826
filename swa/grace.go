package swa

import (
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"lms/db"
)

// licenseApplication is, in SQL over a license's part (alias p) and its
// location's system type (alias st), the SWA application the license
// counts towards: catalog.ApplicationOf.
const licenseApplication = "coalesce(p.swa_application, st.swa_application)"

// graceEndSQL is quote.GraceEnd in SQL, of a first activation expression:
// the last day of the quarter after the activation's quarter (SWA-5).
// TestGraceEndSQL holds the two to the same answers.
const graceEndSQL = "((date_trunc('quarter', (%s) AT TIME ZONE 'UTC') + interval '6 months' - interval '1 day')::date)"

// inGraceWithoutSwa selects, per live location and application, the end of
// the grace period (column date) of the applications whose licenses are
// activated and that have neither an agreement nor a pending assignment:
// prospective SWA locations (SWA-5, SWA-7b) when the grace end is on or
// after from, and on or before until. ProspectiveLocations and the daily
// reminders (SWA-9) both ask it; a caller narrows it to its locations with
// a condition on lic.location_id.
func inGraceWithoutSwa(idb bun.IDB, from, until time.Time) *bun.SelectQuery {
	graceEnd := fmt.Sprintf(graceEndSQL, "min(lic.activated_at)")
	return idb.NewSelect().TableExpr("licenses AS lic").
		ColumnExpr("lic.location_id, "+licenseApplication+" AS application, "+graceEnd+" AS date").
		Join("JOIN parts AS p ON p.number = lic.part_number").
		Join("JOIN locations AS gl ON gl.id = lic.location_id AND gl.deleted_at IS NULL").
		Join("JOIN system_types AS st ON st.code = gl.system_type").
		Where("lic.status = ?", db.LicenseActivated).
		Where(licenseApplication+" IS NOT NULL").
		Where("NOT EXISTS (SELECT 1 FROM swa_agreements AS sag WHERE sag.location_id = lic.location_id AND sag.application = "+licenseApplication+")").
		Where("NOT EXISTS (SELECT 1 FROM swa_activations AS sac WHERE sac.location_id = lic.location_id AND sac.application = "+licenseApplication+" AND sac.status = ?)", db.SwaActivationPending).
		GroupExpr("lic.location_id, "+licenseApplication).
		Having(graceEnd+" BETWEEN ? AND ?", from.Format(time.DateOnly), until.Format(time.DateOnly))
}
