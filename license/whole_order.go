package license

// External products (EXT-1..EXT-3, LOC-11): RCC, UM4730, Expense
// Management, MobiCall and MobiBox are attached and activated like any
// system, but their license file comes from an external source. LMS keeps a
// PENDING file per location and sales order until the license desk uploads
// it (upload.go), and attach, activation and detach take a purchase order
// whole (of a redundant MobiCall system, the master and the supervisor each
// take their part of it).

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

// wholeOrders is what EXT-2 checks an attach to an external product
// against: every line of the purchase orders the selection touches, locked
// (lockSelection), with their parts, and the locations outside the system
// that already hold licenses of those orders.
type wholeOrders struct {
	sys   *system
	lines []BinLine
	parts map[string]*catalog.Part
	// elsewhere is, per order, the names of the locations outside the
	// system that hold licenses of it.
	elsewhere map[uuid.UUID][]string
	// otherLocation is whether the system has the other location of a
	// redundant MobiCall system (hasOtherMobiCallLocation): only then may
	// the lines that location takes stay out of this one's selection.
	otherLocation bool
}

// lockSelection locks the selected bin lines (lockLines). For an external
// product it locks every line of the orders they belong to as well, in the
// same id-ordered statement, so that EXT-2 sees whole purchase orders that no
// other request changes meanwhile, and returns them for checkWholeOrders;
// nil otherwise.
func lockSelection(ctx context.Context, tx bun.Tx, sys *system, ids []uuid.UUID) (lines []*BinLine, orders *wholeOrders, err error) {
	if !sys.st.HasFlag(catalog.FlagExternal) {
		lines, err = lockLines(ctx, tx, sys.loc.PartnerID, ids)
		return lines, nil, err
	}
	// A line's order never changes, so the orders can be found before the
	// lock; locking all their lines in one statement ordered by id keeps
	// the global order of line locks (no deadlock with lockLines).
	orders = &wholeOrders{sys: sys, elsewhere: map[uuid.UUID][]string{}}
	err = tx.NewSelect().Model(&orders.lines).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.partner_id = ?", sys.loc.PartnerID).
		Where("ol.order_id IN (SELECT order_id FROM order_lines WHERE id IN (?) AND partner_id = ?)", bun.In(ids), sys.loc.PartnerID).
		OrderExpr("ol.id").For("UPDATE OF ol").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return nil, nil, fmt.Errorf("lock the lines of the selected orders: %w", err)
	}
	var numbers []string
	var orderIDs []uuid.UUID
	for _, l := range orders.lines {
		numbers = append(numbers, l.PartNumber)
		if !slices.Contains(orderIDs, l.OrderID) {
			orderIDs = append(orderIDs, l.OrderID)
		}
	}
	if orders.parts, err = partsByNumber(ctx, tx, numbers); err != nil {
		return nil, nil, err
	}
	if orders.otherLocation, err = sys.hasOtherMobiCallLocation(ctx, tx); err != nil {
		return nil, nil, err
	}
	// Licenses of these orders on another system. Attaching there locks
	// that system, not this one, but it locks these same lines first, so
	// two attaches of one order see each other's licenses.
	var held []struct {
		OrderID  uuid.UUID `bun:"order_id"`
		Location string    `bun:"location"`
	}
	if len(orderIDs) > 0 {
		err = tx.NewSelect().TableExpr("licenses AS lic").ColumnExpr("DISTINCT ol.order_id, l.name AS location").
			Join("JOIN order_lines AS ol ON ol.id = lic.order_line_id").
			Join("JOIN locations AS l ON l.id = lic.location_id").
			Where("ol.order_id IN (?)", bun.In(orderIDs)).
			Where("l.id <> ?", sys.root.ID).Where("l.parent_id IS DISTINCT FROM ?", sys.root.ID).
			OrderExpr("ol.order_id, l.name").Scan(ctx, &held)
		if err != nil && !isNoRows(err) {
			return nil, nil, fmt.Errorf("find the selected orders' licenses on other systems: %w", err)
		}
	}
	for _, h := range held {
		orders.elsewhere[h.OrderID] = append(orders.elsewhere[h.OrderID], h.Location)
	}
	return db.InOrder(ids, orders.lines, func(l *BinLine) uuid.UUID { return l.ID }), orders, nil
}

