package swa_test

// The PDF certificate of an agreement version (issue 15 item 6), through
// HTTP, signed in; certificate_link_test.go downloads it by the mail's link.

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
	"lms/swa/certificate/certificatetest"
)

// publicURL is where the test LMS says it is reached, as a deployed one
// says its LMS_PUBLIC_URL.
const publicURL = "https://lms.example"

func certificateEnv(t *testing.T, opts lmstest.Opts) *lmstest.Env {
	t.Helper()
	opts.Config = func(c *server.Config) { c.PublicURL = publicURL }
	return lmstest.New(t, opts)
}

// agreementView is an agreement with what its certificate shows.
type agreementView struct {
	ID, Number, StartsOn, EndsOn, ActivatedAt, CertificateURL string
	Units, TermMonths                                         int
	Application                                               struct{ Name string }
	Location                                                  struct {
		Name, HardwareKeyCode string
		Customer              struct{ Name string }
		SystemType            struct{ Name string }
	}
}

const agreementViewFields = `id number startsOn endsOn activatedAt certificateUrl units termMonths application { name }
	location { name hardwareKeyCode customer { name } systemType { name } }`

func agreementOf(t *testing.T, env *lmstest.Env, user, id string) agreementView {
	t.Helper()
	var got struct{ Node *agreementView }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on SwaAgreement { `+agreementViewFields+` } } }`,
		map[string]any{"id": id}).Decode(t, &got)
	require.NotNil(t, got.Node)
	return *got.Node
}

// activeAgreement assigns 12 months of SWA to a new SV8100 site of user's
// partner and processes it at once.
func activeAgreement(t *testing.T, env *lmstest.Env, user, name string) agreementView {
	t.Helper()
	s := sv8100Site(t, env, user, name)
	shipUnits(t, env, user, "SO-"+randomHex(4), 100, "2031-12-31")
	act, errs := assign(t, env, user, s.ID, 12, "")
	require.Empty(t, errs)
	ag, errs := processNow(t, env, user, act.ID)
	require.Empty(t, errs)
	return agreementOf(t, env, user, ag.ID)
}

// fetch GETs path with user's token ("" for none).
func fetch(t *testing.T, env *lmstest.Env, user, path string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.URL+path, nil)
	require.NoError(t, err)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+env.Tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body, resp.Header
}

// requireCertificate checks that a download is the PDF certificate of ag.
func requireCertificate(t *testing.T, status int, body []byte, header http.Header, ag agreementView) {
	t.Helper()
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, "application/pdf", header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="SWA-`+ag.Number+`.pdf"`, header.Get("Content-Disposition"))
	require.Equal(t, "private, no-store", header.Get("Cache-Control"))
	require.True(t, bytes.HasPrefix(body, []byte("%PDF-")))
	require.True(t, bytes.Contains(body, []byte(ag.Number)), "the raw PDF holds the agreement number")

	doc, err := certificatetest.Read(body)
	require.NoError(t, err)
	require.Equal(t, 1, doc.Pages)
	activated, err := time.Parse(time.RFC3339Nano, ag.ActivatedAt)
	require.NoError(t, err)
	require.Equal(t, "D:"+activated.UTC().Format("20060102150405"), doc.Info["CreationDate"], "the issue moment is the PDF's date")
	date := func(s string) string {
		d, err := time.Parse(time.DateOnly, s)
		require.NoError(t, err)
		return d.Format("2 January 2006")
	}
	rows := doc.Rows()
	for _, want := range []string{
		"Agreement " + ag.Number,
		"Agreement number|" + ag.Number,
		"Customer|" + ag.Location.Customer.Name,
		"Location|" + ag.Location.Name,
		"System|" + ag.Location.SystemType.Name,
		"Hardware Key Code|" + ag.Location.HardwareKeyCode,
		"Application|" + ag.Application.Name,
		"Start date|" + date(ag.StartsOn),
		"End date|" + date(ag.EndsOn),
		"Term|12 months",
		"SWA units|24",
		"Partner|Dealer Y",
		"Issued on|" + activated.UTC().Format("2 January 2006"),
	} {
		require.Contains(t, rows, want)
	}
}

