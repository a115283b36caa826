package swa

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/idempotency"
	"lms/inventory"
	"lms/mail"
	"lms/page"
	"lms/partner"
	"lms/swa/quote"
)

// ShipUnitsInput is an order of SWA units the vendor has processed (SWA-1).
type ShipUnitsInput struct {
	PartnerID     uuid.UUID
	SalesOrder    string
	PurchaseOrder string
	Quantity      int
	// ExpiresOn is the last day the units may be used.
	ExpiresOn time.Time
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// maxUnits bounds one order's quantity.
const maxUnits = 10_000_000

// Validate checks the input on its own.
func (in *ShipUnitsInput) Validate() error {
	var errs apperr.List
	errs.Text("salesOrder", &in.SalesOrder, true, inventory.MaxOrderNumber)
	errs.Text("purchaseOrder", &in.PurchaseOrder, true, inventory.MaxOrderNumber)
	if in.Quantity < 1 || in.Quantity > maxUnits {
		errs.Add(apperr.New(apperr.InvalidFeatureQuantity, "the quantity is 1 to %d SWA units", maxUnits).OnField("quantity"))
	}
	if in.ExpiresOn.IsZero() {
		errs.Add(apperr.Invalid("expiresOn", "expiresOn is required"))
	}
	in.ExpiresOn = quote.Day(in.ExpiresOn)
	return errs.Err()
}

// ShipUnits puts an order of SWA units (part BE112031) into a partner's SWA
// unit bin and emails the partner ("SWA units shipped"), in one transaction
// (SWA-1). Only the license desk ships. Errors: UNAUTHENTICATED, FORBIDDEN,
// VALIDATION_FAILED (also an expiry date in the past),
// INVALID_FEATURE_QUANTITY, NOT_FOUND (partner), ALREADY_EXISTS (the
// partner has that sales order), IDEMPOTENCY_KEY_REUSED.
func (s *Service) ShipUnits(ctx context.Context, in ShipUnitsInput) (*db.SwaUnitOrder, error) {
	adminOnly := func(a *actor.Actor) error {
		if !a.IsAdmin() {
			return apperr.Forbiddenf("only the license desk ships SWA units")
		}
		return nil
	}
	o, err := idempotency.Mutation(ctx, s.DB, "shipSwaUnits", &in, in.IdempotencyKey, adminOnly, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*db.SwaUnitOrder, error) {
		return s.shipUnits(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("ship SWA units of sales order %s: %w", in.SalesOrder, err)
	}
	return o, nil
}

func (s *Service) shipUnits(ctx context.Context, tx bun.Tx, a *actor.Actor, in ShipUnitsInput) (*db.SwaUnitOrder, error) {
	today := quote.Day(s.now())
	if in.ExpiresOn.Before(today) {
		return nil, apperr.Invalid("expiresOn", "the units would have expired already (%s)", in.ExpiresOn.Format(time.DateOnly))
	}
	p := new(db.Partner)
	err := tx.NewSelect().Model(p).Where("id = ?", in.PartnerID).Where("kind <> ?", db.PartnerVendor).Scan(ctx)
	if isNoRows(err) {
		return nil, apperr.NotFoundf("partner").OnField("partnerId")
	}
	if err != nil {
		return nil, fmt.Errorf("find partner: %w", err)
	}
	unit, err := unitPart(ctx, tx)
	if err != nil {
		return nil, err
	}
	o := &db.SwaUnitOrder{
		ID: uuid.New(), PartnerID: p.ID, SalesOrder: in.SalesOrder, PurchaseOrder: in.PurchaseOrder, PartNumber: unit.Number,
		Shipped: in.Quantity, Available: in.Quantity, ExpiresOn: in.ExpiresOn, ShippedBy: &a.User.ID, CreatedAt: s.now(),
	}
	res, err := tx.NewInsert().Model(o).On("CONFLICT ON CONSTRAINT swa_unit_orders_sales_order_key DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert SWA unit order: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.New(apperr.AlreadyExists, "sales order %s was already shipped to %s", in.SalesOrder, p.Name).OnField("salesOrder")
	}
	to, err := partner.Recipients(ctx, tx, p)
	if err != nil {
		return nil, err
	}
	e := mail.SwaUnitsShipped{
		PartnerName: p.Name, SalesOrder: o.SalesOrder, PurchaseOrder: o.PurchaseOrder, PartNumber: unit.Number, PartName: unit.Name,
		Quantity: o.Shipped, ExpiresOn: o.ExpiresOn, ShippedAt: o.CreatedAt,
	}
	for _, r := range to {
		e.RecipientName = r.Name
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return nil, fmt.Errorf("enqueue SWA units mail: %w", err)
		}
	}
	return o, audit.Record(ctx, tx, audit.Event{
		Action: "swa.ship_units", PartnerIDs: []uuid.UUID{p.ID}, Objects: []string{audit.Ref("SwaUnitOrder", o.ID)},
		Summary: map[string]any{"salesOrder": o.SalesOrder, "purchaseOrder": o.PurchaseOrder, "quantity": o.Shipped, "expiresOn": o.ExpiresOn.Format(time.DateOnly)},
	})
}

// unitPart is the catalog's SWA unit part (BE112031).
func unitPart(ctx context.Context, idb bun.IDB) (*catalog.Part, error) {
	p := new(catalog.Part)
	if err := idb.NewSelect().Model(p).Where("? = ANY(flags)", catalog.FlagSwaUnit).OrderExpr("number").Limit(1).Scan(ctx); err != nil {
		return nil, fmt.Errorf("find the SWA unit part: %w", err)
	}
	return p, nil
}

// UnitTotals are a partner's unexpired SWA units (SWA-2): UnAllocated is
// what is not consumed by agreements (nor reshipped to dealers) yet,
// Allocated what pending activations reserve of it, Available what can be
// assigned or reshipped.
type UnitTotals struct {
	UnAllocated int `bun:"unallocated"`
	Allocated   int `bun:"allocated"`
	Available   int `bun:"available"`
}

// UnitFilter narrows the SWA unit bin.
type UnitFilter struct {
	// PartnerID chooses, for the license desk, whose bin (default: all
	// partners together). Partners always see their own.
	PartnerID *uuid.UUID
}

func (f UnitFilter) scope(a *actor.Actor, q *bun.SelectQuery) *bun.SelectQuery {
	q = a.Restrict(q, "suo.partner_id")
	if a.IsAdmin() && f.PartnerID != nil {
		q = q.Where("suo.partner_id = ?", *f.PartnerID)
	}
	return q
}

// unexpired restricts q over swa_unit_orders to orders usable on today.
func unexpired(q *bun.SelectQuery, today time.Time) *bun.SelectQuery {
	return q.Where("suo.expires_on >= ?", today.Format(time.DateOnly))
}

func unitOrderKey(o *db.SwaUnitOrder) (time.Time, uuid.UUID) { return o.ExpiresOn, o.ID }

// UnitOrders pages the caller's unexpired SWA unit orders, first-expiring
// first, the order units are taken in (SWA-2). Errors: UNAUTHENTICATED,
// FORBIDDEN, VALIDATION_FAILED.
func (s *Service) UnitOrders(ctx context.Context, f UnitFilter, args page.Args) (*page.Page[db.SwaUnitOrder], error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	q := unexpired(f.scope(a, s.DB.NewSelect().Model((*db.SwaUnitOrder)(nil))), quote.Day(s.now()))
	scope := a.Scope() + "/swa-unit-orders"
	if f.PartnerID != nil {
		scope += "/" + f.PartnerID.String()
	}
	return page.OldestFirst(ctx, q, args, scope, "suo.expires_on", "suo.id", unitOrderKey)
}

// Totals returns the totals of the caller's unexpired SWA units (SWA-2), in
// one statement. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) Totals(ctx context.Context, f UnitFilter) (*UnitTotals, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	return totals(ctx, s.DB, a, f, quote.Day(s.now()))
}

