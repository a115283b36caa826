package license

// External products (EXT-1..EXT-3, LOC-11): RCC, UM4730, Expense
// Management, MobiCall and MobiBox are attached and activated like any
// system, but their license file comes from an external source. LMS keeps a
// PENDING file per location and sales order until the license desk uploads
// it (upload.go), and attach and detach take a purchase order whole.

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/catalog"
	"lms/db"
)

// lockSelection locks the selected bin lines (lockLines). For an external
// product it locks every line of the orders they belong to as well, in the
// same id-ordered statement, so that EXT-2 sees whole purchase orders that no
// other request changes meanwhile; orders is then every line of those
// orders, and nil otherwise.
func lockSelection(ctx context.Context, tx bun.Tx, sys *system, ids []uuid.UUID) (lines []*BinLine, orders []BinLine, err error) {
	if !sys.st.HasFlag(catalog.FlagExternal) {
		lines, err = lockLines(ctx, tx, sys.loc.PartnerID, ids)
		return lines, nil, err
	}
	// A line's order never changes, so the orders can be found before the
	// lock; locking all their lines in one statement ordered by id keeps
	// the global order of line locks (no deadlock with lockLines).
	err = tx.NewSelect().Model(&orders).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.partner_id = ?", sys.loc.PartnerID).
		Where("ol.order_id IN (SELECT order_id FROM order_lines WHERE id IN (?) AND partner_id = ?)", bun.In(ids), sys.loc.PartnerID).
		OrderExpr("ol.id").For("UPDATE OF ol").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return nil, nil, fmt.Errorf("lock the lines of the selected orders: %w", err)
	}
	return db.InOrder(ids, orders, func(l *BinLine) uuid.UUID { return l.ID }), orders, nil
}

// checkWholeOrders applies EXT-2 to a selection for an external product: a
// purchase order cannot be split, so every line of each order the selection
// touches that still has quantity in the bin must be selected with all of
// it (quantity omitted or equal to what is available). orders is what
// lockSelection returned; nil (not an external product) checks nothing.
func checkWholeOrders(errs *apperr.List, sel []LineSelection, lines []*BinLine, orders []BinLine) {
	if orders == nil {
		return
	}
	selected := map[uuid.UUID]bool{}
	touched := map[uuid.UUID]bool{}
	for i, l := range lines {
		if l == nil {
			continue
		}
		selected[l.ID], touched[l.OrderID] = true, true
		if q := sel[i].Quantity; q != nil && *q < l.Available {
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: take all %d of %s (line %d), not %d",
				l.PurchaseOrder, l.Available, l.PartNumber, l.LineNo, *q).OnField("lines." + strconv.Itoa(i) + ".quantity"))
		}
	}
	missing := map[uuid.UUID][]string{}
	po := map[uuid.UUID]string{}
	for _, l := range orders {
		if touched[l.OrderID] && !selected[l.ID] && l.Available > 0 {
			missing[l.OrderID] = append(missing[l.OrderID], fmt.Sprintf("line %d (%s × %d)", l.LineNo, l.PartNumber, l.Available))
			po[l.OrderID] = l.PurchaseOrder
		}
	}
	for _, id := range slices.SortedFunc(maps.Keys(missing), func(a, b uuid.UUID) int { return cmp.Compare(po[a], po[b]) }) {
		slices.Sort(missing[id])
		errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: select also %s",
			po[id], strings.Join(missing[id], ", ")).OnField("lines"))
	}
}

