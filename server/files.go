package server

import (
	"context"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"lms/actor"
	"lms/apperr"
	"lms/downloadlink"
	"lms/requestid"
)

// LicenseKeysPath is where the public keys that license files verify
// against are published, as a JSON Web Key Set (LIC-6).
const LicenseKeysPath = "/.well-known/lms-license-keys.json"

// downloadLicenseFile serves one generation of a license file to a user who
// may see its location (LIC-6: downloads are authorised like the API). A
// file not ready yet (being generated, or an external product's file the
// license desk has not uploaded, EXT-3) answers 409 with the reason. A
// request without a token that carries a mail's signed link is served by
// the link (downloadByLink); with a token, the token's rules
// apply and the link is ignored.
func (s *Server) downloadLicenseFile(w http.ResponseWriter, r *http.Request) {
	if byLink(r) {
		s.downloadByLink(w, r, licenseFileLinks, func(ctx context.Context, id uuid.UUID, link downloadlink.Link) (*download, error) {
			f, err := s.Graph.Services.Files.DownloadByLink(ctx, id, link)
			if err != nil {
				return nil, err
			}
			return &download{name: *f.FileName, content: f.Content, sha256: f.SHA256}, nil
		})
		return
	}
	s.download(w, r, "license file", func(ctx context.Context, id uuid.UUID) (*download, error) {
		f, err := s.Graph.Services.Files.Download(ctx, id)
		if err != nil {
			return nil, err
		}
		return &download{name: *f.FileName, content: f.Content, sha256: f.SHA256}, nil
	})
}

// downloadSwaCertificate serves the PDF certificate of one SWA agreement
// version (issue 15) to a user of the partner holding it or the license
// desk, made at each download; a request without a token that carries a
// mail's signed link is served by the link, as for license files.
func (s *Server) downloadSwaCertificate(w http.ResponseWriter, r *http.Request) {
	if byLink(r) {
		s.downloadByLink(w, r, certificateLinks, func(ctx context.Context, id uuid.UUID, link downloadlink.Link) (*download, error) {
			c, err := s.Graph.Services.Swa.CertificateByLink(ctx, id, link)
			if err != nil {
				return nil, err
			}
			return &download{name: c.FileName, content: c.Content}, nil
		})
		return
	}
	s.download(w, r, "SWA certificate", func(ctx context.Context, id uuid.UUID) (*download, error) {
		c, err := s.Graph.Services.Swa.Certificate(ctx, id)
		if err != nil {
			return nil, err
		}
		return &download{name: c.FileName, content: c.Content}, nil
	})
}

// downloadProtectDat serves a protect.dat upload to the location's partner
// and the license desk (EXT-4).
func (s *Server) downloadProtectDat(w http.ResponseWriter, r *http.Request) {
	s.download(w, r, "protect.dat", func(ctx context.Context, id uuid.UUID) (*download, error) {
		pd, err := s.Graph.Services.Files.DownloadProtectDat(ctx, id)
		if err != nil {
			return nil, err
		}
		return &download{name: pd.FileName, content: pd.Content, sha256: &pd.SHA256}, nil
	})
}

// download is a file to send as an attachment.
type download struct {
	name    string
	content []byte
	sha256  *string
}

// download answers GET <path>/{id} with the file load finds for the
// authenticated caller: 401 without credentials, 404 for a missing id or
// another tenant's file, 409 with the domain's message for any other
// refusal (not ready yet).
func (s *Server) download(w http.ResponseWriter, r *http.Request, what string, load func(context.Context, uuid.UUID) (*download, error)) {
	if actor.From(r.Context()) == nil {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeGraphQLError(w, http.StatusUnauthorized, string(apperr.Unauthenticated), "send an API token: Authorization: Bearer <token>")
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		writeGraphQLError(w, http.StatusNotFound, string(apperr.NotFound), what+" not found")
		return
	}
	d, err := load(r.Context(), id)
	if err != nil {
		e, ok := apperr.As(err)
		switch {
		case ok && e.Code == apperr.NotFound:
			writeGraphQLError(w, http.StatusNotFound, string(e.Code), e.Message)
		case ok:
			writeGraphQLError(w, http.StatusConflict, string(e.Code), e.Message)
		default:
			s.log.ErrorContext(r.Context(), "download "+what, "request_id", requestid.From(r.Context()), "err", err)
			writeGraphQLError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal server error; quote request id "+requestid.From(r.Context()))
		}
		return
	}
	writeDownload(w, d)
}

// writeDownload sends d as an attachment.
func writeDownload(w http.ResponseWriter, d *download) {
	w.Header().Set("Content-Type", contentType(d.name))
	w.Header().Set("Content-Disposition", `attachment; filename="`+d.name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(d.content)))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if d.sha256 != nil {
		w.Header().Set("ETag", `"`+*d.sha256+`"`)
	}
	_, _ = w.Write(d.content)
}

// contentType is what a downloaded file is sent as: LMS's own license files
// are zips and its SWA certificates PDFs; an uploaded file (an external
// product's license file, a protect.dat) is whatever its source made it, so
// only those two extensions are trusted and the rest is opaque bytes. An
// uploaded file named .zip or .pdf is sent as such too: it is always an
// attachment (never shown inline) and saved under that name anyway, so the
// type adds nothing the name does not.
func contentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".zip":
		return "application/zip"
	case ".pdf":
		return "application/pdf"
	}
	return "application/octet-stream"
}

// licenseKeys publishes the license signing public keys.
func (s *Server) licenseKeys(w http.ResponseWriter, _ *http.Request) {
	b, err := s.Graph.Services.Files.Keys.JWKS()
	if err != nil {
		http.Error(w, "keys unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(b)
}
