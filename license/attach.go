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
	"lms/db"
	"lms/idempotency"
	"lms/inventory"
	"lms/location"
)

// AttachInput selects bin lines, with a quantity each, for one location
// (LIC-3).
type AttachInput struct {
	LocationID uuid.UUID
	Lines      []inventory.LineSelection
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *AttachInput) Validate() error {
	var errs apperr.List
	inventory.ValidateLines(&errs, in.Lines)
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
	out, err := idempotency.Mutation(ctx, s.DB, "attachLicenses", &in, in.IdempotencyKey, nil, func(ctx context.Context, tx bun.Tx, a *actor.Actor) ([]db.License, error) {
		return s.attach(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("attach licenses to location %s: %w", in.LocationID, err)
	}
	return out, nil
}

func (s *Service) attach(ctx context.Context, tx bun.Tx, a *actor.Actor, in AttachInput) ([]db.License, error) {
	sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
	if err != nil {
		return nil, err
	}
	lines, orders, err := lockSelection(ctx, tx, sys, inventory.LineIDs(in.Lines))
	if err != nil {
		return nil, err
	}
	parts, err := inventory.PartsOf(ctx, tx, lines)
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
		if e := CheckPart(sys, parts[l.PartNumber]); e != nil {
			errs.Add(e.OnField(field + ".lineId"))
			continue
		}
		q, e := inventory.SelectedQuantity(sel, l, parts[l.PartNumber])
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
	u, err := usageOf(ctx, tx, sys)
	if err != nil {
		return nil, err
	}
	if e := CheckLimits(sys, u, adding, parts); e != nil {
		return nil, e.OnField("lines")
	}

	now := s.now()
	var licenses []db.License
	var taken []inventory.LineQuantity
	for i, l := range lines {
		if take[i] == 0 {
			continue
		}
		taken = append(taken, inventory.LineQuantity{LineID: l.ID, Quantity: take[i]})
		licenses = append(licenses, db.License{
			ID: uuid.New(), PartnerID: sys.Location.PartnerID, LocationID: sys.Location.ID, OrderLineID: l.ID,
			PartNumber: l.PartNumber, Quantity: take[i], Status: db.LicenseAttached, AttachedAt: now, AttachedBy: &a.User.ID,
			PurchaseOrder: l.PurchaseOrder, SalesOrder: l.SalesOrder, OrderID: l.OrderID,
		})
	}
	if err := insertLicenses(ctx, tx, licenses, sys.Type.HwkcPrefix, taken); err != nil {
		return nil, err
	}
	objects := []string{audit.Ref("Location", sys.Location.ID)}
	summary := map[string]any{"location": sys.Location.Name, "hardwareKeyCode": sys.Location.HardwareKeyCode}
	for _, lic := range licenses {
		objects = append(objects, audit.Ref("License", lic.ID))
		summary[lic.SoftwareKeyCode] = fmt.Sprintf("%s × %d (PO %s)", lic.PartNumber, lic.Quantity, lic.PurchaseOrder)
	}
	if err := audit.Record(ctx, tx, audit.Event{Action: "license.attach", PartnerIDs: []uuid.UUID{sys.Location.PartnerID}, Objects: objects, Summary: summary}); err != nil {
		return nil, err
	}
	return licenses, nil
}

// insertLicensesSQL takes quantities from bin lines (inventory.TakeSQL,
// parameters $1 and $2) and inserts attached licenses given as arrays ($3…
// $11): the same text whatever their number. Those whose Software Key Code
// exists already are skipped, and the ids of the others returned.
const insertLicensesSQL = `WITH taken AS (` + inventory.TakeSQL + `)
	INSERT INTO licenses (id, software_key_code, partner_id, location_id, order_line_id, part_number, quantity, status, attached_at, attached_by)
	SELECT id, code, partner_id, location_id, line_id, part, quantity, 'ATTACHED', $10::timestamptz, $11::uuid
	FROM unnest($3::uuid[], $4::text[], $5::uuid[], $6::uuid[], $7::uuid[], $8::text[], $9::int[])
		AS l (id, code, partner_id, location_id, line_id, part, quantity)
	ON CONFLICT (software_key_code) DO NOTHING RETURNING id`

// insertLicenses gives each attached license a Software Key Code and
// inserts them in one statement, which also takes them from their bin
// lines; a code that happens to exist already is drawn again.
func insertLicenses(ctx context.Context, tx bun.Tx, licenses []db.License, prefix string, taken []inventory.LineQuantity) error {
	pending := make([]*db.License, len(licenses))
	for i := range licenses {
		pending[i] = &licenses[i]
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == 5 {
			return fmt.Errorf("no free Software Key Code after %d attempts", attempt)
		}
		n := len(pending)
		ids, codes, partners, locations, lines := make([]uuid.UUID, n), make([]string, n), make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
		parts, quantities := make([]string, n), make([]int32, n)
		for i, l := range pending {
			code, err := newSoftwareKeyCode(prefix)
			if err != nil {
				return err
			}
			l.SoftwareKeyCode = code
			ids[i], codes[i], partners[i], locations[i], lines[i] = l.ID, code, l.PartnerID, l.LocationID, l.OrderLineID
			parts[i], quantities[i] = l.PartNumber, int32(l.Quantity)
		}
		first := pending[0]
		args := append(inventory.TakeArgs(taken),
			ids, codes, partners, locations, lines, parts, quantities, first.AttachedAt, first.AttachedBy)
		taken = nil // taken by the first attempt; a retry only inserts
		var got []uuid.UUID
		if err := db.Scan(ctx, tx, insertLicensesSQL, args, &got); err != nil && !isNoRows(err) {
			return fmt.Errorf("insert licenses: %w", err)
		}
		pending = slices.DeleteFunc(pending, func(l *db.License) bool { return slices.Contains(got, l.ID) })
	}
	return nil
}

// insertWithOwnOrderSQL inserts a license without a bin line, with its own
// purchase and sales order; nothing when its Software Key Code exists
// already.
const insertWithOwnOrderSQL = `INSERT INTO licenses (id, software_key_code, partner_id, location_id, part_number, quantity,
		status, attached_at, attached_by, purchase_order, sales_order)
	VALUES ($1, $2, $3, $4, $5, $6, 'ATTACHED', $7, $8, $9, $10)
	ON CONFLICT (software_key_code) DO NOTHING RETURNING id`

// insertWithOwnOrder gives l, a license without a bin line that carries its
// own purchase and sales order — a free-of-charge license (SWA-12) or an
// imported DECT license (DECT-3) — a Software Key Code and inserts it; a
// code that happens to exist already is drawn again, as insertLicenses
// does. A location holds one such license of a part
// (licenses_own_order_part_key).
func insertWithOwnOrder(ctx context.Context, tx bun.Tx, l *db.License, prefix string) error {
	for attempt := 0; attempt < 5; attempt++ {
		code, err := newSoftwareKeyCode(prefix)
		if err != nil {
			return err
		}
		l.SoftwareKeyCode = code
		var got []uuid.UUID
		args := []any{l.ID, code, l.PartnerID, l.LocationID, l.PartNumber, l.Quantity, l.AttachedAt, l.AttachedBy, l.PurchaseOrder, l.SalesOrder}
		if err := db.Scan(ctx, tx, insertWithOwnOrderSQL, args, &got); err != nil && !isNoRows(err) {
			return fmt.Errorf("insert license with its own order: %w", err)
		}
		if len(got) == 1 {
			return nil
		}
	}
	return fmt.Errorf("no free Software Key Code after 5 attempts")
}
