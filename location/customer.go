package location

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/page"
)

// CustomerInput holds a customer's editable fields (CUS-1).
type CustomerInput struct {
	Name          string
	Address       db.Address
	ContactName   string
	ContactPhone  string
	ContactEmail  string
	EulaEmail     string
	ReferenceNote string
}

// Validate trims the input and checks it on its own.
func (in *CustomerInput) Validate() error {
	trim(&in.Name, &in.ContactName, &in.ContactPhone, &in.ContactEmail, &in.EulaEmail, &in.ReferenceNote)
	var errs apperr.List
	if in.Name == "" || utf8.RuneCountInString(in.Name) > maxName {
		errs.Add(apperr.Invalid("name", "the business name must have 1 to %d characters", maxName))
	}
	validateAddress(&errs, &in.Address, "address")
	errs.Add(checkLength("contactName", in.ContactName, maxText))
	errs.Add(checkLength("contactPhone", in.ContactPhone, 50))
	errs.Add(checkLength("referenceNote", in.ReferenceNote, maxNote))
	errs.Add(checkEmail("contactEmail", in.ContactEmail))
	errs.Add(checkEmail("eulaEmail", in.EulaEmail))
	return errs.Err()
}

// CreateCustomerInput is the input of CreateCustomer.
type CreateCustomerInput struct {
	// PartnerID names the partner that owns the customer. Partners leave it
	// unset (their own); an admin must set it.
	PartnerID *uuid.UUID
	CustomerInput
}

// CreateCustomer registers a customer for the caller's partner, or for any
// partner when the caller is an admin (ACT-1, CUS-1).
// Errors: UNAUTHENTICATED, VALIDATION_FAILED, NOT_FOUND (partner).
func (s *Service) CreateCustomer(ctx context.Context, in CreateCustomerInput) (*db.Customer, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	owner, err := ownerPartner(a, in.PartnerID)
	if err != nil {
		return nil, err
	}
	c := &db.Customer{
		PartnerID: owner, Name: in.Name, Address: in.Address, ContactName: in.ContactName,
		ContactPhone: in.ContactPhone, ContactEmail: in.ContactEmail, EulaEmail: in.EulaEmail,
		ReferenceNote: in.ReferenceNote,
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if a.IsAdmin() {
			if err := requirePartner(ctx, tx, owner); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(c).Returning("*").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "customer.create",
			PartnerIDs: []uuid.UUID{owner},
			Objects:    []string{audit.Ref("Customer", c.ID)},
			Summary:    map[string]any{"name": c.Name, "referenceNote": c.ReferenceNote},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("create customer %q: %w", in.Name, err)
	}
	return c, nil
}

// ownerPartner returns the partner a new object belongs to: the caller's, or
// for an admin the one it names (required: the license desk owns no customers).
func ownerPartner(a *actor.Actor, requested *uuid.UUID) (uuid.UUID, error) {
	switch {
	case a.IsAdmin() && requested == nil:
		return uuid.Nil, apperr.Invalid("partnerId", "name the partner the customer belongs to")
	case a.IsAdmin():
		return *requested, nil
	case requested != nil && *requested != a.Partner.ID:
		// Another partner's id answers like a missing one (ACT-3).
		return uuid.Nil, apperr.NotFoundf("partner").OnField("partnerId")
	default:
		return a.Partner.ID, nil
	}
}

func requirePartner(ctx context.Context, idb bun.IDB, id uuid.UUID) error {
	ok, err := idb.NewSelect().Model((*db.Partner)(nil)).Where("id = ?", id).Where("kind <> ?", db.PartnerVendor).Exists(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf("partner").OnField("partnerId")
	}
	return nil
}

// CustomerUpdate changes the fields that are set; nil leaves a field as it is.
type CustomerUpdate struct {
	Name *string
	AddressUpdate
	ContactName   *string
	ContactPhone  *string
	ContactEmail  *string
	EulaEmail     *string
	ReferenceNote *string
}

func (u CustomerUpdate) apply(c *db.Customer) CustomerInput {
	in := CustomerInput{
		Name: c.Name, Address: c.Address, ContactName: c.ContactName, ContactPhone: c.ContactPhone,
		ContactEmail: c.ContactEmail, EulaEmail: c.EulaEmail, ReferenceNote: c.ReferenceNote,
	}
	set(&in.Name, u.Name)
	u.AddressUpdate.apply(&in.Address)
	set(&in.ContactName, u.ContactName)
	set(&in.ContactPhone, u.ContactPhone)
	set(&in.ContactEmail, u.ContactEmail)
	set(&in.EulaEmail, u.EulaEmail)
	set(&in.ReferenceNote, u.ReferenceNote)
	return in
}

// UpdateCustomer edits a customer of the caller's partner (any, for an admin).
// Errors: UNAUTHENTICATED, NOT_FOUND, VALIDATION_FAILED.
func (s *Service) UpdateCustomer(ctx context.Context, id uuid.UUID, u CustomerUpdate) (*db.Customer, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var c *db.Customer
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if c, err = lockCustomer(ctx, tx, a, id, "id", forUpdate); err != nil {
			return err
		}
		in := u.apply(c)
		if err := in.Validate(); err != nil {
			return err
		}
		before := *c
		c.Name, c.Address, c.ContactName, c.ContactPhone = in.Name, in.Address, in.ContactName, in.ContactPhone
		c.ContactEmail, c.EulaEmail, c.ReferenceNote = in.ContactEmail, in.EulaEmail, in.ReferenceNote
		changes := changedFields(before, *c)
		if len(changes) == 0 {
			return nil
		}
		c.UpdatedAt = s.now()
		if _, err := tx.NewUpdate().Model(c).WherePK().ExcludeColumn("id", "partner_id", "created_at").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "customer.update",
			PartnerIDs: []uuid.UUID{c.PartnerID},
			Objects:    []string{audit.Ref("Customer", c.ID)},
			Summary:    map[string]any{"changed": changes},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("update customer %s: %w", id, err)
	}
	return c, nil
}

