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
	var partner *uuid.UUID
	if !a.IsAdmin() {
		partner = &a.Partner.ID
	}
	m, err := s.entitlements(ctx, s.DB, locationIDs, 0, partner)
	if err != nil {
		return nil, err
	}
	out := make([][]Entitlement, len(locationIDs))
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
	pages, _, err := s.firstFiles(ctx, locationIDs, first, false)
	return pages, err
}

// FirstFilesAndCurrentOf returns the first page of FilesOf and the
// CurrentFiles of each location, together in one statement: the location
// license page (LIC-8) shows both. Errors: UNAUTHENTICATED,
// VALIDATION_FAILED (first out of range).
func (s *Service) FirstFilesAndCurrentOf(ctx context.Context, locationIDs []uuid.UUID, first *int) ([]*page.Page[db.LicenseFile], []CurrentFiles, error) {
	return s.firstFiles(ctx, locationIDs, first, true)
}

// firstFiles reads the first pages of the locations' files and, with
// current, their current files too (those beyond the page included).
func (s *Service) firstFiles(ctx context.Context, locationIDs []uuid.UUID, first *int, current bool) ([]*page.Page[db.LicenseFile], []CurrentFiles, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, nil, err
	}
	limit, err := page.Args{First: first}.Limit()
	if err != nil {
		return nil, nil, err
	}
	inner := a.Restrict(s.DB.NewSelect().Model((*db.LicenseFile)(nil)).Column(db.LicenseFileColumns...), "lf.partner_id").
		ColumnExpr("row_number() OVER (PARTITION BY lf.location_id ORDER BY lf.requested_at DESC, lf.id DESC) AS rn").
		ColumnExpr("count(*) OVER (PARTITION BY lf.location_id) AS total").
		Where("lf.location_id IN (?)", bun.In(locationIDs))
	outer := s.DB.NewSelect().ModelTableExpr("(?) AS lf", inner).Column(db.LicenseFileColumns...).ColumnExpr("lf.rn, lf.total")
	if current {
		inner = inner.ColumnExpr(isCurrent+" AS current", standIns, standIns)
		outer = outer.ColumnExpr("lf.current").Where("rn <= ? OR lf.current", limit+1)
	} else {
		outer = outer.Where("rn <= ?", limit+1)
	}
	var rows []countedFile
	if err := outer.Model(&rows).OrderExpr("lf.location_id, lf.requested_at DESC, lf.id DESC").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("first pages of license files: %w", err)
	}
	files := make([]db.LicenseFile, 0, len(rows))
	totals := map[uuid.UUID]int{}
	var cur []db.LicenseFile
	for i := range rows {
		totals[rows[i].LocationID] = rows[i].Total
		if rows[i].Rank <= limit+1 {
			files = append(files, rows[i].LicenseFile)
		}
		if rows[i].Current {
			cur = append(cur, rows[i].LicenseFile)
		}
	}
	pages := page.FirstPages(locationIDs, files, func(f *db.LicenseFile) uuid.UUID { return f.LocationID }, totals, limit,
		func(id uuid.UUID) string { return filesScope(a, id) }, page.TimeCursor(fileKey))
	if !current {
		return pages, nil, nil
	}
	return pages, currentByLocation(locationIDs, cur), nil
}

// countedFile is a license file with the length of its location's list.
type countedFile struct {
	db.LicenseFile `bun:",extend"`
	Rank           int  `bun:"rn,scanonly"`
	Total          int  `bun:"total,scanonly"`
	Current        bool `bun:"current,scanonly"`
}

// CurrentFiles are a location's current license files (LIC-6): its newest
// generation that is not a demo or emergency file (time-limited stand-ins,
// LIC-10, HWR-2, that never replace the real file); for an external product, whose
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

// isCurrent is the SQL test of CurrentFiles over license_files AS lf, with
// standIns as both its arguments: the newest generation of its location
// and sales order that is not a stand-in.
const isCurrent = "(lf.reason NOT IN (?) AND row_number() OVER (PARTITION BY lf.location_id, lf.sales_order, lf.reason IN (?) ORDER BY lf.version DESC) = 1)"

// standIns are the reasons of time-limited files that stand in for a
// location's license file and never become its current one: demo files
// (LIC-10) and emergency files (HWR-2).
var standIns = bun.In([]db.LicenseFileReason{db.FileForDemo, db.FileForEmergency})

// CurrentFilesOf returns, in one statement and in the order of locationIDs,
// each location's current files (CurrentFiles); none where the location is
// not the caller's to see. Any signed-in user may call it. Errors:
// UNAUTHENTICATED.
func (s *Service) CurrentFilesOf(ctx context.Context, locationIDs []uuid.UUID) ([]CurrentFiles, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	inner := a.Restrict(s.DB.NewSelect().Model((*db.LicenseFile)(nil)).Column(db.LicenseFileColumns...), "lf.partner_id").
		ColumnExpr(isCurrent+" AS current", standIns, standIns).
		Where("lf.location_id IN (?)", bun.In(locationIDs))
	var rows []db.LicenseFile
	if err := s.DB.NewSelect().Model(&rows).ModelTableExpr("(?) AS lf", inner).Column(db.LicenseFileColumns...).
		Where("lf.current").Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("current license files: %w", err)
	}
	return currentByLocation(locationIDs, rows), nil
}

// currentByLocation groups current files by location, in the order of
// locationIDs.
func currentByLocation(locationIDs []uuid.UUID, files []db.LicenseFile) []CurrentFiles {
	by := map[uuid.UUID]CurrentFiles{}
	for _, f := range files {
		by[f.LocationID] = append(by[f.LocationID], f)
	}
	out := make([]CurrentFiles, len(locationIDs))
	for i, id := range locationIDs {
		out[i] = by[id]
	}
	return out
}
