package licensefile

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/db"
	"lms/page"
)

// EntitlementsOf returns the stacked entitlements of each location (LIC-9),
// in one statement; another partner's locations have none.
func (s *Service) EntitlementsOf(ctx context.Context, locationIDs []uuid.UUID) ([][]Entitlement, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	ids := locationIDs
	if !a.IsAdmin() {
		if err := s.DB.NewSelect().Model((*db.Location)(nil)).Column("id").Where("id IN (?)", bun.In(locationIDs)).
			Where("partner_id = ?", a.Partner.ID).Scan(ctx, &ids); err != nil && !isNoRows(err) {
			return nil, err
		}
	}
	out := make([][]Entitlement, len(locationIDs))
	if len(ids) == 0 {
		return out, nil
	}
	m, err := s.entitlements(ctx, s.DB, ids, 0)
	if err != nil {
		return nil, err
	}
	for i, id := range locationIDs {
		out[i] = m[id]
	}
	return out, nil
}

func filesScope(a *actor.Actor, locationID uuid.UUID) string {
	return a.Scope() + "/license-files/" + locationID.String()
}

func fileKey(f *db.LicenseFile) (time.Time, uuid.UUID) { return f.RequestedAt, f.ID }

// FilesOf pages the license file generations of a location, newest (the
// current one) first (LIC-6). Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) FilesOf(ctx context.Context, locationID uuid.UUID, args page.Args) (*page.Page[db.LicenseFile], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := a.Restrict(s.DB.NewSelect().Model((*db.LicenseFile)(nil)).Column(db.LicenseFileColumns...), "lf.partner_id").
		Where("lf.location_id = ?", locationID)
	return page.NewestFirst(ctx, q, args, filesScope(a, locationID), "lf.requested_at", "lf.id", fileKey)
}

// FirstFilesOf returns the first page of FilesOf for each location in one
// statement.
func (s *Service) FirstFilesOf(ctx context.Context, locationIDs []uuid.UUID, first *int) ([]*page.Page[db.LicenseFile], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	limit, err := page.Args{First: first}.Limit()
	if err != nil {
		return nil, err
	}
	inner := a.Restrict(s.DB.NewSelect().Model((*db.LicenseFile)(nil)).Column(db.LicenseFileColumns...), "lf.partner_id").
		ColumnExpr("row_number() OVER (PARTITION BY lf.location_id ORDER BY lf.requested_at DESC, lf.id DESC) AS rn").
		ColumnExpr("count(*) OVER (PARTITION BY lf.location_id) AS total").
		Where("lf.location_id IN (?)", bun.In(locationIDs))
	var rows []countedFile
	if err := s.DB.NewSelect().Model(&rows).ModelTableExpr("(?) AS lf", inner).Column(db.LicenseFileColumns...).ColumnExpr("lf.total").
		Where("rn <= ?", limit+1).OrderExpr("lf.location_id, lf.requested_at DESC, lf.id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("first pages of license files: %w", err)
	}
	files := make([]db.LicenseFile, len(rows))
	totals := map[uuid.UUID]int{}
	for i := range rows {
		files[i] = rows[i].LicenseFile
		totals[files[i].LocationID] = rows[i].Total
	}
	return page.FirstPages(locationIDs, files, func(f *db.LicenseFile) uuid.UUID { return f.LocationID }, totals, limit,
		func(id uuid.UUID) string { return filesScope(a, id) }, page.TimeCursor(fileKey)), nil
}

// countedFile is a license file with the length of its location's list.
type countedFile struct {
	db.LicenseFile `bun:",extend"`
	Total          int `bun:"total,scanonly"`
}

// CurrentFiles are a location's current license files (LIC-6): its newest
// generation that is not a demo file (a demo is a time-limited stand-in,
// LIC-10, and never replaces the real file); for an external product, whose
// files come per sales order (EXT-3), the newest generation of each sales
// order.
type CurrentFiles []db.LicenseFile

// Has reports whether f is one of the current files.
func (c CurrentFiles) Has(f *db.LicenseFile) bool {
	return slices.ContainsFunc(c, func(x db.LicenseFile) bool { return x.ID == f.ID })
}

// Main is the file a location shows as its license file: the only current
// one, or for an external product the one made available last (a READY
// file before any still PENDING one); nil when there is none.
func (c CurrentFiles) Main() *db.LicenseFile {
	var main *db.LicenseFile
	for i := range c {
		f := &c[i]
		if main == nil || availableLater(f, main) {
			main = f
		}
	}
	return main
}

// availableLater orders current files: READY before PENDING or FAILED, then
// the later ready (or requested) time, then the higher version.
func availableLater(a, b *db.LicenseFile) bool {
	if ar, br := a.Status == db.LicenseFileReady, b.Status == db.LicenseFileReady; ar != br {
		return ar
	}
	at, bt := a.RequestedAt, b.RequestedAt
	if a.ReadyAt != nil {
		at = *a.ReadyAt
	}
	if b.ReadyAt != nil {
		bt = *b.ReadyAt
	}
	if !at.Equal(bt) {
		return at.After(bt)
	}
	return a.Version > b.Version
}

// CurrentFilesOf returns, in one statement and in the order of locationIDs,
// each location's current files (CurrentFiles); none where the location is
// not the caller's to see. Any signed-in user may call it. Errors:
// UNAUTHENTICATED.
func (s *Service) CurrentFilesOf(ctx context.Context, locationIDs []uuid.UUID) ([]CurrentFiles, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.LicenseFile
	q := a.Restrict(s.DB.NewSelect().Model(&rows).Column(db.LicenseFileColumns...), "lf.partner_id").
		DistinctOn("lf.location_id, lf.sales_order").
		Where("lf.location_id IN (?)", bun.In(locationIDs)).Where("lf.reason <> ?", db.FileForDemo).
		OrderExpr("lf.location_id, lf.sales_order, lf.version DESC")
	if err := q.Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("current license files: %w", err)
	}
	by := map[uuid.UUID]CurrentFiles{}
	for _, f := range rows {
		by[f.LocationID] = append(by[f.LocationID], f)
	}
	out := make([]CurrentFiles, len(locationIDs))
	for i, id := range locationIDs {
		out[i] = by[id]
	}
	return out, nil
}
