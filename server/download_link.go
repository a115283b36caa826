package server

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"lms/actor"
	"lms/apperr"
	"lms/downloadlink"
	"lms/requestid"
)

// linkTarget is what one kind of emailed link downloads, in the words the
// pages refusing such a link use.
type linkTarget struct {
	// what names the object: "license file".
	what string
	// signIn tells a person whose link no longer works where to find the
	// object signed in.
	signIn string
	// gone tells them where to look when a genuine link's object is gone.
	gone string
}

// The kinds of emailed links (downloadlink's purposes).
var (
	licenseFileLinks = linkTarget{
		what:   "license file",
		signIn: "Sign in to LMS and download the file from the location's license page.",
		gone:   "Sign in to LMS to see the location's license files.",
	}
	certificateLinks = linkTarget{
		what:   "SWA certificate",
		signIn: "Sign in to LMS and download the certificate from the agreement in the location's SWA history.",
		gone:   "Sign in to LMS to see the location's SWA agreements.",
	}
)

// byLink reports whether r is to be served by the mail's signed link it
// carries: it has no token. With a token the token's rules apply and the
// link is ignored.
func byLink(r *http.Request) bool {
	return actor.From(r.Context()) == nil && downloadlink.Present(r.URL.Query())
}

// downloadByLink serves what a mail's signed link names to whoever clicks
// it: a person in a browser, without an API token (LIC-6, EXT-3, the SWA
// certificate). load checks the link and loads the object. Each refusal is
// a short page telling that person what to do, and shows nothing of the
// object: 403 for a link this server did not sign for this object, 410 for
// an expired one, 404 and 409 for a genuine link whose object is gone or
// not ready.
func (s *Server) downloadByLink(w http.ResponseWriter, r *http.Request, target linkTarget, load func(context.Context, uuid.UUID, downloadlink.Link) (*download, error)) {
	link, err := downloadlink.Parse(r.URL.Query())
	id, idErr := uuid.Parse(r.PathValue("id"))
	if idErr != nil {
		err = downloadlink.ErrInvalid
	}
	var d *download
	if err == nil {
		d, err = load(r.Context(), id, link)
	}
	if err != nil {
		s.refuseLink(w, r, target, link, err)
		return
	}
	writeDownload(w, d)
}

// refuseLink answers a link that serves nothing with a page saying why.
func (s *Server) refuseLink(w http.ResponseWriter, r *http.Request, target linkTarget, link downloadlink.Link, err error) {
	p := linkPage{Title: "This download link is not valid", Text: "It may have been changed or cut off when it was copied: open it again from the email. " + target.signIn}
	status := http.StatusForbidden
	e, isApp := apperr.As(err)
	switch {
	case errors.Is(err, downloadlink.ErrExpired):
		status = http.StatusGone
		p = linkPage{Title: "This download link has expired", Text: "The link in the email worked until " + link.Expires.UTC().Format("2 January 2006, 15:04 UTC") + ". " + target.signIn}
	case errors.Is(err, downloadlink.ErrInvalid):
	case isApp && e.Code == apperr.NotFound:
		status = http.StatusNotFound
		p = linkPage{Title: "This " + target.what + " no longer exists", Text: target.gone}
	case isApp:
		status = http.StatusConflict
		p = linkPage{Title: "The " + target.what + " cannot be downloaded", Text: sentence(e.Message)}
	default:
		s.log.ErrorContext(r.Context(), "download "+target.what+" by link", "request_id", requestid.From(r.Context()), "err", err)
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
