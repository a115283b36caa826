package license_test

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/downloadlink"
	"lms/licensefile"
	"lms/licensefile/format"
	"lms/lmstest"
	"lms/mail/mailtest"
	"lms/server"
)

// linkEnv is an LMS whose mails link to https://lms.example, as a deployed
// one links to its LMS_PUBLIC_URL.
func linkEnv(t *testing.T) *lmstest.Env {
	t.Helper()
	return lmstest.New(t, lmstest.Opts{Config: func(c *server.Config) { c.PublicURL = "https://lms.example" }})
}

var mailedLink = regexp.MustCompile(`https://lms\.example(/license-files/[^\s"<]+)`)

// linkIn returns the path and query of the download link in a mail, after
// checking that its text and HTML carry the same link.
func linkIn(t *testing.T, m mailtest.Received) string {
	t.Helper()
	text := mailedLink.FindStringSubmatch(m.Text)
	require.NotNil(t, text, "a download link in the text:\n%s", m.Text)
	htm := mailedLink.FindStringSubmatch(m.HTML)
	require.NotNil(t, htm, "a download link in the HTML")
	require.Equal(t, text[1], html.UnescapeString(htm[1]))
	return text[1]
}

// linkGet fetches a path as a browser that followed a mail's link does:
// without any credentials.
func linkGet(t *testing.T, env *lmstest.Env, path string) (int, []byte, http.Header) {
	t.Helper()
	return get(t, env, "", path)
}

// requireRefusedPage checks that a link answer is a person's page with the
// status and words wanted, and nothing of the file.
func requireRefusedPage(t *testing.T, status int, body []byte, header http.Header, wantStatus int, words ...string) {
	t.Helper()
	require.Equal(t, wantStatus, status, string(body))
	require.Equal(t, "text/html; charset=utf-8", header.Get("Content-Type"))
	require.Empty(t, header.Get("Content-Disposition"))
	require.Empty(t, header.Get("ETag"))
	require.Less(t, len(body), 1000)
	require.NotContains(t, string(body), "PK\x03\x04")
	require.NotContains(t, string(body), "-svi.zip")
	for _, w := range words {
		require.Contains(t, string(body), w)
	}
}

// linkDownloads returns the audit events of link downloads user sees.
func linkDownloads(t *testing.T, env *lmstest.Env, user string) []linkEvent {
	t.Helper()
	var got struct {
		AuditEvents struct{ Edges []struct{ Node linkEvent } }
	}
	env.Query(t, user, `{ auditEvents(filter: {action: "license.download_file"}) { edges { node {
		action display actedBy { name } actor { id } objectIds summary requestId } } } }`, nil).Decode(t, &got)
	out := make([]linkEvent, len(got.AuditEvents.Edges))
	for i, e := range got.AuditEvents.Edges {
		out[i] = e.Node
	}
	return out
}

type linkEvent struct {
	Action    string
	Display   string
	ActedBy   *struct{ Name string }
	Actor     *struct{ ID string }
	ObjectIDs []string `json:"objectIds"`
	Summary   map[string]any
	RequestID string
}

