package catalog

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/migrate"
)

// migrationNames are the migrations that create and change the catalog tables.
var migrationNames = []string{"20261126000300_catalog", "20261127000100_catalog_v2", "20261206000200_catalog_notify", "20261207000300_migration_paths"}

type testBundle struct {
	db       *bun.DB
	migrator *migrate.Migrator
	cat      *Catalog
}

// setup creates a throwaway database holding only this package's migrations, applied by
// bun/migrate exactly as the server applies it. Sync commits, so a rolled-back transaction per
// test would not do.
func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := t.Context()

	base := cmp.Or(os.Getenv("TEST_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })

	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "catalog_test_" + hex.EncodeToString(suffix)
	_, err = admin.ExecContext(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)

	u, err := url.Parse(base)
	require.NoError(t, err)
	u.Path = "/" + name
	sqldb, err := sql.Open("pgx", u.String())
	require.NoError(t, err)
	db := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() {
		_ = db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		require.NoError(t, err)
	})

	fsys := fstest.MapFS{}
	for _, name := range migrationNames {
		for _, file := range []string{name + ".tx.up.sql", name + ".tx.down.sql"} {
			data, err := os.ReadFile(filepath.Join("..", "db", "migrations", file))
			require.NoError(t, err)
			fsys[file] = &fstest.MapFile{Data: data}
		}
	}
	migrations := migrate.NewMigrations()
	require.NoError(t, migrations.Discover(fsys))
	migrator := migrate.NewMigrator(db, migrations)
	require.NoError(t, migrator.Init(ctx))
	_, err = migrator.Migrate(ctx)
	require.NoError(t, err)

	cat, err := Default()
	require.NoError(t, err)
	return &testBundle{db: db, migrator: migrator, cat: cat}
}

// sorted returns c in the order Load returns it.
func sorted(c *Catalog) *Catalog {
	out := *c
	out.SystemTypes = slices.SortedFunc(slices.Values(c.SystemTypes), func(a, b SystemType) int { return cmp.Compare(a.Code, b.Code) })
	out.Parts = slices.SortedFunc(slices.Values(c.Parts), func(a, b Part) int { return cmp.Compare(a.Number, b.Number) })
	out.SwaApplications = slices.SortedFunc(slices.Values(c.SwaApplications), func(a, b SwaApplication) int { return cmp.Compare(a.Code, b.Code) })
	out.MigrationPaths = slices.SortedFunc(slices.Values(c.MigrationPaths), func(a, b MigrationPath) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	out.SwaTermFactors = slices.SortedFunc(slices.Values(c.SwaTermFactors), func(a, b SwaTermFactor) int { return cmp.Compare(a.Months, b.Months) })
	return &out
}

// lastUpdates returns, per catalog table, the latest updated_at.
func lastUpdates(t *testing.T, db bun.IDB) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for _, table := range []string{"system_types", "parts", "swa_applications", "migration_paths", "swa_term_factors"} {
		var ts time.Time
		require.NoError(t, db.NewRaw("SELECT max(updated_at) FROM "+table).Scan(t.Context(), &ts))
		out[table] = ts
	}
	return out
}

func TestLoadEmpty(t *testing.T) {
	t.Parallel()
	bundle := setup(t)

	got, err := Load(t.Context(), bundle.db)
	require.NoError(t, err)
	require.Equal(t, &Catalog{SystemTypes: []SystemType{}, Parts: []Part{}, SwaApplications: []SwaApplication{}, MigrationPaths: []MigrationPath{}, SwaTermFactors: []SwaTermFactor{}}, got)
}