// checkWholeOrders applies EXT-2 to a selection for an external product: a
// purchase order cannot be split, so every line of each order the selection
// touches that still has quantity in the bin must be selected with all of
// it (quantity omitted or equal to what is available), and an order whose
// licenses are on another system already cannot get licenses here. The one
// split a MobiCall system needs is allowed: of a purchase order for a
// redundant system, the master takes the lines without -M and the
// supervisor the -M lines (LOC-11). A line whose part belongs on the other
// location of the system is not this location's part of the order: it does
// not touch the order, and may be omitted or skipped with quantity 0 when
// that location exists (checkPart refuses it with a quantity); a stand-alone
// master has nowhere to put the -M lines of a mixed order, so it cannot take
// its lines of it. orders is what lockSelection returned; nil (not an
// external product) checks nothing.
func checkWholeOrders(errs *apperr.List, sel []LineSelection, lines []*BinLine, orders *wholeOrders) {
	if orders == nil {
		return
	}
	sys := orders.sys
	selected := map[uuid.UUID]bool{}
	touched := map[uuid.UUID]bool{}
	for i, l := range lines {
		if l == nil {
			continue
		}
		q := sel[i].Quantity
		if sys.belongsOnOtherLocation(orders.parts[l.PartNumber]) {
			selected[l.ID] = q == nil || *q > 0
			continue
		}
		selected[l.ID], touched[l.OrderID] = true, true
		if q != nil && *q < l.Available {
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: take all %d of %s (line %d), not %d",
				l.PurchaseOrder, l.Available, l.PartNumber, l.LineNo, *q).OnField("lines." + strconv.Itoa(i) + ".quantity"))
		}
	}
	// missing are the lines this location must take too; stranded the
	// lines of a stand-alone master's order that only a supervisor takes.
	missing := map[uuid.UUID][]string{}
	stranded := map[uuid.UUID][]string{}
	po := map[uuid.UUID]string{}
	for _, l := range orders.lines {
		if !touched[l.OrderID] {
			continue
		}
		po[l.OrderID] = l.PurchaseOrder
		if selected[l.ID] || l.Available == 0 {
			continue
		}
		desc := fmt.Sprintf("line %d (%s × %d)", l.LineNo, l.PartNumber, l.Available)
		switch {
		case !sys.belongsOnOtherLocation(orders.parts[l.PartNumber]):
			missing[l.OrderID] = append(missing[l.OrderID], desc)
		case !orders.otherLocation:
			stranded[l.OrderID] = append(stranded[l.OrderID], desc)
		}
	}
	byPO := func(a, b uuid.UUID) int { return cmp.Or(cmp.Compare(po[a], po[b]), compareUUID(a, b)) }
	for _, id := range slices.SortedFunc(maps.Keys(po), byPO) {
		if m := missing[id]; len(m) > 0 {
			slices.Sort(m)
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: select also %s",
				po[id], strings.Join(m, ", ")).OnField("lines"))
		}
		if m := stranded[id]; len(m) > 0 {
			slices.Sort(m)
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: a MobiCall Supervisor location takes %s of it, and %s has none; create one as its redundant child location first, then attach the -M lines there and the others here",
				po[id], strings.Join(m, ", "), sys.loc.Name).OnField("lines"))
		}
	}
	for _, id := range slices.SortedFunc(maps.Keys(orders.elsewhere), byPO) {
		if touched[id] {
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: its licenses are on %s already; attach the rest of it there, or detach them all first",
				po[id], strings.Join(orders.elsewhere[id], ", ")).OnField("lines"))
		}
	}
}

