package db_test

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/db"
)

// closedPort returns a local TCP port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// requireHowToStart asserts that err says which URL was tried, without its
// password, and how to get a PostgreSQL (the README's options).
func requireHowToStart(t *testing.T, err error, port int) {
	t.Helper()
	var u *db.UnreachableError
	require.ErrorAs(t, err, &u)
	msg := err.Error()
	require.Contains(t, msg, fmt.Sprintf("cannot reach PostgreSQL at postgres://lms:xxxxx@127.0.0.1:%d/lms?sslmode=disable", port))
	require.NotContains(t, msg, "s3cret")
	require.Contains(t, msg, "connection refused")
	for _, how := range []string{"127.0.0.1:5432", "sudo systemctl start postgresql", "pg_ctlcluster <version> main start", "docker compose up", "DATABASE_URL"} {
		require.Contains(t, msg, how)
	}
}

// When no PostgreSQL listens at DATABASE_URL, `lms serve` and `lms migrate`
// (EnsureDatabase, then Open) say what they tried and how to start one.
func TestUnreachableServerSaysHowToStartOne(t *testing.T) {
	t.Parallel()
	port := closedPort(t)
	url := fmt.Sprintf("postgres://lms:s3cret@127.0.0.1:%d/lms?sslmode=disable", port)

	requireHowToStart(t, db.EnsureDatabase(context.Background(), url), port)
	d, err := db.Open(context.Background(), url)
	require.Nil(t, d)
	requireHowToStart(t, err, port)
}
