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
	bad := errBadCursor()
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
	// Total is the length of the whole list, all pages together.
	Total *Total
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
	cmp, dir := ">", "ASC"
	if desc {
		cmp, dir = "<", "DESC"
	}
	return keyset(ctx, q, args, scope, ordering{
		after: func(q *bun.SelectQuery, c *Cursor) (*bun.SelectQuery, bool) {
			t, terr := time.Parse(time.RFC3339Nano, c.Key)
			id, ierr := uuid.Parse(c.ID)
			return q.Where("(?, ?) "+cmp+" (?, ?)", bun.Ident(timeCol), bun.Ident(idCol), t, id), terr == nil && ierr == nil
		},
		order: func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.OrderExpr("? "+dir+", ? "+dir, bun.Ident(timeCol), bun.Ident(idCol))
		},
	}, TimeCursor(key))
}

// ordering is how keyset paging orders a list: after narrows a query to the
// rows after a decoded cursor (false when the cursor does not fit the list),
// order sorts it.
type ordering struct {
	after func(q *bun.SelectQuery, c *Cursor) (*bun.SelectQuery, bool)
	order func(q *bun.SelectQuery) *bun.SelectQuery
}

// keyset applies the limit, the position after the cursor and the order to
// q, scans a page of T and mints its cursors.
func keyset[T any](ctx context.Context, q *bun.SelectQuery, args Args, scope string, o ordering, cursor func(*T) Cursor) (*Page[T], error) {
	limit, err := args.Limit()
	if err != nil {
		return nil, err
	}
	after, err := args.Cursor(scope)
	if err != nil {
		return nil, err
	}
	total := CountOf(q)
	if after != nil {
		var ok bool
		if q, ok = o.after(q, after); !ok {
			return nil, errBadCursor()
		}
	}
	var items []T
	if err := o.order(q).Limit(int64(limit+1)).Scan(ctx, &items); err != nil {
		return nil, err
	}
	return Build(items, limit, scope, total, cursor), nil
}

func errBadCursor() *apperr.Error {
	return &apperr.Error{Code: apperr.ValidationFailed, Message: "after is not a valid cursor for this list", Field: []string{"after"}}
}

// Build makes a page of items that were loaded with a limit of limit+1 (the
// extra item only tells that a next page exists), minting cursors for scope;
// total is the length of the whole list.
func Build[T any](items []T, limit int, scope string, total *Total, cursor func(*T) Cursor) *Page[T] {
	p := &Page[T]{Total: total}
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

// ByKey pages an in-memory list already sorted by a unique string key; its
// total is the list's length.
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
	return Build(items[start:end], limit, scope, Known(len(items)), func(it *T) Cursor { return Cursor{Key: key(it)} }), nil
}

// Alphabetical pages q by (lower(nameExpr), idCol) ascending: the order a
// user expects of names, case-insensitively, with the id breaking ties. The
// cursor keeps the item's name as it is and the comparison lowers it in SQL,
// so cursors agree with the database's own ordering. key returns an item's
// name and id.
func Alphabetical[T any](ctx context.Context, q *bun.SelectQuery, args Args, scope, nameExpr, idCol string, key func(*T) (string, uuid.UUID)) (*Page[T], error) {
	return keyset(ctx, q, args, scope, ordering{
		after: func(q *bun.SelectQuery, c *Cursor) (*bun.SelectQuery, bool) {
			id, err := uuid.Parse(c.ID)
			return q.Where("(lower(?), ?) > (lower(?), ?)", bun.Safe(nameExpr), bun.Ident(idCol), c.Key, id), err == nil
		},
		order: func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr(AlphabeticalOrder(nameExpr, idCol)) },
	}, AlphabeticalCursor(key))
}

// AlphabeticalOrder is the ORDER BY of Alphabetical, for queries that must
// sort the same way (a window per parent in a batch loader).
func AlphabeticalOrder(nameExpr, idCol string) string {
	return "lower(" + nameExpr + ") ASC, " + idCol + " ASC"
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
