package license

// Free-of-charge licenses (SWA-12): attached without a bin line, with an
// order of their own. When a location may have one is Software Assurance's
// rule (package swa, which calls here); what a license row is and the part
// rules every attach obeys are this package's.

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/location"
)

// FreeOfChargeInput is one free-of-charge license for a locked system's
// location: a part and the purchase and sales order it carries.
type FreeOfChargeInput struct {
	Part *catalog.Part
	// Order is its purchase and sales order (SWA-12: FOC-<yyyymmdd>).
	Order string
	// At is when it is attached.
	At time.Time
}

// AttachFreeOfCharge attaches one license of a part to the location of a
// system locked by location.LockSystem, taken from no bin line, with
// in.Order as its purchase and sales order and a new Software Key Code
// (SWA-12), after the part rules of Attach (CheckPart, CheckLimits). A
// location holds one license of a part this way: not when it holds the
// part already, from the bin or free of charge. Package swa calls it inside
// its transaction, once it has decided that the location may have the
// license, and records the event. Errors: PART_NOT_ALLOWED,
// WRONG_LOCATION_FOR_PART, LIMIT_EXCEEDED, ALREADY_EXISTS (on partNumber).
func AttachFreeOfCharge(ctx context.Context, tx bun.Tx, a *actor.Actor, sys *location.System, in FreeOfChargeInput) (*db.License, error) {
	p := in.Part
	if e := CheckPart(sys, p); e != nil {
		return nil, e.OnField("partNumber")
	}
	u, err := usageOf(ctx, tx, sys)
	if err != nil {
		return nil, err
	}
	if n := u.LocationParts[p.Number]; n > 0 {
		return nil, apperr.New(apperr.AlreadyExists, "%s already holds %s (%s), attached or activated: a location takes one free-of-charge %s, and not beside one it has",
			sys.Location.Name, p.Name, p.Number, p.Name).OnField("partNumber")
	}
	if e := CheckLimits(sys, u, map[string]int{p.Number: 1}, map[string]*catalog.Part{p.Number: p}); e != nil {
		return nil, e.OnField("partNumber")
	}
	l := &db.License{
		ID: uuid.New(), PartnerID: sys.Location.PartnerID, LocationID: sys.Location.ID, PartNumber: p.Number, Quantity: 1,
		Status: db.LicenseAttached, AttachedAt: in.At, AttachedBy: &a.User.ID, PurchaseOrder: in.Order, SalesOrder: in.Order,
	}
	if err := insertWithOwnOrder(ctx, tx, l, sys.Type.HwkcPrefix); err != nil {
		return nil, err
	}
	return l, nil
}

// LicensesOfParts returns the licenses, attached or activated, of the given
// parts on the given locations, with their purchase and sales orders, in
// one statement: package swa shows with each free-of-charge part whether a
// location holds it (SWA-12). The caller has checked the locations are the
// actor's.
func LicensesOfParts(ctx context.Context, idb bun.IDB, locationIDs []uuid.UUID, parts []string) ([]db.License, error) {
	var rows []db.License
	if len(locationIDs) == 0 || len(parts) == 0 {
		return rows, nil
	}
	if err := licenseQuery(idb, &rows).Where("lic.location_id IN (?)", bun.In(locationIDs)).
		Where("lic.part_number IN (?)", bun.In(parts)).OrderExpr("lic.attached_at, lic.id").Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find licenses of parts %v: %w", parts, err)
	}
	return rows, nil
}
