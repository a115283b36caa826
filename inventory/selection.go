package inventory

import (
	"context"
	"strconv"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/apperr"
	"lms/catalog"
)

// Selections of bin lines: attach, reship and return take quantities from
// lines the caller picks.

// LineSelection is one selected bin line, for attach, reship and return.
// Quantity nil takes all that is available; less splits the line (the rest
// stays in the bin); 0 skips it.
type LineSelection struct {
	LineID   uuid.UUID
	Quantity *int
}

// ValidateLines checks a selection of bin lines on its own: 1 to
// MaxSelection lines, each once, quantities in range, not all skipped.
func ValidateLines(errs *apperr.List, lines []LineSelection) {
	if len(lines) == 0 || len(lines) > MaxSelection {
		errs.Add(apperr.Invalid("lines", "select 1 to %d bin lines", MaxSelection))
	}
	seen := map[uuid.UUID]bool{}
	some := false
	for i, l := range lines {
		field := "lines." + strconv.Itoa(i)
		if seen[l.LineID] {
			errs.Add(apperr.Invalid(field+".lineId", "a bin line is selected twice"))
		}
		seen[l.LineID] = true
		if l.Quantity != nil && (*l.Quantity < 0 || *l.Quantity > maxQuantity) {
			errs.Add(apperr.New(apperr.InvalidFeatureQuantity, "the quantity is 0 (skip the line) to %d", maxQuantity).OnField(field + ".quantity"))
		}
		some = some || l.Quantity == nil || *l.Quantity > 0
	}
	if len(lines) > 0 && !some {
		errs.Add(apperr.Invalid("lines", "every selected line has quantity 0: nothing selected"))
	}
}

// taking is what a selection takes from locked bin lines: per selected
// line, the quantity (0 for a skipped line).
type taking []int

// LineIDs are the bin lines a selection names, in its order.
func LineIDs(sel []LineSelection) []uuid.UUID {
	ids := make([]uuid.UUID, len(sel))
	for i, l := range sel {
		ids[i] = l.LineID
	}
	return ids
}

// take resolves a selection against the lines it names, locked by
// Lock: a missing line is NOT_FOUND, a quantity above what the line
// has available INSUFFICIENT_QUANTITY. It returns the lines' parts too.
func take(ctx context.Context, tx bun.IDB, sel []LineSelection, lines []*BinLine) (taking, map[string]*catalog.Part, error) {
	parts, err := PartsOf(ctx, tx, lines)
	if err != nil {
		return nil, nil, err
	}
	var errs apperr.List
	out := make(taking, len(sel))
	for i, s := range sel {
		field := "lines." + strconv.Itoa(i)
		if lines[i] == nil {
			errs.Add(apperr.NotFoundf("bin line").OnField(field + ".lineId"))
			continue
		}
		q, e := SelectedQuantity(s, lines[i], parts[lines[i].PartNumber])
		if e != nil {
			errs.Add(e.OnField(field + ".quantity"))
		}
		out[i] = q
	}
	return out, parts, errs.Err()
}

// SelectedQuantity is what a selection takes from its locked line: all that
// is available when no quantity is given, 0 for a skipped line, and
// INSUFFICIENT_QUANTITY for more than the line has (or for all of an empty
// line).
func SelectedQuantity(sel LineSelection, l *BinLine, p *catalog.Part) (int, *apperr.Error) {
	q := l.Available
	if sel.Quantity != nil {
		if q = *sel.Quantity; q == 0 {
			return 0, nil
		}
	}
	if q == 0 || q > l.Available {
		return 0, apperr.New(apperr.InsufficientQuantity, "%s (%s) of PO %s: %d selected, %d available", p.Name, p.Number, l.PurchaseOrder, max(q, 1), l.Available)
	}
	return q, nil
}

// PartsOf reads the catalog parts of the locked lines that exist.
func PartsOf(ctx context.Context, tx bun.IDB, lines []*BinLine) (map[string]*catalog.Part, error) {
	numbers := make([]string, 0, len(lines))
	for _, l := range lines {
		if l != nil {
			numbers = append(numbers, l.PartNumber)
		}
	}
	return catalog.PartsByNumber(ctx, tx, numbers)
}
