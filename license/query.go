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

// LicenseList names one of a location's license lists, those of a status,
// and the size of its first page (nil: the default).
type LicenseList struct {
	Status db.LicenseStatus
	First  *int
}

// FirstLicenseListsOf returns, for each list, the first page of LicensesOf
// for each location (pages[list][location]), all in one statement: the
// location license page (LIC-8) reads its attached and its activated
// licenses together, for one location or a list of them. Errors:
// UNAUTHENTICATED, VALIDATION_FAILED (first out of range).
func (s *Service) FirstLicenseListsOf(ctx context.Context, locationIDs []uuid.UUID, lists []LicenseList) ([][]*page.Page[db.License], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	return s.firstLicenses(ctx, a, licenseParent{col: "lic.location_id", id: func(l *db.License) uuid.UUID { return l.LocationID }},
		locationIDs, lists, func(st db.LicenseStatus, id uuid.UUID) string { return licensesScope(a, id, st) })
}

// licenseParent is what licenses are listed under: a location, or an order.
type licenseParent struct {
	col string
	id  func(*db.License) uuid.UUID
}

// firstLicenses loads the first page of each list of licenses under each
// parent in one statement: a list holds the licenses of its status, in the
// order of licenseTime(status), or, when its status is "", all the
// parent's licenses in attach order (the only list then).
func (s *Service) firstLicenses(ctx context.Context, a *actor.Actor, parent licenseParent, ids []uuid.UUID, lists []LicenseList, scope func(db.LicenseStatus, uuid.UUID) string) ([][]*page.Page[db.License], error) {
	limits := make([]int, len(lists))
	rows := map[db.LicenseStatus]int{} // the rows to read per status: the longest page and one
	var statuses []db.LicenseStatus
	for i, l := range lists {
		var err error
		if limits[i], err = (page.Args{First: l.First}).Limit(); err != nil {
			return nil, err
		}
		if _, ok := rows[l.Status]; !ok {
			statuses = append(statuses, l.Status)
		}
		rows[l.Status] = max(rows[l.Status], limits[i]+1)
	}
	// Each status is ranked apart, by its own time; "" (all) is the one list.
	partition, order, rank := parent.col, "", "?"
	var orderArgs, rankArgs []any
	if len(statuses) == 1 {
		col, _ := licenseTime(statuses[0])
		order, rankArgs = col, []any{rows[statuses[0]]}
		if statuses[0] != "" {
			partition += ", lic.status"
		}
	} else {
		partition += ", lic.status"
		order, rank = "CASE lic.status", "CASE lic.status"
		for _, st := range statuses {
			col, _ := licenseTime(st)
			order += " WHEN ? THEN " + col
			orderArgs = append(orderArgs, st)
			rank += " WHEN ? THEN ?"
			rankArgs = append(rankArgs, st, rows[st])
		}
		order, rank = order+" END", rank+" END"
	}
	inner := a.Restrict(licenseQuery(s.DB, (*db.License)(nil)), "lic.partner_id").
		ColumnExpr("row_number() OVER (PARTITION BY "+partition+" ORDER BY "+order+", lic.id) AS rn", orderArgs...).
		ColumnExpr("count(*) OVER (PARTITION BY "+partition+") AS total").
		Where("? IN (?)", bun.Safe(parent.col), bun.In(ids))
	if statuses[0] != "" {
		inner = inner.Where("lic.status IN (?)", bun.In(statuses))
	}
	var ranked []rankedLicense
	if err := s.DB.NewSelect().Model(&ranked).ModelTableExpr("(?) AS lic", inner).ColumnExpr("lic.*").
		Where("rn <= "+rank, rankArgs...).OrderExpr("lic.rn").Scan(ctx); err != nil {
		return nil, fmt.Errorf("first pages of licenses: %w", err)
	}
	out := make([][]*page.Page[db.License], len(lists))
	for i, l := range lists {
		var licenses []db.License
		totals := map[uuid.UUID]int{}
		for _, r := range ranked {
			if l.Status == "" || r.Status == l.Status {
				licenses = append(licenses, r.License)
				totals[parent.id(&r.License)] = r.Total
			}
		}
		_, key := licenseTime(l.Status)
		out[i] = page.FirstPages(ids, licenses, parent.id, totals, limits[i],
			func(id uuid.UUID) string { return scope(l.Status, id) }, page.TimeCursor(key))
	}
	return out, nil
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
	pages, err := s.firstLicenses(ctx, a, licenseParent{col: "o.id", id: func(l *db.License) uuid.UUID { return l.OrderID }},
		orderIDs, []LicenseList{{First: first}}, func(_ db.LicenseStatus, id uuid.UUID) string { return orderLicensesScope(a, id) })
	if err != nil {
		return nil, err
	}
	return pages[0], nil
}
