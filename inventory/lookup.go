package inventory

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/db"
	"lms/page"
)

// visibleOrders restricts q over license_orders (alias o) to the orders the
// actor may read: its partner's own, and the orders its partner reshipped to
// a dealer (LIC-12 "Resold licenses"); an admin reads all. A distributor
// thus sees what it shipped to a dealer, with the lines' live counters (how
// much is still in the dealer's bin, how much came back), by design: it is
// the distributor's channel, and with impersonation (ACT-5) it may see all
// of the dealer's work anyway. It never sees the rest of the dealer's bin,
// nor the licenses the dealer made (those stay a.Restrict-ed).
func visibleOrders(a *actor.Actor, q *bun.SelectQuery) *bun.SelectQuery {
	if a.IsAdmin() {
		return q
	}
	return q.Where("(o.partner_id = ? OR o.reshipped_from = ?)", a.Partner.ID, a.Partner.ID)
}

// OrderFilter narrows Orders and ResoldOrders (LIC-14 "Purchase/Sales Order
// Lookup", "Resold/Reshipped Order Lookup").
type OrderFilter struct {
	// Search matches part of the purchase or the sales order number,
	// case-insensitively.
	Search string
	// PartnerID narrows the orders to one partner's: any partner for an
	// admin; for others it only narrows what they may see anyway (a
	// distributor naming a dealer gets the orders it reshipped to it).
	PartnerID *uuid.UUID
}

// Validate trims the search and checks its length.
func (f *OrderFilter) Validate() error { return page.ValidateSearch(&f.Search) }

func (f OrderFilter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	if f.Search != "" {
		q = q.Where("o.search_text LIKE ?", db.ContainsPattern(f.Search))
	}
	if f.PartnerID != nil {
		q = q.Where("o.partner_id = ?", *f.PartnerID)
	}
	return q
}

// CursorScope is the cursor scope of list filtered by f for a.
func (f OrderFilter) CursorScope(a *actor.Actor, list string) string {
	s := a.Scope() + "/" + list + "/" + f.Search
	if f.PartnerID != nil {
		s += "/" + f.PartnerID.String()
	}
	return s
}

func orderKey(o *db.LicenseOrder) (time.Time, uuid.UUID) { return o.CreatedAt, o.ID }

// Orders pages the orders the caller may read (its own, and those it
// reshipped to dealers), newest first, by part of a PO or SO number
// (LIC-14). Another partner's order answers as if it did not exist.
// Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) Orders(ctx context.Context, f OrderFilter, args page.Args) (*page.Page[db.LicenseOrder], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	q := f.apply(visibleOrders(a, s.DB.NewSelect().Model((*db.LicenseOrder)(nil))))
	return page.NewestFirst(ctx, q, args, f.CursorScope(a, "orders"), "o.created_at", "o.id", orderKey)
}

// ResoldOrders pages the orders the caller's partner reshipped to its
// dealers, newest first (LIC-12 "Resold licenses"); an admin sees every
// reshipped order. Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) ResoldOrders(ctx context.Context, f OrderFilter, args page.Args) (*page.Page[db.LicenseOrder], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	q := f.apply(s.DB.NewSelect().Model((*db.LicenseOrder)(nil))).Where("o.reshipped_from IS NOT NULL")
	if !a.IsAdmin() {
		q = q.Where("o.reshipped_from = ?", a.Partner.ID)
	}
	return page.NewestFirst(ctx, q, args, f.CursorScope(a, "resold"), "o.created_at", "o.id", orderKey)
}

// PartInventory is a partner's inventory of one part (LIC-14 "Parts
// Inventory"): what was shipped to it and where that is now. Shipped =
// Available + Attached + Activated + Reshipped + Returned (LIC-15).
type PartInventory struct {
	PartNumber string `bun:"part_number"`
	Shipped    int    `bun:"shipped"`
	// Available is what is in the bin.
	Available int `bun:"available"`
	Attached  int `bun:"attached"`
	Activated int `bun:"activated"`
	// Reshipped is what a distributor passed on to dealers and did not get
	// back; Returned what a dealer returned to its distributor.
	Reshipped int `bun:"reshipped"`
	Returned  int `bun:"returned"`
}

