package inventory

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

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
	err := tx.NewSelect().Model(&rows).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.id IN (?)", bun.In(ids)).Where("ol.partner_id = ?", partnerID).
		OrderExpr("ol.id").For("UPDATE OF ol").Scan(ctx)
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

// Take takes quantity from a bin line, locked by Lock in tx, for licenses
// that tx creates from it (attach, LIC-3); the caller has checked the line
// has that much available.
func Take(ctx context.Context, tx bun.Tx, lineID uuid.UUID, quantity int) error {
	if _, err := tx.NewUpdate().Model((*db.OrderLine)(nil)).Set("available = available - ?", quantity).
		Where("id = ?", lineID).Exec(ctx); err != nil {
		return fmt.Errorf("take %d from bin line %s: %w", quantity, lineID, err)
	}
	return nil
}

// Restore puts quantity back on a bin line, locked by Lock in tx, for
// licenses made from it that tx deletes (detach, LIC-4).
func Restore(ctx context.Context, tx bun.Tx, lineID uuid.UUID, quantity int) error {
	if _, err := tx.NewUpdate().Model((*db.OrderLine)(nil)).Set("available = available + ?", quantity).
		Where("id = ?", lineID).Exec(ctx); err != nil {
		return fmt.Errorf("return %d to bin line %s: %w", quantity, lineID, err)
	}
	return nil
}
