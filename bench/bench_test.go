package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/server"
)

// childEnv makes the test binary run the server instead of the tests: the
// bench starts its server by running the test binary again (testServer).
const childEnv = "LMS_BENCH_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "serve" {
		os.Exit(serve())
	}
	os.Exit(m.Run())
}

// serve is `lms serve` in the test binary: the server configured from the
// environment the bench gives it, until SIGTERM.
func serve() int {
	cfg, err := server.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := server.New(ctx, cfg)
	if err == nil {
		err = s.Run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// testServer starts the server as this test binary, in serve mode.
var testServer = ServerCommand{Path: os.Args[0], Env: []string{childEnv + "=serve"}}

// tinyScale is the smallest scale every scenario runs at.
var tinyScale = Scale{Name: "tiny", Partners: 3, Locations: 30, Licenses: 300, Clients: 4, MemoryClients: []int{4, 8},
	Activations: 6, ActivationClients: 2, SwaAssignments: 2}

// testDatabase is the URL of a bench database of the test's own, dropped
// when the test ends.
func testDatabase(t *testing.T) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	url, err := benchURL("")
	require.NoError(t, err)
	url = strings.Replace(url, "/"+defaultDatabase, "/lms_bench_test_"+hex.EncodeToString(b[:]), 1)
	t.Cleanup(func() { _ = dropDatabase(context.Background(), url) })
	return url
}

// TestRun runs the whole bench at a tiny scale, one short round: every
// scenario gives numbers, the server reports its statements, and the
// results survive JSON.
func TestRun(t *testing.T) {
	t.Parallel()
	var progress bytes.Buffer
	results, err := Run(t.Context(), Opts{
		Scale: tinyScale, DatabaseURL: testDatabase(t), Rounds: 1, Duration: 300 * time.Millisecond,
		CoolingOff: time.Second, Server: testServer, Progress: &progress,
	})
	require.NoError(t, err, "progress:\n%s", progress.String())
	t.Logf("progress:\n%s", progress.String())

	scenarios := map[string]bool{}
	for _, r := range results {
		scenarios[r.Scenario] = true
		require.LessOrEqual(t, r.Min, r.Median, "%s: %s", r.Scenario, r.Measure)
		require.LessOrEqual(t, r.Median, r.Max, "%s: %s", r.Scenario, r.Measure)
		require.Equal(t, r.Goal != "", r.Met != nil, "%s: %s", r.Scenario, r.Measure)
		switch {
		case r.Measure == "statements per viewer":
			// The server answers a token it saw moments ago from memory.
			require.Zero(t, r.Median, "%s: %s", r.Scenario, r.Measure)
		case r.Unit == unitStatements:
			require.GreaterOrEqual(t, r.Median, 1.0, "%s: %s", r.Scenario, r.Measure)
		default:
			require.Positive(t, r.Median, "%s: %s", r.Scenario, r.Measure)
		}
	}
	require.Equal(t, []string{"P1 attach", "P2 license page", "P4 activation → READY", "P5 SWA", "P6 memory", "authentication"},
		slices.Sorted(func(yield func(string) bool) {
			for s := range scenarios {
				if !yield(s) {
					return
				}
			}
		}))

	var table bytes.Buffer
	require.NoError(t, WriteTable(&table, results))
	require.Contains(t, table.String(), "server / raw, distinct lines")
	t.Logf("\n%s", table.String())

	var js bytes.Buffer
	require.NoError(t, WriteJSON(&js, results))
	var back []Result
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	require.Equal(t, results, back)
	require.Contains(t, js.String(), `"scenario": "P1 attach"`)
}

// TestBenchURL: the bench names its database beside DATABASE_URL, and
// refuses to drop one that is not a bench database.
func TestBenchURL(t *testing.T) {
	t.Parallel()
	url, err := benchURL("postgres://u@db.example:5433/lms_bench_x?sslmode=disable")
	require.NoError(t, err)
	require.Equal(t, "postgres://u@db.example:5433/lms_bench_x?sslmode=disable", url)
	_, err = benchURL("postgres://u@db.example/lms?sslmode=disable")
	require.ErrorContains(t, err, `"lms" must have "bench" in its name`)
	url, err = benchURL("")
	require.NoError(t, err)
	require.Contains(t, url, "/"+defaultDatabase)
}
