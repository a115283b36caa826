package license_test

// Helpers of the DECT License File Upload tests (DECT-3): export files,
// uploads sent as a browser's FormData sends them, the preview, the import
// and the dectUploadChanged subscription.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/dect"
	"lms/lmstest"
)

// apiDectUpload is a DECT upload as dectUploadFields selects it.
type apiDectUpload struct {
	ID              string
	Status          string
	FileName        string
	Size            int
	HardwareKeyCode *string
	Release         *int
	ExportedAt      *time.Time
	OrderNumber     *string
	Customer        struct{ Name string }
	Location        struct{ ID, Name, HardwareKeyCode string }
	SystemType      struct{ Code, Name string }
	Lines           []apiDectLine
	Error           *struct {
		Code     string
		Line     *int
		Message  string
		WhatToDo string
	}
	UploadedBy  *struct{ Email string }
	LicenseFile *struct{ ID string }
}

// apiDectLine is one line of the preview: the guide's "# Part Name - Number Qty".
type apiDectLine struct {
	Number   int
	Part     struct{ Number, Name string }
	Quantity int
}

// dectUploadFields is the guide's "Verify License File details" page and
// what the upload adds to it.
const dectUploadFields = `id status fileName size hardwareKeyCode release exportedAt orderNumber
  customer { name } location { id name hardwareKeyCode } systemType { code name }
  lines { number part { number name } quantity } error { code line message whatToDo }
  uploadedBy { email } licenseFile { id }`

// specFeatures are the FEATURE lines of SPEC DECT-4's example.
var specFeatures = []string{"FEATURE=EU917017;50", "FEATURE=EU917027;50", "FEATURE=EU917028;50", "FEATURE=EU917029;50", "FEATURE=EU917005;1"}

// exportOf is a DECT Manager export for pari taken at timestamp, with the
// features, sealed with its checksum.
func exportOf(pari, timestamp string, features ...string) []byte {
	lines := append([]string{"# DECT Manager license export", "PARI=" + pari, "RELEASE=5", "TIMESTAMP=" + timestamp}, features...)
	return dect.WithChecksum([]byte(strings.Join(lines, "\n") + "\n"))
}

// guideExport is SPEC DECT-4's example for pari: exported 16 April 2014.
func guideExport(pari string) []byte { return exportOf(pari, "2014-04-16T10:22:31Z", specFeatures...) }

// randomPARI is an unused IP DECT HWKC: 1 and 7 hex digits.
func randomPARI() string { return "1" + randomHex(7) }

// dectLocation creates an IP DECT location with HWKC pari for a new
// customer of user and returns its id.
func dectLocation(t testing.TB, env *lmstest.Env, user, customer, name, pari string) string {
	t.Helper()
	p := mutate[struct {
		Location *struct{ ID string }
		Errors   []userError
	}](t, env, user, "createLocation", "location { id }", map[string]any{
		"customerId": createCustomer(t, env, user, customer), "name": name, "systemType": "IP_DECT",
		"hardwareKeyCode": pari, "softwareVersion": "5",
	})
	require.Empty(t, p.Errors)
	return p.Location.ID
}

// dectUploadPayload is uploadDectLicenseFile's payload.
type dectUploadPayload struct {
	Upload   *apiDectUpload
	Location *struct{ ID string }
	Errors   []userError
}

// browserBoundary is the boundary Chrome writes FormData with.
const browserBoundary = "----WebKitFormBoundaryQ7x3Lm9ZpR2vK8aB"

// browserMultipart is a GraphQL multipart request body as a browser sends
// the FormData of the spec's clients (apollo-upload-client): the fields
// operations, map and the file "0" with its name and type, CRLF line
// breaks, Chrome's boundary; and its Content-Type.
func browserMultipart(t testing.TB, query string, vars map[string]any, filePath, fileName, fileType string, content []byte) ([]byte, string) {
	t.Helper()
	ops, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	m, err := json.Marshal(map[string][]string{"0": {filePath}})
	require.NoError(t, err)
	var b bytes.Buffer
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n%s\r\n", browserBoundary, ops)
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n%s\r\n", browserBoundary, m)
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"0\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n", browserBoundary, fileName, fileType)
	b.Write(content)
	fmt.Fprintf(&b, "\r\n--%s--\r\n", browserBoundary)
	return b.Bytes(), "multipart/form-data; boundary=" + browserBoundary
}

