package license_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

const fileReadySubscription = `subscription FileReady($loc: ID!, $file: ID) { licenseFileReady(locationId: $loc, fileId: $file) { ` + fileFields + ` } }`

// liveSubscription is a licenseFileReady subscription over a websocket
// (subprotocol) or server-sent events ("sse").
type liveSubscription struct {
	sock *lmstest.Socket
	sse  <-chan json.RawMessage // each event's payload; closed at the end of the stream
}

// subscribeFiles subscribes to the files of locationID with token, first
// telling of fileID (when not ""), over transport.
func subscribeFiles(ctx context.Context, t *testing.T, env *lmstest.Env, transport, token, locationID, fileID string) liveSubscription {
	t.Helper()
	vars := map[string]any{"loc": locationID}
	if fileID != "" {
		vars["file"] = fileID
	}
	if transport == "sse" {
		return liveSubscription{sse: sseSubscribe(ctx, t, env, token, vars)}
	}
	s, _, err := env.DialWebsocket(ctx, transport, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Conn.CloseNow() })
	require.NoError(t, s.Send(ctx, lmstest.InitMessage(token)))
	for {
		m, err := s.Read(ctx)
		require.NoError(t, err)
		if m.Type == "connection_ack" {
			break
		}
		require.Equal(t, "ka", m.Type, "before connection_ack: %+v", m)
	}
	require.NoError(t, s.Send(ctx, lmstest.SubscribeMessage(transport, "8c5a0e4e-5f0c-4b1a-9d4e-2f7b3c1a6e90", fileReadySubscription, "FileReady", vars)))
	return liveSubscription{sock: s}
}

// sseSubscribe runs the subscription over server-sent events.
func sseSubscribe(ctx context.Context, t *testing.T, env *lmstest.Env, token string, vars map[string]any) <-chan json.RawMessage {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": fileReadySubscription, "variables": vars})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
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
	return out
}

