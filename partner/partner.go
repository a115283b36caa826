// Package partner manages the tenants of LMS and their people (ACT-1..5):
// partners, users and roles, the shipping allowances between distributors
// and dealers, and impersonation along them.
package partner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/auth"
	"lms/db"
	"lms/notify"
	"lms/page"
)

// Service implements the partner use cases.
type Service struct {
	DB     *bun.DB
	Notify *notify.Service
	Tokens *auth.Service
	// Now returns the current time; tests may fix it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// CreatePartnerInput is the input of CreatePartner.
type CreatePartnerInput struct {
	Kind  db.PartnerKind
	Name  string
	Email string
}

// Validate checks the input on its own.
func (in *CreatePartnerInput) Validate() error {
	in.Name, in.Email = strings.TrimSpace(in.Name), strings.TrimSpace(in.Email)
	var errs apperr.List
	if in.Kind != db.PartnerDealer && in.Kind != db.PartnerDistributor {
		errs.Add(apperr.Invalid("kind", "a partner is a DEALER or a DISTRIBUTOR"))
	}
	if in.Name == "" || len(in.Name) > 200 {
		errs.Add(apperr.Invalid("name", "the partner name must have 1 to 200 characters"))
	}
	if in.Email != "" && !validEmail(in.Email) {
		errs.Add(apperr.Invalid("email", "%q is not an email address", in.Email))
	}
	return errs.Err()
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

// CreatePartner creates a dealer or distributor. Admin only.
// Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED, ALREADY_EXISTS (name).
func (s *Service) CreatePartner(ctx context.Context, in CreatePartnerInput) (*db.Partner, error) {
	if _, err := actor.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	p := &db.Partner{Kind: in.Kind, Name: in.Name, Email: in.Email}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(p).Returning("*").Exec(ctx); err != nil {
			return constraintError(err)
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "partner.create",
			PartnerIDs: []uuid.UUID{p.ID},
			Objects:    []string{audit.Ref("Partner", p.ID)},
			Summary:    map[string]any{"kind": p.Kind, "name": p.Name, "email": p.Email},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("create partner %q: %w", in.Name, err)
	}
	return p, nil
}

// constraintError maps the unique constraints of the partner tables to the
// field errors a user can act on; other errors pass through.
func constraintError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		return err
	}
	switch pgErr.ConstraintName {
	case "partners_name_key":
		return apperr.New(apperr.AlreadyExists, "a partner with this name already exists").OnField("name")
	case "users_email_key":
		return apperr.New(apperr.AlreadyExists, "a user with this email already exists").OnField("email")
	case "shipping_allowances_pair_key":
		return apperr.New(apperr.AlreadyExists, "the distributor already has a shipping allowance for this dealer")
	}
	return err
}

