package db

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"lms/db/migrations"
)

// migrationLockID keys the advisory lock that serialises migrations when
// several processes (API and worker replicas) start at once.
var migrationLockID = func() int64 {
	h := fnv.New64a()
	h.Write([]byte("lms/db.Migrate"))
	return int64(h.Sum64() >> 1)
}()

func newMigrator(bunDB *bun.DB) *migrate.Migrator {
	return migrate.NewMigrator(bunDB, migrations.Migrations, migrate.WithMarkAppliedOnSuccess(true))
}

// Migrate applies every pending migration. Concurrent callers wait for each
// other on a PostgreSQL advisory lock, so only one applies each migration.
func Migrate(ctx context.Context, bunDB *bun.DB) (applied []string, err error) {
	conn, err := bunDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: acquire lock connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockID); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockID) //nolint:errcheck

	m := newMigrator(bunDB)
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("migrate: init: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, mig := range group.Migrations {
		applied = append(applied, mig.Name+"_"+mig.Comment)
	}
	return applied, nil
}

// PendingMigrations returns the names of migrations not yet applied; empty
// means the schema is current (used by /readyz).
func PendingMigrations(ctx context.Context, bunDB *bun.DB) ([]string, error) {
	all, err := newMigrator(bunDB).MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("list pending migrations: %w", err)
	}
	var names []string
	for _, m := range all.Unapplied() {
		names = append(names, m.Name+"_"+m.Comment)
	}
	return names, nil
}
