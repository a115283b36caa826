// Package explorer serves GraphiQL, an in-browser IDE for the LMS GraphQL API.
//
// The page works offline: GraphiQL and the React build it runs on are vendored
// from npm into assets/ by vendor.sh and embedded in the binary, so the page
// loads nothing from any other origin. Its Content-Security-Policy says so too.
package explorer

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	defaultEndpoint = "/graphql"
	defaultTitle    = "LMS GraphQL Explorer"

	// assetCacheControl lets browsers keep assets for a year without asking
	// again. That is safe because the page links every asset with a
	// ?v=<content hash> query, so a changed file gets a new URL.
	assetCacheControl = "public, max-age=31536000, immutable"
)

//go:embed index.html
var indexHTML string

//go:embed assets
var assetFS embed.FS

// Opts configures the explorer page served by Handler.
type Opts struct {
	// Endpoint is the URL of the GraphQL API that the page sends queries to,
	// for example "/graphql". A path keeps the API on the page's own origin,
	// which is all that the page's Content-Security-Policy allows unless
	// Endpoint is an absolute http(s) URL, whose origin is then allowed as
	// well. Empty means "/graphql".
	Endpoint string

	// Title is the page's title, also shown as GraphiQL's logo. Empty means
	// "LMS GraphQL Explorer".
	Title string
}

// Handler returns an http.Handler that serves the explorer page at its root
// and the page's scripts and styles under assets/. Anyone may call it: the
// page is public, and it is the GraphQL API behind Endpoint that checks the
// bearer token a user types into GraphiQL's headers editor.
//
// The page refers to its assets by relative URLs, so the handler can be
// mounted anywhere, below the root with http.StripPrefix (either
// "/explorer" or "/explorer/" works). A request for the mount point without
// its trailing slash is redirected to it, so that those relative URLs resolve.
//
// Handler panics if the embedded page refers to an asset that is not
// embedded, which the package's tests rule out.
func Handler(opts Opts) http.Handler {
	if opts.Endpoint == "" {
		opts.Endpoint = defaultEndpoint
	}
	if opts.Title == "" {
		opts.Title = defaultTitle
	}

	assets := loadAssets()
	h := &handler{
		assets:     assets,
		connectSrc: connectSrc(opts.Endpoint),
		opts:       opts,
	}
	h.index = template.Must(template.New("index.html").Funcs(template.FuncMap{
		"asset": func(name string) (string, error) {
			a, ok := assets[name]
			if !ok {
				return "", fmt.Errorf("explorer: index.html refers to asset %q, which is not embedded", name)
			}
			return "assets/" + name + "?v=" + a.version, nil
		},
	}).Parse(indexHTML))

	// Render once now so that a broken reference fails at startup rather
	// than on a user's first visit.
	if err := h.index.Execute(io.Discard, h.pageData("startup")); err != nil {
		panic(err)
	}
	return h
}

// asset is one embedded file served under assets/.
type asset struct {
	body        []byte
	contentType string
	version     string // hex prefix of the SHA-256 of body
}

// loadAssets reads the embedded assets once per process, keyed by their path
// below assets/ (e.g. "graphiql/graphiql.min.js").
var loadAssets = sync.OnceValue(func() map[string]asset {
	assets := make(map[string]asset)
	err := fs.WalkDir(assetFS, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assetFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		assets[strings.TrimPrefix(name, "assets/")] = asset{
			body:        body,
			contentType: contentType(name),
			version:     hex.EncodeToString(sum[:6]),
		}
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("explorer: read embedded assets: %v", err))
	}
	return assets
})

// contentType is spelled out rather than left to mime.TypeByExtension,
// whose answer for .js depends on the host's mime.types files.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	default: // the vendored packages' LICENSE files
		return "text/plain; charset=utf-8"
	}
}

// connectSrc is the CSP source list for the page's GraphQL requests: its own
// origin, plus the endpoint's origin when the endpoint is on another one.
func connectSrc(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "'self'"
	}
	return "'self' " + u.Scheme + "://" + u.Host
}

type handler struct {
	assets     map[string]asset
	connectSrc string
	index      *template.Template
	opts       Opts
}

// pageData is what index.html is rendered with.
type pageData struct {
	Endpoint string
	Nonce    string
	Title    string
}

func (h *handler) pageData(nonce string) pageData {
	return pageData{Endpoint: h.opts.Endpoint, Nonce: nonce, Title: h.opts.Title}
}

// ServeHTTP serves the page at "/" (or "" under http.StripPrefix) and the
// embedded files below "/assets/"; everything else is 404 Not Found.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")

	// http.StripPrefix("/explorer/") leaves no leading slash,
	// http.StripPrefix("/explorer") leaves one: accept both.
	name := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case name == "":
		h.serveIndex(w, r)
	case strings.HasPrefix(name, "assets/"):
		h.serveAsset(w, r, strings.TrimPrefix(name, "assets/"))
	default:
		http.NotFound(w, r)
	}
}

func (h *handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r) {
		return
	}
	if loc, ok := slashRedirect(r); ok {
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}

	// A fresh nonce per response lets GraphiQL add <style> elements without
	// the page allowing inline styles in general (see assets/explorer.js).
	nonce := rand.Text()
	var buf bytes.Buffer
	if err := h.index.Execute(&buf, h.pageData(nonce)); err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}

	hdr := w.Header()
	hdr.Set("Content-Security-Policy", "default-src 'none'; "+
		"script-src 'self'; "+
		"style-src 'self' 'nonce-"+nonce+"'; "+
		"img-src 'self' data:; "+ // GraphiQL's stylesheet inlines a few images
		"font-src 'self' data:; "+ // and its fonts
		"connect-src "+h.connectSrc+"; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store") // the nonce must not be reused
	hdr.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = buf.WriteTo(w)
	}
}

func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := h.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if !allowMethod(w, r) {
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Cache-Control", assetCacheControl)
	hdr.Set("ETag", `"`+a.version+`"`)
	// ServeContent answers If-None-Match, Range and HEAD requests.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

// allowMethod answers 405 Method Not Allowed to anything but GET and HEAD.
func allowMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	return false
}

// slashRedirect reports where to send a request for the page whose URL does
// not end in a slash (e.g. "/explorer" under http.StripPrefix("/explorer")):
// from there the page's relative asset URLs would miss the mount point. The
// location is relative too, because the handler cannot know its mount point;
// the original path is still in RequestURI, which http.StripPrefix keeps.
func slashRedirect(r *http.Request) (string, bool) {
	if r.RequestURI == "" { // not a request received by a server
		return "", false
	}
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil || u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return "", false
	}
	// "./" keeps a last segment such as "a:b" from reading as a scheme.
	loc := "./" + path.Base(u.EscapedPath()) + "/"
	if u.RawQuery != "" {
		loc += "?" + u.RawQuery
	}
	return loc, true
}
