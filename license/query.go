package license

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/db"
	"lms/inventory"
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
	return page.FirstPages(ids, licenses, parent.id, totals, limit, scope, page.TimeCursor(key)), nil
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

// Recent pages the partner's licenses of a status, most recently attached
// or activated first (LIC-2 "Recently Attached / Activated Licenses").
// Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) Recent(ctx context.Context, f inventory.BinFilter, status db.LicenseStatus, args page.Args) (*page.Page[db.License], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	col, key := licenseTime(status)
	q := f.Scope(a, licenseQuery(s.DB, (*db.License)(nil)), "lic.partner_id").Where("lic.status = ?", status)
	if f.Search != "" {
		pat := db.ContainsPattern(f.Search)
		q = q.Join("JOIN parts AS p ON p.number = lic.part_number").Where(inventory.LineMatches, pat, pat, pat)
	}
	return page.NewestFirst(ctx, q, args, f.CursorScope(a, "recent-"+string(status)), col, "lic.id", key)
}

// LicenseBySoftwareKeyCode finds a license by its Software Key Code, in any
// case (LIC-14 "Software Key Code Lookup"); nil when there is none the
// caller may see. Errors: UNAUTHENTICATED.
func (s *Service) LicenseBySoftwareKeyCode(ctx context.Context, code string) (*db.License, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != softwareKeyCodeLength {
		return nil, nil
	}
	l := new(db.License)
	err = a.Restrict(licenseQuery(s.DB, l), "lic.partner_id").Where("lic.software_key_code = ?", code).Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find license by software key code: %w", err)
	}
	return l, nil
}

func orderLicensesScope(a *actor.Actor, orderID uuid.UUID) string {
	return a.Scope() + "/order-licenses/" + orderID.String()
}

// LicensesOfOrder pages the caller's licenses made from an order's lines,
// attached or activated, in attach order (LIC-14: "License Details by
// Purchase Order"). A distributor does not see the licenses its dealers
// made from an order it reshipped. Errors: UNAUTHENTICATED,
// VALIDATION_FAILED.
func (s *Service) LicensesOfOrder(ctx context.Context, orderID uuid.UUID, args page.Args) (*page.Page[db.License], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	col, key := licenseTime("")
	q := a.Restrict(licenseQuery(s.DB, (*db.License)(nil)), "lic.partner_id").Where("o.id = ?", orderID)
	return page.OldestFirst(ctx, q, args, orderLicensesScope(a, orderID), col, "lic.id", key)
}

// FirstLicensesOfOrders returns the first page of LicensesOfOrder for each
// order in one statement, for lists of orders; any signed-in user may call
// it and gets only its own licenses. Errors: UNAUTHENTICATED,
// VALIDATION_FAILED (first out of range).
func (s *Service) FirstLicensesOfOrders(ctx context.Context, orderIDs []uuid.UUID, first *int) ([]*page.Page[db.License], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	return s.firstLicenses(ctx, a, licenseParent{col: "o.id", id: func(l *db.License) uuid.UUID { return l.OrderID }},
		orderIDs, nil, first, func(id uuid.UUID) string { return orderLicensesScope(a, id) })
}
