package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// A front end at an origin of LMS_CORS_ORIGINS may call the API from the
// browser: its preflight is answered, answers carry its origin, and its
// websockets are accepted. Another origin gets no CORS headers and its
// websockets are refused; the API's own origin keeps working.
func TestCORS(t *testing.T) {
	t.Parallel()
	const app, other = "https://app.example.com", "https://other.example.com"
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true, Config: func(c *server.Config) {
		c.CORSOrigins = []string{app, "http://localhost:5173"}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	preflight := func(origin string) *http.Response {
		req, err := http.NewRequestWithContext(ctx, http.MethodOptions, env.URL+"/graphql", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	post := func(origin string) *http.Response {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { user { email } } }"}`))
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+env.Tokens[lmstest.DealerY])
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return resp
	}

	// The allowed origin.
	resp := preflight(app)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Equal(t, app, resp.Header.Get("Access-Control-Allow-Origin"))
	for _, h := range []string{"Authorization", "Content-Type"} {
		require.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), h)
	}
	require.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")
	require.NotEmpty(t, resp.Header.Get("Access-Control-Max-Age"))
	require.Contains(t, resp.Header.Values("Vary"), "Origin")
	require.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"))
	resp = post(app)
	require.Equal(t, app, resp.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, resp.Header.Values("Vary"), "Origin")
	require.Contains(t, resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id")

	// Another origin.
	resp = preflight(other)
	require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	require.Empty(t, resp.Header.Get("Access-Control-Allow-Headers"))
	resp = post(other)
	require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))

	// Websockets: from the allowed origin and the API's own, accepted and
	// usable; from another, refused.
	for _, origin := range []string{app, env.URL} {
		s, _, err := env.DialWebsocket(ctx, lmstest.GraphQLTransportWS, http.Header{"Origin": {origin}})
		require.NoError(t, err, origin)
		require.NoError(t, s.Send(ctx, lmstest.InitMessage(env.Tokens[lmstest.DealerY])))
		ack, err := s.Read(ctx)
		require.NoError(t, err, origin)
		require.Equal(t, "connection_ack", ack.Type, origin)
		_ = s.Conn.CloseNow()
	}
	_, resp, err := env.DialWebsocket(ctx, lmstest.GraphQLTransportWS, http.Header{"Origin": {other}})
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}
