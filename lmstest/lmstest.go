// Package lmstest runs a whole LMS for a test: a fresh migrated database, an
// in-process SMTP server, the real HTTP API and real River workers, plus a
// small GraphQL client that talks to it over HTTP as any client would.
package lmstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/catalog/catalogtest"
	"lms/db"
	"lms/mail/mailtest"
	"lms/seed"
	"lms/server"
)

// Env is one running LMS.
type Env struct {
	Server *server.Server
	DB     *db.DB
	SMTP   *mailtest.Server
	// URL is the base URL of the HTTP API.
	URL string
	// Tokens maps each seeded user's email to a token (see package seed):
	// admin@lms.example, ed@distributor-x.example (distributor with an
	// allowance for Dealer Y), yara@dealer-y.example, zoe@dealer-z.example, ...
	Tokens map[string]string
}

// Seeded users, for readability in tests.
const (
	Admin       = "admin@lms.example"
	Distributor = "ed@distributor-x.example"
	DealerY     = "yara@dealer-y.example"
	DealerY2    = "yuri@dealer-y.example"
	DealerZ     = "zoe@dealer-z.example"
)

// Opts adjusts an Env.
type Opts struct {
	// NoWorkers runs the API only.
	NoWorkers bool
	// NoSMTP leaves mail unconfigured (emails are recorded, not sent).
	NoSMTP bool
	// Config, when set, edits the server configuration before start.
	Config func(*server.Config)
}

// New starts an LMS for t and stops it when t ends.
func New(t testing.TB, opts Opts) *Env {
	t.Helper()
	d, dbURL := catalogtest.NewDB(t)
	env := &Env{DB: d, Tokens: map[string]string{}}
	cfg := server.Config{
		DatabaseURL:          dbURL,
		SkipMigrate:          true, // the template is migrated
		HTTPAddr:             "127.0.0.1:0",
		Env:                  "development",
		Explorer:             true,
		Introspection:        true,
		ExposeStatementCount: true,
		API:                  true,
		Workers:              !opts.NoWorkers,
		MaxBodyBytes:         1 << 20,
		ShutdownTimeout:      10 * time.Second,
		MailRetryBase:        50 * time.Millisecond,
		FetchPollInterval:    50 * time.Millisecond,
		Logger:               Logger(),
	}
	if !opts.NoSMTP {
		env.SMTP = mailtest.NewServer(t)
		cfg.SMTP = env.SMTP.Config()
	}
	if opts.Config != nil {
		opts.Config(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := server.NewWithDB(ctx, cfg, d)
	require.NoError(t, err)
	env.Server = s
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(20 * time.Second):
			t.Error("server did not shut down in 20s")
		}
	})
	select {
	case <-s.Ready:
	case err := <-done:
		t.Fatalf("server stopped before it was ready: %v", err)
	}
	env.URL = "http://" + s.Addr().String()

	users, err := seed.Run(ctx, d.Bun)
	require.NoError(t, err)
	for _, u := range users {
		env.Tokens[u.Email] = u.Token
	}
	return env
}

// Logger is what servers under test log to: nothing, unless LMS_TEST_LOG=1.
func Logger() *slog.Logger {
	if os.Getenv("LMS_TEST_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Response is a GraphQL answer.
type Response struct {
	Status     int
	Data       json.RawMessage `json:"data"`
	Errors     []Error         `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
}

// Error is one top-level GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (e Error) Code() string { c, _ := e.Extensions["code"].(string); return c }

// Statements returns extensions.sqlStatements: the SQL statements the
// request ran besides authentication.
func (r *Response) Statements() int {
	n, _ := r.Extensions["sqlStatements"].(float64)
	return int(n)
}

// AuthStatements returns extensions.authStatements: the SQL statements
// authentication cost (one, or none for a token seen moments ago).
func (r *Response) AuthStatements() int {
	n, _ := r.Extensions["authStatements"].(float64)
	return int(n)
}

// MaxAuthStatements is what authentication costs at most (auth's tests
// hold it to it): the budgets of issue 14 count it.
const MaxAuthStatements = 1

// Decode unmarshals data into v, failing the test on top-level errors.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	require.Empty(t, r.Errors, "unexpected GraphQL errors")
	require.NoError(t, json.Unmarshal(r.Data, v))
}

// Query posts a GraphQL operation with the seeded user's token ("" for
// none) and returns the answer.
func (e *Env) Query(t testing.TB, user, query string, vars map[string]any) *Response {
	t.Helper()
	token := ""
	if user != "" {
		var ok bool
		token, ok = e.Tokens[user]
		require.True(t, ok, "no seeded user %s", user)
	}
	return e.QueryToken(t, token, query, vars)
}

// QueryToken is Query with an explicit token.
func (e *Env) QueryToken(t testing.TB, token, query string, vars map[string]any) *Response {
	t.Helper()
	req, err := e.request(token, query, vars)
	require.NoError(t, err)
	return e.Do(t, req)
}

// Post is Query for goroutines other than the test's: it takes no
// testing.TB and returns what went wrong in transport or decoding, and
// top-level GraphQL errors, as an error for the test goroutine to assert on.
func (e *Env) Post(user, query string, vars map[string]any) (*Response, error) {
	req, err := e.request(e.Tokens[user], query, vars)
	if err != nil {
		return nil, err
	}
	out, err := roundTrip(req)
	if err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		msgs := make([]string, len(out.Errors))
		for i, e := range out.Errors {
			msgs[i] = e.Code() + ": " + e.Message
		}
		return out, fmt.Errorf("top-level GraphQL errors: %s", strings.Join(msgs, "; "))
	}
	return out, nil
}

func (e *Env) request(token, query string, vars map[string]any) (*http.Request, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, e.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// Do sends a request to the API and decodes a GraphQL answer.
func (e *Env) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	out, err := roundTrip(req)
	require.NoError(t, err)
	return out
}

func roundTrip(req *http.Request) (*Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := &Response{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("answer (HTTP %d) is not JSON: %w: %s", resp.StatusCode, err, raw)
	}
	return out, nil
}

// Together runs do(0) … do(n-1) in n goroutines released at the same
// moment (each waits at a barrier until all are ready) and returns their
// results by index: how tests make requests race.
func Together[R any](n int, do func(i int) R) []R {
	results := make([]R, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			results[i] = do(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return results
}

// Get fetches a path of the server and returns status and body.
func (e *Env) Get(t testing.TB, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(e.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// Eventually polls cond every 20ms until it holds or timeout passes.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, timeout, 20*time.Millisecond, msg)
}