func totals(ctx context.Context, idb bun.IDB, a *actor.Actor, f UnitFilter, today time.Time) (*UnitTotals, error) {
	t := new(UnitTotals)
	q := unexpired(f.scope(a, idb.NewSelect().TableExpr("swa_unit_orders AS suo")), today).
		ColumnExpr("coalesce(sum(suo.available + suo.allocated), 0)::int AS unallocated").
		ColumnExpr("coalesce(sum(suo.allocated), 0)::int AS allocated").
		ColumnExpr("coalesce(sum(suo.available), 0)::int AS available")
	if err := q.Scan(ctx, t); err != nil {
		return nil, fmt.Errorf("SWA unit totals: %w", err)
	}
	return t, nil
}

// FindUnitOrders returns SWA unit orders by id, in order, nil where one is
// missing or not the caller's. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindUnitOrders(ctx context.Context, ids []uuid.UUID) ([]*db.SwaUnitOrder, error) {
	a, err := requireSwa(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.SwaUnitOrder
	if err := a.Restrict(s.DB.NewSelect().Model(&rows), "suo.partner_id").Where("suo.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find SWA unit orders: %w", err)
	}
	return db.InOrder(ids, rows, func(o *db.SwaUnitOrder) uuid.UUID { return o.ID }), nil
}