func TestSyncLoadRoundtrip(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := t.Context()

	require.NoError(t, Sync(ctx, bundle.db, bundle.cat))
	first := lastUpdates(t, bundle.db)

	// A second sync of the same file changes nothing, not even updated_at.
	require.NoError(t, Sync(ctx, bundle.db, bundle.cat))
	require.Equal(t, first, lastUpdates(t, bundle.db))

	got, err := Load(ctx, bundle.db)
	require.NoError(t, err)
	require.Equal(t, sorted(bundle.cat), got)
	require.NoError(t, got.Validate())

	// What comes back works like what went in.
	st, ok := got.SystemType("BX_OVOC")
	require.True(t, ok)
	require.True(t, st.ValidHardwareKeyCode("9551484"))
	p, ok := got.Part("EU92067151")
	require.True(t, ok)
	require.Equal(t, 20151, *p.Version)
	require.InDelta(t, 0.3, p.SwaWeight, 1e-9)
	paths, err := MigrationPathsFrom(ctx, bundle.db, "SV9100_CP10")
	require.NoError(t, err)
	require.Equal(t, bundle.cat.MigrationPaths, paths)
}

func TestSyncInTransaction(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := t.Context()

	// Sync joins the caller's transaction: rolled back, nothing is left.
	tx, err := bundle.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, Sync(ctx, tx, bundle.cat))
	inTx, err := Load(ctx, tx)
	require.NoError(t, err)
	require.Len(t, inTx.Parts, len(bundle.cat.Parts))
	require.NoError(t, tx.Rollback())

	got, err := Load(ctx, bundle.db)
	require.NoError(t, err)
	require.Empty(t, got.Parts)
	require.Zero(t, got.Version)
}

func TestSyncUpdatesChangedRowsAndKeepsAdminRows(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := t.Context()

	require.NoError(t, Sync(ctx, bundle.db, bundle.cat))

	// An admin adds a system type and a part that the file does not know (CAT-3).
	adminType := SystemType{
		Code: "SV9300_SE", Name: "SV9300 SE", HwkcFormat: "^37[0-9A-F]{10}$",
		HwkcExamples: []string{"370000000001"}, HwkcPrefix: "37", HwkcSources: []string{SourceEntered},
		Flags: []string{},
	}
	_, err := bundle.db.NewInsert().Model(&adminType).Exec(ctx)
	require.NoError(t, err)
	adminPart := Part{
		Number: "EU999999", Name: "SV9300 SE Lic", SystemTypes: []string{"SV9300_SE"},
		Stacking: StackingQuantity, SwaWeight: 0.125, Flags: []string{},
	}
	_, err = bundle.db.NewInsert().Model(&adminPart).Exec(ctx)
	require.NoError(t, err)
	before := lastUpdates(t, bundle.db)

	// A new file version renames a part and changes a weight.
	next, err := Default()
	require.NoError(t, err)
	next.Version++
	mustPart(next, "BE107573").Name = "LK-SYS-256 PORT LIC (renamed)"
	mustPart(next, "BE107573").SwaWeight = 2.5
	require.NoError(t, Sync(ctx, bundle.db, next))

	got, err := Load(ctx, bundle.db)
	require.NoError(t, err)
	require.Equal(t, next.Version, got.Version)
	p, ok := got.Part("BE107573")
	require.True(t, ok)
	require.Equal(t, "LK-SYS-256 PORT LIC (renamed)", p.Name)
	require.InDelta(t, 2.5, p.SwaWeight, 1e-9)

	gotType, ok := got.SystemType("SV9300_SE")
	require.True(t, ok)
	require.Equal(t, adminType, gotType)
	gotPart, ok := got.Part("EU999999")
	require.True(t, ok)
	require.Equal(t, adminPart, gotPart)

	// Only the changed row moved.
	after := lastUpdates(t, bundle.db)
	require.True(t, after["parts"].After(before["parts"]))
	require.Equal(t, before["system_types"], after["system_types"])
	var changed int
	require.NoError(t, bundle.db.NewRaw("SELECT count(*) FROM parts WHERE updated_at > ?", before["parts"]).Scan(ctx, &changed))
	require.Equal(t, 1, changed)
}

func TestSyncLeavesNewerCatalog(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := t.Context()

	newer, err := Default()
	require.NoError(t, err)
	newer.Version = bundle.cat.Version + 1
	mustPart(newer, "BE107585").Name = "newer name"
	require.NoError(t, Sync(ctx, bundle.db, newer))

	// An older binary syncing its older file changes nothing.
	require.NoError(t, Sync(ctx, bundle.db, bundle.cat))
	got, err := Load(ctx, bundle.db)
	require.NoError(t, err)
	require.Equal(t, newer.Version, got.Version)
	p, _ := got.Part("BE107585")
	require.Equal(t, "newer name", p.Name)
}

