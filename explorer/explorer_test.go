package explorer_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/explorer"
)

const assetCacheControl = "public, max-age=31536000, immutable"

type testBundle struct {
	// base is the URL the explorer is mounted at, ending in a slash.
	base   string
	client *http.Client
}

// setup serves the explorer the way cmd/lms mounts it: under /explorer/ of a
// real server, so that http.StripPrefix and RequestURI behave as in
// production. The client does not follow redirects.
func setup(t *testing.T, opts explorer.Opts) *testBundle {
	t.Helper()

	mux := http.NewServeMux()
	mux.Handle("/explorer/", http.StripPrefix("/explorer/", explorer.Handler(opts)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	return &testBundle{base: srv.URL + "/explorer/", client: noFollow(srv)}
}

// noFollow returns a client for srv that returns redirects instead of
// following them.
func noFollow(srv *httptest.Server) *http.Client {
	client := *srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client
}

type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, client *http.Client, method, url string, header http.Header) response {
	t.Helper()

	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *testBundle) get(t *testing.T, path string) response {
	t.Helper()
	return do(t, b.client, http.MethodGet, b.base+path, nil)
}

var (
	refRE         = regexp.MustCompile(`(?:src|href)="([^"]*)"`)
	scriptNonceRE = regexp.MustCompile(`<script [^>]*nonce="([^"]+)"`)
	cspNonceRE    = regexp.MustCompile(`'nonce-([^']+)'`)
)

func TestHandler_Index(t *testing.T) {
	t.Parallel()

	bundle := setup(t, explorer.Opts{Endpoint: "/graphql", Title: "LMS Explorer"})
	resp := bundle.get(t, "")

	require.Equal(t, http.StatusOK, resp.status)
	require.Equal(t, "text/html; charset=utf-8", resp.header.Get("Content-Type"))
	require.Equal(t, "no-store", resp.header.Get("Cache-Control"))
	require.Equal(t, "nosniff", resp.header.Get("X-Content-Type-Options"))
	require.Contains(t, resp.body, "<title>LMS Explorer</title>")
	require.Contains(t, resp.body, `data-endpoint="/graphql"`)

	// Offline: the page names no other origin at all.
	lower := strings.ToLower(resp.body)
	require.NotContains(t, lower, "http://")
	require.NotContains(t, lower, "https://")
	require.NotContains(t, lower, "//cdn")

	csp := resp.header.Get("Content-Security-Policy")
	require.Contains(t, csp, "default-src 'none'; script-src 'self';")
	require.Contains(t, csp, "connect-src 'self';")
	require.Contains(t, csp, "frame-ancestors 'none'")
	require.NotContains(t, csp, "unsafe-inline")
	require.NotContains(t, csp, "unsafe-eval")

	// explorer.js hands the nonce on its script tag to GraphiQL's <style>
	// elements; the CSP must allow exactly that nonce.
	scriptNonce := scriptNonceRE.FindStringSubmatch(resp.body)
	require.NotNil(t, scriptNonce, "no nonce on a script tag")
	cspNonce := cspNonceRE.FindStringSubmatch(csp)
	require.NotNil(t, cspNonce, "no nonce in CSP %q", csp)
	require.Equal(t, scriptNonce[1], cspNonce[1])
	require.Contains(t, csp, "style-src 'self' 'nonce-"+cspNonce[1]+"';")
}

func TestHandler_IndexNonceIsFreshPerResponse(t *testing.T) {
	t.Parallel()

	bundle := setup(t, explorer.Opts{})
	nonces := make(map[string]bool)
	for range 3 {
		m := cspNonceRE.FindStringSubmatch(bundle.get(t, "").header.Get("Content-Security-Policy"))
		require.NotNil(t, m)
		require.GreaterOrEqual(t, len(m[1]), 16)
		nonces[m[1]] = true
	}
	require.Len(t, nonces, 3)
}

func TestHandler_IndexOpts(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		opts       explorer.Opts
		want       []string
		notWant    []string
		connectSrc string
	}{
		{
			name:       "defaults",
			opts:       explorer.Opts{},
			want:       []string{`data-endpoint="/graphql"`, "<title>LMS GraphQL Explorer</title>"},
			connectSrc: "connect-src 'self';",
		},
		{
			name: "escaped",
			opts: explorer.Opts{Endpoint: `/graphql?a="b"`, Title: `</title><script>alert(1)</script>`},
			want: []string{
				`data-endpoint="/graphql?a=&#34;b&#34;"`,
				"<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>",
			},
			notWant:    []string{"<script>alert(1)"},
			connectSrc: "connect-src 'self';",
		},
		{
			name:       "endpoint on another origin",
			opts:       explorer.Opts{Endpoint: "https://api.example.test:8443/graphql"},
			want:       []string{`data-endpoint="https://api.example.test:8443/graphql"`},
			connectSrc: "connect-src 'self' https://api.example.test:8443;",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			resp := setup(t, tt.opts).get(t, "")
			require.Equal(t, http.StatusOK, resp.status)
			for _, s := range tt.want {
				require.Contains(t, resp.body, s)
			}
			for _, s := range tt.notWant {
				require.NotContains(t, resp.body, s)
			}
			require.Contains(t, resp.header.Get("Content-Security-Policy"), tt.connectSrc)
		})
	}
}

