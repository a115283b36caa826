// Package dbtest gives each test its own fresh, migrated PostgreSQL database,
// cloned from a template that is built once per schema version (pgtestdb), so
// tests run in parallel against the real database without seeing each
// other's data.
//
// It knows only the schema. A test that needs the catalog data in the
// database as well (system types, parts) takes its database from package
// catalog/catalogtest, which builds on Migrator here.
package dbtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"lms/db"
	"lms/db/migrations"
)

// Config is the PostgreSQL server tests use: the local one, trust auth, as on
// every developer and CI machine. PGHOST/PGPORT/PGUSER/PGPASSWORD override.
func Config() pgtestdb.Config {
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       getenv("PGHOST", "127.0.0.1"),
		Port:       getenv("PGPORT", "5432"),
		User:       getenv("PGUSER", "postgres"),
		Password:   os.Getenv("PGPASSWORD"),
		Database:   "postgres",
		Options:    "sslmode=disable",
	}
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Migrator builds a template holding our migrations, River's schema
// included, as the first step of `lms migrate`. Packages that load data on
// top (catalogtest) embed it and extend its Hash and Migrate.
type Migrator struct{}

// Hash identifies the schema: the migration files and River's schema
// version. A template is rebuilt when it changes.
func (Migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.Files(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.Files(), path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	h.Write([]byte{byte(migrations.RiverSchemaVersion)})
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Migrate applies the migrations to the template database.
func (Migrator) Migrate(ctx context.Context, sqlDB *sql.DB, _ pgtestdb.Config) error {
	_, err := db.Migrate(ctx, bun.NewDB(sqlDB, pgdialect.New()))
	return err
}

// New returns an open database of its own for t holding the schema and no
// data, dropped when t ends (kept when it fails, for inspection), and its URL.
func New(t testing.TB) (*db.DB, string) {
	t.Helper()
	return NewFrom(t, Migrator{})
}

// NewFrom is New with the template built by m, for helpers that put data
// into the template as well (m should run Migrator's Migrate first).
func NewFrom(t testing.TB, m pgtestdb.Migrator) (*db.DB, string) {
	t.Helper()
	conf := pgtestdb.Custom(t, Config(), m)
	url := conf.URL()
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(d.Close)
	return d, url
}
