package swa

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/idempotency"
	"lms/inventory"
	"lms/mail"
	"lms/partner"
	"lms/swa/quote"
)

// ReshipUnitsInput moves SWA units of a distributor's SWA unit bin to a
// dealer it has a shipping allowance for (SWA-11).
type ReshipUnitsInput struct {
	// DealerUserEmail is the email of a user of the dealer, as a license
	// reship asks for it (LIC-12).
	DealerUserEmail string
	// SalesOrder and PurchaseOrder number the new orders in the dealer's
	// bin.
	SalesOrder    string
	PurchaseOrder string
	Quantity      int
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *ReshipUnitsInput) Validate() error {
	var errs apperr.List
	errs.Text("dealerUserEmail", &in.DealerUserEmail, true, 254)
	errs.Text("salesOrder", &in.SalesOrder, true, inventory.MaxOrderNumber)
	errs.Text("purchaseOrder", &in.PurchaseOrder, true, inventory.MaxOrderNumber)
	if in.Quantity < 1 || in.Quantity > maxUnits {
		errs.Add(apperr.New(apperr.InvalidFeatureQuantity, "the quantity is 1 to %d SWA units", maxUnits).OnField("quantity"))
	}
	return errs.Err()
}

// ReshipUnits moves a quantity of the distributor's available, unexpired
// SWA units to a dealer it has a shipping allowance for (SWA-11), in one
// transaction. The units are taken first-expiring-first under the orders'
// row locks (takeFirstExpiring), so concurrent reships and assignments
// never take more than there is; the distributor's orders count them as
// reshipped. They land in the dealer's SWA unit bin as new orders with the
// purchase order given, one order per expiry date of the units taken so
// that every unit keeps its expiry: with one date the order has the sales
// order given, with more they are numbered <salesOrder>/1, /2, …
// first-expiring first. Each new order names the distributor and records
// the orders it came from. The dealer's users are emailed ("SWA units
// received") and the audit event is shown to both partners. It returns the
// new orders, first-expiring first.
//
// Who may call it: a distributor's user with the SWA_ADMIN role (not while
// acting as a dealer's user). Errors: UNAUTHENTICATED, FORBIDDEN,
// VALIDATION_FAILED (also a sales order too long to be numbered),
// INVALID_FEATURE_QUANTITY, NO_SHIPPING_ALLOWANCE (any email that is not a
// user of a dealer the distributor may ship to), INSUFFICIENT_SWA_UNITS,
// ALREADY_EXISTS (the dealer already has that sales order, or one of the
// numbered ones), IDEMPOTENCY_KEY_REUSED.
func (s *Service) ReshipUnits(ctx context.Context, in ReshipUnitsInput) ([]db.SwaUnitOrder, error) {
	distributorsOnly := func(a *actor.Actor) error {
		if err := allowSwa(a); err != nil {
			return err
		}
		if a.Partner.Kind != db.PartnerDistributor {
			return apperr.Forbiddenf("only distributors reship SWA units, from their own SWA unit bin to their dealers")
		}
		return nil
	}
	out, err := idempotency.Mutation(ctx, s.DB, "reshipSwaUnits", &in, in.IdempotencyKey, distributorsOnly, func(ctx context.Context, tx bun.Tx, a *actor.Actor) ([]db.SwaUnitOrder, error) {
		return s.reshipUnits(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("reship %d SWA units to %s: %w", in.Quantity, in.DealerUserEmail, err)
	}
	return out, nil
}

func (s *Service) reshipUnits(ctx context.Context, tx bun.Tx, a *actor.Actor, in ReshipUnitsInput) ([]db.SwaUnitOrder, error) {
	_, dealer, err := partner.AllowedDealer(ctx, tx, a.Partner, in.DealerUserEmail, "dealerUserEmail")
	if err != nil {
		return nil, err
	}
	takes, err := takeFirstExpiring(ctx, tx, a.Partner.ID, in.Quantity, quote.Day(s.now()))
	if err != nil {
		return nil, err
	}
	base := db.SwaUnitOrder{PartnerID: dealer.ID, PurchaseOrder: in.PurchaseOrder, ShippedBy: &a.User.ID, ReshippedFrom: &a.Partner.ID, CreatedAt: s.now()}
	orders, sources := reshippedOrders(takes, base, in.SalesOrder)
	if err := checkSalesOrders(ctx, tx, dealer, in.SalesOrder, orders); err != nil {
		return nil, err
	}

	for _, t := range takes {
		if _, err := tx.NewUpdate().Model((*db.SwaUnitOrder)(nil)).Set("available = available - ?", t.Quantity).Set("reshipped = reshipped + ?", t.Quantity).
			Where("id = ?", t.Order.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("reship %d SWA units of order %s: %w", t.Quantity, t.Order.ID, err)
		}
	}
	res, err := tx.NewInsert().Model(&orders).On("CONFLICT ON CONSTRAINT swa_unit_orders_sales_order_key DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert reshipped SWA unit orders: %w", err)
	}
	if n, _ := res.RowsAffected(); int(n) < len(orders) {
		taken := "an SWA unit order with sales order " + orders[0].SalesOrder
		if len(orders) > 1 {
			taken = fmt.Sprintf("one of the SWA unit orders %s to %s", orders[0].SalesOrder, orders[len(orders)-1].SalesOrder)
		}
		return nil, apperr.New(apperr.AlreadyExists, "%s already has %s; choose another sales order number", dealer.Name, taken).OnField("salesOrder")
	}
	if _, err := tx.NewInsert().Model(&sources).Exec(ctx); err != nil {
		return nil, fmt.Errorf("record the sources of reshipped SWA unit orders: %w", err)
	}
	if err := s.mailReship(ctx, tx, a, dealer, in, orders); err != nil {
		return nil, err
	}
	// Both partners' trails show the event: it names the dealer's new
	// orders only, never the distributor's own.
	summary := map[string]any{
		"dealer": dealer.Name, "distributor": a.Partner.Name, "salesOrder": in.SalesOrder, "purchaseOrder": in.PurchaseOrder, "quantity": in.Quantity,
	}
	var objects []string
	var lines []map[string]any
	for _, o := range orders {
		objects = append(objects, audit.Ref("SwaUnitOrder", o.ID))
		lines = append(lines, map[string]any{"salesOrder": o.SalesOrder, "quantity": o.Shipped, "expiresOn": o.ExpiresOn.Format(time.DateOnly)})
	}
	summary["orders"] = lines
	if err := audit.Record(ctx, tx, audit.Event{
		Action: "swa.reship_units", PartnerIDs: []uuid.UUID{a.Partner.ID, dealer.ID}, Objects: objects, Summary: summary,
	}); err != nil {
		return nil, err
	}
	return orders, nil
}

// reshippedOrders are the dealer's new orders of a reship, each base with
// its own id, and where their units came from: one order per expiry date of
// the units taken (takes are first-expiring first), with salesOrder when
// there is one date, else numbered salesOrder/1, /2, ….
func reshippedOrders(takes []unitTake, base db.SwaUnitOrder, salesOrder string) ([]db.SwaUnitOrder, []db.SwaUnitOrderSource) {
	var orders []db.SwaUnitOrder
	var sources []db.SwaUnitOrderSource
	for _, t := range takes {
		if len(orders) == 0 || !orders[len(orders)-1].ExpiresOn.Equal(t.Order.ExpiresOn) {
			o := base
			o.ID, o.PartNumber, o.ExpiresOn = uuid.New(), t.Order.PartNumber, t.Order.ExpiresOn
			orders = append(orders, o)
		}
		o := &orders[len(orders)-1]
		o.Shipped += t.Quantity
		o.Available += t.Quantity
		sources = append(sources, db.SwaUnitOrderSource{UnitOrderID: o.ID, SourceOrderID: t.Order.ID, Quantity: t.Quantity})
	}
	for i := range orders {
		orders[i].SalesOrder = salesOrder
		if len(orders) > 1 {
			orders[i].SalesOrder = fmt.Sprintf("%s/%d", salesOrder, i+1)
		}
	}
	return orders, sources
}

// checkSalesOrders refuses numbered sales orders that would be too long,
// and, when the units arrive as numbered orders, a sales order the dealer
// has already: the numbered ones themselves are refused when they are
// inserted.
func checkSalesOrders(ctx context.Context, tx bun.Tx, dealer *db.Partner, salesOrder string, orders []db.SwaUnitOrder) error {
	if len(orders) < 2 {
		return nil
	}
	if last := orders[len(orders)-1].SalesOrder; utf8.RuneCountInString(last) > inventory.MaxOrderNumber {
		return apperr.Invalid("salesOrder", "the units expire on %d different dates and arrive as orders %s/1 to %s, longer than %d characters; choose a shorter sales order number",
			len(orders), salesOrder, last, inventory.MaxOrderNumber)
	}
	exists, err := tx.NewSelect().Model((*db.SwaUnitOrder)(nil)).Where("suo.partner_id = ?", dealer.ID).Where("suo.sales_order = ?", salesOrder).Exists(ctx)
	if err != nil {
		return fmt.Errorf("find sales order %s of %s: %w", salesOrder, dealer.Name, err)
	}
	if exists {
		return apperr.New(apperr.AlreadyExists, "%s already has an SWA unit order with sales order %s; choose another sales order number", dealer.Name, salesOrder).OnField("salesOrder")
	}
	return nil
}

// mailReship tells the dealer that SWA units arrived in its bin from the
// distributor: every enabled user, or its contact address when it has none
// (partner.Recipients).
func (s *Service) mailReship(ctx context.Context, tx bun.Tx, a *actor.Actor, dealer *db.Partner, in ReshipUnitsInput, orders []db.SwaUnitOrder) error {
	to, err := partner.Recipients(ctx, tx, dealer)
	if err != nil {
		return err
	}
	unit, err := unitPart(ctx, tx)
	if err != nil {
		return err
	}
	e := mail.SwaUnitsReceived{
		DealerName: dealer.Name, DistributorName: a.Partner.Name, PurchaseOrder: in.PurchaseOrder, SalesOrder: in.SalesOrder,
		PartNumber: unit.Number, PartName: unit.Name, ReceivedAt: orders[0].CreatedAt,
	}
	for _, o := range orders {
		e.Orders = append(e.Orders, mail.ReceivedUnitOrder{SalesOrder: o.SalesOrder, Quantity: o.Shipped, ExpiresOn: o.ExpiresOn})
	}
	for _, r := range to {
		e.RecipientName = r.Name
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return fmt.Errorf("enqueue SWA units received mail: %w", err)
		}
	}
	return nil
}
