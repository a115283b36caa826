package license

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/inventory"
	"lms/location"
)

// TestCheckWholeOrders checks EXT-2 and the MobiCall split (LOC-11) on
// snapshots, without a database.
func TestCheckWholeOrders(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Default()
	require.NoError(t, err)
	sys := func(code string) *location.System {
		st, ok := cat.SystemType(code)
		require.True(t, ok)
		loc := &db.Location{ID: uuid.New(), Name: "Site " + code, SystemType: code}
		return &location.System{Location: loc, Root: loc, Type: &st}
	}
	parts := map[string]*catalog.Part{}
	for _, n := range []string{"ILL-RCC-BASE", "ILL-MC-SERVER", "ILL-MC-SERVER-M", "ILL-MC-USERS-10-M"} {
		p, ok := cat.Part(n)
		require.True(t, ok)
		parts[n] = &p
	}
	order := uuid.New()
	line := func(no int, part string, available int) inventory.BinLine {
		return inventory.BinLine{OrderLine: db.OrderLine{ID: uuid.New(), OrderID: order, LineNo: no, PartNumber: part, Available: available}, PurchaseOrder: "PO-1"}
	}
	qty := func(n int) *int { return &n }
	rcc := []inventory.BinLine{line(1, "ILL-RCC-BASE", 2), line(2, "ILL-RCC-BASE", 3)}
	mixed := []inventory.BinLine{line(1, "ILL-MC-SERVER", 1), line(2, "ILL-MC-SERVER-M", 1), line(3, "ILL-MC-USERS-10-M", 2)}
	for _, tc := range []struct {
		name      string
		sys       *location.System
		lines     []inventory.BinLine
		selected  []int // indexes into lines
		quantity  map[int]*int
		elsewhere []string
		other     bool
		// want are the messages' distinctive parts, one per error, all
		// PO_CANNOT_BE_SPLIT.
		want []string
	}{
		{name: "WholeOrder", sys: sys("RCC"), lines: rcc, selected: []int{0, 1}},
		{name: "WholeOrderWithQuantities", sys: sys("RCC"), lines: rcc, selected: []int{0, 1}, quantity: map[int]*int{0: qty(2), 1: qty(3)}},
		{name: "LineLeftOut", sys: sys("RCC"), lines: rcc, selected: []int{0}, want: []string{"select also line 2 (ILL-RCC-BASE × 3)"}},
		{name: "PartOfALine", sys: sys("RCC"), lines: rcc, selected: []int{0, 1}, quantity: map[int]*int{1: qty(1)}, want: []string{"take all 3 of ILL-RCC-BASE (line 2), not 1"}},
		{name: "OrderOnAnotherSystem", sys: sys("RCC"), lines: rcc, selected: []int{0, 1}, elsewhere: []string{"Other Site"}, want: []string{"its licenses are on Other Site already"}},
		{name: "MasterWithSupervisorTakesItsLines", sys: sys("MOBICALL_MASTER"), lines: mixed, selected: []int{0}, other: true},
		{name: "MasterMaySkipSupervisorLines", sys: sys("MOBICALL_MASTER"), lines: mixed, selected: []int{0, 1, 2}, quantity: map[int]*int{1: qty(0), 2: qty(0)}, other: true},
		{name: "StandAloneMasterStrandsSupervisorLines", sys: sys("MOBICALL_MASTER"), lines: mixed, selected: []int{0}, want: []string{"a MobiCall Supervisor location takes line 2 (ILL-MC-SERVER-M × 1), line 3 (ILL-MC-USERS-10-M × 2) of it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			orders := &wholeOrders{sys: tc.sys, lines: tc.lines, parts: parts, elsewhere: map[uuid.UUID][]string{}, otherLocation: tc.other}
			if tc.elsewhere != nil {
				orders.elsewhere[order] = tc.elsewhere
			}
			var sel []inventory.LineSelection
			var locked []*inventory.BinLine
			for _, i := range tc.selected {
				sel = append(sel, inventory.LineSelection{LineID: tc.lines[i].ID, Quantity: tc.quantity[i]})
				locked = append(locked, &tc.lines[i])
			}
			var errs apperr.List
			checkWholeOrders(&errs, sel, locked, orders)
			require.Len(t, errs, len(tc.want), "%v", errs)
			for i, e := range errs {
				require.Equal(t, apperr.POCannotBeSplit, e.Code)
				require.Contains(t, e.Message, tc.want[i])
			}
		})
	}
}
