package db

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// Only "no server answered" becomes an UnreachableError; a server that
// answers with an error is reported as it is.
func TestAsUnreachable(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("failed to connect: %w", refused), true},
		{"no such host", fmt.Errorf("hostname resolving error: %w", &net.DNSError{Err: "no such host", Name: "db.example", IsNotFound: true}), true},
		{"one of several addresses", errors.Join(errors.New("other"), refused), true},
		{"connection reset while reading", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset")}, false},
		{"password authentication failed", &pgconn.PgError{Code: "28P01", Message: "password authentication failed"}, false},
		{"database does not exist", &pgconn.PgError{Code: "3D000", Message: `database "lms" does not exist`}, false},
	} {
		u, ok := asUnreachable("postgres://lms:s3cret@db.example/lms", tc.err)
		require.Equal(t, tc.want, ok, tc.name)
		if ok {
			require.ErrorIs(t, u, tc.err, tc.name)
			require.Equal(t, "postgres://lms:xxxxx@db.example/lms", u.URL, tc.name)
		}
	}
}
