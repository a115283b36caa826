package location

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/db"
	"lms/page"
)

// RecordHistory keeps h, a snapshot of a location's system before a change
// (HWR-1, MIG-2), in tx — the transaction that makes the change, under the
// location's system lock. The caller fills the snapshot (license.Snapshot
// gives the licenses); ChangedAt defaults to the transaction's clock.
func RecordHistory(ctx context.Context, tx bun.Tx, h *db.LocationHistory) error {
	if h.ID == uuid.Nil {
		h.ID = uuid.New()
	}
	if h.Licenses == nil {
		h.Licenses = []db.HistoryLicense{}
	}
	if _, err := tx.NewInsert().Model(h).Returning("changed_at").Exec(ctx); err != nil {
		return fmt.Errorf("record the history of location %s: %w", h.LocationID, err)
	}
	return nil
}

func historyScope(a *actor.Actor, locationID uuid.UUID) string {
	return a.Scope() + "/location-history/" + locationID.String()
}

func historyKey(h *db.LocationHistory) (time.Time, uuid.UUID) { return h.ChangedAt, h.ID }

// HistoryOf pages a location's history, newest first (HWR-1, MIG-2): the
// partner's own, or any for the license desk; another partner's location
// has none. Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) HistoryOf(ctx context.Context, locationID uuid.UUID, args page.Args) (*page.Page[db.LocationHistory], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := a.Restrict(s.DB.NewSelect().Model((*db.LocationHistory)(nil)), "lh.partner_id").Where("lh.location_id = ?", locationID)
	return page.NewestFirst(ctx, q, args, historyScope(a, locationID), "lh.changed_at", "lh.id", historyKey)
}

// rankedHistory is a history entry with its rank in its location's list
// and the length of that list.
type rankedHistory struct {
	db.LocationHistory `bun:",extend"`
	Rank               int `bun:"rn,scanonly"`
	Total              int `bun:"total,scanonly"`
}

// FirstHistoryOf returns the first page of HistoryOf for each location, in
// one statement whatever their number and the licenses each snapshot
// holds. Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) FirstHistoryOf(ctx context.Context, locationIDs []uuid.UUID, first *int) ([]*page.Page[db.LocationHistory], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	limit, err := page.Args{First: first}.Limit()
	if err != nil {
		return nil, err
	}
	inner := a.Restrict(s.DB.NewSelect().Model((*db.LocationHistory)(nil)), "lh.partner_id").
		ColumnExpr("lh.*").
		ColumnExpr("row_number() OVER (PARTITION BY lh.location_id ORDER BY lh.changed_at DESC, lh.id DESC) AS rn").
		ColumnExpr("count(*) OVER (PARTITION BY lh.location_id) AS total").
		Where("lh.location_id IN (?)", bun.In(locationIDs))
	var rows []rankedHistory
	if err := s.DB.NewSelect().Model(&rows).ModelTableExpr("(?) AS lh", inner).ColumnExpr("lh.*").
		Where("rn <= ?", limit+1).OrderExpr("lh.location_id, lh.changed_at DESC, lh.id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("first pages of location history: %w", err)
	}
	entries := make([]db.LocationHistory, len(rows))
	totals := map[uuid.UUID]int{}
	for i := range rows {
		entries[i] = rows[i].LocationHistory
		totals[entries[i].LocationID] = rows[i].Total
	}
	return page.FirstPages(locationIDs, entries, func(h *db.LocationHistory) uuid.UUID { return h.LocationID }, totals, limit,
		func(id uuid.UUID) string { return historyScope(a, id) }, page.TimeCursor(historyKey)), nil
}

// FindHistory returns history entries by id, in order, nil where one is
// missing or not the caller's. Errors: UNAUTHENTICATED.
func (s *Service) FindHistory(ctx context.Context, ids []uuid.UUID) ([]*db.LocationHistory, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.LocationHistory
	if err := a.Restrict(s.DB.NewSelect().Model(&rows), "lh.partner_id").Where("lh.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find location history: %w", err)
	}
	return db.InOrder(ids, rows, func(h *db.LocationHistory) uuid.UUID { return h.ID }), nil
}
