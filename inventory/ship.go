package inventory

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/mail"
	"lms/partner"
)

// ShipInput is an order the vendor has processed (LIC-1).
type ShipInput struct {
	PartnerID     uuid.UUID
	SalesOrder    string
	PurchaseOrder string
	Lines         []ShipLine
	// SwaDurationMonths is the SWA duration requested for the PO, if any.
	SwaDurationMonths *int
	SwaNote           string
}

// ShipLine is one part and quantity of a shipped order.
type ShipLine struct {
	PartNumber string
	Quantity   int
}

// Validate checks the input on its own.
func (in *ShipInput) Validate() error {
	var errs apperr.List
	errs.Text("salesOrder", &in.SalesOrder, true, MaxOrderNumber)
	errs.Text("purchaseOrder", &in.PurchaseOrder, true, MaxOrderNumber)
	errs.Text("swaNote", &in.SwaNote, false, maxNote)
	if d := in.SwaDurationMonths; d != nil && (*d < 1 || *d > 120) {
		errs.Add(apperr.Invalid("swaDurationMonths", "the SWA duration is 1 to 120 months"))
	}
	if len(in.Lines) == 0 || len(in.Lines) > maxLines {
		errs.Add(apperr.Invalid("lines", "an order has 1 to %d lines", maxLines))
	}
	seen := map[string]bool{}
	for i := range in.Lines {
		l := &in.Lines[i]
		field := "lines." + strconv.Itoa(i)
		errs.Text(field+".partNumber", &l.PartNumber, true, 50)
		if seen[l.PartNumber] {
			errs.Add(apperr.Invalid(field+".partNumber", "part %s is on the order twice; put its whole quantity on one line", l.PartNumber))
		}
		seen[l.PartNumber] = true
		if l.Quantity < 1 || l.Quantity > maxQuantity {
			errs.Add(apperr.New(apperr.InvalidFeatureQuantity, "the quantity is 1 to %d", maxQuantity).OnField(field + ".quantity"))
		}
	}
	return errs.Err()
}

// Ship puts an order's lines into a partner's license bin and emails the
// partner ("license shipment": its users, or its contact address when it
// has none), in one transaction (LIC-1). Only the license desk ships. Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED,
// INVALID_FEATURE_QUANTITY, INVALID_FEATURE_CODE (unknown part),
// PART_NOT_ALLOWED (SWA units), NOT_FOUND (partner), ALREADY_EXISTS (the
// sales order was shipped to the partner before).
func (s *Service) Ship(ctx context.Context, in ShipInput) (*db.LicenseOrder, []db.OrderLine, error) {
	a, err := actor.RequireAdmin(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, nil, err
	}
	numbers := make([]string, len(in.Lines))
	for i, l := range in.Lines {
		numbers[i] = l.PartNumber
	}
	parts, err := catalog.FindParts(ctx, s.DB, numbers)
	if err != nil {
		return nil, nil, err
	}
	var errs apperr.List
	for i, p := range parts {
		field := fmt.Sprintf("lines.%d.partNumber", i)
		switch {
		case p == nil:
			errs.Add(apperr.New(apperr.InvalidFeatureCode, "unknown part number %s", numbers[i]).OnField(field))
		case p.HasFlag(catalog.FlagSwaUnit):
			errs.Add(apperr.New(apperr.PartNotAllowed, "%s (%s) is an SWA unit; ship SWA units with shipSwaUnits", p.Name, p.Number).OnField(field))
		}
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}

	order := &db.LicenseOrder{
		ID: uuid.New(), PartnerID: in.PartnerID, SalesOrder: in.SalesOrder, PurchaseOrder: in.PurchaseOrder,
		SwaDurationMonths: in.SwaDurationMonths, SwaNote: in.SwaNote, ShippedBy: &a.User.ID, CreatedAt: s.now(),
	}
	lines := make([]db.OrderLine, len(in.Lines))
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p := new(db.Partner)
		err := tx.NewSelect().Model(p).Where("id = ?", in.PartnerID).Where("kind <> ?", db.PartnerVendor).Scan(ctx)
		if isNoRows(err) {
			return apperr.NotFoundf("partner").OnField("partnerId")
		}
		if err != nil {
			return err
		}
		res, err := tx.NewInsert().Model(order).On("CONFLICT ON CONSTRAINT license_orders_sales_order_key DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("insert order: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.AlreadyExists, "sales order %s was already shipped to %s", in.SalesOrder, p.Name).OnField("salesOrder")
		}
		for i, l := range in.Lines {
			lines[i] = db.OrderLine{
				ID: uuid.New(), OrderID: order.ID, PartnerID: order.PartnerID, LineNo: i + 1,
				PartNumber: l.PartNumber, Shipped: l.Quantity, Available: l.Quantity, CreatedAt: order.CreatedAt,
			}
		}
		if _, err := tx.NewInsert().Model(&lines).Exec(ctx); err != nil {
			return fmt.Errorf("insert order lines: %w", err)
		}
		if err := s.mailShipment(ctx, tx, p, order, lines, parts); err != nil {
			return err
		}
		summary := map[string]any{"salesOrder": order.SalesOrder, "purchaseOrder": order.PurchaseOrder}
		for _, l := range lines {
			summary["part "+l.PartNumber] = l.Shipped
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "license.ship",
			PartnerIDs: []uuid.UUID{order.PartnerID},
			Objects:    []string{audit.Ref("LicenseOrder", order.ID)},
			Summary:    summary,
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("ship sales order %s: %w", in.SalesOrder, err)
	}
	return order, lines, nil
}

// mailShipment tells the partner about the shipment: every enabled user,
// or its contact address when it has none (partner.Recipients).
func (s *Service) mailShipment(ctx context.Context, tx bun.Tx, p *db.Partner, order *db.LicenseOrder, lines []db.OrderLine, parts []*catalog.Part) error {
	to, err := partner.Recipients(ctx, tx, p)
	if err != nil {
		return err
	}
	e := mail.LicenseShipment{
		PartnerName: p.Name, SalesOrder: order.SalesOrder, PurchaseOrder: order.PurchaseOrder,
		SwaNote: order.SwaNote, ShippedAt: order.CreatedAt,
	}
	if order.SwaDurationMonths != nil {
		e.SwaDurationMonths = *order.SwaDurationMonths
	}
	for i, l := range lines {
		e.Lines = append(e.Lines, mail.ShipmentLine{PartNumber: l.PartNumber, PartName: parts[i].Name, Quantity: l.Shipped})
	}
	for _, r := range to {
		e.RecipientName = r.Name
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return fmt.Errorf("enqueue shipment mail: %w", err)
		}
	}
	return nil
}
