package license

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
)

// AttachInput selects bin lines, with a quantity each, for one location
// (LIC-3).
type AttachInput struct {
	LocationID uuid.UUID
	Lines      []LineSelection
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *AttachInput) Validate() error {
	var errs apperr.List
	validateLines(&errs, in.Lines)
	return errs.Err()
}

// Attach moves the selected quantities from the partner's bin to a location
// as attached licenses, each with a new Software Key Code (LIC-3), after
// checking every per-system rule (LOC-5/6/7/10/11, LIC-11, DECT-2, EXT-2).
// The bin lines are row-locked, so concurrent requests never take more than
// a line holds. Errors: UNAUTHENTICATED, VALIDATION_FAILED, NOT_FOUND
// (location or line), INSUFFICIENT_QUANTITY, PART_NOT_ALLOWED,
// WRONG_LOCATION_FOR_PART, LIMIT_EXCEEDED, INVALID_FEATURE_QUANTITY,
// PO_CANNOT_BE_SPLIT (external products), IDEMPOTENCY_KEY_REUSED.
func (s *Service) Attach(ctx context.Context, in AttachInput) ([]db.License, error) {
	out, err := inventoryChange(ctx, s, "attachLicenses", &in, in.IdempotencyKey, nil, func(ctx context.Context, tx bun.Tx, a *actor.Actor) ([]db.License, error) {
		return s.attach(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("attach licenses to location %s: %w", in.LocationID, err)
	}
	return out, nil
}

func (s *Service) attach(ctx context.Context, tx bun.Tx, a *actor.Actor, in AttachInput) ([]db.License, error) {
	sys, err := lockSystem(ctx, tx, a, in.LocationID, "locationId")
	if err != nil {
		return nil, err
	}
	lines, orders, err := lockSelection(ctx, tx, sys, lineIDs(in.Lines))
	if err != nil {
		return nil, err
	}
	parts, err := lineParts(ctx, tx, lines)
	if err != nil {
		return nil, err
	}

	var errs apperr.List
	adding := map[string]int{}
	take := make([]int, len(in.Lines))
	for i, sel := range in.Lines {
		field := "lines." + strconv.Itoa(i)
		l := lines[i]
		if l == nil {
			errs.Add(apperr.NotFoundf("bin line").OnField(field + ".lineId"))
			continue
		}
		if sel.Quantity != nil && *sel.Quantity == 0 {
			continue
		}
		if e := sys.checkPart(parts[l.PartNumber]); e != nil {
			errs.Add(e.OnField(field + ".lineId"))
			continue
		}
		q, e := selectedQuantity(sel, l, parts[l.PartNumber])
		if e != nil {
			errs.Add(e.OnField(field + ".quantity"))
			continue
		}
		take[i] = q
		adding[l.PartNumber] += q
	}
	checkWholeOrders(&errs, in.Lines, lines, orders)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	u, err := sys.usage(ctx, tx)
	if err != nil {
		return nil, err
	}
	if e := sys.checkLimits(u, adding, parts); e != nil {
		return nil, e.OnField("lines")
	}

	now := s.now()
	var licenses []db.License
	for i, l := range lines {
		if take[i] == 0 {
			continue
		}
		if _, err := tx.NewUpdate().Model((*db.OrderLine)(nil)).Set("available = available - ?", take[i]).
			Where("id = ?", l.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("take %d from bin line %s: %w", take[i], l.ID, err)
		}
		licenses = append(licenses, db.License{
			ID: uuid.New(), PartnerID: sys.loc.PartnerID, LocationID: sys.loc.ID, OrderLineID: l.ID,
			PartNumber: l.PartNumber, Quantity: take[i], Status: db.LicenseAttached, AttachedAt: now, AttachedBy: &a.User.ID,
			PurchaseOrder: l.PurchaseOrder, SalesOrder: l.SalesOrder, OrderID: l.OrderID,
		})
	}
	if err := insertLicenses(ctx, tx, licenses, sys.st.HwkcPrefix); err != nil {
		return nil, err
	}
	objects := []string{audit.Ref("Location", sys.loc.ID)}
	summary := map[string]any{"location": sys.loc.Name, "hardwareKeyCode": sys.loc.HardwareKeyCode}
	for _, lic := range licenses {
		objects = append(objects, audit.Ref("License", lic.ID))
		summary[lic.SoftwareKeyCode] = fmt.Sprintf("%s × %d (PO %s)", lic.PartNumber, lic.Quantity, lic.PurchaseOrder)
	}
	if err := audit.Record(ctx, tx, audit.Event{Action: "license.attach", PartnerIDs: []uuid.UUID{sys.loc.PartnerID}, Objects: objects, Summary: summary}); err != nil {
		return nil, err
	}
	return licenses, nil
}

// BinLine is a bin line with its order's numbers.
type BinLine struct {
	db.OrderLine  `bun:",extend"`
	PurchaseOrder string `bun:"purchase_order"`
	SalesOrder    string `bun:"sales_order"`
}

// lockLines locks the partner's bin lines with the given ids, in id order so
// that concurrent requests queue instead of deadlocking, and returns them in
// the order of ids, nil where a line is not the partner's.
func lockLines(ctx context.Context, tx bun.Tx, partnerID uuid.UUID, ids []uuid.UUID) ([]*BinLine, error) {
	var rows []BinLine
	err := tx.NewSelect().Model(&rows).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.id IN (?)", bun.In(ids)).Where("ol.partner_id = ?", partnerID).
		OrderExpr("ol.id").For("UPDATE OF ol").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("lock bin lines: %w", err)
	}
	return db.InOrder(ids, rows, func(l *BinLine) uuid.UUID { return l.ID }), nil
}

// partsByNumber reads the catalog parts with the given numbers.
func partsByNumber(ctx context.Context, idb bun.IDB, numbers []string) (map[string]*catalog.Part, error) {
	out := map[string]*catalog.Part{}
	if len(numbers) == 0 {
		return out, nil
	}
	numbers = slices.Compact(slices.Sorted(slices.Values(numbers)))
	parts, err := catalog.FindParts(ctx, idb, numbers)
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		if p == nil {
			return nil, fmt.Errorf("part %s is not in the catalog", numbers[i])
		}
		out[p.Number] = p
	}
	return out, nil
}

// insertLicenses gives each license a Software Key Code and inserts them in
// one statement; a code that happens to exist already is drawn again.
func insertLicenses(ctx context.Context, tx bun.Tx, licenses []db.License, prefix string) error {
	pending := make([]*db.License, len(licenses))
	for i := range licenses {
		pending[i] = &licenses[i]
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == 5 {
			return fmt.Errorf("no free Software Key Code after %d attempts", attempt)
		}
		rows := make([]db.License, len(pending))
		for i, l := range pending {
			code, err := newSoftwareKeyCode(prefix)
			if err != nil {
				return err
			}
			l.SoftwareKeyCode = code
			rows[i] = *l
		}
		var got []uuid.UUID
		if err := tx.NewInsert().Model(&rows).
			On("CONFLICT (software_key_code) DO NOTHING").Returning("id").Scan(ctx, &got); err != nil && !isNoRows(err) {
			return fmt.Errorf("insert licenses: %w", err)
		}
		pending = slices.DeleteFunc(pending, func(l *db.License) bool { return slices.Contains(got, l.ID) })
	}
	return nil
}
