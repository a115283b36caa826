package db

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Scan runs query with args sent as parameters ($1, $2, …) and scans its
// rows into dest as bun's Scan does (a model, a slice of models, columns).
// Exec runs one that returns no rows.
//
// bun's query builder inlines every value, so each statement's text is new
// and PostgreSQL parses and plans it again, and pgx prepares it again. A
// statement with parameters has the same text every time: each connection
// prepares it once and PostgreSQL reuses the plan. The hot paths use these
// (issue 14: attach, authentication); the rest of the code keeps bun's
// builder, which reads better.
//
// Into a slice Scan reads every row; into anything else the first, and no
// row is sql.ErrNoRows, as with bun.
func Scan(ctx context.Context, idb bun.IDB, query string, args []any, dest ...any) error {
	rows, err := queryer(idb).QueryContext(ctx, query, native(args)...)
	if err != nil {
		return err
	}
	b := idb.NewSelect().DB()
	if len(dest) == 1 && reflect.TypeOf(dest[0]).Kind() == reflect.Pointer && reflect.TypeOf(dest[0]).Elem().Kind() == reflect.Slice {
		return b.ScanRows(ctx, rows, dest...)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := b.ScanRow(ctx, rows, dest...); err != nil {
		return err
	}
	return rows.Close()
}

// Exec runs query with args sent as parameters (see Scan).
func Exec(ctx context.Context, idb bun.IDB, query string, args ...any) error {
	_, err := queryer(idb).ExecContext(ctx, query, native(args)...)
	return err
}

// native gives pgx the UUIDs as the 16 bytes it encodes directly: as
// uuid.UUID they are driver.Valuers, turned into text and parsed back, a
// tenth of an attach's CPU in the profile.
func native(args []any) []any {
	var out []any // a copy, made at the first UUID: the caller's slice stays as it was
	for i, a := range args {
		var v any
		switch a := a.(type) {
		case uuid.UUID:
			v = [16]byte(a)
		case *uuid.UUID:
			if a != nil {
				v = [16]byte(*a)
			}
		case []uuid.UUID:
			b := make([][16]byte, len(a))
			for j, id := range a {
				b[j] = id
			}
			if a == nil {
				b = nil
			}
			v = b
		default:
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		out[i] = v
	}
	if out == nil {
		return args
	}
	return out
}

// sqlQueryer is what *sql.DB, *sql.Tx and *sql.Conn have in common.
type sqlQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// queryer is the database/sql handle under idb, which bun's own methods
// would format (inline) the arguments into the text for.
func queryer(idb bun.IDB) sqlQueryer {
	switch q := idb.(type) {
	case bun.Tx:
		return q.Tx
	case *bun.Tx:
		return q.Tx
	case *bun.DB:
		return q.DB
	case bun.Conn:
		return q.Conn
	case *bun.Conn:
		return q.Conn
	default:
		panic(fmt.Sprintf("db: no database/sql handle under %T", idb))
	}
}
