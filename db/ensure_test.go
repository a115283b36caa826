package db_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"lms/db"
)

// A DATABASE_URL may carry the pool's settings (pool_max_conns, …): the
// database is created all the same and the pool takes them.
func TestEnsureDatabaseWithPoolSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	host := os.Getenv("PGHOST")
	if host == "" {
		host = "127.0.0.1"
	}
	name := fmt.Sprintf("lms_ensure_%d", time.Now().UnixNano())
	url := fmt.Sprintf("postgres://postgres@%s:5432/%s?sslmode=disable&pool_max_conns=3", host, name)
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@%s:5432/postgres?sslmode=disable", host))
		require.NoError(t, err)
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		require.NoError(t, err)
	})
	require.NoError(t, db.EnsureDatabase(ctx, url))
	require.NoError(t, db.EnsureDatabase(ctx, url), "a second time: it exists")
	d, err := db.Open(ctx, url)
	require.NoError(t, err)
	defer d.Close()
	require.Equal(t, int32(3), d.Pool.Config().MaxConns)
	var jit string
	require.NoError(t, d.Pool.QueryRow(ctx, "SHOW jit").Scan(&jit))
	require.Equal(t, "off", jit, "LMS's short statements are not JIT compiled")
}
