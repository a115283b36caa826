package server

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"lms/actor"
	"lms/apperr"
	"lms/requestid"
)

// LicenseKeysPath is where the public keys that license files verify
// against are published, as a JSON Web Key Set (LIC-6).
const LicenseKeysPath = "/.well-known/lms-license-keys.json"

// downloadLicenseFile serves one generation of a license file to a user who
// may see its location (LIC-6: downloads are authorised like the API).
func (s *Server) downloadLicenseFile(w http.ResponseWriter, r *http.Request) {
	if actor.From(r.Context()) == nil {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeGraphQLError(w, http.StatusUnauthorized, string(apperr.Unauthenticated), "send an API token: Authorization: Bearer <token>")
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		writeGraphQLError(w, http.StatusNotFound, string(apperr.NotFound), "license file not found")
		return
	}
	f, err := s.Graph.Services.Licenses.Download(r.Context(), id)
	if err != nil {
		e, ok := apperr.As(err)
		switch {
		case ok && e.Code == apperr.NotFound:
			writeGraphQLError(w, http.StatusNotFound, string(e.Code), e.Message)
		case ok:
			writeGraphQLError(w, http.StatusConflict, string(e.Code), e.Message)
		default:
			s.log.ErrorContext(r.Context(), "download license file", "request_id", requestid.From(r.Context()), "err", err)
			writeGraphQLError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal server error; quote request id "+requestid.From(r.Context()))
		}
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+*f.FileName+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Content)))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if f.SHA256 != nil {
		w.Header().Set("ETag", `"`+*f.SHA256+`"`)
	}
	_, _ = w.Write(f.Content)
}

// licenseKeys publishes the license signing public keys.
func (s *Server) licenseKeys(w http.ResponseWriter, _ *http.Request) {
	b, err := s.Graph.Services.Licenses.Keys.JWKS()
	if err != nil {
		http.Error(w, "keys unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(b)
}
