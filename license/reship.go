package license

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/mail"
	"lms/notify"
	"lms/partner"
)

// LineSelection selects a bin line with a quantity, for attach, reship and
// return (AttachLine says how the quantity reads).
type LineSelection = AttachLine

// validateLines checks a selection of bin lines on its own: 1 to
// maxSelection lines, each once, quantities in range, not all skipped.
func validateLines(errs *apperr.List, lines []LineSelection) {
	if len(lines) == 0 || len(lines) > maxSelection {
		errs.Add(apperr.Invalid("lines", "select 1 to %d bin lines", maxSelection))
	}
	seen := map[uuid.UUID]bool{}
	some := false
	for i, l := range lines {
		field := "lines." + strconv.Itoa(i)
		if seen[l.LineID] {
			errs.Add(apperr.Invalid(field+".lineId", "a bin line is selected twice"))
		}
		seen[l.LineID] = true
		if l.Quantity != nil && (*l.Quantity < 0 || *l.Quantity > maxQuantity) {
			errs.Add(apperr.New(apperr.InvalidFeatureQuantity, "the quantity is 0 (skip the line) to %d", maxQuantity).OnField(field + ".quantity"))
		}
		some = some || l.Quantity == nil || *l.Quantity > 0
	}
	if len(lines) > 0 && !some {
		errs.Add(apperr.Invalid("lines", "every selected line has quantity 0: nothing selected"))
	}
}

// taking is what a selection takes from locked bin lines: per selected
// line, the quantity (0 for a skipped line).
type taking []int

// lineIDs are the bin lines a selection names, in its order.
func lineIDs(sel []LineSelection) []uuid.UUID {
	ids := make([]uuid.UUID, len(sel))
	for i, l := range sel {
		ids[i] = l.LineID
	}
	return ids
}

// take resolves a selection against the lines it names, locked by
// lockLines: a missing line is NOT_FOUND, a quantity above what the line
// has available INSUFFICIENT_QUANTITY.
func take(ctx context.Context, tx bun.IDB, sel []LineSelection, lines []*BinLine) (taking, error) {
	parts, err := lineParts(ctx, tx, lines)
	if err != nil {
		return nil, err
	}
	var errs apperr.List
	out := make(taking, len(sel))
	for i, s := range sel {
		field := "lines." + strconv.Itoa(i)
		if lines[i] == nil {
			errs.Add(apperr.NotFoundf("bin line").OnField(field + ".lineId"))
			continue
		}
		q, e := selectedQuantity(s, lines[i], parts[lines[i].PartNumber])
		if e != nil {
			errs.Add(e.OnField(field + ".quantity"))
		}
		out[i] = q
	}
	return out, errs.Err()
}

// selectedQuantity is what a selection takes from its locked line: all that
// is available when no quantity is given, 0 for a skipped line, and
// INSUFFICIENT_QUANTITY for more than the line has (or for all of an empty
// line).
func selectedQuantity(sel LineSelection, l *BinLine, p *catalog.Part) (int, *apperr.Error) {
	q := l.Available
	if sel.Quantity != nil {
		if q = *sel.Quantity; q == 0 {
			return 0, nil
		}
	}
	if q == 0 || q > l.Available {
		return 0, apperr.New(apperr.InsufficientQuantity, "%s (%s) of PO %s: %d selected, %d available", p.Name, p.Number, l.PurchaseOrder, max(q, 1), l.Available)
	}
	return q, nil
}

