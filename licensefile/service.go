// Package licensefile is the license files of locations as a service
// (LIC-5..LIC-10, EXT-1, EXT-3, EXT-4): a generation is requested in the
// transaction that activates licenses (Request), a River job builds, signs
// and stores it (Generate) and announces it to subscribers in every API
// process (Events, WatchFiles); users regenerate, download (signed in, or by
// the signed link their mail carries) and list generations; the license
// desk uploads the files of external products; partners upload protect.dat
// files; and demo licenses are files of their own. What a file grants is
// the stacked entitlements of the location's activated licenses (LIC-9).
//
// The signed file format itself (payload, signature, zip) is the
// sub-package format, which needs no database.
package licensefile

import (
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"lms/downloadlink"
	"lms/licensefile/format"
	"lms/notify"
)

// Service requests, generates, stores and serves license files.
type Service struct {
	DB     *bun.DB
	Notify *notify.Service
	// Jobs inserts the file generation jobs inside the changing transaction.
	Jobs notify.JobInserter
	// Signer signs license files (LIC-6).
	Signer *format.Signer
	// Keys are the public keys license files verify against, published for
	// `lms verify` and clients: the signer's, then earlier ones still
	// trusted after a rotation.
	Keys format.Keyring
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

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