// FindPartner returns a partner the caller may see, in full or by name only
// (see FindPartners). Errors: UNAUTHENTICATED, NOT_FOUND.
func (s *Service) FindPartner(ctx context.Context, id uuid.UUID) (*db.Partner, error) {
	ps, err := s.FindPartners(ctx, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if ps[0] == nil {
		return nil, apperr.NotFoundf("partner")
	}
	return ps[0], nil
}

// FindPartners returns the partners with the given ids in the same order, nil
// where a partner does not exist or the caller may not see it. The caller
// sees in full its own partner, for a distributor the dealers it has a
// shipping allowance with, and for an admin any. It sees by name only the
// distributors that ship to its partner (a shipping allowance for it, or an
// order they reshipped to it), so that a dealer knows where its licenses
// came from and where returns go: those come with NameOnly set and nothing
// but id, kind and name (issue 11 item 11). Dataloaders call it with a
// whole batch. Errors: UNAUTHENTICATED.
func (s *Service) FindPartners(ctx context.Context, ids []uuid.UUID) ([]*db.Partner, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.Partner
	q := s.DB.NewSelect().Model(&rows).Where("partner.id IN (?)", bun.In(ids))
	if !a.IsAdmin() {
		q = q.ColumnExpr("partner.*").
			ColumnExpr("partner.id NOT IN (?) AS name_only", Visible(a)).
			Where("partner.id IN (?) OR ?", Visible(a), shipsTo(a))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("find partners: %w", err)
	}
	for i, p := range rows {
		if p.NameOnly {
			rows[i] = db.Partner{ID: p.ID, Kind: p.Kind, Name: p.Name, NameOnly: true}
		}
	}
	return db.InOrder(ids, rows, func(p *db.Partner) uuid.UUID { return p.ID }), nil
}

// Visible is the one statement of which partners a non-admin actor may see
// in full (ACT-3, ACT-4): its own, and for a distributor the dealers it has
// a shipping allowance with. Other packages whose rows a distributor may
// reach for its dealers (SWA reservations, SWA-13) select by it too.
func Visible(a *actor.Actor) schema.QueryAppender {
	return bun.SafeQuery("SELECT ?::uuid UNION ALL SELECT dealer_id FROM shipping_allowances WHERE distributor_id = ?", a.Partner.ID, a.Partner.ID)
}

// shipsTo is the one condition on a partner row (alias partner) that it
// ships to the actor's partner, which therefore sees it by name: a
// distributor with a shipping allowance for it or that reshipped an order of
// licenses or SWA units to it (an order outlives the allowance it was made
// under).
func shipsTo(a *actor.Actor) schema.QueryAppender {
	return bun.SafeQuery(`(EXISTS (SELECT 1 FROM shipping_allowances sa WHERE sa.dealer_id = ? AND sa.distributor_id = partner.id)
 OR EXISTS (SELECT 1 FROM license_orders lo WHERE lo.partner_id = ? AND lo.reshipped_from = partner.id)
 OR EXISTS (SELECT 1 FROM swa_unit_orders suo WHERE suo.partner_id = ? AND suo.reshipped_from = partner.id))`, a.Partner.ID, a.Partner.ID, a.Partner.ID)
}

// PartnerFilter narrows ListPartners.
type PartnerFilter struct {
	Kind *db.PartnerKind
	// Search matches any part of the name, case-insensitively.
	Search string
}

// ListPartners lists partners, oldest first: all for an admin; for a
// distributor the dealers it ships to (ACT-4); for a dealer nothing but
// itself. Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) ListPartners(ctx context.Context, f PartnerFilter, args page.Args) (*page.Page[db.Partner], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := s.DB.NewSelect().Model((*db.Partner)(nil))
	if !a.IsAdmin() {
		q = q.Where("id IN (?)", Visible(a))
		if a.Partner.Kind == db.PartnerDistributor {
			// A distributor's list is of the dealers it ships to.
			q = q.Where("id <> ?", a.Partner.ID)
		}
	}
	if f.Kind != nil {
		q = q.Where("kind = ?", *f.Kind)
	}
	if f.Search != "" {
		q = q.Where("name ILIKE ?", "%"+db.EscapeLike(f.Search)+"%")
	}
	return page.OldestFirst(ctx, q, args, a.Scope(), "created_at", "id", func(p *db.Partner) (time.Time, uuid.UUID) {
		return p.CreatedAt, p.ID
	})
}

// CreateUserInput is the input of CreateUser.
type CreateUserInput struct {
	PartnerID uuid.UUID
	Email     string
	Name      string
	Roles     []db.Role
}

// Validate checks the input on its own.
func (in *CreateUserInput) Validate() error {
	in.Email, in.Name = strings.TrimSpace(in.Email), strings.TrimSpace(in.Name)
	var errs apperr.List
	if !validEmail(in.Email) {
		errs.Add(apperr.Invalid("email", "%q is not an email address", in.Email))
	}
	if in.Name == "" || len(in.Name) > 200 {
		errs.Add(apperr.Invalid("name", "the user's name must have 1 to 200 characters"))
	}
	for _, r := range in.Roles {
		if r != db.RoleUser && r != db.RoleSwaAdmin && r != db.RoleAdmin {
			errs.Add(apperr.Invalid("roles", "unknown role %q", r))
		}
	}
	return errs.Err()
}

