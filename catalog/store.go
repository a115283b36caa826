package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	lmsdb "lms/db"
)

// catalogMeta is the one row of catalog_meta: the version of the catalog file last synced.
type catalogMeta struct {
	bun.BaseModel `bun:"table:catalog_meta"`

	Singleton bool `bun:"singleton,pk"`
	Version   int  `bun:"version,notnull"`
}

// Sync writes catalog c into the database: every system type, part, SWA application, migration
// path and term factor of c is inserted, or updated where it differs (INSERT … ON CONFLICT DO UPDATE … WHERE
// changed), so running it again changes nothing. Rows that are not in c, such as those an admin
// added, are kept. Sync runs in one transaction (a savepoint when db is already one) and is
// meant for the migrate/seed command at start-up, not for end users.
//
// Sync refuses an invalid catalog, and does nothing when the database already holds a catalog of
// a higher Version, so that an older binary started during a rolling deploy cannot undo a newer
// one.
func Sync(ctx context.Context, db bun.IDB, c *Catalog) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("sync catalog version %d: %w", c.Version, err)
	}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Creating the row first means the FOR UPDATE below always has a row to lock, so two
		// concurrent syncs run one after the other.
		if _, err := tx.NewInsert().Model(&catalogMeta{Singleton: true}).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("create catalog_meta: %w", err)
		}
		var meta catalogMeta
		if err := tx.NewSelect().Model(&meta).Where("singleton").For("UPDATE").Scan(ctx); err != nil {
			return fmt.Errorf("lock catalog_meta: %w", err)
		}
		if meta.Version > c.Version {
			return nil
		}
		// Applications first: system types and parts refer to them.
		if err := upsert(ctx, tx, mapSlice(c.SwaApplications, SwaApplication.normalized)); err != nil {
			return err
		}
		if err := upsert(ctx, tx, mapSlice(c.SystemTypes, SystemType.normalized)); err != nil {
			return err
		}
		if err := upsert(ctx, tx, mapSlice(c.Parts, Part.normalized)); err != nil {
			return err
		}
		if err := upsert(ctx, tx, mapSlice(c.MigrationPaths, MigrationPath.normalized)); err != nil {
			return err
		}
		if err := upsert(ctx, tx, slices.Clone(c.SwaTermFactors)); err != nil {
			return err
		}
		if meta.Version != c.Version {
			if _, err := tx.NewUpdate().Model((*catalogMeta)(nil)).
				Set("version = ?", c.Version).Set("synced_at = now()").Where("singleton").Exec(ctx); err != nil {
				return fmt.Errorf("update catalog_meta: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sync catalog version %d: %w", c.Version, err)
	}
	return nil
}

// Load reads the catalog from the database: system types ordered by code, parts by number, SWA
// applications by code, migration paths by their types and term factors by months. Version is that of the file last synced (0
// if none was). Load does not validate: rows an admin added are returned as they are.
func Load(ctx context.Context, db bun.IDB) (*Catalog, error) {
	c := &Catalog{}
	var meta catalogMeta
	switch err := db.NewSelect().Model(&meta).Where("singleton").Scan(ctx); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("load catalog version: %w", err)
	default:
		c.Version = meta.Version
	}
	if err := db.NewSelect().Model(&c.SystemTypes).Order("code").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load system types: %w", err)
	}
	if err := db.NewSelect().Model(&c.Parts).Order("number").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load parts: %w", err)
	}
	if err := db.NewSelect().Model(&c.SwaApplications).Order("code").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load SWA applications: %w", err)
	}
	if err := db.NewSelect().Model(&c.MigrationPaths).Order("from_system_type", "to_system_type").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load migration paths: %w", err)
	}
	if err := db.NewSelect().Model(&c.SwaTermFactors).Order("months").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load SWA term factors: %w", err)
	}
	c.normalize()
	return c, nil
}

// upsert inserts rows of bun model T, updating the existing rows with the same primary key
// whose columns differ; updated_at moves only for rows that really changed.
func upsert[T any](ctx context.Context, db bun.IDB, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	table := db.Dialect().Tables().Get(reflect.TypeFor[T]())
	var pks, current, excluded []string
	for _, f := range table.PKs {
		pks = append(pks, string(f.SQLName))
	}
	q := db.NewInsert().Model(&rows).On("CONFLICT (" + strings.Join(pks, ", ") + ") DO UPDATE")
	for _, f := range table.DataFields {
		q = q.Set(string(f.SQLName) + " = EXCLUDED." + string(f.SQLName))
		current = append(current, string(table.SQLAlias)+"."+string(f.SQLName))
		excluded = append(excluded, "EXCLUDED."+string(f.SQLName))
	}
	q = q.Set("updated_at = now()").
		Where("(" + strings.Join(current, ", ") + ") IS DISTINCT FROM (" + strings.Join(excluded, ", ") + ")")
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("upsert %s: %w", table.Name, err)
	}
	return nil
}

