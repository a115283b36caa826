// Package dbtest gives each test its own fresh, migrated PostgreSQL database,
// cloned from a template that is built once per schema version (pgtestdb), so
// tests run in parallel against the real database without seeing each
// other's data.
package dbtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"lms/catalog"
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

// migrator builds the template: our migrations (River's schema included)
// and the catalog data file, exactly as `lms migrate` does.
type migrator struct{}

func (migrator) Hash() (string, error) {
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
	c, err := catalog.Default()
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(c)
	h.Write(b)
	h.Write([]byte{byte(migrations.RiverSchemaVersion)})
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func (migrator) Migrate(ctx context.Context, sqlDB *sql.DB, _ pgtestdb.Config) error {
	bunDB := bun.NewDB(sqlDB, pgdialect.New())
	if _, err := db.Migrate(ctx, bunDB); err != nil {
		return err
	}
	c, err := catalog.Default()
	if err != nil {
		return err
	}
	return catalog.Sync(ctx, bunDB, c)
}

// New returns an open, migrated database of its own for t, dropped when t
// ends (kept when it fails, for inspection), and its URL.
func New(t testing.TB) (*db.DB, string) {
	t.Helper()
	conf := pgtestdb.Custom(t, Config(), migrator{})
	url := conf.URL()
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(d.Close)
	return d, url
}