func TestSyncRefusesInvalidCatalog(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := t.Context()

	bundle.cat.Parts[0].Stacking = "SUM"
	require.ErrorContains(t, Sync(ctx, bundle.db, bundle.cat), `stacking "SUM"`)
	got, err := Load(ctx, bundle.db)
	require.NoError(t, err)
	require.Empty(t, got.Parts)
}

func TestMigrationConstraints(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := t.Context()
	require.NoError(t, Sync(ctx, bundle.db, bundle.cat))

	tests := []struct {
		name, sql, constraint string
	}{
		{"Stacking", `INSERT INTO parts (number, name, stacking) VALUES ('X1', 'x', 'SUM')`, "parts_stacking_check"},
		{"VersionWithoutVersion", `INSERT INTO parts (number, name, stacking) VALUES ('X1', 'x', 'VERSION')`, "parts_version_check"},
		{"QuantityWithVersion", `INSERT INTO parts (number, name, stacking, version) VALUES ('X1', 'x', 'QUANTITY', 2)`, "parts_version_check"},
		{"UnknownApplication", `INSERT INTO parts (number, name, stacking, swa_application) VALUES ('X1', 'x', 'QUANTITY', 'NOPE')`, "parts_swa_application_fkey"},
		{"Prefix", `INSERT INTO system_types (code, name, hwkc_format, hwkc_prefix, hwkc_sources) VALUES ('X', 'x', '^x$', 'x', '{ENTERED}')`, "system_types_hwkc_prefix_check"},
		{"UnanchoredFormat", `INSERT INTO system_types (code, name, hwkc_format, hwkc_prefix, hwkc_sources) VALUES ('X', 'x', 'x', 'XX', '{ENTERED}')`, "system_types_hwkc_format_check"},
		{"AgreementCode", `INSERT INTO swa_applications (code, name, agreement_code, terms, max_renewal_months) VALUES ('X', 'x', 'x1', '{12}', 36)`, "swa_applications_agreement_code_check"},
		{"DuplicateAgreementCode", `INSERT INTO swa_applications (code, name, agreement_code, terms, max_renewal_months) VALUES ('X', 'x', '180', '{12}', 36)`, "swa_applications_agreement_code_key"},
		{"Factor", `INSERT INTO swa_term_factors (months, factor) VALUES (6, 1.5)`, "swa_term_factors_factor_check"},
		{"MigrationToItself", `INSERT INTO migration_paths (from_system_type, to_system_type) VALUES ('SV8100', 'SV8100')`, "migration_paths_types_check"},
		{"MigrationPartsNotObject", `INSERT INTO migration_paths (from_system_type, to_system_type, parts) VALUES ('SV8100', 'SV9100_CP10', '[]')`, "migration_paths_parts_check"},
		{"MigrationUnknownType", `INSERT INTO migration_paths (from_system_type, to_system_type) VALUES ('SV8100', 'SV8200')`, "migration_paths_to_system_type_fkey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := bundle.db.ExecContext(ctx, tt.sql)
			require.ErrorContains(t, err, tt.constraint)
		})
	}
}

func TestMigrationDown(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := t.Context()
	require.NoError(t, Sync(ctx, bundle.db, bundle.cat))

	tables := func() []string {
		var names []string
		require.NoError(t, bundle.db.NewRaw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'
			AND tablename IN ('system_types', 'parts', 'swa_applications', 'swa_term_factors', 'catalog_meta')
			ORDER BY tablename`).Scan(ctx, &names))
		return names
	}
	require.Equal(t, []string{"catalog_meta", "parts", "swa_applications", "swa_term_factors", "system_types"}, tables())

	_, err := bundle.migrator.Rollback(ctx)
	require.NoError(t, err)
	require.Empty(t, tables())

	_, err = bundle.migrator.Migrate(ctx)
	require.NoError(t, err)
	require.NoError(t, Sync(ctx, bundle.db, bundle.cat))
}
