package license

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/catalog"
	"lms/db"
)

// Snapshot returns a location's attached and activated licenses as a
// history snapshot keeps them (HWR-1, MIG-2): each with its part's name and
// the purchase and sales order it has now, by part number, in one statement
// (the part names come from the catalog). The caller has checked the
// location is the actor's and holds its system lock.
func Snapshot(ctx context.Context, idb bun.IDB, locationID uuid.UUID) ([]db.HistoryLicense, error) {
	var lics []db.License
	if err := licenseQuery(idb, &lics).Where("lic.location_id = ?", locationID).
		Where("lic.status IN (?)", bun.In([]db.LicenseStatus{db.LicenseAttached, db.LicenseActivated})).
		OrderExpr("lic.part_number, lic.attached_at, lic.id").Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("snapshot the licenses of location %s: %w", locationID, err)
	}
	numbers := make([]string, len(lics))
	for i, l := range lics {
		numbers[i] = l.PartNumber
	}
	parts, err := catalog.PartsByNumber(ctx, idb, numbers)
	if err != nil {
		return nil, err
	}
	out := make([]db.HistoryLicense, len(lics))
	for i, l := range lics {
		out[i] = db.HistoryLicense{
			PartNumber: l.PartNumber, Quantity: l.Quantity, Status: l.Status, SoftwareKeyCode: l.SoftwareKeyCode,
			PurchaseOrder: l.PurchaseOrder, SalesOrder: l.SalesOrder, AttachedAt: l.AttachedAt, ActivatedAt: l.ActivatedAt,
		}
		if p := parts[l.PartNumber]; p != nil {
			out[i].PartName = p.Name
		}
	}
	return out, nil
}
