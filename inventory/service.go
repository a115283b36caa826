// Package inventory is the partners' license bin, the ledger of shipped
// quantities (LIC-1, LIC-2, LIC-12, LIC-13, LIC-14, LIC-15): orders shipped
// into a bin, reshipped by distributors to their dealers and returned by
// them, the bin and order lookups, and the selections of bin lines that
// attach, reship and return take quantities with.
//
// It is the only code that changes the quantities of order_lines, so
// inventory is conserved (LIC-15) in one place: a line's available quantity
// changes only under its row lock (Lock), in the transaction that creates
// or removes what holds the difference — the licenses made from it (Take,
// Restore, called by package license), the reshipped dealer lines, or the
// returns — so shipped = available + attached + activated + reshipped +
// returned at every moment, whatever runs concurrently.
package inventory

import (
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"lms/notify"
)

// Service ships orders, keeps the license bin, reships and returns.
type Service struct {
	DB     *bun.DB
	Notify *notify.Service
	// Now returns the current time; tests may fix it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Field and size limits.
const (
	// MaxOrderNumber is the longest purchase or sales order number.
	MaxOrderNumber = 100
	maxNote        = 2000
	maxLines       = 200
	maxQuantity    = 1_000_000
	// MaxSelection is the most bin lines, or licenses, one request selects.
	MaxSelection = 500
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