// belongsOnOtherLocation reports whether a part goes to the other location
// of this MobiCall system: an -M part on the master, a master part on the
// supervisor (wrongMobiCallLocation answers for it here). Whether that
// location exists is hasOtherMobiCallLocation's question.
func (s *system) belongsOnOtherLocation(p *catalog.Part) bool {
	return p != nil && !p.AllowedOn(s.st.Code) && s.wrongMobiCallLocation(p) != nil
}

// mobiCallSupervisor reports whether the location is a redundant child of
// another type than its root: a MobiCall Supervisor under its master
// (LOC-11), not the redundant secondary of a BX9000/OVOC pair.
func (s *system) mobiCallSupervisor() bool {
	return s.loc.ChildKind != nil && *s.loc.ChildKind == db.ChildRedundant && s.root.SystemType != s.loc.SystemType
}

// hasOtherMobiCallLocation reports whether the location has the other
// location of a redundant MobiCall system (LOC-11): a supervisor always has
// its master, the root; a master has one when a live redundant child of its
// type's secondary type hangs off it (location.RedundantSecondary looks for
// a secondary of the primary's own type only). The root's lock (lockSystem)
// keeps the answer until the transaction ends: creating a child locks its
// parent, deleting one locks its system's root.
func (s *system) hasOtherMobiCallLocation(ctx context.Context, tx bun.Tx) (bool, error) {
	if s.mobiCallSupervisor() {
		return true, nil
	}
	sec, ok := s.st.Secondary()
	if !ok || sec == s.st.Code || s.loc.ID != s.root.ID {
		return false, nil
	}
	exists, err := tx.NewSelect().Model((*db.Location)(nil)).Where("parent_id = ?", s.root.ID).
		Where("child_kind = ?", db.ChildRedundant).Where("system_type = ?", sec).Where("deleted_at IS NULL").Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("find the %s location of %s: %w", sec, s.root.ID, err)
	}
	return exists, nil
}

// ordersOnLocation returns the other licenses, on the system's location, of
// the orders the selected licenses belong to, by purchase order, line and
// Software Key Code; the location's lock (lockSystem) keeps them as they
// are until the transaction ends.
func ordersOnLocation(ctx context.Context, tx bun.Tx, sys *system, licenses []*db.License) ([]db.License, error) {
	var orders, selected []uuid.UUID
	for _, l := range licenses {
		selected = append(selected, l.ID)
		if !slices.Contains(orders, l.OrderID) {
			orders = append(orders, l.OrderID)
		}
	}
	var rest []db.License
	err := licenseQuery(tx, &rest).Where("lic.location_id = ?", sys.loc.ID).
		Where("o.id IN (?)", bun.In(orders)).Where("lic.id NOT IN (?)", bun.In(selected)).
		OrderExpr("o.purchase_order, o.id, ol.line_no, lic.software_key_code").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find the other licenses of the selected orders: %w", err)
	}
	return rest, nil
}

// byOrder calls f with each order's licenses in turn; licenses are sorted
// by order (ordersOnLocation).
func byOrder(licenses []db.License, f func(order []db.License)) {
	for i := 0; i < len(licenses); {
		j := i + 1
		for j < len(licenses) && licenses[j].OrderID == licenses[i].OrderID {
			j++
		}
		f(licenses[i:j])
		i = j
	}
}

// describe lists licenses as "<SKC> (<part> × <quantity>)" for messages.
func describe(licenses []db.License) string {
	out := make([]string, len(licenses))
	for i, l := range licenses {
		out[i] = fmt.Sprintf("%s (%s × %d)", l.SoftwareKeyCode, l.PartNumber, l.Quantity)
	}
	return strings.Join(out, ", ")
}