// next returns the next event's payload, or the error that ended the
// subscription (for a websocket, a websocket.CloseError).
func (s liveSubscription) next(ctx context.Context) (json.RawMessage, error) {
	if s.sse != nil {
		select {
		case ev, ok := <-s.sse:
			if !ok {
				return nil, fmt.Errorf("stream ended")
			}
			return ev, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	for {
		m, err := s.sock.Read(ctx)
		if err != nil {
			return nil, err
		}
		if m.Type == "next" || m.Type == "data" {
			return m.Payload, nil
		}
	}
}

// nextFile returns the file the next event tells of.
func (s liveSubscription) nextFile(ctx context.Context, t *testing.T) apiFile {
	t.Helper()
	ev, err := s.next(ctx)
	require.NoError(t, err)
	var got struct {
		Data   struct{ LicenseFileReady apiFile }
		Errors []lmstest.Error
	}
	require.NoError(t, json.Unmarshal(ev, &got), "event %s", ev)
	require.Empty(t, got.Errors)
	return got.Data.LicenseFileReady
}

// firstEvent returns the first event of user's licenseFileReady
// subscription to locationID over server-sent events.
func firstEvent(t *testing.T, env *lmstest.Env, user, locationID string) lmstest.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ev, err := subscribeFiles(ctx, t, env, "sse", env.Tokens[user], locationID, "").next(ctx)
	require.NoError(t, err)
	var resp lmstest.Response
	require.NoError(t, json.Unmarshal(ev, &resp), "event %s", ev)
	return resp
}

// A live subscription whose token can no longer act (revoked, its user
// disabled, the impersonation ended) delivers no further event: at the
// next one the websocket is closed with 4401, a server-sent event stream
// ends with UNAUTHENTICATED. Each subscription first hears of one file,
// so it is live, before its token ends.
func TestSubscriptionEndsWithItsToken(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	newToken := func(user string) (secret, id string) {
		p := mutate[struct {
			Token    string
			ApiToken struct{ ID string }
		}](t, env, user, "createApiToken", "token apiToken { id }", map[string]any{"name": "subscriber"})
		return p.Token, p.ApiToken.ID
	}
	revoke := func(user, id string) func() {
		return func() {
			p := mutate[struct{ Errors []userError }](t, env, user, "revokeApiToken", "", map[string]any{"id": id})
			require.Empty(t, p.Errors)
		}
	}
	cases := []struct {
		name      string
		transport string
		token     func() (secret string, end func())
	}{
		{"still valid", lmstest.GraphQLTransportWS, func() (string, func()) {
			return env.Tokens[lmstest.DealerY], nil
		}},
		{"revoked", lmstest.GraphQLTransportWS, func() (string, func()) {
			secret, id := newToken(lmstest.DealerY)
			return secret, revoke(lmstest.DealerY, id)
		}},
		{"revoked, legacy graphql-ws", lmstest.GraphQLWS, func() (string, func()) {
			secret, id := newToken(lmstest.DealerY)
			return secret, revoke(lmstest.DealerY, id)
		}},
		{"revoked, server-sent events", "sse", func() (string, func()) {
			secret, id := newToken(lmstest.DealerY)
			return secret, revoke(lmstest.DealerY, id)
		}},
		{"user disabled", lmstest.GraphQLTransportWS, func() (string, func()) {
			secret, _ := newToken(lmstest.DealerY2)
			return secret, func() {
				_, err := env.DB.Bun.NewRaw(`UPDATE users SET disabled_at = now() WHERE email = ?`, lmstest.DealerY2).Exec(ctx)
				require.NoError(t, err)
			}
		}},
		{"impersonation ended", lmstest.GraphQLTransportWS, func() (string, func()) {
			p := mutate[struct {
				Token    string
				ApiToken struct{ ID string }
			}](t, env, lmstest.Distributor, "startImpersonation", "token apiToken { id }", map[string]any{"dealerUserEmail": lmstest.DealerY})
			return p.Token, func() {
				e := mutate[struct{ Errors []userError }](t, env, lmstest.Distributor, "endImpersonation", "", map[string]any{"tokenId": p.ApiToken.ID})
				require.Empty(t, e.Errors)
			}
		}},
	}

	type live struct {
		sub        liveSubscription
		locationID string
		end        func()
	}
	subs := make([]live, len(cases))
	for i, tc := range cases {
		loc, lics := readyLocation(t, env)
		fileID := mustActivate(t, env, lmstest.DealerY, loc.ID, lics...)
		secret, end := tc.token()
		sub := subscribeFiles(ctx, t, env, tc.transport, secret, loc.ID, fileID)
		require.Equal(t, fileID, sub.nextFile(ctx, t).ID, tc.name)
		subs[i] = live{sub: sub, locationID: loc.ID, end: end}
	}
	for _, s := range subs {
		if s.end != nil {
			s.end()
		}
	}
	// The next event: a new generation of each location's file.
	for _, s := range subs {
		p := mutate[struct{ Errors []userError }](t, env, lmstest.DealerY, "regenerateLicenseFile", "", map[string]any{"locationId": s.locationID})
		require.Empty(t, p.Errors)
	}

	for i, tc := range cases {
		s := subs[i]
		switch {
		case s.end == nil:
			require.Equal(t, 2, s.sub.nextFile(ctx, t).Version, tc.name)
		case tc.transport == "sse":
			ev, err := s.sub.next(ctx)
			require.NoError(t, err, tc.name)
			var got struct {
				Data   json.RawMessage
				Errors []lmstest.Error
			}
			require.NoError(t, json.Unmarshal(ev, &got), "%s: event %s", tc.name, ev)
			require.Len(t, got.Errors, 1, "%s: event %s", tc.name, ev)
			require.Equal(t, "UNAUTHENTICATED", got.Errors[0].Code(), tc.name)
			_, err = s.sub.next(ctx)
			require.EqualError(t, err, "stream ended", tc.name)
		default:
			msgs, closed, err := s.sub.sock.ReadUntilClose(ctx)
			require.NoError(t, err, tc.name)
			require.Equal(t, websocket.StatusCode(4401), closed.Code, "%s: closed %v", tc.name, closed)
			for _, m := range msgs {
				require.NotContains(t, []string{"next", "data"}, m.Type, "%s: delivered %s", tc.name, m.Payload)
			}
		}
	}
}

// A subscription sent as a plain POST or GET, which has one answer to
// give, is refused at once with 400 naming the two streaming transports,
// instead of waiting for the first event.
func TestSubscriptionOverPlainHTTPIsRefused(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	loc, _ := readyLocation(t, env)
	vars := map[string]any{"loc": loc.ID}
	body, err := json.Marshal(map[string]any{"query": fileReadySubscription, "variables": vars})
	require.NoError(t, err)
	varsJSON, err := json.Marshal(vars)
	require.NoError(t, err)
	post, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	post.Header.Set("Content-Type", "application/json")
	get, err := http.NewRequest(http.MethodGet, env.URL+"/graphql?"+url.Values{
		"query":     {fileReadySubscription},
		"variables": {string(varsJSON)},
	}.Encode(), nil)
	require.NoError(t, err)
	get.Header.Set("Accept", "text/event-stream") // graphql-sse's distinct connections mode

	for _, req := range []*http.Request{post, get} {
		t.Run(req.Method, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req.Header.Set("Authorization", "Bearer "+env.Tokens[lmstest.DealerY])
			resp := env.Do(t, req.WithContext(ctx))
			require.Equal(t, http.StatusBadRequest, resp.Status)
			require.Len(t, resp.Errors, 1)
			require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())
			for _, transport := range []string{"websocket", "graphql-transport-ws", "graphql-ws", "server-sent events", "Accept: text/event-stream"} {
				require.Contains(t, resp.Errors[0].Message, transport)
			}
		})
	}
}

// The errors of licenseFileReady name the argument they concern
// (locationId, fileId): the subscription has no input argument.
func TestSubscriptionErrorsNameTheArgument(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	loc, _ := readyLocation(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	cases := []struct {
		name, user, locationID, fileID string
		field                          []any
	}{
		{"not an id", lmstest.DealerY, "nope", "", []any{"locationId"}},
		{"another tenant's location", lmstest.DealerZ, loc.ID, "", []any{"locationId"}},
		{"not a file id", lmstest.DealerY, loc.ID, loc.ID, []any{"fileId"}},
	}
	for _, tc := range cases {
		for _, transport := range []string{"sse", lmstest.GraphQLTransportWS} {
			ev, err := subscribeFiles(ctx, t, env, transport, env.Tokens[tc.user], tc.locationID, tc.fileID).next(ctx)
			require.NoError(t, err)
			var resp lmstest.Response
			require.NoError(t, json.Unmarshal(ev, &resp), "event %s", ev)
			errs := resp.Errors
			require.Len(t, errs, 1, "%s over %s", tc.name, transport)
			require.Equal(t, "NOT_FOUND", errs[0].Code(), "%s over %s", tc.name, transport)
			require.Equal(t, tc.field, errs[0].Extensions["field"], "%s over %s", tc.name, transport)
		}
	}
}