// The owner's users download the certificate of an agreement version at
// the URL the API gives, as a PDF holding that agreement: the SWA admin,
// a user of the partner without the SWA_ADMIN role (the certificate is
// mailed to every user of the partner), and the license desk. Another
// tenant, the distributor above the dealer included, gets 404 as for a
// missing agreement; without a token, 401.
func TestSwaCertificateDownload(t *testing.T) {
	t.Parallel()
	env := certificateEnv(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	ag := activeAgreement(t, env, lmstest.DealerY, "Certified")
	require.Equal(t, 24, ag.Units)

	path, ok := strings.CutPrefix(ag.CertificateURL, publicURL)
	require.True(t, ok, "an absolute URL under the public URL: %s", ag.CertificateURL)
	require.Regexp(t, `^/swa-certificates/[0-9a-f-]{36}$`, path)
	id := uuid.MustParse(strings.TrimPrefix(path, "/swa-certificates/"))

	status, own, header := fetch(t, env, lmstest.DealerY, path)
	requireCertificate(t, status, own, header, ag)
	for _, user := range []string{lmstest.DealerY2, lmstest.Admin} {
		status, body, header := fetch(t, env, user, path)
		requireCertificate(t, status, body, header, ag)
		require.Equal(t, own, body, "the same bytes for every download")
	}

	for name, tc := range map[string]struct{ user, path string }{
		"another dealer":                   {lmstest.DealerZ, path},
		"the distributor above the dealer": {lmstest.Distributor, path},
		"a missing agreement":              {lmstest.DealerY, "/swa-certificates/" + uuid.NewString()},
		"not an id":                        {lmstest.DealerY, "/swa-certificates/x"},
		"another kind's path":              {lmstest.DealerY, "/license-files/" + id.String()},
	} {
		status, body, header := fetch(t, env, tc.user, tc.path)
		require.Equal(t, http.StatusNotFound, status, name)
		require.Equal(t, "application/json", header.Get("Content-Type"), name)
		require.NotContains(t, string(body), ag.Number, name)
	}
	status, body, header := fetch(t, env, "", path)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "Bearer", header.Get("WWW-Authenticate"))
	require.Contains(t, string(body), "UNAUTHENTICATED")
}

// certificateUrl costs no statement: a page of locations with their
// agreements reads with the same statements with and without it.
func TestSwaCertificateURLStatements(t *testing.T) {
	t.Parallel()
	env := certificateEnv(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	sites := sv8100Sites(t, env, lmstest.DealerY, "Counted", 6)
	shipUnits(t, env, lmstest.DealerY, "SO-COUNTED", 200, "2031-12-31")
	for _, s := range sites {
		act, errs := assign(t, env, lmstest.DealerY, s.ID, 12, "")
		require.Empty(t, errs)
		_, errs = processNow(t, env, lmstest.DealerY, act.ID)
		require.Empty(t, errs)
	}

	read := func(fields string) (int, []string) {
		var got struct {
			Locations struct {
				Edges []struct {
					Node struct {
						Swa []struct {
							History []struct{ Number, CertificateURL string }
						}
					}
				}
			}
		}
		resp := env.Query(t, lmstest.DealerY, `{ locations(first: 50) { edges { node { swa { history { `+fields+` } } } } } }`, nil)
		resp.Decode(t, &got)
		var urls []string
		for _, e := range got.Locations.Edges {
			for _, s := range e.Node.Swa {
				for _, h := range s.History {
					urls = append(urls, h.CertificateURL)
				}
			}
		}
		return resp.Statements(), urls
	}
	without, _ := read("number")
	with, urls := read("number certificateUrl")
	t.Logf("6 locations with their agreements: %d statements without certificateUrl, %d with", without, with)
	require.Len(t, urls, len(sites))
	for _, u := range urls {
		require.Regexp(t, `^https://lms\.example/swa-certificates/[0-9a-f-]{36}$`, u)
	}
	require.Equal(t, without, with)
}