// FindCustomers returns the customers with the given ids in order, nil where
// one does not exist or belongs to another partner (admins see all).
// Dataloaders call it with a whole batch. Errors: UNAUTHENTICATED.
func (s *Service) FindCustomers(ctx context.Context, ids []uuid.UUID) ([]*db.Customer, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.Customer
	q := s.DB.NewSelect().Model(&rows).Where("c.id IN (?)", bun.In(ids))
	if err := a.Restrict(q, "c.partner_id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("find customers: %w", err)
	}
	return db.InOrder(ids, rows, func(c *db.Customer) uuid.UUID { return c.ID }), nil
}

// FindCustomer returns one customer the caller may see. Errors: NOT_FOUND.
func (s *Service) FindCustomer(ctx context.Context, id uuid.UUID) (*db.Customer, error) {
	cs, err := s.FindCustomers(ctx, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if cs[0] == nil {
		return nil, apperr.NotFoundf("customer")
	}
	return cs[0], nil
}

// CustomerFilter narrows ListCustomers.
type CustomerFilter struct {
	// Search matches any part of the business name or the reference note,
	// case-insensitively.
	Search string
	// PartnerID narrows an admin's list to one partner; a partner's own
	// list is always its own.
	PartnerID *uuid.UUID
}

// ListCustomers lists the caller's customers by name (an admin's: every
// partner's). Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) ListCustomers(ctx context.Context, f CustomerFilter, args page.Args) (*page.Page[db.Customer], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := a.Restrict(s.DB.NewSelect().Model((*db.Customer)(nil)), "c.partner_id")
	if f.PartnerID != nil {
		q = q.Where("c.partner_id = ?", *f.PartnerID)
	}
	if search := strings.TrimSpace(f.Search); search != "" {
		q = q.Where("c.search_text LIKE ?", db.ContainsPattern(search))
	}
	return page.Alphabetical(ctx, q, args, a.Scope()+"/customers", "c.name", "c.id", func(c *db.Customer) (string, uuid.UUID) {
		return c.Name, c.ID
	})
}
