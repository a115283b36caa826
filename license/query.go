package license

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

// licenseTime is the order of a location's licenses of a status: when they
// were attached, or activated.
func licenseTime(status db.LicenseStatus) (col string, key func(*db.License) (time.Time, uuid.UUID)) {
	if status == db.LicenseActivated {
		return "lic.activated_at", func(l *db.License) (time.Time, uuid.UUID) { return *l.ActivatedAt, l.ID }
	}
	return "lic.attached_at", func(l *db.License) (time.Time, uuid.UUID) { return l.AttachedAt, l.ID }
}

func licensesScope(a *actor.Actor, locationID uuid.UUID, status db.LicenseStatus) string {
	return a.Scope() + "/licenses/" + string(status) + "/" + locationID.String()
}

// LicensesOf pages the licenses of a status on a location, oldest first
// (the location license page, LIC-8). Another partner's location has none.
// Errors: UNAUTHENTICATED, VALIDATION_FAILED (bad cursor or first).
func (s *Service) LicensesOf(ctx context.Context, locationID uuid.UUID, status db.LicenseStatus, args page.Args) (*page.Page[db.License], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	col, key := licenseTime(status)
	q := a.Restrict(licenseQuery(s.DB, (*db.License)(nil)), "lic.partner_id").
		Where("lic.location_id = ?", locationID).Where("lic.status = ?", status)
	return page.OldestFirst(ctx, q, args, licensesScope(a, locationID, status), col, "lic.id", key)
}

// rankedLicense is a license with its rank in its parent's list and the
// length of that list.
type rankedLicense struct {
	db.License `bun:",extend"`
	Rank       int `bun:"rn,scanonly"`
	Total      int `bun:"total,scanonly"`
}

// FirstLicensesOf returns the first page of LicensesOf for each location in
// one statement, for lists of locations.
func (s *Service) FirstLicensesOf(ctx context.Context, locationIDs []uuid.UUID, status db.LicenseStatus, first *int) ([]*page.Page[db.License], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	return s.firstLicenses(ctx, a, licenseParent{col: "lic.location_id", id: func(l *db.License) uuid.UUID { return l.LocationID }},
		locationIDs, &status, first, func(id uuid.UUID) string { return licensesScope(a, id, status) })
}

// licenseParent is what licenses are listed under: a location, or an order.
type licenseParent struct {
	col string
	id  func(*db.License) uuid.UUID
}

// firstLicenses loads the first page of licenses (of status, or all) under
// each parent in one statement, in the order of licenseTime(status).
func (s *Service) firstLicenses(ctx context.Context, a *actor.Actor, parent licenseParent, ids []uuid.UUID, status *db.LicenseStatus, first *int, scope func(uuid.UUID) string) ([]*page.Page[db.License], error) {
	limit, err := page.Args{First: first}.Limit()
	if err != nil {
		return nil, err
	}
	var st db.LicenseStatus
	if status != nil {
		st = *status
	}
	col, key := licenseTime(st)
	inner := a.Restrict(licenseQuery(s.DB, (*db.License)(nil)), "lic.partner_id").
		ColumnExpr("row_number() OVER (PARTITION BY ? ORDER BY ?, lic.id) AS rn", bun.Safe(parent.col), bun.Safe(col)).
		ColumnExpr("count(*) OVER (PARTITION BY ?) AS total", bun.Safe(parent.col)).
		Where("? IN (?)", bun.Safe(parent.col), bun.In(ids))
	if status != nil {
		inner = inner.Where("lic.status = ?", *status)
	}
	var rows []rankedLicense
	if err := s.DB.NewSelect().Model(&rows).ModelTableExpr("(?) AS lic", inner).ColumnExpr("lic.*").
		Where("rn <= ?", limit+1).OrderExpr("lic.rn").Scan(ctx); err != nil {
		return nil, fmt.Errorf("first pages of licenses: %w", err)
	}
	licenses := make([]db.License, len(rows))
	totals := map[uuid.UUID]int{}
	for i := range rows {
		licenses[i] = rows[i].License
		totals[parent.id(&licenses[i])] = rows[i].Total
	}
	return pagesOf(ids, licenses, parent.id, totals, limit, scope, page.TimeCursor(key)), nil
}

// pagesOf splits rows, loaded with at most limit+1 per parent, into the
// first page of each parent's list; totals are the lengths of the lists.
func pagesOf[T any](parentIDs []uuid.UUID, rows []T, parent func(*T) uuid.UUID, totals map[uuid.UUID]int, limit int, scope func(uuid.UUID) string, cursor func(*T) page.Cursor) []*page.Page[T] {
	by := map[uuid.UUID][]T{}
	for i := range rows {
		id := parent(&rows[i])
		by[id] = append(by[id], rows[i])
	}
	out := make([]*page.Page[T], len(parentIDs))
	for i, id := range parentIDs {
		out[i] = page.Build(by[id], limit, scope(id), page.Known(totals[id]), cursor)
	}
	return out
}

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
	return pagesOf(locationIDs, files, func(f *db.LicenseFile) uuid.UUID { return f.LocationID }, totals, limit,
		func(id uuid.UUID) string { return filesScope(a, id) }, page.TimeCursor(fileKey)), nil
}

// countedFile is a license file with the length of its location's list.
type countedFile struct {
	db.LicenseFile `bun:",extend"`
	Total          int `bun:"total,scanonly"`
}

// FindLicenses returns licenses by id, in order, nil where one is missing or
// not the caller's.
func (s *Service) FindLicenses(ctx context.Context, ids []uuid.UUID) ([]*db.License, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.License
	if err := a.Restrict(licenseQuery(s.DB, &rows), "lic.partner_id").Where("lic.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find licenses: %w", err)
	}
	return db.InOrder(ids, rows, func(l *db.License) uuid.UUID { return l.ID }), nil
}

// FindOrders returns shipped orders by id, in order, nil where one is
// missing or not the caller's to see (visibleOrders).
func (s *Service) FindOrders(ctx context.Context, ids []uuid.UUID) ([]*db.LicenseOrder, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.LicenseOrder
	if err := visibleOrders(a, s.DB.NewSelect().Model(&rows)).Where("o.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find orders: %w", err)
	}
	return db.InOrder(ids, rows, func(o *db.LicenseOrder) uuid.UUID { return o.ID }), nil
}

// FindLines returns bin lines by id, in order, nil where one is missing or
// not the caller's to see (visibleOrders).
func (s *Service) FindLines(ctx context.Context, ids []uuid.UUID) ([]*BinLine, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []BinLine
	if err := visibleOrders(a, s.DB.NewSelect().Model(&rows)).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find bin lines: %w", err)
	}
	return db.InOrder(ids, rows, func(l *BinLine) uuid.UUID { return l.ID }), nil
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
