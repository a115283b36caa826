package license

// Whole purchase orders (EXT-2, LOC-11): RCC, UM4730, Expense Management,
// MobiCall and MobiBox are attached and activated like any system, but
// attach, activation and detach take a purchase order whole (of a redundant
// MobiCall system, the master and the supervisor each take their part of
// it). Their license file comes from an external source (licensefile).

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

	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/inventory"
	"lms/location"
)

// wholeOrders is what EXT-2 checks an attach to an external product
// against: every line of the purchase orders the selection touches, locked
// (lockSelection), with their parts, and the locations outside the system
// that already hold licenses of those orders.
type wholeOrders struct {
	sys   *location.System
	lines []inventory.BinLine
	parts map[string]*catalog.Part
	// elsewhere is, per order, the names of the locations outside the
	// system that hold licenses of it.
	elsewhere map[uuid.UUID][]string
	// otherLocation is whether the system has the other location of a
	// redundant MobiCall system (HasOtherMobiCallLocation): only then may
	// the lines that location takes stay out of this one's selection.
	otherLocation bool
}

// lockSelection locks the selected bin lines (inventory.Lock). For an external
// product it locks every line of the orders they belong to as well, in the
// same id-ordered statement, so that EXT-2 sees whole purchase orders that no
// other request changes meanwhile, and returns them for checkWholeOrders;
// nil otherwise.
func lockSelection(ctx context.Context, tx bun.Tx, sys *location.System, ids []uuid.UUID) (lines []*inventory.BinLine, orders *wholeOrders, err error) {
	if !sys.Type.HasFlag(catalog.FlagExternal) {
		lines, err = inventory.Lock(ctx, tx, sys.Location.PartnerID, ids)
		return lines, nil, err
	}
	orders = &wholeOrders{sys: sys, elsewhere: map[uuid.UUID][]string{}}
	if orders.lines, err = inventory.LockOrdersOf(ctx, tx, sys.Location.PartnerID, ids); err != nil {
		return nil, nil, err
	}
	var numbers []string
	var orderIDs []uuid.UUID
	for _, l := range orders.lines {
		numbers = append(numbers, l.PartNumber)
		if !slices.Contains(orderIDs, l.OrderID) {
			orderIDs = append(orderIDs, l.OrderID)
		}
	}
	if orders.parts, err = catalog.PartsByNumber(ctx, tx, numbers); err != nil {
		return nil, nil, err
	}
	if orders.otherLocation, err = sys.HasOtherMobiCallLocation(ctx, tx); err != nil {
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
			Where("l.id <> ?", sys.Root.ID).Where("l.parent_id IS DISTINCT FROM ?", sys.Root.ID).
			OrderExpr("ol.order_id, l.name").Scan(ctx, &held)
		if err != nil && !isNoRows(err) {
			return nil, nil, fmt.Errorf("find the selected orders' licenses on other systems: %w", err)
		}
	}
	for _, h := range held {
		orders.elsewhere[h.OrderID] = append(orders.elsewhere[h.OrderID], h.Location)
	}
	return db.InOrder(ids, orders.lines, func(l *inventory.BinLine) uuid.UUID { return l.ID }), orders, nil
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
// that location exists (CheckPart refuses it with a quantity); a stand-alone
// master has nowhere to put the -M lines of a mixed order, so it cannot take
// its lines of it. orders is what lockSelection returned; nil (not an
// external product) checks nothing.
func checkWholeOrders(errs *apperr.List, sel []inventory.LineSelection, lines []*inventory.BinLine, orders *wholeOrders) {
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
		if belongsOnOtherLocation(sys, orders.parts[l.PartNumber]) {
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
		case !belongsOnOtherLocation(sys, orders.parts[l.PartNumber]):
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
				po[id], strings.Join(m, ", "), sys.Location.Name).OnField("lines"))
		}
	}
	for _, id := range slices.SortedFunc(maps.Keys(orders.elsewhere), byPO) {
		if touched[id] {
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: its licenses are on %s already; attach the rest of it there, or detach them all first",
				po[id], strings.Join(orders.elsewhere[id], ", ")).OnField("lines"))
		}
	}
}

// ordersOnLocation returns the other licenses, on the system's location, of
// the orders the selected licenses belong to, by purchase order, line and
// Software Key Code; the location's lock (location.LockSystem) keeps them as they
// are until the transaction ends.
func ordersOnLocation(ctx context.Context, tx bun.Tx, sys *location.System, licenses []*db.License) ([]db.License, error) {
	var orders, selected []uuid.UUID
	for _, l := range licenses {
		selected = append(selected, l.ID)
		if !slices.Contains(orders, l.OrderID) {
			orders = append(orders, l.OrderID)
		}
	}
	var rest []db.License
	err := licenseQuery(tx, &rest).Where("lic.location_id = ?", sys.Location.ID).
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
func checkWholeOrderActivation(ctx context.Context, tx bun.Tx, sys *location.System, licenses []*db.License) error {
	return forRestOfOrders(ctx, tx, sys, licenses, func(errs *apperr.List, order []db.License) {
		if attached := withStatus(order, db.LicenseAttached); len(attached) > 0 {
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: activate all its licenses on %s together, also %s",
				order[0].PurchaseOrder, sys.Location.Name, describe(attached)).OnField("licenseIds"))
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
func checkWholeOrderDetach(ctx context.Context, tx bun.Tx, sys *location.System, licenses []*db.License) error {
	return forRestOfOrders(ctx, tx, sys, licenses, func(errs *apperr.List, order []db.License) {
		if activated := withStatus(order, db.LicenseActivated); len(activated) > 0 {
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: %s of it is activated on %s, which binds the purchase order to %s for good; its other licenses cannot be detached",
				order[0].PurchaseOrder, describe(activated), sys.Location.Name, sys.Location.Name).OnField("licenseIds"))
			return
		}
		errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: detach all its licenses from %s together, also %s",
			order[0].PurchaseOrder, sys.Location.Name, describe(order)).OnField("licenseIds"))
	})
}

// forRestOfOrders calls check, on an external product's location, with the
// licenses there of each order the selection touches that the selection
// leaves out (by order), and returns what check reported. Other system types
// check nothing.
func forRestOfOrders(ctx context.Context, tx bun.Tx, sys *location.System, licenses []*db.License, check func(errs *apperr.List, order []db.License)) error {
	if !sys.Type.HasFlag(catalog.FlagExternal) || len(licenses) == 0 {
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
