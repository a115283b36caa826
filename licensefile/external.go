package licensefile

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/db"
)

// AwaitExternalFiles records, for each sales order of licenses being
// activated on an external product's location, locked by the caller, the
// PENDING file the license desk will upload (EXT-1) — or finds the one
// already waiting for that location and sales order — and returns them in
// the order of salesOrders; the licenses of each carry its version. No job
// is enqueued: LMS does not build these files.
func AwaitExternalFiles(ctx context.Context, tx bun.Tx, a *actor.Actor, loc *db.Location, salesOrders []string) ([]*db.LicenseFile, error) {
	files := make([]*db.LicenseFile, len(salesOrders))
	for i, so := range salesOrders {
		f, err := pendingExternalFile(ctx, tx, loc.ID, so)
		if err != nil {
			return nil, err
		}
		if f == nil {
			v, err := nextVersion(ctx, tx, loc.ID)
			if err != nil {
				return nil, err
			}
			f = &db.LicenseFile{
				ID: uuid.New(), LocationID: loc.ID, PartnerID: loc.PartnerID, Version: v, Reason: db.FileFromExternalSource,
				Status: db.LicenseFilePending, RequestedBy: &a.User.ID, SalesOrder: &so,
			}
			if _, err := tx.NewInsert().Model(f).Column("id", "location_id", "partner_id", "version", "reason", "status", "requested_by", "sales_order").
				Returning("requested_at").Exec(ctx); err != nil {
				return nil, fmt.Errorf("record the pending file of sales order %s: %w", so, err)
			}
		}
		files[i] = f
	}
	return files, nil
}

// pendingExternalFile locks the file of a location waiting for its upload
// for a sales order; nil when none waits.
func pendingExternalFile(ctx context.Context, tx bun.Tx, locationID uuid.UUID, salesOrder string) (*db.LicenseFile, error) {
	f := new(db.LicenseFile)
	err := tx.NewSelect().Model(f).Column(db.LicenseFileColumns...).
		Where("location_id = ?", locationID).Where("sales_order = ?", salesOrder).
		Where("reason = ?", db.FileFromExternalSource).Where("status = ?", db.LicenseFilePending).
		For("UPDATE").Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the pending file of sales order %s: %w", salesOrder, err)
	}
	return f, nil
}

// notAvailableYet is what a download of an external file that the license
// desk has not uploaded yet answers (EXT-3).
func notAvailableYet(f *db.LicenseFile) *apperr.Error {
	return apperr.New(apperr.NotApplicable, "the license file for Sales Order %s is not available yet; you will receive an email when it is", deref(f.SalesOrder))
}
