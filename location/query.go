package location

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/db"
	"lms/hwkc"
	"lms/page"
)

// FindLocations returns the live locations with the given ids in order, nil
// where one does not exist or belongs to another partner (admins see all).
// Dataloaders call it with a whole batch. Errors: UNAUTHENTICATED.
func (s *Service) FindLocations(ctx context.Context, ids []uuid.UUID) ([]*db.Location, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.Location
	q := s.DB.NewSelect().Model(&rows).Where("l.id IN (?)", bun.In(ids)).Where("l.deleted_at IS NULL")
	if err := a.Restrict(q, "l.partner_id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("find locations: %w", err)
	}
	return db.InOrder(ids, rows, func(l *db.Location) uuid.UUID { return l.ID }), nil
}

// FindLocation returns one location the caller may see. Errors: NOT_FOUND.
func (s *Service) FindLocation(ctx context.Context, id uuid.UUID) (*db.Location, error) {
	ls, err := s.FindLocations(ctx, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if ls[0] == nil {
		return nil, apperr.NotFoundf("location")
	}
	return ls[0], nil
}

// LocationFilter narrows ListLocations.
type LocationFilter struct {
	// Search matches any part of the name, the primary or secondary HWKC,
	// the Full Computer Name or the domain name, case-insensitively (the
	// type-ahead of the guide's Easy Nav).
	Search     string
	CustomerID *uuid.UUID
	SystemType string
	// TopLevel leaves out child locations.
	TopLevel bool
	// PartnerID narrows an admin's list to one partner.
	PartnerID *uuid.UUID
}

// ListLocations lists the caller's live locations by name (an admin's: every
// partner's). The search uses the trigram index over search_text.
// Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) ListLocations(ctx context.Context, f LocationFilter, args page.Args) (*page.Page[db.Location], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := a.Restrict(s.DB.NewSelect().Model((*db.Location)(nil)), "l.partner_id").Where("l.deleted_at IS NULL")
	if f.PartnerID != nil {
		q = q.Where("l.partner_id = ?", *f.PartnerID)
	}
	if f.CustomerID != nil {
		q = q.Where("l.customer_id = ?", *f.CustomerID)
	}
	if f.SystemType != "" {
		q = q.Where("l.system_type = ?", f.SystemType)
	}
	if f.TopLevel {
		q = q.Where("l.parent_id IS NULL")
	}
	if search := strings.TrimSpace(f.Search); search != "" {
		q = q.Where("l.search_text LIKE ?", db.ContainsPattern(search))
	}
	return page.Alphabetical(ctx, q, args, a.Scope()+"/locations", "l.name", "l.id", locationName)
}

func locationName(l *db.Location) (string, uuid.UUID) { return l.Name, l.ID }

func locationTime(l *db.Location) (time.Time, uuid.UUID) { return l.CreatedAt, l.ID }

// LocationByHardwareKeyCode finds the caller's live location holding code as
// its primary or secondary HWKC (LIC-14, the guide's Tools lookup). The code
// is matched in every form hwkc.Forms gives, so a user need not know the
// stored form. Errors: UNAUTHENTICATED, NOT_FOUND
// (also for another partner's location, ACT-3).
func (s *Service) LocationByHardwareKeyCode(ctx context.Context, code string) (*db.Location, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	forms := hwkc.Forms(code)
	loc := new(db.Location)
	q := s.DB.NewSelect().Model(loc).
		Join("JOIN hardware_key_codes AS hk ON hk.location_id = l.id").
		Where("hk.code IN (?)", bun.In(forms)).Where("l.deleted_at IS NULL").
		OrderExpr("hk.code = ? DESC", forms[0]).Limit(1)
	if err := a.Restrict(q, "l.partner_id").Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil, apperr.NotFoundf("location")
		}
		return nil, fmt.Errorf("location by hardware key code: %w", err)
	}
	return loc, nil
}

// FirstLocationsOfCustomers returns, for each customer id, the first page of
// its top-level locations by name as ListLocations would return it, using one
// statement for all customers (a window per customer). Customers the caller
// may not see get empty pages. Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) FirstLocationsOfCustomers(ctx context.Context, customerIDs []uuid.UUID, first *int) ([]*page.Page[db.Location], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	// The same order as LocationsOfCustomer, so that its cursors continue these pages.
	byName := page.AlphabeticalOrder("l.name", "l.id")
	inner := a.Restrict(s.DB.NewSelect().Model((*db.Location)(nil)), "l.partner_id").
		ColumnExpr("l.*").
		ColumnExpr("row_number() OVER (PARTITION BY l.customer_id ORDER BY ?) AS rn", bun.Safe(byName)).
		ColumnExpr("count(*) OVER (PARTITION BY l.customer_id) AS total").
		Where("l.customer_id IN (?)", bun.In(customerIDs)).Where("l.parent_id IS NULL").Where("l.deleted_at IS NULL")
	return s.firstPages(ctx, inner, customerIDs, first, func(l *db.Location) uuid.UUID { return l.CustomerID },
		byName, func(id uuid.UUID) string { return customerLocationsScope(a, id) }, page.AlphabeticalCursor(locationName))
}