func TestHandler_Assets(t *testing.T) {
	t.Parallel()

	const (
		js   = "text/javascript; charset=utf-8"
		css  = "text/css; charset=utf-8"
		text = "text/plain; charset=utf-8"
	)
	tests := []struct {
		name        string
		contentType string
	}{
		{"explorer.js", js},
		{"explorer.css", css},
		{"graphiql/graphiql.min.js", js},
		{"graphiql/graphiql.min.css", css},
		{"graphiql/LICENSE", text},
		{"react/react.production.min.js", js},
		{"react/LICENSE", text},
		{"react-dom/react-dom.production.min.js", js},
		{"react-dom/LICENSE", text},
	}
	bundle := setup(t, explorer.Opts{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			want, err := os.ReadFile("assets/" + tt.name)
			require.NoError(t, err)

			resp := bundle.get(t, "assets/"+tt.name)
			require.Equal(t, http.StatusOK, resp.status)
			require.Equal(t, tt.contentType, resp.header.Get("Content-Type"))
			require.Equal(t, assetCacheControl, resp.header.Get("Cache-Control"))
			require.Equal(t, "nosniff", resp.header.Get("X-Content-Type-Options"))
			require.Equal(t, string(want), resp.body)

			etag := resp.header.Get("ETag")
			require.NotEmpty(t, etag)
			resp = do(t, bundle.client, http.MethodGet, bundle.base+"assets/"+tt.name, http.Header{"If-None-Match": {etag}})
			require.Equal(t, http.StatusNotModified, resp.status)
		})
	}
}

func TestHandler_NotFound(t *testing.T) {
	t.Parallel()

	bundle := setup(t, explorer.Opts{})
	for _, path := range []string{
		"assets/nope.js",
		"assets/",
		"assets",
		"assets/graphiql",
		"assets/graphiql/",
		"assets/graphiql/graphiql.min.js.map",
		"explorer.js",
		"index.html",
		"favicon.ico",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, http.StatusNotFound, bundle.get(t, path).status)
		})
	}

	// A server cleans dot segments before the handler sees them; called
	// directly, the handler must still serve nothing outside its assets.
	h := explorer.Handler(explorer.Opts{})
	for _, path := range []string{"/assets/../explorer.go", "/assets/../index.html", "/assets/./explorer.js"} {
		req := httptest.NewRequest(http.MethodGet, "http://lms.test/", nil)
		req.URL.Path = path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusNotFound, rec.Code, path)
	}
}

// TestHandler_PageReferencesResolve checks that every URL in the page is a
// relative link to an embedded file, and that the page loads every embedded
// script and stylesheet: nothing is missing and nothing is shipped unused.
func TestHandler_PageReferencesResolve(t *testing.T) {
	t.Parallel()

	bundle := setup(t, explorer.Opts{})
	page := bundle.get(t, "")
	require.Equal(t, http.StatusOK, page.status)

	referenced := make(map[string]bool)
	for _, m := range refRE.FindAllStringSubmatch(page.body, -1) {
		ref := m[1]
		if ref == "data:," { // the empty favicon, which stops a request for /favicon.ico
			continue
		}
		name, version, ok := strings.Cut(strings.TrimPrefix(ref, "assets/"), "?v=")
		require.True(t, strings.HasPrefix(ref, "assets/") && ok && version != "",
			"page refers to %q, want a relative assets/<file>?v=<version> URL", ref)

		want, err := os.ReadFile("assets/" + name)
		require.NoError(t, err, "page refers to %q", ref)
		resp := bundle.get(t, ref)
		require.Equal(t, http.StatusOK, resp.status, ref)
		require.Equal(t, string(want), resp.body, ref)
		referenced[name] = true
	}

	var shipped []string
	err := fs.WalkDir(os.DirFS("assets"), ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && (strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css")) {
			shipped = append(shipped, name)
		}
		return err
	})
	require.NoError(t, err)
	require.Len(t, shipped, 6)
	for _, name := range shipped {
		require.True(t, referenced[name], "%s is embedded but the page does not load it", name)
	}
	require.Len(t, referenced, len(shipped))

	// React must load before GraphiQL, which must load before explorer.js.
	order := []string{"react/react.production.min.js", "react-dom/react-dom.production.min.js", "graphiql/graphiql.min.js", "explorer.js"}
	last := -1
	for _, name := range order {
		i := strings.Index(page.body, `src="assets/`+name+"?")
		require.Greater(t, i, last, "%s is out of order", name)
		last = i
	}
}