// lineParts reads the catalog parts of the locked lines that exist.
func lineParts(ctx context.Context, tx bun.IDB, lines []*BinLine) (map[string]*catalog.Part, error) {
	numbers := make([]string, 0, len(lines))
	for _, l := range lines {
		if l != nil {
			numbers = append(numbers, l.PartNumber)
		}
	}
	return partsByNumber(ctx, tx, numbers)
}

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
	checkText(&errs, "dealerUserEmail", &in.DealerUserEmail, true, 254)
	checkText(&errs, "salesOrder", &in.SalesOrder, true, maxOrderNumber)
	checkText(&errs, "purchaseOrder", &in.PurchaseOrder, true, maxOrderNumber)
	validateLines(&errs, in.Lines)
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
// VALIDATION_FAILED, NOT_FOUND (dealer user, bin line),
// NO_SHIPPING_ALLOWANCE, INSUFFICIENT_QUANTITY, INVALID_FEATURE_QUANTITY,
// ALREADY_EXISTS (the dealer already has that sales order),
// IDEMPOTENCY_KEY_REUSED.
func (s *Service) Reship(ctx context.Context, in ReshipInput) (*Reship, error) {
	distributorsOnly := func(a *actor.Actor) error {
		if a.Partner.Kind != db.PartnerDistributor {
			return apperr.Forbiddenf("only distributors reship licenses, from their own license bin to their dealers")
		}
		return nil
	}
	out, err := inventoryChange(ctx, s, "reshipLicenses", &in, in.IdempotencyKey, distributorsOnly, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*Reship, error) {
		return s.reship(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("reship licenses to %s: %w", in.DealerUserEmail, err)
	}
	return out, nil
}

func (s *Service) reship(ctx context.Context, tx bun.Tx, a *actor.Actor, in ReshipInput) (*Reship, error) {
	dealer, err := s.reshipDealer(ctx, tx, a, in.DealerUserEmail)
	if err != nil {
		return nil, err
	}
	lines, err := lockLines(ctx, tx, a.Partner.ID, lineIDs(in.Lines))
	if err != nil {
		return nil, err
	}
	qty, err := take(ctx, tx, in.Lines, lines)
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
	if err := s.mailReship(ctx, tx, a, dealer, order, newLines); err != nil {
		return nil, err
	}
	summary := map[string]any{"dealer": dealer.Name, "salesOrder": order.SalesOrder, "purchaseOrder": order.PurchaseOrder}
	objects := []string{audit.Ref("LicenseOrder", order.ID)}
	for i, l := range lines {
		if qty[i] > 0 {
			objects = append(objects, audit.Ref("OrderLine", l.ID))
			summary[fmt.Sprintf("PO %s line %d (%s)", l.PurchaseOrder, l.LineNo, l.PartNumber)] = qty[i]
		}
	}
	if err := audit.Record(ctx, tx, audit.Event{
		Action: "license.reship", PartnerIDs: []uuid.UUID{a.Partner.ID, dealer.ID}, Objects: objects, Summary: summary,
	}); err != nil {
		return nil, err
	}
	return &Reship{Order: order, Lines: newLines}, nil
}

// reshipDealer finds the dealer of the user with email, which the
// distributor must have a shipping allowance for (ACT-4).
func (s *Service) reshipDealer(ctx context.Context, tx bun.Tx, a *actor.Actor, email string) (*db.Partner, error) {
	u := new(db.User)
	err := tx.NewSelect().Model(u).Where("lower(email) = lower(?)", strings.TrimSpace(email)).Where("disabled_at IS NULL").Scan(ctx)
	if isNoRows(err) {
		return nil, apperr.NotFoundf("dealer user").OnField("dealerUserEmail")
	}
	if err != nil {
		return nil, fmt.Errorf("find dealer user: %w", err)
	}
	dealer := new(db.Partner)
	if err := tx.NewSelect().Model(dealer).Where("id = ?", u.PartnerID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load dealer: %w", err)
	}
	ok, err := partner.HasShippingAllowance(ctx, tx, a.Partner.ID, dealer.ID)
	if err != nil {
		return nil, err
	}
	if !ok || dealer.Kind != db.PartnerDealer {
		return nil, apperr.New(apperr.NoShippingAllowance, "%s has no shipping allowance for the dealer of %s; the license desk grants it", a.Partner.Name, email).OnField("dealerUserEmail")
	}
	return dealer, nil
}

// mailReship tells every enabled user of the dealer that licenses arrived
// in its bin from the distributor.
func (s *Service) mailReship(ctx context.Context, tx bun.Tx, a *actor.Actor, dealer *db.Partner, order *db.LicenseOrder, lines []db.OrderLine) error {
	numbers := make([]string, len(lines))
	for i, l := range lines {
		numbers[i] = l.PartNumber
	}
	parts, err := partsByNumber(ctx, tx, numbers)
	if err != nil {
		return err
	}
	var users []db.User
	if err := tx.NewSelect().Model(&users).Where("partner_id = ?", dealer.ID).Where("disabled_at IS NULL").
		Order("email").Scan(ctx); err != nil {
		return fmt.Errorf("load users of dealer %s: %w", dealer.ID, err)
	}
	e := mail.LicensesReceived{
		DealerName: dealer.Name, DistributorName: a.Partner.Name, SalesOrder: order.SalesOrder,
		PurchaseOrder: order.PurchaseOrder, ReceivedAt: order.CreatedAt,
	}
	for _, l := range lines {
		e.Lines = append(e.Lines, mail.ShipmentLine{PartNumber: l.PartNumber, PartName: parts[l.PartNumber].Name, Quantity: l.Shipped})
	}
	for _, u := range users {
		e.RecipientName = u.Name
		if _, err := s.Notify.Enqueue(ctx, tx, notify.Recipient{Email: u.Email, Name: u.Name, PartnerID: &dealer.ID}, e); err != nil {
			return fmt.Errorf("enqueue reship mail: %w", err)
		}
	}
	return nil
}