// uploadDectAnswer uploads content for a location as a browser does and
// returns the whole answer (for its statement count).
func uploadDectAnswer(t testing.TB, env *lmstest.Env, user, locationID, fileName string, content []byte, extra map[string]any) *lmstest.Response {
	t.Helper()
	in := map[string]any{"locationId": locationID, "file": nil}
	for k, v := range extra {
		in[k] = v
	}
	q := `mutation Upload($in: UploadDectLicenseFileInput!) { uploadDectLicenseFile(input: $in) { upload { ` + dectUploadFields + ` } location { id } errors { code message field } } }`
	body, ct := browserMultipart(t, q, map[string]any{"in": in}, "variables.in.file", fileName, "text/plain", content)
	resp := postUpload(t, env, user, body, ct, false)
	require.Equal(t, http.StatusOK, resp.Status)
	return resp
}

// uploadDect uploads content for a location as user and returns the payload.
func uploadDect(t testing.TB, env *lmstest.Env, user, locationID string, content []byte) dectUploadPayload {
	t.Helper()
	var got struct{ UploadDectLicenseFile dectUploadPayload }
	uploadDectAnswer(t, env, user, locationID, "dect_license_export.txt", content, nil).Decode(t, &got)
	return got.UploadDectLicenseFile
}

// mustUploadDect uploads and returns the upload, PARSING or read already.
func mustUploadDect(t testing.TB, env *lmstest.Env, user, locationID string, content []byte) apiDectUpload {
	t.Helper()
	p := uploadDect(t, env, user, locationID, content)
	require.Empty(t, p.Errors)
	require.NotNil(t, p.Upload)
	return *p.Upload
}

// getDectUpload reads an upload by id as user; nil when not seen.
func getDectUpload(t testing.TB, env *lmstest.Env, user, id string) *apiDectUpload {
	t.Helper()
	var got struct{ Node *apiDectUpload }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on DectUpload { `+dectUploadFields+` } } }`, map[string]any{"id": id}).Decode(t, &got)
	return got.Node
}

// readDectUpload waits until the worker has read an upload and returns it.
func readDectUpload(t testing.TB, env *lmstest.Env, user, id string) apiDectUpload {
	t.Helper()
	var up *apiDectUpload
	lmstest.Eventually(t, 20*time.Second, func() bool {
		up = getDectUpload(t, env, user, id)
		return up != nil && up.Status != "PARSING"
	}, "DECT upload "+id+" read")
	return *up
}

// dectImportPayload is importDectLicenseFile's payload.
type dectImportPayload struct {
	Upload      *apiDectUpload
	Licenses    []apiLicense
	LicenseFile *struct{ ID string }
	Location    *struct{ ID string }
	Errors      []userError
}

// importDect imports an upload as user with the agreement accepted (and
// key, when not "").
func importDect(t testing.TB, env *lmstest.Env, user, uploadID, key string) dectImportPayload {
	t.Helper()
	in := map[string]any{"uploadId": uploadID, "acceptAgreement": true}
	if key != "" {
		in["idempotencyKey"] = key
	}
	return mutate[dectImportPayload](t, env, user, "importDectLicenseFile",
		"upload { "+dectUploadFields+" } licenses { "+licenseFields+" } licenseFile { id } location { id }", in)
}

// dectSubscription is a dectUploadChanged subscription over server-sent
// events.
const dectSubscription = `subscription DectUploadChanged($loc: ID!, $up: ID) { dectUploadChanged(locationId: $loc, uploadId: $up) { ` + dectUploadFields + ` } }`

// subscribeDect subscribes user to the DECT uploads of a location over
// server-sent events and waits until the subscription is in effect.
func subscribeDect(ctx context.Context, t *testing.T, env *lmstest.Env, user, locationID string) <-chan json.RawMessage {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": dectSubscription, "variables": map[string]any{"loc": locationID}})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+env.Tokens[user])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	out := make(chan json.RawMessage, 8)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				out <- json.RawMessage(data)
			}
		}
	}()
	events := env.Server.Graph.Services.Files.Events
	lmstest.Eventually(t, 10*time.Second, func() bool { return events.Subscribers(lmstest.UUIDOf(t, locationID)) > 0 }, "subscription in effect")
	return out
}

// nextDectEvent returns the upload the subscription's next event tells of.
func nextDectEvent(ctx context.Context, t *testing.T, events <-chan json.RawMessage) apiDectUpload {
	t.Helper()
	select {
	case ev, ok := <-events:
		require.True(t, ok, "the subscription ended")
		var got struct {
			Data   struct{ DectUploadChanged apiDectUpload }
			Errors []lmstest.Error
		}
		require.NoError(t, json.Unmarshal(ev, &got), "event %s", ev)
		require.Empty(t, got.Errors)
		return got.Data.DectUploadChanged
	case <-ctx.Done():
		t.Fatal("no dectUploadChanged event")
		return apiDectUpload{}
	}
}

// dectCount counts rows of a DECT test's query.
func dectCount(t testing.TB, env *lmstest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, env.DB.Pool.QueryRow(context.Background(), query, args...).Scan(&n))
	return n
}
