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
	"lms/inventory"
	"lms/location"
)

// DetachInput selects attached licenses of one location to detach (LIC-4).
type DetachInput struct {
	LocationID uuid.UUID
	LicenseIDs []uuid.UUID
}

// Validate checks the input on its own.
func (in *DetachInput) Validate() error { return validateSelection(in.LicenseIDs) }

// validateSelection checks a selection of licenses: 1 to inventory.MaxSelection, each
// once.
func validateSelection(ids []uuid.UUID) error {
	if len(ids) == 0 || len(ids) > inventory.MaxSelection {
		return apperr.Invalid("licenseIds", "select 1 to %d licenses", inventory.MaxSelection)
	}
	seen := map[uuid.UUID]bool{}
	for i, id := range ids {
		if seen[id] {
			return apperr.Invalid("licenseIds."+strconv.Itoa(i), "a license is selected twice")
		}
		seen[id] = true
	}
	return nil
}

// Detach returns attached, not yet activated licenses of a location to the
// bin lines they came from (LIC-4), and removes free-of-charge ones (SWA-12); from an external product, a purchase
// order's licenses leave together, and not at all once one of them is
// activated there (EXT-2). Errors: UNAUTHENTICATED, VALIDATION_FAILED,
// NOT_FOUND (location, or a license not attached to it), ALREADY_ACTIVATED,
// PO_CANNOT_BE_SPLIT.
func (s *Service) Detach(ctx context.Context, in DetachInput) ([]db.License, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out []db.License
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
		if err != nil {
			return err
		}
		licenses, err := lockLicenses(ctx, tx, sys.Location.ID, in.LicenseIDs)
		if err != nil {
			return err
		}
		if err := requireAttached(licenses, "license %s is activated; activated licenses cannot be detached or returned"); err != nil {
			return err
		}
		if err := checkWholeOrderDetach(ctx, tx, sys, licenses); err != nil {
			return err
		}
		if err := restoreToBin(ctx, tx, sys.Location.PartnerID, licenses); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*db.License)(nil)).Where("id IN (?)", bun.In(in.LicenseIDs)).Exec(ctx); err != nil {
			return fmt.Errorf("delete detached licenses: %w", err)
		}
		objects := []string{audit.Ref("Location", sys.Location.ID)}
		summary := map[string]any{"location": sys.Location.Name}
		for _, l := range licenses {
			out = append(out, *l)
			objects = append(objects, audit.Ref("License", l.ID))
			if l.FromBin() {
				summary[l.SoftwareKeyCode] = fmt.Sprintf("%s × %d back to PO %s", l.PartNumber, l.Quantity, l.PurchaseOrder)
			} else {
				summary[l.SoftwareKeyCode] = fmt.Sprintf("%s × %d (%s, free of charge) removed", l.PartNumber, l.Quantity, l.PurchaseOrder)
			}
		}
		return audit.Record(ctx, tx, audit.Event{Action: "license.detach", PartnerIDs: []uuid.UUID{sys.Location.PartnerID}, Objects: objects, Summary: summary})
	})
	if err != nil {
		return nil, fmt.Errorf("detach licenses from location %s: %w", in.LocationID, err)
	}
	return out, nil
}

// restoreToBin gives the quantities of detached licenses back to the bin
// lines they came from; a free-of-charge license (SWA-12) came from none and
// simply goes.
func restoreToBin(ctx context.Context, tx bun.Tx, partnerID uuid.UUID, licenses []*db.License) error {
	var back []inventory.LineQuantity
	for _, l := range licenses {
		if l.FromBin() {
			back = append(back, inventory.LineQuantity{LineID: l.OrderLineID, Quantity: l.Quantity})
		}
	}
	if len(back) == 0 {
		return nil
	}
	// Lines in id order, like attach, so the two never deadlock.
	slices.SortFunc(back, func(a, b inventory.LineQuantity) int { return compareUUID(a.LineID, b.LineID) })
	lineIDs := make([]uuid.UUID, len(back))
	for i, b := range back {
		lineIDs[i] = b.LineID
	}
	if _, err := inventory.Lock(ctx, tx, partnerID, lineIDs); err != nil {
		return err
	}
	return inventory.Restore(ctx, tx, back)
}

// requireAttached checks that every selected license (nil: not on the
// location) is there and still attached; whenActivated is the message, with
// the Software Key Code, for one that is activated.
func requireAttached(licenses []*db.License, whenActivated string) error {
	var errs apperr.List
	for i, l := range licenses {
		field := "licenseIds." + strconv.Itoa(i)
		switch {
		case l == nil:
			errs.Add(apperr.NotFoundf("license").OnField(field))
		case l.Status == db.LicenseActivated:
			errs.Add(apperr.New(apperr.AlreadyActivated, whenActivated, l.SoftwareKeyCode).OnField(field))
		}
	}
	return errs.Err()
}

func compareUUID(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) }

// lockLicenses locks the licenses with the given ids on a location and
// returns them in the order of ids, nil where one is not on the location.
func lockLicenses(ctx context.Context, tx bun.Tx, locationID uuid.UUID, ids []uuid.UUID) ([]*db.License, error) {
	var rows []db.License
	err := licenseQuery(tx, &rows).Where("lic.id IN (?)", bun.In(ids)).Where("lic.location_id = ?", locationID).
		OrderExpr("lic.id").For("UPDATE OF lic").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("lock licenses: %w", err)
	}
	return db.InOrder(ids, rows, func(l *db.License) uuid.UUID { return l.ID }), nil
}

// licenseQuery selects licenses with their purchase and sales order: their
// migration's (MIG-1), their bin line's order's, or their own when they
// have no bin line (SWA-12), and the "NEC" numbers a migration replaced;
// every read of a license's numbers goes through it (or db.LicenseOrderJoin).
func licenseQuery(idb bun.IDB, dst any) *bun.SelectQuery {
	// ?TableColumns are the table's columns without the scan-only numbers,
	// which the license's own purchase_order and sales_order would shadow.
	return idb.NewSelect().Model(dst).
		ColumnExpr("?TableColumns").
		ColumnExpr(db.LicensePurchaseOrder + " AS purchase_order").
		ColumnExpr(db.LicenseSalesOrder + " AS sales_order").
		ColumnExpr(db.LicenseNecPurchaseOrder + " AS nec_purchase_order").
		ColumnExpr(db.LicenseNecSalesOrder + " AS nec_sales_order").
		ColumnExpr("o.id AS order_id").
		Join(db.LicenseOrderJoin)
}
