// Package migration turns a location into a location of another system
// type, with its licenses and Software Assurance (MIG-1..MIG-3): the
// guide's "SV9000 Migration" of an SV9100 CP10 to a CP20 board. The paths a
// system type may migrate along, and what each part becomes, are catalog
// data (catalog.MigrationPath), so another pair needs no code here.
//
// A migration is one transaction under the system's lock: the location's
// history keeps the system as it was (location.RecordHistory,
// license.Snapshot), the location takes the new type and Hardware Key Code
// (location.System.Migrate), its activated licenses move over with the
// migration's order number MIGSU_<yyyymmdd><nn> as purchase and sales order
// (license.MigrateLicenses), a license file is requested for the new code
// (licensefile), and the partner is told. SWA agreements belong to the
// location and an application both types share (the catalog insists), so
// they carry on untouched.
package migration

import (
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"lms/licensefile"
	"lms/notify"
)

// Service migrates locations and finds migrations.
type Service struct {
	DB *bun.DB
	// Files requests the license file for the new Hardware Key Code.
	Files  *licensefile.Service
	Notify *notify.Service
	// Now returns the current time; tests may fix it. It decides the day
	// of a migration's order number.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
