package catalog

import (
	"context"
	"fmt"
	"maps"

	"github.com/uptrace/bun"
)

// MigrationPath is a way a location of one system type becomes a location
// of another, keeping its licenses and Software Assurance (MIG-1, MIG-3):
// SV9100 CP10 → SV9100 CP20. It is data, so another pair is a row, not
// code. It is also the bun model of the migration_paths table.
type MigrationPath struct {
	bun.BaseModel `bun:"table:migration_paths,alias:mp" json:"-"`

	// From and To are the codes of the system types.
	From string `bun:"from_system_type,pk" json:"from"`
	To   string `bun:"to_system_type,pk" json:"to"`
	// Parts maps a part of From to the part its licenses become on To. A
	// part that serves both types is not listed: it stays itself, as every
	// SV9100 part does between CP10 and CP20.
	Parts map[string]string `bun:"parts,type:jsonb,notnull" json:"parts"`
}

// PartFor returns the part number a license of part number becomes on the
// path's new system type.
func (mp MigrationPath) PartFor(number string) string {
	if to, ok := mp.Parts[number]; ok {
		return to
	}
	return number
}

func (mp MigrationPath) normalized() MigrationPath {
	if mp.Parts == nil {
		mp.Parts = map[string]string{}
	}
	return mp
}

// MigrationPathsFrom returns the catalog's paths from a system type, in the
// catalog's order.
func (c *Catalog) MigrationPathsFrom(code string) []MigrationPath {
	var out []MigrationPath
	for _, mp := range c.MigrationPaths {
		if mp.From == code {
			out = append(out, mp)
		}
	}
	return out
}

// MigrationPathsFrom returns the migration paths from a system type (MIG-1,
// MIG-3), ordered by the type they lead to; none when a location of the
// type cannot be migrated. Like the Find functions it answers from memory
// when the database is served, with copies the caller may keep.
func MigrationPathsFrom(ctx context.Context, db bun.IDB, code string) ([]MigrationPath, error) {
	if m := memoryOf(db); m != nil {
		return clonePaths(m.catalog.MigrationPathsFrom(code)), nil
	}
	var rows []MigrationPath
	if err := db.NewSelect().Model(&rows).Where("from_system_type = ?", code).Order("to_system_type").Scan(ctx); err != nil {
		return nil, fmt.Errorf("find migration paths from %s: %w", code, err)
	}
	for i := range rows {
		rows[i] = rows[i].normalized()
	}
	return rows, nil
}

// clonePaths copies paths with their part maps, which the memory shares.
func clonePaths(paths []MigrationPath) []MigrationPath {
	out := make([]MigrationPath, len(paths))
	for i, mp := range paths {
		out[i] = mp
		out[i].Parts = maps.Clone(mp.Parts)
	}
	return out
}