// checkWholeOrderDetach applies EXT-2 to a detach from an external product:
// a purchase order that was attached whole must leave whole, or detaching
// part of it and attaching that part elsewhere would split it. So a detach
// must take every attached license, on the location, of each order it
// touches; PO_CANNOT_BE_SPLIT on licenseIds otherwise. licenses are the
// selected ones, locked and attached; the location's lock (lockSystem)
// keeps the others as they are until the transaction ends. Other system
// types check nothing.
func checkWholeOrderDetach(ctx context.Context, tx bun.Tx, sys *system, licenses []*db.License) error {
	if !sys.st.HasFlag(catalog.FlagExternal) || len(licenses) == 0 {
		return nil
	}
	var orders, selected []uuid.UUID
	for _, l := range licenses {
		selected = append(selected, l.ID)
		if !slices.Contains(orders, l.OrderID) {
			orders = append(orders, l.OrderID)
		}
	}
	var rest []db.License
	err := licenseQuery(tx, &rest).Where("lic.location_id = ?", sys.loc.ID).Where("lic.status = ?", db.LicenseAttached).
		Where("o.id IN (?)", bun.In(orders)).Where("lic.id NOT IN (?)", bun.In(selected)).
		OrderExpr("o.purchase_order, o.id, ol.line_no, lic.software_key_code").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("find the other licenses of the selected orders: %w", err)
	}
	var errs apperr.List
	for i := 0; i < len(rest); {
		j := i
		var missing []string
		for ; j < len(rest) && rest[j].OrderID == rest[i].OrderID; j++ {
			missing = append(missing, fmt.Sprintf("%s (%s × %d)", rest[j].SoftwareKeyCode, rest[j].PartNumber, rest[j].Quantity))
		}
		errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: detach all its licenses from %s together, also %s",
			rest[i].PurchaseOrder, sys.loc.Name, strings.Join(missing, ", ")).OnField("licenseIds"))
		i = j
	}
	return errs.Err()
}

// wrongMobiCallLocation explains a part refused on a location when it
// belongs on the other location of the same MobiCall system (LOC-11): an -M
// part on the master goes to its supervisor (the master type's redundant
// secondary takes it), a master part on the supervisor (a redundant child
// of another type) goes to the master. Anywhere else a refused part, -M or
// not (a MobiBox takes master parts only), is simply not allowed: it returns
// nil and checkPart answers PART_NOT_ALLOWED.
func (s *system) wrongMobiCallLocation(p *catalog.Part) *apperr.Error {
	supervisorChild := s.loc.ChildKind != nil && *s.loc.ChildKind == db.ChildRedundant && s.root.SystemType != s.loc.SystemType
	switch {
	case p.HasFlag(catalog.FlagMobicallSupervisor):
		if sec, ok := s.st.Secondary(); ok && p.AllowedOn(sec) {
			return apperr.New(apperr.WrongLocationForPart, "%s (%s) is a MobiCall Supervisor license: parts ending -M go to the MobiCall Supervisor location, the redundant child of %s; the master takes the parts without -M",
				p.Name, p.Number, s.loc.Name)
		}
	case supervisorChild && p.AllowedOn(s.root.SystemType):
		return apperr.New(apperr.WrongLocationForPart, "%s is the %s of %s and takes parts ending -M only: %s (%s) goes to the master location %s",
			s.loc.Name, s.st.Name, s.root.Name, p.Name, p.Number, s.root.Name)
	}
	return nil
}

// awaitExternalFiles records, for each sales order among licenses being
// activated on an external product, the PENDING file the license desk will
// upload (EXT-1) — or finds the one already waiting for that location and
// sales order — and gives each license its sales order's file version. It
// returns the first file, by sales order. No job is enqueued: LMS does not
// build these files.
func (s *Service) awaitExternalFiles(ctx context.Context, tx bun.Tx, a *actor.Actor, loc *db.Location, licenses []*db.License) (*db.LicenseFile, error) {
	bySO := map[string][]*db.License{}
	for _, l := range licenses {
		bySO[l.SalesOrder] = append(bySO[l.SalesOrder], l)
	}
	var first *db.LicenseFile
	for _, so := range slices.Sorted(maps.Keys(bySO)) {
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
		ids := make([]uuid.UUID, len(bySO[so]))
		for i, l := range bySO[so] {
			ids[i], l.FileVersion = l.ID, &f.Version
		}
		if _, err := tx.NewUpdate().Model((*db.License)(nil)).Set("file_version = ?", f.Version).Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
			return nil, fmt.Errorf("link licenses to the file of sales order %s: %w", so, err)
		}
		if first == nil {
			first = f
		}
	}
	return first, nil
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