// InventoryFilter narrows PartsInventory.
type InventoryFilter struct {
	// Search matches part of a part number or name.
	Search string
	// PartnerID chooses, for an admin, whose inventory (default: all
	// partners together). Partners always see their own.
	PartnerID *uuid.UUID
}

// PartsInventory pages the caller's inventory per part, by part number:
// one statement over the bin lines and the licenses made from them.
// Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) PartsInventory(ctx context.Context, f InventoryFilter, args page.Args) (*page.Page[PartInventory], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	bf := BinFilter{Search: f.Search, PartnerID: f.PartnerID}
	if err := bf.Validate(); err != nil {
		return nil, err
	}
	licenses := bf.Scope(a, s.DB.NewSelect().TableExpr("licenses AS lic"), "lic.partner_id").
		ColumnExpr("lic.part_number").
		ColumnExpr("sum(lic.quantity) FILTER (WHERE lic.status = ?) AS attached", db.LicenseAttached).
		ColumnExpr("sum(lic.quantity) FILTER (WHERE lic.status = ?) AS activated", db.LicenseActivated).
		// Free-of-charge licenses (SWA-12) were never in the bin.
		Where("lic.order_line_id IS NOT NULL").
		GroupExpr("lic.part_number")
	lines := bf.Scope(a, s.DB.NewSelect().TableExpr("order_lines AS ol"), "ol.partner_id").
		ColumnExpr("ol.part_number, sum(ol.shipped) AS shipped, sum(ol.available) AS available").
		ColumnExpr("sum(ol.reshipped) AS reshipped, sum(ol.returned) AS returned").
		GroupExpr("ol.part_number")
	q := s.DB.NewSelect().TableExpr("(?) AS inv", lines).
		ColumnExpr("inv.part_number, inv.shipped::int, inv.available::int, inv.reshipped::int, inv.returned::int").
		ColumnExpr("coalesce(lic.attached, 0)::int AS attached, coalesce(lic.activated, 0)::int AS activated").
		Join("LEFT JOIN (?) AS lic ON lic.part_number = inv.part_number", licenses).
		Join("JOIN parts AS p ON p.number = inv.part_number").
		OrderExpr("inv.part_number")
	if bf.Search != "" {
		pat := db.ContainsPattern(bf.Search)
		q = q.Where("(lower(p.number) LIKE ? OR lower(p.name) LIKE ?)", pat, pat)
	}
	var rows []PartInventory
	if err := q.Scan(ctx, &rows); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("parts inventory: %w", err)
	}
	return page.ByKey(rows, args, bf.CursorScope(a, "inventory"), func(p *PartInventory) string { return p.PartNumber })
}

// ReturnFilter narrows Returns.
type ReturnFilter struct {
	// Search matches part of a part number or name, or of the PO or SO of
	// the reshipped order the licenses were returned from.
	Search string
}

// visibleReturns restricts q over license_returns (alias lr) to the returns
// the actor's partner made (dealer) or received (distributor); an admin
// sees all.
func visibleReturns(a *actor.Actor, q *bun.SelectQuery) *bun.SelectQuery {
	if a.IsAdmin() {
		return q
	}
	return q.Where("(lr.dealer_id = ? OR lr.distributor_id = ?)", a.Partner.ID, a.Partner.ID)
}

