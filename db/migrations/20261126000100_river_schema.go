package migrations

import (
	"context"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
)

// RiverSchemaVersion is the River schema version this release runs on. A River
// upgrade that needs a newer schema adds a new Go migration naming the new
// version, so the schema never moves without a migration of ours.
const RiverSchemaVersion = 8

func init() {
	Migrations.MustRegister(riverUp(RiverSchemaVersion), riverDown)
}

// riverUp applies River's migrations up to version. It uses the
// non-transactional Migrate, one transaction per River version: River's
// version 4 and 6 change an enum, which PostgreSQL cannot do and use in a
// single transaction.
func riverUp(version int) func(ctx context.Context, db *bun.DB) error {
	return func(ctx context.Context, db *bun.DB) error {
		migrator, err := rivermigrate.New(riverdatabasesql.New(db.DB), nil)
		if err != nil {
			return fmt.Errorf("river migrator: %w", err)
		}
		if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: version}); err != nil {
			return fmt.Errorf("migrate river schema to version %d: %w", version, err)
		}
		return nil
	}
}

func riverDown(ctx context.Context, db *bun.DB) error {
	migrator, err := rivermigrate.New(riverdatabasesql.New(db.DB), nil)
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1}); err != nil {
		return fmt.Errorf("remove river schema: %w", err)
	}
	return nil
}
