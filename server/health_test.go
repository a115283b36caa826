package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})

	status, body := env.Get(t, "/healthz")
	require.Equal(t, http.StatusOK, status, body)
	status, body = env.Get(t, "/readyz")
	require.Equal(t, http.StatusOK, status, body)
	require.JSONEq(t, `{"status":"ready"}`, body)

	// A pending migration makes the server not ready.
	_, err := env.DB.SQL.Exec(`DELETE FROM bun_migrations WHERE name = (SELECT max(name) FROM bun_migrations)`)
	require.NoError(t, err)
	status, body = env.Get(t, "/readyz")
	require.Equal(t, http.StatusServiceUnavailable, status, body)
	require.Contains(t, body, "migrations pending")
}

func TestExplorerIsServed(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	status, body := env.Get(t, "/explorer/")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "graphiql")
}

func TestExplorerCanBeSwitchedOff(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true, Config: func(c *server.Config) { c.Explorer = false }})
	status, _ := env.Get(t, "/explorer/")
	require.Equal(t, http.StatusNotFound, status)
}
