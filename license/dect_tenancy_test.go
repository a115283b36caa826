package license_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// A DECT upload is its partner's (ACT-3): another partner, or a
// distributor that ships to it, finds neither the upload nor its location,
// cannot upload to the location, import the upload or subscribe to it —
// NOT_FOUND, like a random id; another user of the partner and the license
// desk see it.
func TestDectUploadTenantIsolation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	pari := randomPARI()
	loc := dectLocation(t, env, lmstest.DealerY, "Tenant care home", "DECT tenant", pari)
	up := readDectUpload(t, env, lmstest.DealerY, mustUploadDect(t, env, lmstest.DealerY, loc, guideExport(pari)).ID)
	require.Equal(t, "PREVIEW", up.Status)
	random := encodeGlobalID("DectUpload")

	for _, other := range []string{lmstest.DealerZ, lmstest.Distributor} {
		t.Run(other, func(t *testing.T) {
			require.Nil(t, getDectUpload(t, env, other, up.ID))
			var nodes struct{ Nodes []*apiDectUpload }
			env.Query(t, other, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on DectUpload { id status } } }`,
				map[string]any{"ids": []string{up.ID, random}}).Decode(t, &nodes)
			require.Equal(t, []*apiDectUpload{nil, nil}, nodes.Nodes)
			var onLocation struct {
				Node *struct{ DectUpload *apiDectUpload }
			}
			env.Query(t, other, `query($id: ID!) { node(id: $id) { ... on Location { dectUpload { id } } } }`, map[string]any{"id": loc}).Decode(t, &onLocation)
			require.Nil(t, onLocation.Node)

			e := requireError(t, uploadDect(t, env, other, loc, guideExport(pari)).Errors, "NOT_FOUND")
			require.Equal(t, "input.locationId", fieldPath(e))
			theirs := requireError(t, importDect(t, env, other, up.ID, "").Errors, "NOT_FOUND")
			require.Equal(t, "input.uploadId", fieldPath(theirs))
			none := requireError(t, importDect(t, env, other, random, "").Errors, "NOT_FOUND")
			require.Equal(t, theirs, none, "another partner's upload answers like a random id")
			require.Equal(t, "NOT_FOUND", dectSubscriptionRefusal(t, env, other, loc))
		})
	}
	for _, same := range []string{lmstest.DealerY2, lmstest.Admin} {
		got := getDectUpload(t, env, same, up.ID)
		require.NotNil(t, got, same)
		require.Equal(t, up, *got)
	}
	require.Equal(t, "PREVIEW", getDectUpload(t, env, lmstest.DealerY, up.ID).Status, "nothing imported by the others")
}

// encodeGlobalID is the global id of a random object of typ.
func encodeGlobalID(typ string) string { return globalID(typ, uuid.NewString()) }

// globalID is the global id of the object of typ with the UUID id.
func globalID(typ, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + id))
}

// dectSubscriptionRefusal subscribes user to a location's DECT uploads over
// server-sent events and returns the code the stream ends with.
func dectSubscriptionRefusal(t testing.TB, env *lmstest.Env, user, locationID string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, err := json.Marshal(map[string]any{"query": dectSubscription, "variables": map[string]any{"loc": locationID}})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+env.Tokens[user])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var r lmstest.Response
			require.NoError(t, json.Unmarshal([]byte(data), &r))
			require.NotEmpty(t, r.Errors, "event %s", data)
			return r.Errors[0].Code()
		}
	}
	t.Fatal("the subscription ended without an answer")
	return ""
}

// dectPreviewPage is what the guide's preview page shows, for one upload.
const dectPreviewPage = `query($id: ID!) { node(id: $id) { ... on DectUpload { ` + dectUploadFields + ` } } }`

// dectLocationPage is a customer's locations, each with its DECT upload.
const dectLocationPage = `query($c: ID!) { locations(first: 50, filter: {customerId: $c}) { edges { node { id name
  dectUpload { status hardwareKeyCode customer { name } systemType { name } lines { number part { number name } quantity } uploadedBy { email } } } } } }`

// The N+1 guard of the DECT preview: an upload of 5 lines and one of 200
// are read with the same number of statements, alone or on their
// location; a customer's 2 and 12 locations with their uploads too.
func TestDectUploadPreviewStatements(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	user := lmstest.DealerY
	small := previewUpload(t, env, user, dectLocation(t, env, user, "Small care home", "DECT small", randomPARI()), 5)
	large := previewUpload(t, env, user, dectLocation(t, env, user, "Large care home", "DECT large", randomPARI()), 200)

	read := func(query string, vars map[string]any, check func(json.RawMessage)) int {
		resp := env.Query(t, user, query, vars)
		require.Empty(t, resp.Errors)
		check(resp.Data)
		return resp.Statements()
	}
	lines := func(n int) func(json.RawMessage) {
		return func(data json.RawMessage) {
			var got struct{ Node apiDectUpload }
			require.NoError(t, json.Unmarshal(data, &got))
			require.Equal(t, "PREVIEW", got.Node.Status)
			require.Len(t, got.Node.Lines, n)
			require.Equal(t, n, got.Node.Lines[n-1].Number)
			require.NotEmpty(t, got.Node.Lines[n-1].Part.Name)
			require.Equal(t, user, got.Node.UploadedBy.Email)
			require.Equal(t, "IP_DECT", got.Node.SystemType.Code)
			require.NotEmpty(t, got.Node.Customer.Name)
		}
	}
	s5, s200 := read(dectPreviewPage, map[string]any{"id": small.upload}, lines(5)), read(dectPreviewPage, map[string]any{"id": large.upload}, lines(200))
	t.Logf("the preview: %d statements for 5 lines, %d for 200", s5, s200)
	require.Positive(t, s5)
	require.Equal(t, s5, s200, "statement count must not grow with the lines")

	onLocation := `query($id: ID!) { node(id: $id) { ... on Location { dectUpload { ` + dectUploadFields + ` } } } }`
	location := func(n int) func(json.RawMessage) {
		return func(data json.RawMessage) {
			var got struct {
				Node struct{ DectUpload apiDectUpload }
			}
			require.NoError(t, json.Unmarshal(data, &got))
			require.Len(t, got.Node.DectUpload.Lines, n)
		}
	}
	l5, l200 := read(onLocation, map[string]any{"id": small.location}, location(5)), read(onLocation, map[string]any{"id": large.location}, location(200))
	t.Logf("Location.dectUpload: %d statements for 5 lines, %d for 200", l5, l200)
	require.Equal(t, l5, l200, "statement count must not grow with the lines")

	few, many := createCustomer(t, env, user, "Two DECT sites"), createCustomer(t, env, user, "Twelve DECT sites")
	for customer, n := range map[string]int{few: 2, many: 12} {
		for i := range n {
			p := mutate[struct {
				Location *struct{ ID string }
				Errors   []userError
			}](t, env, user, "createLocation", "location { id }", map[string]any{
				"customerId": customer, "name": fmt.Sprintf("DECT site %d", i), "systemType": "IP_DECT", "hardwareKeyCode": randomPARI(),
			})
			require.Empty(t, p.Errors)
			previewUpload(t, env, user, p.Location.ID, 3+i)
		}
	}
	sites := func(n int) func(json.RawMessage) {
		return func(data json.RawMessage) {
			var got struct {
				Locations struct {
					Edges []struct {
						Node struct{ DectUpload *apiDectUpload }
					}
				}
			}
			require.NoError(t, json.Unmarshal(data, &got))
			require.Len(t, got.Locations.Edges, n)
			for _, e := range got.Locations.Edges {
				require.NotNil(t, e.Node.DectUpload)
				require.NotEmpty(t, e.Node.DectUpload.Lines)
			}
		}
	}
	c2, c12 := read(dectLocationPage, map[string]any{"c": few}, sites(2)), read(dectLocationPage, map[string]any{"c": many}, sites(12))
	t.Logf("a customer's locations with their DECT uploads: %d statements for 2, %d for 12", c2, c12)
	require.Equal(t, c2, c12, "statement count must not grow with the locations")
}

// preview is an upload in PREVIEW and its location.
type preview struct{ location, upload string }

// previewUpload stores a read upload of n lines for a location, as the
// worker leaves one (a file has at most one line per part; a preview of
// many lines is written directly).
func previewUpload(t testing.TB, env *lmstest.Env, user, locationID string, n int) preview {
	t.Helper()
	parts := []string{"EU917017", "EU917062", "EU917027", "EU917028", "EU917029", "EU917005", "EU917006", "EU917012", "EU917022", "EU917023", "EU917024"}
	lines := make([]map[string]any, n)
	for i := range lines {
		lines[i] = map[string]any{"partNumber": parts[i%len(parts)], "quantity": 1 + i}
	}
	raw, err := json.Marshal(lines)
	require.NoError(t, err)
	var id string
	require.NoError(t, env.DB.Pool.QueryRow(context.Background(), `INSERT INTO dect_uploads (location_id, partner_id, status, file_name, content, sha256, size,
		uploaded_by, parsed_at, hardware_key_code, release, exported_at, lines)
		SELECT l.id, l.partner_id, 'PREVIEW', 'export.txt', '\x2e'::bytea, 'x', 1, u.id, now(), l.hardware_key_code, 5, '2014-04-16T10:22:31Z', $2::jsonb
		FROM locations AS l, users AS u WHERE l.id = $1 AND u.email = $3 RETURNING id::text`, lmstest.UUIDOf(t, locationID), string(raw), user).Scan(&id))
	return preview{location: locationID, upload: globalID("DectUpload", id)}
}
