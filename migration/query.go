package migration

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/db"
)

// FindMigrations returns migrations by id, in order, nil where one is
// missing or of another partner's location (the license desk sees all).
// Errors: UNAUTHENTICATED.
func (s *Service) FindMigrations(ctx context.Context, ids []uuid.UUID) ([]*db.SystemMigration, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.SystemMigration
	if err := a.Restrict(s.DB.NewSelect().Model(&rows), "sm.partner_id").Where("sm.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find migrations: %w", err)
	}
	return db.InOrder(ids, rows, func(m *db.SystemMigration) uuid.UUID { return m.ID }), nil
}
