package inventory

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/idempotency"
	"lms/mail"
	"lms/partner"
)

// ReshipInput moves bin quantities of a distributor to a dealer as a new
// order (LIC-12).
type ReshipInput struct {
	// DealerUserEmail is the email of a user of the dealer, as the guide's
	// "Dealer E-mail address" asks for it.
	DealerUserEmail string
	// SalesOrder and PurchaseOrder number the new order in the dealer's bin.
	SalesOrder    string
	PurchaseOrder string
	Lines         []LineSelection
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *ReshipInput) Validate() error {
	var errs apperr.List
	errs.Text("dealerUserEmail", &in.DealerUserEmail, true, 254)
	errs.Text("salesOrder", &in.SalesOrder, true, MaxOrderNumber)
	errs.Text("purchaseOrder", &in.PurchaseOrder, true, MaxOrderNumber)
	ValidateLines(&errs, in.Lines)
	return errs.Err()
}

// Reship is the answer of Reship: the new order in the dealer's bin with its
// lines.
type Reship struct {
	Order *db.LicenseOrder
	Lines []db.OrderLine
}

// Reship moves quantities from the distributor's bin lines to a new order
// (new sales and purchase order numbers) in the bin of a dealer it has a
// shipping allowance for, and emails the dealer's users, in one transaction
// (LIC-12). The distributor's lines are row-locked like attach locks them,
// so concurrent reships and attaches never take more than a line holds
// (LIC-15). Only distributor users may reship (also not while another
// partner's user is impersonated). Errors: UNAUTHENTICATED, FORBIDDEN,
// VALIDATION_FAILED, NOT_FOUND (bin line), NO_SHIPPING_ALLOWANCE (also
// for an email of no dealer user), INSUFFICIENT_QUANTITY, INVALID_FEATURE_QUANTITY,
// ALREADY_EXISTS (the dealer already has that sales order),
// IDEMPOTENCY_KEY_REUSED.
func (s *Service) Reship(ctx context.Context, in ReshipInput) (*Reship, error) {
	distributorsOnly := func(a *actor.Actor) error {
		if a.Partner.Kind != db.PartnerDistributor {
			return apperr.Forbiddenf("only distributors reship licenses, from their own license bin to their dealers")
		}
		return nil
	}
	out, err := idempotency.Mutation(ctx, s.DB, "reshipLicenses", &in, in.IdempotencyKey, distributorsOnly, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*Reship, error) {
		return s.reship(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("reship licenses to %s: %w", in.DealerUserEmail, err)
	}
	return out, nil
}

func (s *Service) reship(ctx context.Context, tx bun.Tx, a *actor.Actor, in ReshipInput) (*Reship, error) {
	_, dealer, err := partner.AllowedDealer(ctx, tx, a.Partner, in.DealerUserEmail, "dealerUserEmail")
	if err != nil {
		return nil, err
	}
	lines, err := Lock(ctx, tx, a.Partner.ID, LineIDs(in.Lines))
	if err != nil {
		return nil, err
	}
	qty, parts, err := take(ctx, tx, in.Lines, lines)
	if err != nil {
		return nil, err
	}

	now := s.now()
	order := &db.LicenseOrder{
		ID: uuid.New(), PartnerID: dealer.ID, SalesOrder: in.SalesOrder, PurchaseOrder: in.PurchaseOrder,
		ShippedBy: &a.User.ID, ReshippedFrom: &a.Partner.ID, CreatedAt: now,
	}
	res, err := tx.NewInsert().Model(order).On("CONFLICT ON CONSTRAINT license_orders_sales_order_key DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert order: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.New(apperr.AlreadyExists, "%s already has an order with sales order %s; choose another sales order number", dealer.Name, in.SalesOrder).OnField("salesOrder")
	}
	var newLines []db.OrderLine
	for i, l := range lines {
		if qty[i] == 0 {
			continue
		}
		if _, err := tx.NewUpdate().Model((*db.OrderLine)(nil)).
			Set("available = available - ?", qty[i]).Set("reshipped = reshipped + ?", qty[i]).
			Where("id = ?", l.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("take %d from bin line %s: %w", qty[i], l.ID, err)
		}
		newLines = append(newLines, db.OrderLine{
			ID: uuid.New(), OrderID: order.ID, PartnerID: dealer.ID, LineNo: len(newLines) + 1, PartNumber: l.PartNumber,
			Shipped: qty[i], Available: qty[i], SourceLineID: &l.ID, CreatedAt: now,
		})
	}
	if _, err := tx.NewInsert().Model(&newLines).Exec(ctx); err != nil {
		return nil, fmt.Errorf("insert order lines: %w", err)
	}
	if err := s.mailReship(ctx, tx, a, dealer, order, newLines, parts); err != nil {
		return nil, err
	}
	// Both partners' trails show the event: it names the dealer's new order
	// and lines only, never the distributor's own purchase orders.
	summary := map[string]any{"dealer": dealer.Name, "distributor": a.Partner.Name, "salesOrder": order.SalesOrder, "purchaseOrder": order.PurchaseOrder}
	objects := []string{audit.Ref("LicenseOrder", order.ID)}
	for _, l := range newLines {
		objects = append(objects, audit.Ref("OrderLine", l.ID))
		summary[fmt.Sprintf("line %d (%s)", l.LineNo, l.PartNumber)] = l.Shipped
	}
	if err := audit.Record(ctx, tx, audit.Event{
		Action: "license.reship", PartnerIDs: []uuid.UUID{a.Partner.ID, dealer.ID}, Objects: objects, Summary: summary,
	}); err != nil {
		return nil, err
	}
	return &Reship{Order: order, Lines: newLines}, nil
}

// mailReship tells the dealer that licenses arrived in its bin from the
// distributor: every enabled user, or its contact address when it has none
// (partner.Recipients).
func (s *Service) mailReship(ctx context.Context, tx bun.Tx, a *actor.Actor, dealer *db.Partner, order *db.LicenseOrder, lines []db.OrderLine, parts map[string]*catalog.Part) error {
	to, err := partner.Recipients(ctx, tx, dealer)
	if err != nil {
		return err
	}
	e := mail.LicensesReceived{
		DealerName: dealer.Name, DistributorName: a.Partner.Name, SalesOrder: order.SalesOrder,
		PurchaseOrder: order.PurchaseOrder, ReceivedAt: order.CreatedAt,
	}
	for _, l := range lines {
		e.Lines = append(e.Lines, mail.ShipmentLine{PartNumber: l.PartNumber, PartName: parts[l.PartNumber].Name, Quantity: l.Shipped})
	}
	for _, r := range to {
		e.RecipientName = r.Name
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return fmt.Errorf("enqueue reship mail: %w", err)
		}
	}
	return nil
}
