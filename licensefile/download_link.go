package licensefile

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/downloadlink"
)

// mailLink is the download link a mail carries to one file generation.
type mailLink struct {
	url     string
	expires time.Time
}

// emailedLink signs a link to the file generation fileID for a mail's
// recipient, who clicks it in a browser without an API token (LIC-6,
// EXT-3); it works for downloadlink.Validity from now.
func (s *Service) emailedLink(fileID uuid.UUID) mailLink {
	l := s.Links.Sign(downloadlink.LicenseFile, fileID, s.now().Add(downloadlink.Validity))
	return mailLink{url: s.PublicURL + DownloadPath(fileID) + "?" + l.Query(), expires: l.Expires}
}

// DownloadByLink returns the license file generation a signed link from a
// mail names, with its content, to whoever holds the link: no user is
// signed in, and the link grants this one generation until it expires and
// nothing else (not the location's other generations, even the current
// one). Each use is recorded on the trail of the file's partner, via
// audit.ViaEmailedLink. Call it only for a request without a signed-in
// user: a bearer token's rules come first (Download).
// Errors: downloadlink.ErrInvalid and downloadlink.ErrExpired (FORBIDDEN,
// found before anything is read), NOT_FOUND, NOT_APPLICABLE (not ready).
func (s *Service) DownloadByLink(ctx context.Context, fileID uuid.UUID, link downloadlink.Link) (*db.LicenseFile, error) {
	if err := s.Links.Verify(downloadlink.LicenseFile, fileID, link, s.now()); err != nil {
		return nil, err
	}
	f := new(db.LicenseFile)
	if err := s.DB.NewSelect().Model(f).Where("lf.id = ?", fileID).Scan(ctx); isNoRows(err) {
		return nil, apperr.NotFoundf("license file")
	} else if err != nil {
		return nil, fmt.Errorf("load license file %s: %w", fileID, err)
	}
	if err := downloadable(f); err != nil {
		return nil, err
	}
	err := audit.Record(ctx, s.DB, audit.Event{
		Action:     "license.download_file",
		PartnerIDs: []uuid.UUID{f.PartnerID},
		Objects:    []string{audit.Ref("Location", f.LocationID), audit.Ref("LicenseFile", f.ID)},
		Summary: map[string]any{
			"fileId": f.ID.String(), "version": f.Version, "fileName": deref(f.FileName),
			"linkExpiresAt": link.Expires.UTC().Format(time.RFC3339),
		},
		Via: audit.ViaEmailedLink,
	})
	if err != nil {
		return nil, fmt.Errorf("download license file %s by link: %w", fileID, err)
	}
	return f, nil
}

// EmailedLink is the signed download link a mail carries to the file
// generation fileID, and when it stops working (downloadlink.Validity
// from now): for mails other packages send about a file, such as a
// hardware replacement's (HWR-1).
func (s *Service) EmailedLink(fileID uuid.UUID) (string, time.Time) {
	l := s.emailedLink(fileID)
	return l.url, l.expires
}