// lockOrders locks unit orders of a partner in id order, the one order all
// SWA code locks them in (no deadlocks), and returns them by id.
func lockOrders(ctx context.Context, tx bun.Tx, q func(*bun.SelectQuery) *bun.SelectQuery) ([]db.SwaUnitOrder, error) {
	var rows []db.SwaUnitOrder
	if err := q(tx.NewSelect().Model(&rows)).OrderExpr("suo.id").For("UPDATE").Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("lock SWA unit orders: %w", err)
	}
	return rows, nil
}

// unitTake is what taking units first-expiring-first takes of one unit
// order.
type unitTake struct {
	Order    db.SwaUnitOrder
	Quantity int
}

// takeFirstExpiring locks the partner's unexpired orders with available
// units and chooses units from them first-expiring-first (SWA-2), the
// orders that expire first, then by id; expired units are never taken. It
// changes nothing: the caller moves the units it returns, under the locks.
// Errors: INSUFFICIENT_SWA_UNITS with what is available.
func takeFirstExpiring(ctx context.Context, tx bun.Tx, partnerID uuid.UUID, units int, today time.Time) ([]unitTake, error) {
	orders, err := lockOrders(ctx, tx, func(q *bun.SelectQuery) *bun.SelectQuery {
		return unexpired(q.Where("suo.partner_id = ?", partnerID).Where("suo.available > 0"), today)
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(orders, func(a, b db.SwaUnitOrder) int { return a.ExpiresOn.Compare(b.ExpiresOn) })
	have := 0
	for _, o := range orders {
		have += o.Available
	}
	if have < units {
		return nil, apperr.New(apperr.InsufficientSwaUnits, "%d SWA units are needed and %d are available in the SWA unit bin", units, have)
	}
	var out []unitTake
	for _, o := range orders {
		if units == 0 {
			break
		}
		n := min(units, o.Available)
		units -= n
		out = append(out, unitTake{Order: o, Quantity: n})
	}
	return out, nil
}

// allocate reserves units of the partner's unexpired orders for a pending
// activation, first-expiring-first (takeFirstExpiring), under the orders'
// row locks. It returns the allocations, or INSUFFICIENT_SWA_UNITS with
// what is available.
func allocate(ctx context.Context, tx bun.Tx, partnerID uuid.UUID, activationID uuid.UUID, units int, today time.Time) ([]db.SwaAllocation, error) {
	takes, err := takeFirstExpiring(ctx, tx, partnerID, units, today)
	if err != nil {
		return nil, err
	}
	var out []db.SwaAllocation
	for _, t := range takes {
		if _, err := tx.NewUpdate().Model((*db.SwaUnitOrder)(nil)).Set("available = available - ?", t.Quantity).Set("allocated = allocated + ?", t.Quantity).
			Where("id = ?", t.Order.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("allocate %d SWA units of order %s: %w", t.Quantity, t.Order.ID, err)
		}
		out = append(out, db.SwaAllocation{ActivationID: activationID, UnitOrderID: t.Order.ID, Quantity: t.Quantity})
	}
	if len(out) > 0 {
		if _, err := tx.NewInsert().Model(&out).Exec(ctx); err != nil {
			return nil, fmt.Errorf("record SWA allocations: %w", err)
		}
	}
	return out, nil
}

// settle moves an activation's allocated units, under the orders' locks:
// consumed by its agreement (consume), or given back to the orders they
// came from (release).
func settle(ctx context.Context, tx bun.Tx, activationID uuid.UUID, consume bool) error {
	var allocs []db.SwaAllocation
	if err := tx.NewSelect().Model(&allocs).Where("activation_id = ?", activationID).Scan(ctx); err != nil && !isNoRows(err) {
		return fmt.Errorf("read SWA allocations: %w", err)
	}
	if len(allocs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(allocs))
	for i, al := range allocs {
		ids[i] = al.UnitOrderID
	}
	if _, err := lockOrders(ctx, tx, func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("suo.id IN (?)", bun.In(ids)) }); err != nil {
		return err
	}
	to := "available"
	if consume {
		to = "consumed"
	}
	for _, al := range allocs {
		if _, err := tx.NewUpdate().Model((*db.SwaUnitOrder)(nil)).Set("allocated = allocated - ?", al.Quantity).
			Set("? = ? + ?", bun.Ident(to), bun.Ident(to), al.Quantity).Where("id = ?", al.UnitOrderID).Exec(ctx); err != nil {
			return fmt.Errorf("settle %d SWA units of order %s: %w", al.Quantity, al.UnitOrderID, err)
		}
	}
	return nil
}
