// Package catalogtest gives a test a fresh database holding the schema and
// the catalog data file, as `lms migrate` leaves it, for tests that create
// locations or ship parts. It is a test helper package, as rivertest is for
// River: only tests import it.
package catalogtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/peterldowns/pgtestdb"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"lms/catalog"
	"lms/db"
	"lms/db/dbtest"
)

// NewDB returns an open database of its own for t, migrated and holding the
// embedded catalog (catalog.Default synced as the server does at start),
// dropped when t ends (kept when it fails, for inspection), and its URL.
func NewDB(t testing.TB) (*db.DB, string) {
	t.Helper()
	return dbtest.NewFrom(t, migrator{})
}

// migrator builds the template: dbtest's migrations, then the catalog data.
type migrator struct{ dbtest.Migrator }

// Hash covers the schema and the catalog data, so the template is rebuilt
// when either changes.
func (m migrator) Hash() (string, error) {
	schema, err := m.Migrator.Hash()
	if err != nil {
		return "", err
	}
	c, err := catalog.Default()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("hash catalog: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(schema))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Migrate applies the migrations and syncs the catalog data file.
func (m migrator) Migrate(ctx context.Context, sqlDB *sql.DB, conf pgtestdb.Config) error {
	if err := m.Migrator.Migrate(ctx, sqlDB, conf); err != nil {
		return err
	}
	c, err := catalog.Default()
	if err != nil {
		return err
	}
	return catalog.Sync(ctx, bun.NewDB(sqlDB, pgdialect.New()), c)
}