// Returns pages the license returns the caller's partner made or received,
// newest first (LIC-13 "License Returns", "Parts Returned by Reseller").
// Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) Returns(ctx context.Context, f ReturnFilter, args page.Args) (*page.Page[db.LicenseReturn], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	bf := BinFilter{Search: f.Search}
	if err := bf.Validate(); err != nil {
		return nil, err
	}
	q := visibleReturns(a, s.DB.NewSelect().Model((*db.LicenseReturn)(nil)))
	if bf.Search != "" {
		pat := db.ContainsPattern(bf.Search)
		q = q.Join("JOIN parts AS p ON p.number = lr.part_number").
			Join("JOIN order_lines AS ol ON ol.id = lr.order_line_id").
			Join("JOIN license_orders AS o ON o.id = ol.order_id").
			Where(LineMatches, pat, pat, pat)
	}
	return page.NewestFirst(ctx, q, args, a.Scope()+"/returns/"+bf.Search, "lr.returned_at", "lr.id",
		func(r *db.LicenseReturn) (time.Time, uuid.UUID) { return r.ReturnedAt, r.ID })
}

// FindReturns returns license returns by id, in order, nil where one is
// missing or not the caller's to see (a partner sees the returns it made
// or received, an admin all). Any signed-in user may call it; dataloaders
// and node(id) do. Errors: UNAUTHENTICATED.
func (s *Service) FindReturns(ctx context.Context, ids []uuid.UUID) ([]*db.LicenseReturn, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.LicenseReturn
	if err := visibleReturns(a, s.DB.NewSelect().Model(&rows)).Where("lr.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find license returns: %w", err)
	}
	return db.InOrder(ids, rows, func(r *db.LicenseReturn) uuid.UUID { return r.ID }), nil
}

// FindOrders returns shipped orders by id, in order, nil where one is
// missing or not the caller's to see (visibleOrders).
func (s *Service) FindOrders(ctx context.Context, ids []uuid.UUID) ([]*db.LicenseOrder, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.LicenseOrder
	if err := visibleOrders(a, s.DB.NewSelect().Model(&rows)).Where("o.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find orders: %w", err)
	}
	return db.InOrder(ids, rows, func(o *db.LicenseOrder) uuid.UUID { return o.ID }), nil
}

// FindLines returns bin lines by id, in order, nil where one is missing or
// not the caller's to see (visibleOrders).
func (s *Service) FindLines(ctx context.Context, ids []uuid.UUID) ([]*BinLine, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []BinLine
	if err := visibleOrders(a, s.DB.NewSelect().Model(&rows)).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find bin lines: %w", err)
	}
	return db.InOrder(ids, rows, func(l *BinLine) uuid.UUID { return l.ID }), nil
}

// FindLinesAndOrders is FindLines with each line's order, in one statement:
// the license page (LIC-8) shows a license's line and its order. orders[i]
// is the order of lines[i], nil where that is nil.
func (s *Service) FindLinesAndOrders(ctx context.Context, ids []uuid.UUID) (lines []*BinLine, orders []*db.LicenseOrder, err error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, nil, err
	}
	var rows []lineAndOrder
	if err := visibleOrders(a, s.DB.NewSelect().Model(&rows)).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").ColumnExpr(orderColumns(s.DB)).
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, nil, fmt.Errorf("find bin lines and their orders: %w", err)
	}
	found := db.InOrder(ids, rows, func(l *lineAndOrder) uuid.UUID { return l.ID })
	lines, orders = make([]*BinLine, len(ids)), make([]*db.LicenseOrder, len(ids))
	for i, r := range found {
		if r != nil {
			lines[i], orders[i] = &r.BinLine, &r.Order
		}
	}
	return lines, orders, nil
}

// lineAndOrder is a bin line read with its whole order, whose columns come
// prefixed with o_ (orderColumns).
type lineAndOrder struct {
	BinLine `bun:",extend"`
	Order   db.LicenseOrder `bun:"embed:o_"`
}

// orderColumns selects the columns of license_orders AS o as lineAndOrder
// scans them.
func orderColumns(d *bun.DB) string {
	var cols []string
	for _, f := range d.Table(reflect.TypeFor[db.LicenseOrder]()).Fields {
		cols = append(cols, fmt.Sprintf("o.%s AS o_%s", f.Name, f.Name))
	}
	return strings.Join(cols, ", ")
}
