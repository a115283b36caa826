package inventory

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"lms/db"
)

// BinLine is a bin line with its order's numbers.
type BinLine struct {
	db.OrderLine  `bun:",extend"`
	PurchaseOrder string `bun:"purchase_order"`
	SalesOrder    string `bun:"sales_order"`
}

// Lock locks the partner's bin lines with the given ids, in id order so
// that concurrent requests queue instead of deadlocking, and returns them in
// the order of ids, nil where a line is not the partner's. Every change of
// a line's quantities happens under this lock (LIC-15).
func Lock(ctx context.Context, tx bun.Tx, partnerID uuid.UUID, ids []uuid.UUID) ([]*BinLine, error) {
	var rows []BinLine
	err := db.Scan(ctx, tx, `SELECT ol.*, o.purchase_order, o.sales_order
		FROM order_lines AS ol JOIN license_orders AS o ON o.id = ol.order_id
		WHERE ol.id = ANY($1) AND ol.partner_id = $2
		ORDER BY ol.id FOR UPDATE OF ol`, []any{ids, partnerID}, &rows)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("lock bin lines: %w", err)
	}
	return db.InOrder(ids, rows, func(l *BinLine) uuid.UUID { return l.ID }), nil
}

// LockOrdersOf locks every line of the partner's orders that the lines ids
// belong to, in one statement ordered by id (the global order of line
// locks, so no deadlock with Lock), and returns them: the whole purchase
// orders that EXT-2 checks an attach to an external product against. A
// line's order never changes, so the orders can be found before the lock.
func LockOrdersOf(ctx context.Context, tx bun.Tx, partnerID uuid.UUID, ids []uuid.UUID) ([]BinLine, error) {
	var lines []BinLine
	err := tx.NewSelect().Model(&lines).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.partner_id = ?", partnerID).
		Where("ol.order_id IN (SELECT order_id FROM order_lines WHERE id IN (?) AND partner_id = ?)", bun.In(ids), partnerID).
		OrderExpr("ol.id").For("UPDATE OF ol").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("lock the lines of the selected orders: %w", err)
	}
	return lines, nil
}

// LineQuantity is a quantity taken from or returned to a bin line.
type LineQuantity struct {
	LineID   uuid.UUID
	Quantity int
}

// TakeSQL is the one statement that takes quantities from bin lines
// locked by Lock in the transaction, for the licenses it creates from them
// (attach, LIC-3); the caller has checked each line has that much
// available. Its parameters are $1 and $2, TakeArgs; the caller runs it in
// the WITH of the statement that inserts the licenses, so the bin and the
// licenses change in one round trip.
const TakeSQL = `UPDATE order_lines AS ol SET available = ol.available - t.quantity
	FROM unnest($1::uuid[], $2::int[]) AS t (line_id, quantity) WHERE ol.id = t.line_id`

// TakeArgs are TakeSQL's parameters for qs.
func TakeArgs(qs []LineQuantity) []any {
	ids, quantities := sums(qs)
	return []any{ids, quantities}
}

// Restore puts quantities back on their bin lines, locked by Lock in tx,
// for licenses made from them that tx deletes (detach, LIC-4), in one
// statement.
func Restore(ctx context.Context, tx bun.Tx, qs []LineQuantity) error {
	if len(qs) == 0 {
		return nil
	}
	ids, quantities := sums(qs)
	_, err := tx.NewUpdate().Model((*db.OrderLine)(nil)).
		TableExpr("unnest(?::uuid[], ?::int[]) AS t (line_id, quantity)", pgdialect.Array(ids), pgdialect.Array(quantities)).
		Set("available = ol.available + t.quantity").Where("ol.id = t.line_id").Exec(ctx)
	if err != nil {
		return fmt.Errorf("return licenses to %d bin lines: %w", len(qs), err)
	}
	return nil
}

// sums adds up the quantities by line: two arrays, so that a statement's
// text is the same whatever their number, and a line appears once (an
// UPDATE … FROM changes a row once, whatever the rows it joins).
func sums(qs []LineQuantity) ([]uuid.UUID, []int32) {
	total := map[uuid.UUID]int32{}
	var ids []uuid.UUID
	for _, q := range qs {
		if _, seen := total[q.LineID]; !seen {
			ids = append(ids, q.LineID)
		}
		total[q.LineID] += int32(q.Quantity)
	}
	quantities := make([]int32, len(ids))
	for i, id := range ids {
		quantities[i] = total[id]
	}
	return ids, quantities
}
