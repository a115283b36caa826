// Package page implements the Relay cursor pagination every LMS list uses
// (SPEC §12): bounded page sizes and opaque cursors bound to the tenant view
// that minted them.
package page

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/apperr"
)

// Page size bounds (SPEC §12).
const (
	DefaultFirst = 50
	MaxFirst     = 250
)

// Args are a connection's arguments.
type Args struct {
	First *int
	After *string
}

// Limit returns the page size asked for: DefaultFirst when First is unset,
// VALIDATION_FAILED outside 1..MaxFirst.
func (a Args) Limit() (int, error) {
	if a.First == nil {
		return DefaultFirst, nil
	}
	if *a.First < 1 || *a.First > MaxFirst {
		return 0, &apperr.Error{Code: apperr.ValidationFailed, Message: "first must be between 1 and 250", Field: []string{"first"}}
	}
	return *a.First, nil
}

// Cursor is the position after which the next page starts. Key is the sort
// key (a time or a natural key) and ID breaks ties.
type Cursor struct {
	Scope string `json:"s"`
	Key   string `json:"k"`
	ID    string `json:"i"`
}

// Encode renders c as an opaque string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// After decodes the After argument, checking it was minted for scope. It
// returns nil when After is unset and VALIDATION_FAILED for a malformed or
// foreign cursor.
func (a Args) Cursor(scope string) (*Cursor, error) {
	if a.After == nil || *a.After == "" {
		return nil, nil
	}
	bad := &apperr.Error{Code: apperr.ValidationFailed, Message: "after is not a valid cursor for this list", Field: []string{"after"}}
	b, err := base64.RawURLEncoding.DecodeString(*a.After)
	if err != nil {
		return nil, bad
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Scope != scope {
		return nil, bad
	}
	return &c, nil
}

// Page is one page of a list.
type Page[T any] struct {
	Items       []T
	Cursors     []string
	HasNextPage bool
}

// EndCursor returns the cursor of the last item, or nil for an empty page.
func (p *Page[T]) EndCursor() *string {
	if len(p.Cursors) == 0 {
		return nil
	}
	return &p.Cursors[len(p.Cursors)-1]
}

// NewestFirst pages q by (timeCol DESC, idCol DESC): it applies the order,
// the position after the cursor and the limit, scans q into a slice of T and
// builds the page. key returns an item's sort time and id.
func NewestFirst[T any](ctx context.Context, q *bun.SelectQuery, args Args, scope, timeCol, idCol string, key func(*T) (time.Time, uuid.UUID)) (*Page[T], error) {
	return byTime(ctx, q, args, scope, timeCol, idCol, true, key)
}

// OldestFirst is NewestFirst in ascending order.
func OldestFirst[T any](ctx context.Context, q *bun.SelectQuery, args Args, scope, timeCol, idCol string, key func(*T) (time.Time, uuid.UUID)) (*Page[T], error) {
	return byTime(ctx, q, args, scope, timeCol, idCol, false, key)
}

func byTime[T any](ctx context.Context, q *bun.SelectQuery, args Args, scope, timeCol, idCol string, desc bool, key func(*T) (time.Time, uuid.UUID)) (*Page[T], error) {
	limit, err := args.Limit()
	if err != nil {
		return nil, err
	}
	after, err := args.Cursor(scope)
	if err != nil {
		return nil, err
	}
	cmp, dir := ">", "ASC"
	if desc {
		cmp, dir = "<", "DESC"
	}
	if after != nil {
		t, terr := time.Parse(time.RFC3339Nano, after.Key)
		id, ierr := uuid.Parse(after.ID)
		if terr != nil || ierr != nil {
			return nil, &apperr.Error{Code: apperr.ValidationFailed, Message: "after is not a valid cursor for this list", Field: []string{"after"}}
		}
		q = q.Where("(?, ?) "+cmp+" (?, ?)", bun.Ident(timeCol), bun.Ident(idCol), t, id)
	}
	var items []T
	q = q.OrderExpr("? "+dir+", ? "+dir, bun.Ident(timeCol), bun.Ident(idCol)).Limit(int64(limit + 1))
	if err := q.Scan(ctx, &items); err != nil {
		return nil, err
	}
	return build(items, limit, scope, TimeCursor(key)), nil
}

func build[T any](items []T, limit int, scope string, cursor func(*T) Cursor) *Page[T] {
	p := &Page[T]{}
	if len(items) > limit {
		items = items[:limit]
		p.HasNextPage = true
	}
	p.Items = items
	p.Cursors = make([]string, len(items))
	for i := range items {
		c := cursor(&items[i])
		c.Scope = scope
		p.Cursors[i] = c.Encode()
	}
	return p
}

// ByKey pages an in-memory list already sorted by a unique string key.
func ByKey[T any](items []T, args Args, scope string, key func(*T) string) (*Page[T], error) {
	limit, err := args.Limit()
	if err != nil {
		return nil, err
	}
	after, err := args.Cursor(scope)
	if err != nil {
		return nil, err
	}
	start := 0
	if after != nil {
		for start < len(items) && key(&items[start]) <= after.Key {
			start++
		}
	}
	end := min(start+limit+1, len(items))
	return build(items[start:end], limit, scope, func(it *T) Cursor { return Cursor{Key: key(it)} }), nil
}

// Alphabetical pages q by (lower(nameExpr), idCol) ascending: the order a
// user expects of names, case-insensitively, with the id breaking ties. The
// cursor keeps the item's name as it is and the comparison lowers it in SQL,
// so cursors agree with the database's own ordering. key returns an item's
// name and id.
func Alphabetical[T any](ctx context.Context, q *bun.SelectQuery, args Args, scope, nameExpr, idCol string, key func(*T) (string, uuid.UUID)) (*Page[T], error) {
	limit, err := args.Limit()
	if err != nil {
		return nil, err
	}
	after, err := args.Cursor(scope)
	if err != nil {
		return nil, err
	}
	if after != nil {
		id, ierr := uuid.Parse(after.ID)
		if ierr != nil {
			return nil, &apperr.Error{Code: apperr.ValidationFailed, Message: "after is not a valid cursor for this list", Field: []string{"after"}}
		}
		q = q.Where("(lower(?), ?) > (lower(?), ?)", bun.Safe(nameExpr), bun.Ident(idCol), after.Key, id)
	}
	var items []T
	q = q.OrderExpr("lower(?) ASC, ? ASC", bun.Safe(nameExpr), bun.Ident(idCol)).Limit(int64(limit + 1))
	if err := q.Scan(ctx, &items); err != nil {
		return nil, err
	}
	return build(items, limit, scope, AlphabeticalCursor(key)), nil
}

// AlphabeticalCursor returns the cursor function of Alphabetical, for pages
// built from rows loaded another way (a batch loader's first pages).
func AlphabeticalCursor[T any](key func(*T) (string, uuid.UUID)) func(*T) Cursor {
	return func(it *T) Cursor {
		name, id := key(it)
		return Cursor{Key: name, ID: id.String()}
	}
}

// TimeCursor returns the cursor function of NewestFirst and OldestFirst, for
// pages built from rows loaded another way.
func TimeCursor[T any](key func(*T) (time.Time, uuid.UUID)) func(*T) Cursor {
	return func(it *T) Cursor {
		t, id := key(it)
		return Cursor{Key: t.UTC().Format(time.RFC3339Nano), ID: id.String()}
	}
}

// Build makes a page of items that were loaded with a limit of limit+1 (the
// extra item only tells that a next page exists), minting cursors for scope.
func Build[T any](items []T, limit int, scope string, cursor func(*T) Cursor) *Page[T] {
	return build(items, limit, scope, cursor)
}