// The activation mail's link downloads the file in a browser without a
// token, and each use is on the partner's audit trail (LIC-6, ACT-7).
func TestEmailedLinkDownloadsLicenseFile(t *testing.T) {
	t.Parallel()
	env := linkEnv(t)
	loc, lics := readyLocation(t, env)
	f := waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, loc.ID, lics...))
	status, viaAPI, _ := get(t, env, lmstest.DealerY, licensefile.DownloadPath(lmstest.UUIDOf(t, f.ID)))
	require.Equal(t, http.StatusOK, status)

	link := linkIn(t, mailTo(t, env, lmstest.DealerY, *f.ActivationCode))
	require.True(t, strings.HasPrefix(link, "/license-files/"+lmstest.UUIDOf(t, f.ID).String()+"?"), link)
	require.Equal(t, link, linkIn(t, mailTo(t, env, "dealer-desk@dealer.example", *f.ActivationCode)), "the dealer email gets the same link")

	status, body, header := linkGet(t, env, link)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, viaAPI, body)
	require.Equal(t, "application/zip", header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="`+*f.FileName+`"`, header.Get("Content-Disposition"))
	require.Equal(t, "private, no-store", header.Get("Cache-Control"))
	v, err := format.Verify(body, keys(env))
	require.NoError(t, err)
	require.Equal(t, *f.ActivationCode, v.ActivationCode)
	require.Equal(t, loc.HardwareKeyCode, v.Payloads[0].HardwareKeyCode)

	// The use is on Dealer Y's trail, done by nobody signed in.
	events := linkDownloads(t, env, lmstest.DealerY)
	require.Len(t, events, 1)
	e := events[0]
	require.Equal(t, "via emailed link", e.Display)
	require.Nil(t, e.ActedBy)
	require.Nil(t, e.Actor)
	require.Contains(t, e.ObjectIDs, f.ID)
	require.Contains(t, e.ObjectIDs, loc.ID)
	require.Equal(t, "emailed link", e.Summary["via"])
	require.Equal(t, lmstest.UUIDOf(t, f.ID).String(), e.Summary["fileId"])
	require.EqualValues(t, 1, e.Summary["version"])
	expires, err := time.Parse(time.RFC3339, e.Summary["linkExpiresAt"].(string))
	require.NoError(t, err)
	require.Contains(t, link, "expires="+jsonNumber(expires.Unix()))
	require.NotEmpty(t, e.RequestID)
	require.Empty(t, linkDownloads(t, env, lmstest.DealerZ), "not on another partner's trail")
	require.Len(t, linkDownloads(t, env, lmstest.Admin), 1)

	// The link serves the generation it names, also once a newer one is
	// current; it does not open the newer one.
	regen := mutate[struct {
		LicenseFile *struct{ ID string }
		Errors      []userError
	}](t, env, lmstest.DealerY, "regenerateLicenseFile", "licenseFile { id }", map[string]any{"locationId": loc.ID})
	require.Empty(t, regen.Errors)
	f2 := waitFile(t, env, lmstest.DealerY, regen.LicenseFile.ID)
	require.True(t, f2.Current)
	status, body, _ = linkGet(t, env, link)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, viaAPI, body)
	_, query, _ := strings.Cut(link, "?")
	status, body, header = linkGet(t, env, "/license-files/"+lmstest.UUIDOf(t, f2.ID).String()+"?"+query)
	requireRefusedPage(t, status, body, header, http.StatusForbidden, "not valid", "Sign in to LMS")
	link2 := linkIn(t, mailTo(t, env, lmstest.DealerY, *f2.ActivationCode))
	status, body, _ = linkGet(t, env, link2)
	require.Equal(t, http.StatusOK, status)
	v2, err := format.Verify(body, keys(env))
	require.NoError(t, err)
	require.Equal(t, 2, v2.Payloads[0].Sequence)
	require.Len(t, linkDownloads(t, env, lmstest.DealerY), 3, "each use is recorded")
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

// A link that was changed, is for another file or has expired serves
// nothing and says so to the person who clicked it; it grants nothing
// beyond its one download, and a request with a token follows the token's
// rules.
func TestEmailedLinkRefusals(t *testing.T) {
	t.Parallel()
	env := linkEnv(t)
	loc, lics := readyLocation(t, env)
	f := waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, loc.ID, lics...))
	link := linkIn(t, mailTo(t, env, lmstest.DealerY, *f.ActivationCode))
	path, query, _ := strings.Cut(link, "?")
	id := lmstest.UUIDOf(t, f.ID)
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	l, err := downloadlink.Parse(q)
	require.NoError(t, err)

	tampered := bytes.Clone(l.Sig)
	tampered[5] ^= 0x20
	expired := env.Server.Graph.Services.Files.Links.Sign(downloadlink.LicenseFile, id, time.Now().Add(-time.Minute))
	forged := downloadlink.Link{Expires: l.Expires.Add(30 * 24 * time.Hour), Sig: l.Sig}
	missing := uuid.New()
	toMissing := env.Server.Graph.Services.Files.Links.Sign(downloadlink.LicenseFile, missing, l.Expires)
	tests := []struct {
		name   string
		path   string
		status int
		words  []string
	}{
		{"a changed signature", path + "?" + downloadlink.Link{Expires: l.Expires, Sig: tampered}.Query(), http.StatusForbidden, []string{"not valid", "Sign in to LMS"}},
		{"a longer expiry", path + "?" + forged.Query(), http.StatusForbidden, []string{"not valid", "Sign in to LMS"}},
		{"a cut link", link[:len(link)-10], http.StatusForbidden, []string{"not valid", "Sign in to LMS"}},
		{"no signature", path + "?expires=" + jsonNumber(l.Expires.Unix()), http.StatusForbidden, []string{"not valid", "Sign in to LMS"}},
		{"another file's id", "/license-files/" + uuid.NewString() + "?" + query, http.StatusForbidden, []string{"not valid", "Sign in to LMS"}},
		{"not an id", "/license-files/x?" + query, http.StatusForbidden, []string{"not valid", "Sign in to LMS"}},
		{"expired", path + "?" + expired.Query(), http.StatusGone, []string{"expired", expired.Expires.Format("2 January 2006, 15:04 UTC"), "Sign in to LMS"}},
		{"a genuine link to no file", "/license-files/" + missing.String() + "?" + toMissing.Query(), http.StatusNotFound, []string{"no longer exists"}},
	}
	for _, tt := range tests {
		status, body, header := linkGet(t, env, tt.path)
		requireRefusedPage(t, status, body, header, tt.status, tt.words...)
		require.Equal(t, "no-referrer", header.Get("Referrer-Policy"), tt.name)
	}
	require.Empty(t, linkDownloads(t, env, lmstest.Admin), "a refused link is no download")

	// With a token the token's rules apply, the link's grant is not added.
	status, body, _ := get(t, env, lmstest.DealerZ, link)
	require.Equal(t, http.StatusNotFound, status, string(body))
	req, err := http.NewRequest(http.MethodGet, env.URL+link, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+query)
	resp := env.Do(t, req)
	require.Equal(t, http.StatusUnauthorized, resp.Status)

	// The link opens nothing else: not the API, not other downloads.
	req, err = http.NewRequest(http.MethodPost, env.URL+"/graphql?"+query, strings.NewReader(`{"query":"{ viewer { user { email } } }"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp = env.Do(t, req)
	require.NotEmpty(t, resp.Errors)
	require.Equal(t, "UNAUTHENTICATED", resp.Errors[0].Code())
	require.NotContains(t, string(resp.Data), lmstest.DealerY)
	status, _, _ = linkGet(t, env, "/protect-dat/"+id.String()+"?"+query)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _, _ = linkGet(t, env, path)
	require.Equal(t, http.StatusUnauthorized, status, "the bare path still needs a token")
	require.Empty(t, linkDownloads(t, env, lmstest.Admin))
}

// The external-file mail of the license desk's upload links to exactly the
// uploaded bytes, without a token (EXT-3).
func TestEmailedLinkDownloadsExternalFile(t *testing.T) {
	t.Parallel()
	env := linkEnv(t)
	so, po := "SO-UM-"+randomDigits(7), "PO-UM-"+randomDigits(6)
	lines := ship(t, env, lmstest.DealerY, so, po, line{"ILL-UM4730-BASE", 1}, line{"ILL-UM4730-PORTS-4", 3})
	loc := createLocation(t, env, lmstest.DealerY, "UM4730", map[string]any{"hardwareKeyCode": "11-" + randomDigits(8)})
	lics := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: lines["ILL-UM4730-BASE"]}, sel{Line: lines["ILL-UM4730-PORTS-4"]})
	act := activate(t, env, lmstest.DealerY, loc.ID, ids(lics)...)
	require.Empty(t, act.Errors)

	// A link to the file before the upload (no mail links to it then)
	// says it is not available yet.
	pending := lmstest.UUIDOf(t, act.LicenseFile.ID)
	early := env.Server.Graph.Services.Files.Links.Sign(downloadlink.LicenseFile, pending, time.Now().Add(time.Hour))
	status, body, header := linkGet(t, env, licensefile.DownloadPath(pending)+"?"+early.Query())
	requireRefusedPage(t, status, body, header, http.StatusConflict, "The license file for Sales Order "+so+" is not available yet")

	content := randomBytes(3000)
	up := uploadExternal(t, env, lmstest.Admin, loc.ID, so, "um.lic", content)
	require.Empty(t, up.Errors)
	link := linkIn(t, mailTo(t, env, lmstest.DealerY, "License file for Sales Order "+so+" is available"))
	require.True(t, strings.HasPrefix(link, "/license-files/"+lmstest.UUIDOf(t, up.LicenseFile.ID).String()+"?"), link)

	status, body, header = linkGet(t, env, link)
	require.Equal(t, http.StatusOK, status, string(body))
	require.True(t, bytes.Equal(content, body))
	require.Equal(t, `attachment; filename="um.lic"`, header.Get("Content-Disposition"))
	require.Equal(t, "application/octet-stream", header.Get("Content-Type"))
	events := linkDownloads(t, env, lmstest.DealerY)
	require.Len(t, events, 1)
	require.Equal(t, "via emailed link", events[0].Display)
	require.Contains(t, events[0].ObjectIDs, up.LicenseFile.ID)
}