func mapSlice[T any](s []T, f func(T) T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// FindSystemTypes returns the system types with the given codes in order, nil
// where a code is unknown. Dataloaders call it with a whole batch. Like
// every Find function here it answers from memory when the database is
// served (Serve), with copies the caller may keep.
func FindSystemTypes(ctx context.Context, db bun.IDB, codes []string) ([]*SystemType, error) {
	if m := memoryOf(db); m != nil {
		return lookUp(codes, m.systemTypes), nil
	}
	var rows []SystemType
	if err := db.NewSelect().Model(&rows).Where("code IN (?)", bun.In(codes)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("find system types: %w", err)
	}
	for i := range rows {
		rows[i] = rows[i].normalized()
	}
	return lmsdb.InOrder(codes, rows, func(st *SystemType) string { return st.Code }), nil
}

// FindParts returns the parts with the given numbers in order, nil where a
// number is unknown. Dataloaders call it with a whole batch.
func FindParts(ctx context.Context, db bun.IDB, numbers []string) ([]*Part, error) {
	if m := memoryOf(db); m != nil {
		return lookUp(numbers, m.parts), nil
	}
	var rows []Part
	if err := db.NewSelect().Model(&rows).Where("number IN (?)", bun.In(numbers)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("find parts: %w", err)
	}
	for i := range rows {
		rows[i] = rows[i].normalized()
	}
	return lmsdb.InOrder(numbers, rows, func(p *Part) string { return p.Number }), nil
}

// PartsByNumber returns the parts with the given numbers (repeats allowed)
// by number, in one statement; a number not in the catalog is an internal
// error, for callers whose numbers come from rows that reference parts.
func PartsByNumber(ctx context.Context, db bun.IDB, numbers []string) (map[string]*Part, error) {
	out := map[string]*Part{}
	if len(numbers) == 0 {
		return out, nil
	}
	numbers = slices.Compact(slices.Sorted(slices.Values(numbers)))
	parts, err := FindParts(ctx, db, numbers)
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		if p == nil {
			return nil, fmt.Errorf("part %s is not in the catalog", numbers[i])
		}
		out[p.Number] = p
	}
	return out, nil
}

// FindSwaApplications returns the SWA applications with the given codes in
// order, nil where a code is unknown.
func FindSwaApplications(ctx context.Context, db bun.IDB, codes []string) ([]*SwaApplication, error) {
	if m := memoryOf(db); m != nil {
		return lookUp(codes, m.apps), nil
	}
	var rows []SwaApplication
	if err := db.NewSelect().Model(&rows).Where("code IN (?)", bun.In(codes)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("find SWA applications: %w", err)
	}
	for i := range rows {
		rows[i] = rows[i].normalized()
	}
	return lmsdb.InOrder(codes, rows, func(a *SwaApplication) string { return a.Code }), nil
}

// PartsWithFlag returns the parts allowed on systemType that have flag f,
// ordered by number.
func PartsWithFlag(ctx context.Context, db bun.IDB, systemType, f string) ([]Part, error) {
	if m := memoryOf(db); m != nil {
		var out []Part
		for _, p := range m.catalog.Parts { // ordered by number, as Load reads them
			if p.AllowedOn(systemType) && p.HasFlag(f) {
				out = append(out, p)
			}
		}
		return out, nil
	}
	var rows []Part
	if err := db.NewSelect().Model(&rows).Where("? = ANY(system_types)", systemType).Where("? = ANY(flags)", f).
		Order("number").Scan(ctx); err != nil {
		return nil, fmt.Errorf("find %s parts of %s: %w", f, systemType, err)
	}
	return rows, nil
}

// lookUp returns copies of the entries of m under keys, in order, nil where
// a key is absent.
func lookUp[T any](keys []string, m map[string]*T) []*T {
	out := make([]*T, len(keys))
	for i, k := range keys {
		if v, ok := m[k]; ok {
			c := *v
			out[i] = &c
		}
	}
	return out
}
