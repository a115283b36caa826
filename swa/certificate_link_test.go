package swa_test

// The "SWA activated" mail's link to the agreement's certificate (issue 15
// item 6), used in a browser without a token.

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/downloadlink"
	"lms/lmstest"
)

var mailedCertificate = regexp.MustCompile(`https://lms\.example(/swa-certificates/[^\s"<]+)`)

// The "SWA activated" mail links to the agreement's certificate with a
// signed link that works in a browser without a token, records each use on
// the partner's trail, and grants that one certificate only: not after it
// expires, not with a changed signature, not for another object with the
// same id; a request with a token follows the token's rules.
func TestSwaCertificateEmailedLink(t *testing.T) {
	t.Parallel()
	env := certificateEnv(t, lmstest.Opts{})
	newClock(env, "2030-02-15")
	ag := activeAgreement(t, env, lmstest.DealerY, "Mailed")
	path, _ := strings.CutPrefix(ag.CertificateURL, publicURL)
	_, viaAPI, _ := fetch(t, env, lmstest.DealerY, path)

	m := lmstest.MailTo(t, env, lmstest.DealerY2, "SWA activated", ag.Number)
	text := mailedCertificate.FindStringSubmatch(m.Text)
	require.NotNil(t, text, "a certificate link in the text:\n%s", m.Text)
	require.Contains(t, m.HTML, `href="https://lms.example`+strings.ReplaceAll(text[1], "&", "&amp;")+`"`)
	link := text[1]
	require.True(t, strings.HasPrefix(link, path+"?"), link)

	status, body, header := fetch(t, env, "", link)
	requireCertificate(t, status, body, header, ag)
	require.Equal(t, viaAPI, body)

	var events struct {
		AuditEvents struct {
			Edges []struct {
				Node struct {
					Display   string
					ObjectIDs []string `json:"objectIds"`
					Summary   map[string]any
				}
			}
		}
	}
	auditQuery := `{ auditEvents(filter: {action: "swa.download_certificate"}) { edges { node { display objectIds summary } } } }`
	env.Query(t, lmstest.DealerY, auditQuery, nil).Decode(t, &events)
	require.Len(t, events.AuditEvents.Edges, 1)
	e := events.AuditEvents.Edges[0].Node
	require.Equal(t, "via emailed link", e.Display)
	require.Contains(t, e.ObjectIDs, ag.ID)
	require.Equal(t, ag.Number, e.Summary["agreement"])
	env.Query(t, lmstest.DealerZ, auditQuery, nil).Decode(t, &events)
	require.Empty(t, events.AuditEvents.Edges, "not on another partner's trail")

	_, query, _ := strings.Cut(link, "?")
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	l, err := downloadlink.Parse(q)
	require.NoError(t, err)
	id := uuid.MustParse(strings.TrimPrefix(path, "/swa-certificates/"))
	keys := env.Server.Graph.Services.Swa.Links
	expired := keys.Sign(downloadlink.SwaCertificate, id, env.Server.Graph.Services.Swa.Now().Add(-time.Minute))
	asLicenseFile := keys.Sign(downloadlink.LicenseFile, id, l.Expires)
	tampered := bytes.Clone(l.Sig)
	tampered[3] ^= 0x10
	for _, tc := range []struct {
		name, path string
		status     int
		words      []string
	}{
		{"a changed signature", path + "?" + downloadlink.Link{Expires: l.Expires, Sig: tampered}.Query(), http.StatusForbidden, []string{"not valid", "SWA history"}},
		{"another agreement's id", "/swa-certificates/" + uuid.NewString() + "?" + query, http.StatusForbidden, []string{"not valid"}},
		{"a license file link with the agreement's id", path + "?" + asLicenseFile.Query(), http.StatusForbidden, []string{"not valid"}},
		{"the certificate link on the license files' path", "/license-files/" + id.String() + "?" + query, http.StatusForbidden, []string{"not valid", "license page"}},
		{"expired", path + "?" + expired.Query(), http.StatusGone, []string{"expired", "SWA history"}},
	} {
		status, body, header := fetch(t, env, "", tc.path)
		require.Equal(t, tc.status, status, tc.name)
		require.Equal(t, "text/html; charset=utf-8", header.Get("Content-Type"), tc.name)
		require.False(t, bytes.HasPrefix(body, []byte("%PDF")), tc.name)
		for _, w := range tc.words {
			require.Contains(t, string(body), w, tc.name)
		}
	}

	// With a token the token's rules apply; the link adds nothing.
	status, _, _ = fetch(t, env, lmstest.DealerZ, link)
	require.Equal(t, http.StatusNotFound, status)
	env.Query(t, lmstest.Admin, auditQuery, nil).Decode(t, &events)
	require.Len(t, events.AuditEvents.Edges, 1, "a refused link is no download")
}
