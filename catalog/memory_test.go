package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/uptrace/bun"

	"lms/catalog"
	"lms/catalog/catalogtest"
	"lms/db"
)

// TestMemory serves a database's catalog from memory: lookups cost no
// statement, a change by any hand is seen after the reload its notification
// causes, and Close goes back to the tables.
func TestMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := catalogtest.NewDB(t)

	// counted returns what f read and the statements it sent.
	counted := func(f func(ctx context.Context) string) (string, int64) {
		c := new(db.StatementCounter)
		got := f(db.WithStatementCounter(ctx, c))
		return got, c.Count()
	}
	partName := func(ctx context.Context) string {
		// In a transaction, as the services ask: the Memory of its database answers.
		var name string
		require.NoError(t, d.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			parts, err := catalog.FindParts(ctx, tx, []string{"BE107585", "NOPE"})
			require.NoError(t, err)
			require.Nil(t, parts[1])
			name = parts[0].Name
			parts[0].Name = "changed by the caller" // a copy: the catalog in memory keeps its own
			return nil
		}))
		return name
	}

	name, fromTables := counted(partName)
	require.NotEmpty(t, name)
	require.Equal(t, int64(3), fromTables, "BEGIN, the parts, COMMIT")

	mem, err := catalog.Serve(ctx, d, nil)
	require.NoError(t, err)
	t.Cleanup(mem.Close)
	run, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	notes := &db.Notifications{Pool: d.Pool}
	mem.ListenOn(notes)
	go notes.Run(run)
	<-mem.Listening()

	got, fromMemory := counted(partName)
	require.Equal(t, name, got)
	require.Equal(t, int64(2), fromMemory, "only BEGIN and COMMIT: the parts come from memory")
	st, err := catalog.FindSystemTypes(ctx, d.Bun, []string{"SV8100"})
	require.NoError(t, err)
	require.Equal(t, "SV8100", st[0].Code)
	whole, err := catalog.Current(ctx, d.Bun)
	require.NoError(t, err)
	require.Same(t, mem.Catalog(), whole)
	paths, n := counted(func(ctx context.Context) string {
		paths, err := catalog.MigrationPathsFrom(ctx, d.Bun, "SV9100_CP10")
		require.NoError(t, err)
		require.Len(t, paths, 1)
		paths[0].Parts["changed"] = "by the caller" // a copy: the memory keeps its own
		return paths[0].To
	})
	require.Equal(t, "SV9100_CP20", paths)
	require.Zero(t, n, "the migration paths come from memory")
	require.Empty(t, mem.Catalog().MigrationPaths[0].Parts)

	// An operator renames the part by hand: the trigger announces it and
	// the memory reloads.
	_, err = d.Bun.ExecContext(ctx, `UPDATE parts SET name = name || ' (renamed)' WHERE number = 'BE107585'`)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		got, _ := counted(partName)
		return got == name+" (renamed)"
	}, 5*time.Second, 10*time.Millisecond, "the catalog in memory reloads after a change")

	mem.Close()
	_, afterClose := counted(partName)
	require.Equal(t, int64(3), afterClose, "read from the tables again")
}
