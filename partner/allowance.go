package partner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/mail"
)

// GrantShippingAllowance lets a distributor reship to a dealer and act as its
// users (ACT-4). Admin only. The dealer's users are emailed, in the same
// transaction. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// VALIDATION_FAILED (kinds), ALREADY_EXISTS.
func (s *Service) GrantShippingAllowance(ctx context.Context, distributorID, dealerID uuid.UUID) (*db.ShippingAllowance, error) {
	a, err := actor.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	sa := &db.ShippingAllowance{DistributorID: distributorID, DealerID: dealerID, GrantedBy: &a.User.ID}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		dist, err := partnerOfKind(ctx, tx, distributorID, db.PartnerDistributor, "distributorId")
		if err != nil {
			return err
		}
		dealer, err := partnerOfKind(ctx, tx, dealerID, db.PartnerDealer, "dealerId")
		if err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(sa).Returning("*").Exec(ctx); err != nil {
			return constraintError(err)
		}
		if err := audit.Record(ctx, tx, audit.Event{
			Action:     "shipping_allowance.grant",
			PartnerIDs: []uuid.UUID{dist.ID, dealer.ID},
			Objects:    []string{audit.Ref("ShippingAllowance", sa.ID), audit.Ref("Partner", dist.ID), audit.Ref("Partner", dealer.ID)},
			Summary:    map[string]any{"distributor": dist.Name, "dealer": dealer.Name},
		}); err != nil {
			return err
		}
		to, err := Recipients(ctx, tx, dealer)
		if err != nil {
			return err
		}
		for _, r := range to {
			if _, err := s.Notify.Enqueue(ctx, tx, r, mail.ShippingAllowanceGranted{
				RecipientName:   r.Name,
				DealerName:      dealer.Name,
				DistributorName: dist.Name,
				GrantedAt:       sa.CreatedAt,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("grant shipping allowance %s -> %s: %w", distributorID, dealerID, err)
	}
	return sa, nil
}

func partnerOfKind(ctx context.Context, idb bun.IDB, id uuid.UUID, kind db.PartnerKind, field string) (*db.Partner, error) {
	p := new(db.Partner)
	if err := idb.NewSelect().Model(p).Where("id = ?", id).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("partner").OnField(field)
	} else if err != nil {
		return nil, err
	}
	if p.Kind != kind {
		return nil, apperr.Invalid(field, "%s is a %s, not a %s", p.Name, p.Kind, kind)
	}
	return p, nil
}

// AllowedDealer finds the enabled user with email (any case) and its
// dealer, for a distributor that has a shipping allowance for that dealer
// (ACT-4): whom it may reship to (LIC-12) or act as (ACT-5). It is the one
// place the allowance is checked. Every other
// case (no such user, a disabled one, a user of a partner without an
// allowance, of the distributor itself or of the vendor) answers
// NO_SHIPPING_ALLOWANCE on field alike, so the answer does not tell whether
// an email belongs to another tenant (ACT-3).
func AllowedDealer(ctx context.Context, idb bun.IDB, distributor *db.Partner, email, field string) (*db.User, *db.Partner, error) {
	u := new(db.User)
	err := idb.NewSelect().Model(u).ModelTableExpr("users AS u").ColumnExpr("u.*").
		Join("JOIN partners AS p ON p.id = u.partner_id").
		Join("JOIN shipping_allowances AS sa ON sa.dealer_id = p.id").
		Where("lower(u.email) = lower(?)", strings.TrimSpace(email)).Where("u.disabled_at IS NULL").
		Where("p.kind = ?", db.PartnerDealer).Where("sa.distributor_id = ?", distributor.ID).
		Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.New(apperr.NoShippingAllowance, "%s has no shipping allowance for a dealer with a user %s; the license desk grants allowances", distributor.Name, strings.TrimSpace(email)).OnField(field)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find dealer user: %w", err)
	}
	dealer := new(db.Partner)
	if err := idb.NewSelect().Model(dealer).Where("id = ?", u.PartnerID).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("load dealer: %w", err)
	}
	return u, dealer, nil
}

// FindShippingAllowances returns allowances by id in order, nil where missing
// or not visible: admins see all, partners those they are part of.
func (s *Service) FindShippingAllowances(ctx context.Context, ids []uuid.UUID) ([]*db.ShippingAllowance, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.ShippingAllowance
	q := s.DB.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids))
	if !a.IsAdmin() {
		q = q.Where("distributor_id = ? OR dealer_id = ?", a.Partner.ID, a.Partner.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("find shipping allowances: %w", err)
	}
	return db.InOrder(ids, rows, func(r *db.ShippingAllowance) uuid.UUID { return r.ID }), nil
}

// ShippingAllowancesOf lists the allowances a partner is part of, as
// distributor or dealer, that the caller is part of too (an admin: all);
// none of a partner the caller sees by name only. Errors: UNAUTHENTICATED,
// NOT_FOUND (partner not visible).
func (s *Service) ShippingAllowancesOf(ctx context.Context, partnerID uuid.UUID) ([]db.ShippingAllowance, error) {
	p, err := s.FindPartner(ctx, partnerID)
	if err != nil {
		return nil, err
	}
	if p.NameOnly {
		return []db.ShippingAllowance{}, nil
	}
	a := actor.From(ctx)
	var rows []db.ShippingAllowance
	q := s.DB.NewSelect().Model(&rows).Where("distributor_id = ? OR dealer_id = ?", partnerID, partnerID).Order("created_at", "id")
	if !a.IsAdmin() {
		q = q.Where("distributor_id = ? OR dealer_id = ?", a.Partner.ID, a.Partner.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("shipping allowances of %s: %w", partnerID, err)
	}
	return rows, nil
}
