package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/db"
	"lms/page"
)

// BinFilter narrows the license bin (LIC-2).
type BinFilter struct {
	// Search matches part of a purchase or sales order number, a part
	// number or a part name, case-insensitively.
	Search string
	// PartnerID chooses whose bin an admin browses; partners always see
	// their own, and an admin without it sees every partner's.
	PartnerID *uuid.UUID
}

// Validate trims the search and checks its length.
func (f *BinFilter) Validate() error { return page.ValidateSearch(&f.Search) }

// Scope restricts a query over partner_id col to the bin being browsed.
func (f BinFilter) Scope(a *actor.Actor, q *bun.SelectQuery, col string) *bun.SelectQuery {
	q = a.Restrict(q, col)
	if a.IsAdmin() && f.PartnerID != nil {
		q = q.Where("? = ?", bun.Safe(col), *f.PartnerID)
	}
	return q
}

// CursorScope is the cursor scope of the bin list (orders, parts, recent
// licenses) filtered by f for a.
func (f BinFilter) CursorScope(a *actor.Actor, list string) string {
	s := a.Scope() + "/bin/" + list + "/" + f.Search
	if f.PartnerID != nil {
		s += "/" + f.PartnerID.String()
	}
	return s
}

// LineMatches is the condition that a bin line (alias ol, its order o and
// its part p joined) matches a search.
const LineMatches = "(o.search_text LIKE ? OR lower(p.number) LIKE ? OR lower(p.name) LIKE ?)"

// BinOrders pages the purchase orders that still have quantity in the bin,
// by purchase order number (LIC-2 "Available Purchase Orders"). Errors:
// UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) BinOrders(ctx context.Context, f BinFilter, args page.Args) (*page.Page[db.LicenseOrder], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	lines := s.DB.NewSelect().TableExpr("order_lines AS ol").ColumnExpr("1").
		Join("JOIN parts AS p ON p.number = ol.part_number").
		Where("ol.order_id = o.id").Where("ol.available > 0")
	if f.Search != "" {
		pat := db.ContainsPattern(f.Search)
		lines = lines.Where(LineMatches, pat, pat, pat)
	}
	q := f.Scope(a, s.DB.NewSelect().Model((*db.LicenseOrder)(nil)), "o.partner_id").Where("EXISTS (?)", lines)
	return page.Alphabetical(ctx, q, args, f.CursorScope(a, "orders"), "o.purchase_order", "o.id",
		func(o *db.LicenseOrder) (string, uuid.UUID) { return o.PurchaseOrder, o.ID })
}

// LinesOf returns the lines of each order, by line number: all of them, or
// only those with quantity left in the bin. One statement for all orders;
// orders the caller may not see (visibleOrders) have none.
func (s *Service) LinesOf(ctx context.Context, orderIDs []uuid.UUID) ([][]BinLine, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []BinLine
	q := visibleOrders(a, s.DB.NewSelect().Model(&rows)).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.order_id IN (?)", bun.In(orderIDs)).OrderExpr("ol.order_id, ol.line_no")
	if err := q.Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("lines of orders: %w", err)
	}
	by := map[uuid.UUID][]BinLine{}
	for _, l := range rows {
		by[l.OrderID] = append(by[l.OrderID], l)
	}
	out := make([][]BinLine, len(orderIDs))
	for i, id := range orderIDs {
		out[i] = by[id]
	}
	return out, nil
}

// BinPart is the bin's total of one part (LIC-2 "By Parts") with the lines
// that hold it, oldest first (by the line's shipping time, then its id).
type BinPart struct {
	PartNumber string
	Available  int
	Lines      []BinLine
}

// BinParts pages the parts in the bin by part number, each with its
// available total and lines. Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) BinParts(ctx context.Context, f BinFilter, args page.Args) (*page.Page[BinPart], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var rows []BinLine
	q := f.Scope(a, s.DB.NewSelect().Model(&rows), "ol.partner_id").
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Join("JOIN parts AS p ON p.number = ol.part_number").
		Where("ol.available > 0").OrderExpr("ol.part_number, ol.created_at, ol.id")
	if f.Search != "" {
		pat := db.ContainsPattern(f.Search)
		q = q.Where(LineMatches, pat, pat, pat)
	}
	if err := q.Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("bin by parts: %w", err)
	}
	var parts []BinPart
	for _, l := range rows {
		if n := len(parts); n == 0 || parts[n-1].PartNumber != l.PartNumber {
			parts = append(parts, BinPart{PartNumber: l.PartNumber})
		}
		p := &parts[len(parts)-1]
		p.Available += l.Available
		p.Lines = append(p.Lines, l)
	}
	return page.ByKey(parts, args, f.CursorScope(a, "parts"), func(p *BinPart) string { return p.PartNumber })
}

// binLineKey orders a part's lines in the bin as BinParts's statement does
// (ol.created_at, ol.id): oldest first, the line id breaking ties (hex
// compares like PostgreSQL's uuid).
func binLineKey(l *BinLine) string {
	return l.CreatedAt.UTC().Format("20060102T150405.000000000") + "/" + l.ID.String()
}

// LinesPage pages the lines of a part in the bin as BinParts loaded them,
// oldest first (LIC-2 "By Parts"); cursors are bound to the caller.
// Errors: VALIDATION_FAILED (bad cursor or first).
func (p *BinPart) LinesPage(ctx context.Context, args page.Args) (*page.Page[BinLine], error) {
	return page.ByKey(p.Lines, args, listScope(ctx, "bin-part", p.PartNumber), binLineKey)
}

// OrderLinesPage pages the lines of an order, by line number, as LinesOf
// loaded them (all of an order's lines); availableOnly keeps those with
// quantity left in the bin. Cursors are bound to the caller. Errors:
// VALIDATION_FAILED (bad cursor or first).
func OrderLinesPage(ctx context.Context, orderID uuid.UUID, lines []BinLine, availableOnly bool, args page.Args) (*page.Page[BinLine], error) {
	if availableOnly {
		lines = slices.DeleteFunc(slices.Clone(lines), func(l BinLine) bool { return l.Available == 0 })
	}
	return page.ByKey(lines, args, listScope(ctx, "order-lines", orderID.String()),
		func(l *BinLine) string { return fmt.Sprintf("%06d", l.LineNo) })
}

// listScope binds the cursors of a list paged in memory to the caller
// (SPEC §12: cursors are tenant-bound) and to the list.
func listScope(ctx context.Context, list ...string) string {
	scope := ""
	if a := actor.From(ctx); a != nil {
		scope = a.Scope()
	}
	return scope + "/" + strings.Join(list, "/")
}
