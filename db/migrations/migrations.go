// Package migrations holds LMS's schema migrations: SQL files embedded in the
// binary (`<version>_<name>.tx.up.sql`, run in a transaction) and Go
// migrations for what SQL cannot express, such as River's own schema.
package migrations

import (
	"embed"

	"github.com/uptrace/bun/migrate"
)

//go:embed *.sql
var files embed.FS

// Migrations is the set of all migrations, SQL and Go, in version order.
var Migrations = migrate.NewMigrations()

func init() {
	if err := Migrations.Discover(files); err != nil {
		panic(err)
	}
}

// Files returns the embedded SQL migration files, for hashing test templates.
func Files() embed.FS { return files }
