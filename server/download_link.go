package server

import (
	"errors"
	"html/template"
	"net/http"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"lms/apperr"
	"lms/db"
	"lms/downloadlink"
	"lms/requestid"
)

// downloadLicenseFileByLink serves the license file generation a mail's
// signed link names to whoever clicks it: a person in a browser, without
// an API token (LIC-6, EXT-3). Each refusal is a short page telling that
// person what to do, and shows nothing of the file: 403 for a link this
// server did not sign for this file, 410 for an expired one, 404 and 409
// for a genuine link whose file is gone or not ready.
func (s *Server) downloadLicenseFileByLink(w http.ResponseWriter, r *http.Request) {
	link, err := downloadlink.Parse(r.URL.Query())
	id, idErr := uuid.Parse(r.PathValue("id"))
	if idErr != nil {
		err = downloadlink.ErrInvalid
	}
	var f *db.LicenseFile
	if err == nil {
		f, err = s.Graph.Services.Files.DownloadByLink(r.Context(), id, link)
	}
	if err != nil {
		s.refuseLink(w, r, link, err)
		return
	}
	writeDownload(w, &download{name: *f.FileName, content: f.Content, sha256: f.SHA256})
}

// refuseLink answers a link that serves nothing with a page saying why.
func (s *Server) refuseLink(w http.ResponseWriter, r *http.Request, link downloadlink.Link, err error) {
	const signIn = "Sign in to LMS and download the file from the location's license page."
	p := linkPage{Title: "This download link is not valid", Text: "It may have been changed or cut off when it was copied: open it again from the email. " + signIn}
	status := http.StatusForbidden
	e, isApp := apperr.As(err)
	switch {
	case errors.Is(err, downloadlink.ErrExpired):
		status = http.StatusGone
		p = linkPage{Title: "This download link has expired", Text: "The link in the email worked until " + link.Expires.UTC().Format("2 January 2006, 15:04 UTC") + ". " + signIn}
	case errors.Is(err, downloadlink.ErrInvalid):
	case isApp && e.Code == apperr.NotFound:
		status = http.StatusNotFound
		p = linkPage{Title: "This license file no longer exists", Text: "Sign in to LMS to see the location's license files."}
	case isApp:
		status = http.StatusConflict
		p = linkPage{Title: "The license file cannot be downloaded", Text: sentence(e.Message)}
	default:
		s.log.ErrorContext(r.Context(), "download license file by link", "request_id", requestid.From(r.Context()), "err", err)
		status = http.StatusInternalServerError
		p = linkPage{Title: "The download failed", Text: "Please try again later. If it keeps failing, quote request id " + requestid.From(r.Context()) + " to the LMS license desk."}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = linkPageTemplate.Execute(w, p)
}

// sentence makes a domain message ("license file version 2 is still being
// generated; …") a sentence on a page.
func sentence(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[n:] + "."
}

// linkPage is what a refused link's page says.
type linkPage struct {
	Title string
	Text  string
}

var linkPageTemplate = template.Must(template.New("link").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LMS — {{.Title}}</title>
<style>body{font-family:sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1f2937}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>
`))