// FirstChildrenOf returns, for each location id, the first page of its live
// child locations, oldest first, in one statement.
func (s *Service) FirstChildrenOf(ctx context.Context, parentIDs []uuid.UUID, first *int) ([]*page.Page[db.Location], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	inner := a.Restrict(s.DB.NewSelect().Model((*db.Location)(nil)), "l.partner_id").
		ColumnExpr("l.*").
		ColumnExpr("row_number() OVER (PARTITION BY l.parent_id ORDER BY l.created_at, l.id) AS rn").
		ColumnExpr("count(*) OVER (PARTITION BY l.parent_id) AS total").
		Where("l.parent_id IN (?)", bun.In(parentIDs)).Where("l.deleted_at IS NULL")
	return s.firstPages(ctx, inner, parentIDs, first, func(l *db.Location) uuid.UUID { return *l.ParentID },
		"l.created_at, l.id", func(id uuid.UUID) string { return childrenScope(a, id) }, page.TimeCursor(locationTime))
}

// rankedLocation is a location with its rank in its group's list and the
// length of that list.
type rankedLocation struct {
	db.Location `bun:",extend"`
	Rank        int `bun:"rn,scanonly"`
	Total       int `bun:"total,scanonly"`
}

// firstPages loads the first page of each group's list from inner, which
// ranks the locations of each group (rn) and counts them (total).
func (s *Service) firstPages(ctx context.Context, inner *bun.SelectQuery, ids []uuid.UUID, first *int, group func(*db.Location) uuid.UUID,
	order string, scope func(uuid.UUID) string, cursor func(*db.Location) page.Cursor,
) ([]*page.Page[db.Location], error) {
	limit, err := page.Args{First: first}.Limit()
	if err != nil {
		return nil, err
	}
	var rows []rankedLocation
	if err := s.DB.NewSelect().Model(&rows).ModelTableExpr("(?) AS l", inner).ColumnExpr("l.*").
		Where("rn <= ?", limit+1).OrderExpr(order).Scan(ctx); err != nil {
		return nil, fmt.Errorf("first pages of locations: %w", err)
	}
	locs := make([]db.Location, len(rows))
	totals := map[uuid.UUID]int{}
	for i := range rows {
		locs[i] = rows[i].Location
		totals[group(&locs[i])] = rows[i].Total
	}
	return page.FirstPages(ids, locs, group, totals, limit, scope, cursor), nil
}

// customerLocationsScope is the cursor scope of a customer's location list.
func customerLocationsScope(a *actor.Actor, customerID uuid.UUID) string {
	return a.Scope() + "/customer-locations/" + customerID.String()
}

// childrenScope is the cursor scope of a location's children.
func childrenScope(a *actor.Actor, parentID uuid.UUID) string {
	return a.Scope() + "/children/" + parentID.String()
}

// LocationsOfCustomer pages a customer's top-level locations by name; the
// first page equals FirstLocationsOfCustomers'. Errors: UNAUTHENTICATED,
// VALIDATION_FAILED.
func (s *Service) LocationsOfCustomer(ctx context.Context, customerID uuid.UUID, args page.Args) (*page.Page[db.Location], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := a.Restrict(s.DB.NewSelect().Model((*db.Location)(nil)), "l.partner_id").
		Where("l.customer_id = ?", customerID).Where("l.parent_id IS NULL").Where("l.deleted_at IS NULL")
	return page.Alphabetical(ctx, q, args, customerLocationsScope(a, customerID), "l.name", "l.id", locationName)
}

// ChildrenOf pages a location's children, oldest first. Errors:
// UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) ChildrenOf(ctx context.Context, parentID uuid.UUID, args page.Args) (*page.Page[db.Location], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := a.Restrict(s.DB.NewSelect().Model((*db.Location)(nil)), "l.partner_id").
		Where("l.parent_id = ?", parentID).Where("l.deleted_at IS NULL")
	return page.OldestFirst(ctx, q, args, childrenScope(a, parentID), "l.created_at", "l.id", locationTime)
}