// checkWholeOrderActivation applies EXT-2 to an activation on an external
// product: a location's part of a purchase order is activated in one step.
// The rest of a partly activated order could not go anywhere else: the
// order is bound to one system (checkWholeOrders) and, once any of it is
// activated, to the location (checkWholeOrderDetach). What a part
// activation would still do is split the order's file: the license desk
// could upload the sales order's file for part of the order and have to
// make another for the rest when that is activated, and meanwhile the rest
// would sit attached to the location, no longer detachable. So an
// activation must take every attached license, on the
// location, of each order it touches; PO_CANNOT_BE_SPLIT on licenseIds
// otherwise. licenses are the selected ones, locked and attached. Other
// system types check nothing.
func checkWholeOrderActivation(ctx context.Context, tx bun.Tx, sys *system, licenses []*db.License) error {
	return forRestOfOrders(ctx, tx, sys, licenses, func(errs *apperr.List, order []db.License) {
		if attached := withStatus(order, db.LicenseAttached); len(attached) > 0 {
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: activate all its licenses on %s together, also %s",
				order[0].PurchaseOrder, sys.loc.Name, describe(attached)).OnField("licenseIds"))
		}
	})
}

// checkWholeOrderDetach applies EXT-2 to a detach from an external product:
// a purchase order that was attached whole must leave whole, or detaching
// part of it and attaching that part elsewhere would split it. So a detach
// must take every attached license, on the location, of each order it
// touches, and once any license of an order is activated on the location
// (activation binds it there for good) none of the order's licenses leave
// it; PO_CANNOT_BE_SPLIT on licenseIds otherwise. licenses are the
// selected ones, locked and attached. Other system types check nothing.
func checkWholeOrderDetach(ctx context.Context, tx bun.Tx, sys *system, licenses []*db.License) error {
	return forRestOfOrders(ctx, tx, sys, licenses, func(errs *apperr.List, order []db.License) {
		if activated := withStatus(order, db.LicenseActivated); len(activated) > 0 {
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: %s of it is activated on %s, which binds the purchase order to %s for good; its other licenses cannot be detached",
				order[0].PurchaseOrder, describe(activated), sys.loc.Name, sys.loc.Name).OnField("licenseIds"))
			return
		}
		errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: detach all its licenses from %s together, also %s",
			order[0].PurchaseOrder, sys.loc.Name, describe(order)).OnField("licenseIds"))
	})
}

// forRestOfOrders calls check, on an external product's location, with the
// licenses there of each order the selection touches that the selection
// leaves out (by order), and returns what check reported. Other system types
// check nothing.
func forRestOfOrders(ctx context.Context, tx bun.Tx, sys *system, licenses []*db.License, check func(errs *apperr.List, order []db.License)) error {
	if !sys.st.HasFlag(catalog.FlagExternal) || len(licenses) == 0 {
		return nil
	}
	rest, err := ordersOnLocation(ctx, tx, sys, licenses)
	if err != nil {
		return err
	}
	var errs apperr.List
	byOrder(rest, func(order []db.License) { check(&errs, order) })
	return errs.Err()
}

// withStatus returns the licenses of ls in status.
func withStatus(ls []db.License, status db.LicenseStatus) []db.License {
	return slices.DeleteFunc(slices.Clone(ls), func(l db.License) bool { return l.Status != status })
}

// wrongMobiCallLocation explains a part refused on a location when it
// belongs on the other location of the same MobiCall system (LOC-11): an -M
// part on the master goes to its supervisor (the master type's redundant
// secondary takes it), a master part on the supervisor (a redundant child
// of another type) goes to the master. Anywhere else a refused part, -M or
// not (a MobiBox takes master parts only), is simply not allowed: it returns
// nil and checkPart answers PART_NOT_ALLOWED.
func (s *system) wrongMobiCallLocation(p *catalog.Part) *apperr.Error {
	switch {
	case p.HasFlag(catalog.FlagMobicallSupervisor):
		if sec, ok := s.st.Secondary(); ok && p.AllowedOn(sec) {
			return apperr.New(apperr.WrongLocationForPart, "%s (%s) is a MobiCall Supervisor license: parts ending -M go to the MobiCall Supervisor location, the redundant child of %s; the master takes the parts without -M",
				p.Name, p.Number, s.loc.Name)
		}
	case s.mobiCallSupervisor() && p.AllowedOn(s.root.SystemType):
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