// TestHandler_VendoredLicenses checks that each vendored package ships with
// its licence, as its MIT licence requires.
func TestHandler_VendoredLicenses(t *testing.T) {
	t.Parallel()

	entries, err := os.ReadDir("assets")
	require.NoError(t, err)
	var packages int
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		packages++
		license, err := os.ReadFile("assets/" + e.Name() + "/LICENSE")
		require.NoError(t, err)
		require.Contains(t, string(license), "MIT License", e.Name())
	}
	require.Equal(t, 3, packages)
}

func TestHandler_Mounts(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		mount   func(h http.Handler) http.Handler
		pageURL string
	}{
		{
			name: "StripPrefix with trailing slash",
			mount: func(h http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/explorer/", http.StripPrefix("/explorer/", h))
				return mux
			},
			pageURL: "/explorer/",
		},
		{
			name: "StripPrefix without trailing slash",
			mount: func(h http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/explorer/", http.StripPrefix("/explorer", h))
				return mux
			},
			pageURL: "/explorer/",
		},
		{
			name: "nested",
			mount: func(h http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/admin/tools/explorer/", http.StripPrefix("/admin/tools/explorer", h))
				return mux
			},
			pageURL: "/admin/tools/explorer/",
		},
		{
			name:    "root",
			mount:   func(h http.Handler) http.Handler { return h },
			pageURL: "/",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			srv := httptest.NewServer(tt.mount(explorer.Handler(explorer.Opts{})))
			t.Cleanup(srv.Close)

			page := do(t, srv.Client(), http.MethodGet, srv.URL+tt.pageURL, nil)
			require.Equal(t, http.StatusOK, page.status)
			require.Equal(t, "text/html; charset=utf-8", page.header.Get("Content-Type"))

			for _, m := range refRE.FindAllStringSubmatch(page.body, -1) {
				if strings.HasPrefix(m[1], "assets/") {
					resp := do(t, srv.Client(), http.MethodGet, srv.URL+tt.pageURL+m[1], nil)
					require.Equal(t, http.StatusOK, resp.status, m[1])
				}
			}
		})
	}
}

// TestHandler_RedirectsToSlash checks that the page is only ever shown at a
// URL ending in a slash, where its relative asset URLs resolve.
func TestHandler_RedirectsToSlash(t *testing.T) {
	t.Parallel()

	mux := http.NewServeMux()
	h := http.StripPrefix("/tools/explorer", explorer.Handler(explorer.Opts{}))
	mux.Handle("/tools/explorer", h)
	mux.Handle("/tools/explorer/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	resp := do(t, noFollow(srv), http.MethodGet, srv.URL+"/tools/explorer?tab=1", nil)
	require.Equal(t, http.StatusMovedPermanently, resp.status)
	require.Equal(t, "./explorer/?tab=1", resp.header.Get("Location"))

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/tools/explorer?tab=1", nil)
	require.NoError(t, err)
	followed, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer followed.Body.Close()
	require.Equal(t, http.StatusOK, followed.StatusCode)
	require.Equal(t, "/tools/explorer/", followed.Request.URL.Path)
	require.Equal(t, "tab=1", followed.Request.URL.RawQuery)
}

func TestHandler_Methods(t *testing.T) {
	t.Parallel()

	bundle := setup(t, explorer.Opts{})

	for _, path := range []string{"", "assets/explorer.js"} {
		resp := do(t, bundle.client, http.MethodPost, bundle.base+path, nil)
		require.Equal(t, http.StatusMethodNotAllowed, resp.status, path)
		require.Equal(t, "GET, HEAD", resp.header.Get("Allow"), path)

		get := bundle.get(t, path)
		head := do(t, bundle.client, http.MethodHead, bundle.base+path, nil)
		require.Equal(t, http.StatusOK, head.status, path)
		require.Empty(t, head.body, path)
		require.Equal(t, get.header.Get("Content-Type"), head.header.Get("Content-Type"), path)
		require.Equal(t, get.header.Get("Content-Length"), head.header.Get("Content-Length"), path)
	}
}