// CreateUser adds a user to a partner. Admin only; the ADMIN role is only
// for users of the vendor organisation. Every user has the USER role.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (partner), VALIDATION_FAILED,
// ALREADY_EXISTS (email).
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (*db.User, error) {
	if _, err := actor.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	u := &db.User{PartnerID: in.PartnerID, Email: in.Email, Name: in.Name, Roles: normaliseRoles(in.Roles)}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p := new(db.Partner)
		if err := tx.NewSelect().Model(p).Where("id = ?", in.PartnerID).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("partner").OnField("partnerId")
		} else if err != nil {
			return err
		}
		if slices.Contains(u.Roles, db.RoleAdmin) && p.Kind != db.PartnerVendor {
			return apperr.Invalid("roles", "the ADMIN role is reserved for the vendor's license desk")
		}
		if _, err := tx.NewInsert().Model(u).Returning("*").Exec(ctx); err != nil {
			return constraintError(err)
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "user.create",
			PartnerIDs: []uuid.UUID{p.ID},
			Objects:    []string{audit.Ref("User", u.ID), audit.Ref("Partner", p.ID)},
			Summary:    map[string]any{"email": u.Email, "name": u.Name, "roles": u.Roles},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("create user %q: %w", in.Email, err)
	}
	return u, nil
}

func normaliseRoles(in []db.Role) []db.Role {
	out := []db.Role{db.RoleUser}
	for _, r := range in {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// FindUsers returns the users with the given ids in order, nil where a user
// does not exist or the caller may not see it: users of its own partner, of
// a dealer it ships to (a distributor), or any (an admin). While
// impersonating, the impersonator is visible too.
func (s *Service) FindUsers(ctx context.Context, ids []uuid.UUID) ([]*db.User, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.User
	q := s.DB.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids))
	if !a.IsAdmin() {
		if a.Impersonator != nil {
			q = q.Where("partner_id IN (?) OR id = ?", Visible(a), a.Impersonator.ID)
		} else {
			q = q.Where("partner_id IN (?)", Visible(a))
		}
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return db.InOrder(ids, rows, func(u *db.User) uuid.UUID { return u.ID }), nil
}

// FindUser returns one user the caller may see. Errors: NOT_FOUND.
func (s *Service) FindUser(ctx context.Context, id uuid.UUID) (*db.User, error) {
	us, err := s.FindUsers(ctx, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if us[0] == nil {
		return nil, apperr.NotFoundf("user")
	}
	return us[0], nil
}

// ListUsers lists the users of a partner the caller may see, oldest first;
// none of a partner it sees by name only. Errors: UNAUTHENTICATED,
// NOT_FOUND, VALIDATION_FAILED.
func (s *Service) ListUsers(ctx context.Context, partnerID uuid.UUID, args page.Args) (*page.Page[db.User], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.FindPartner(ctx, partnerID)
	if err != nil {
		return nil, err
	}
	if p.NameOnly {
		return &page.Page[db.User]{}, nil
	}
	q := s.DB.NewSelect().Model((*db.User)(nil)).Where("partner_id = ?", partnerID)
	return page.OldestFirst(ctx, q, args, a.Scope()+"/"+partnerID.String(), "created_at", "id", func(u *db.User) (time.Time, uuid.UUID) {
		return u.CreatedAt, u.ID
	})
}

// Recipients returns the notification addresses of a partner: its active
// users ("the partner's users get an email"), or its contact address when it
// has no users yet.
func Recipients(ctx context.Context, idb bun.IDB, p *db.Partner) ([]notify.Recipient, error) {
	var users []db.User
	if err := idb.NewSelect().Model(&users).Column("email", "name").
		Where("partner_id = ?", p.ID).Where("disabled_at IS NULL").
		Order("created_at", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("recipients of partner %s: %w", p.ID, err)
	}
	if len(users) == 0 && p.Email != "" {
		return []notify.Recipient{{Email: p.Email, PartnerID: &p.ID}}, nil
	}
	out := make([]notify.Recipient, len(users))
	for i, u := range users {
		out[i] = notify.Recipient{Email: u.Email, Name: u.Name, PartnerID: &p.ID}
	}
	return out, nil
}
