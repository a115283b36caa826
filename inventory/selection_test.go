package inventory_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/inventory"
	"lms/page"
)

func qty(n int) *int { return &n }

func TestValidateLines(t *testing.T) {
	t.Parallel()
	a, b := uuid.New(), uuid.New()
	for _, tc := range []struct {
		name  string
		lines []inventory.LineSelection
		// fields are the fields of the errors, in order; none when valid.
		fields []string
	}{
		{name: "AllOfOneLine", lines: []inventory.LineSelection{{LineID: a}}},
		{name: "SplitAndSkip", lines: []inventory.LineSelection{{LineID: a, Quantity: qty(2)}, {LineID: b, Quantity: qty(0)}}},
		{name: "Nothing", fields: []string{"lines"}},
		{name: "Twice", lines: []inventory.LineSelection{{LineID: a}, {LineID: a}}, fields: []string{"lines.1.lineId"}},
		{name: "Negative", lines: []inventory.LineSelection{{LineID: a, Quantity: qty(-1)}}, fields: []string{"lines.0.quantity", "lines"}},
		{name: "AllSkipped", lines: []inventory.LineSelection{{LineID: a, Quantity: qty(0)}}, fields: []string{"lines"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var errs apperr.List
			inventory.ValidateLines(&errs, tc.lines)
			var fields []string
			for _, e := range errs {
				fields = append(fields, e.Field[len(e.Field)-1])
			}
			require.Equal(t, tc.fields, fields)
		})
	}
}

func TestSelectedQuantity(t *testing.T) {
	t.Parallel()
	p := &catalog.Part{Number: "BE107585", Name: "SV8100 Lic"}
	line := func(available int) *inventory.BinLine {
		return &inventory.BinLine{OrderLine: db.OrderLine{Available: available}, PurchaseOrder: "PO-1"}
	}
	for _, tc := range []struct {
		name      string
		available int
		quantity  *int
		want      int
		code      apperr.Code
	}{
		{name: "AllWhenOmitted", available: 5, want: 5},
		{name: "Split", available: 5, quantity: qty(2), want: 2},
		{name: "Skip", available: 5, quantity: qty(0), want: 0},
		{name: "AllOfAnEmptyLine", available: 0, code: apperr.InsufficientQuantity},
		{name: "MoreThanAvailable", available: 5, quantity: qty(6), code: apperr.InsufficientQuantity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := inventory.SelectedQuantity(inventory.LineSelection{Quantity: tc.quantity}, line(tc.available), p)
			if tc.code != "" {
				require.NotNil(t, err)
				require.Equal(t, tc.code, err.Code)
				require.Contains(t, err.Message, "SV8100 Lic (BE107585) of PO PO-1")
				return
			}
			require.Nil(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestOrderLinesPage: an order's lines page by line number, the available
// ones only when asked, with cursors that continue where a page ended.
func TestOrderLinesPage(t *testing.T) {
	t.Parallel()
	order := uuid.New()
	var lines []inventory.BinLine
	for i, available := range []int{3, 0, 1, 0, 2} {
		lines = append(lines, inventory.BinLine{OrderLine: db.OrderLine{ID: uuid.New(), OrderID: order, LineNo: i + 1, Available: available}})
	}
	numbers := func(p *page.Page[inventory.BinLine]) []int {
		var out []int
		for _, l := range p.Items {
			out = append(out, l.LineNo)
		}
		return out
	}
	ctx := context.Background()
	first, err := inventory.OrderLinesPage(ctx, order, lines, false, page.Args{First: qty(2)})
	require.NoError(t, err)
	require.Equal(t, []int{1, 2}, numbers(first))
	rest, err := inventory.OrderLinesPage(ctx, order, lines, false, page.Args{First: qty(10), After: first.EndCursor()})
	require.NoError(t, err)
	require.Equal(t, []int{3, 4, 5}, numbers(rest))
	available, err := inventory.OrderLinesPage(ctx, order, lines, true, page.Args{})
	require.NoError(t, err)
	require.Equal(t, []int{1, 3, 5}, numbers(available))
}

// TestBinPartLinesPage: a part's lines page oldest first, as BinParts's
// statement orders them, ties broken by line id.
func TestBinPartLinesPage(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	older := inventory.BinLine{OrderLine: db.OrderLine{ID: uuid.MustParse("00000000-0000-0000-0000-00000000000b"), CreatedAt: t0}}
	tieLow := inventory.BinLine{OrderLine: db.OrderLine{ID: uuid.MustParse("00000000-0000-0000-0000-00000000000a"), CreatedAt: t0.Add(time.Hour)}}
	tieHigh := inventory.BinLine{OrderLine: db.OrderLine{ID: uuid.MustParse("f0000000-0000-0000-0000-000000000000"), CreatedAt: t0.Add(time.Hour)}}
	p := &inventory.BinPart{PartNumber: "BE107585", Lines: []inventory.BinLine{older, tieLow, tieHigh}}
	first, err := p.LinesPage(context.Background(), page.Args{First: qty(2)})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{older.ID, tieLow.ID}, []uuid.UUID{first.Items[0].ID, first.Items[1].ID})
	rest, err := p.LinesPage(context.Background(), page.Args{After: first.EndCursor()})
	require.NoError(t, err)
	require.Len(t, rest.Items, 1)
	require.Equal(t, tieHigh.ID, rest.Items[0].ID)
}
