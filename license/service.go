// Package license is the life of a license on a location (LIC-3..LIC-5,
// LIC-11, LOC-5..LOC-7, LOC-10, LOC-11, DECT-1, DECT-2, EXT-2): quantities
// of bin lines attached to a location as licenses with Software Key Codes,
// detached back into the bin or activated for good, which requests the
// location's license file; the virtual HWKC of an SV9500 Standard Server
// (LOC-6); and the lists and lookups of licenses.
//
// The per-system rules (rules.go, whole_order.go) are pure functions over a
// location.System and what it holds, loaded and locked by the services
// here; the bin quantities change only through package inventory and the
// files are package licensefile's.
package license

import (
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"lms/licensefile"
)

// Service attaches, detaches and activates licenses.
type Service struct {
	DB *bun.DB
	// Files requests the license file generations that activations cause.
	Files *licensefile.Service
	// Now returns the current time; tests may fix it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
