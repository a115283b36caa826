// Package license is the life of a license (LIC-1..15, LOC-6, DECT-1,
// DECT-2, EXT-1..4): orders shipped into a partner's license bin, reshipped
// by distributors to their dealers and returned by them, quantities
// attached to locations as licenses with Software Key Codes, detached back
// into the bin or activated for good, and the signed license files a worker
// generates from everything activated on a location.
//
// Inventory is conserved (LIC-15): a bin line's available quantity changes
// only under its row lock, in the transaction that creates or removes the
// licenses, the reshipped dealer lines or the returns holding the
// difference, so shipped = available + attached + activated + reshipped +
// returned at every moment, whatever runs concurrently.
package license

import (
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"lms/apperr"
	"lms/downloadlink"
	"lms/licensefile"
	"lms/notify"
)

// Service implements shipping, the license bin, attach, detach, activation
// and license files.
type Service struct {
	DB     *bun.DB
	Notify *notify.Service
	// Jobs inserts the file generation jobs inside the changing transaction.
	Jobs notify.JobInserter
	// Signer signs license files (LIC-6).
	Signer *licensefile.Signer
	// Keys are the public keys license files verify against, published for
	// `lms verify` and clients: the signer's, then earlier ones still
	// trusted after a rotation.
	Keys licensefile.Keyring
	// Events tells this process's subscribers that files are ready.
	Events *Events
	// PublicURL is the base URL users reach the API at; mails link to
	// downloads under it.
	PublicURL string
	// Links signs the download links in mails and checks them when they
	// are used (DownloadByLink); required. The server derives its key from
	// the license signing key.
	Links *downloadlink.Key
	// Now returns the current time; tests may fix it.
	Now func() time.Time
	// MaxUploadBytes bounds an external product's license file as the
	// service reads it; the server sets it to its upload limit
	// (LMS_MAX_UPLOAD_BYTES). DefaultMaxUploadBytes when 0.
	MaxUploadBytes int64
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Field and size limits.
const (
	maxOrderNumber = 100
	maxNote        = 2000
	maxLines       = 200
	maxQuantity    = 1_000_000
	maxSelection   = 500
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func checkText(errs *apperr.List, field string, v *string, required bool, max int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		errs.Add(apperr.Invalid(field, "%s is required", field))
	case utf8.RuneCountInString(*v) > max:
		errs.Add(apperr.Invalid(field, "at most %d characters", max))
	}
}
