// Package location manages a partner's customers and their locations (CUS-1,
// LOC-1..13): the systems, each identified by a Hardware Key Code, that
// licenses are attached to. It owns the HWKC rules of each system type (taken
// from the catalog and the hwkc package), the child locations (LMC, SR-MGC,
// redundant secondaries), the EULA mail and the searches over locations.
//
// It owns the shape of a system (System: a location, the root of its PBX,
// its system type, and the predicates that tell a provisional temp key, a
// redundant secondary and a MobiCall supervisor apart) and LockSystem, the
// lock every service that changes what hangs off a system takes first. It
// is the only code that writes the locations table: HWKC changes (LOC-4,
// LOC-6, later HWR and MIG), product keys (LOC-10) and the IP address of a
// virtual HWKC (LOC-6) included.
package location

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/db"
	"lms/notify"
)

// Service implements the customer and location use cases.
type Service struct {
	DB     *bun.DB
	Notify *notify.Service
	// Now returns the current time; tests may fix it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Field limits.
const (
	maxName = 200
	maxText = 200
	maxNote = 2000
)

func trim(fields ...*string) {
	for _, f := range fields {
		*f = strings.TrimSpace(*f)
	}
}

func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// AddressUpdate changes the address lines that are set.
type AddressUpdate struct {
	Street  *string
	City    *string
	State   *string
	Country *string
	Zip     *string
}

func (u AddressUpdate) apply(a *db.Address) {
	set(&a.Street, u.Street)
	set(&a.City, u.City)
	set(&a.State, u.State)
	set(&a.Country, u.Country)
	set(&a.Zip, u.Zip)
}

func checkLength(field, v string, max int) *apperr.Error {
	if utf8.RuneCountInString(v) > max {
		return apperr.Invalid(field, "at most %d characters", max)
	}
	return nil
}

func checkEmail(field, v string) *apperr.Error {
	if v == "" {
		return nil
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > 254 {
		return apperr.Invalid(field, "%q is not an email address", v)
	}
	return nil
}

func validateAddress(errs *apperr.List, a *db.Address, field string) {
	trim(&a.Street, &a.City, &a.State, &a.Country, &a.Zip)
	errs.Add(checkLength(field+".street", a.Street, maxText))
	errs.Add(checkLength(field+".city", a.City, maxText))
	errs.Add(checkLength(field+".state", a.State, maxText))
	errs.Add(checkLength(field+".country", a.Country, maxText))
	errs.Add(checkLength(field+".zip", a.Zip, 20))
}

// changedFields lists the bun columns whose values differ between two
// versions of a model, for the audit trail.
func changedFields[T any](before, after T) []string {
	var out []string
	bv, av := reflect.ValueOf(before), reflect.ValueOf(after)
	var walk func(b, a reflect.Value)
	walk = func(b, a reflect.Value) {
		for i := range b.NumField() {
			f := b.Type().Field(i)
			tag := f.Tag.Get("bun")
			if strings.HasPrefix(tag, "embed:") {
				walk(b.Field(i), a.Field(i))
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "" || strings.HasPrefix(tag, "table:") || name == "updated_at" {
				continue
			}
			if !reflect.DeepEqual(b.Field(i).Interface(), a.Field(i).Interface()) {
				out = append(out, name)
			}
		}
	}
	walk(bv, av)
	return out
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Row lock strengths of lockCustomer.
const (
	// forUpdate: the caller changes the row.
	forUpdate = "UPDATE"
	// forShare: the caller relies on the row staying as it is, and lets
	// others do the same at once (several locations created for one
	// customer in parallel).
	forShare = "SHARE"
)

// lockCustomer reads a customer of the actor's partner (any, for an admin)
// and locks it with strength mode for the rest of tx; another partner's
// answers NOT_FOUND on field, like a missing one (ACT-3).
func lockCustomer(ctx context.Context, tx bun.Tx, a *actor.Actor, id uuid.UUID, field, mode string) (*db.Customer, error) {
	c := new(db.Customer)
	q := tx.NewSelect().Model(c).Where("c.id = ?", id).For(mode)
	if err := a.Restrict(q, "c.partner_id").Scan(ctx); isNoRows(err) {
		return nil, apperr.NotFoundf("customer").OnField(field)
	} else if err != nil {
		return nil, fmt.Errorf("lock customer %s: %w", id, err)
	}
	return c, nil
}

// lockLocation reads and locks for update a live location of the actor's
// partner, like lockCustomer.
func lockLocation(ctx context.Context, tx bun.Tx, a *actor.Actor, id uuid.UUID, field string) (*db.Location, error) {
	l := new(db.Location)
	q := tx.NewSelect().Model(l).Where("l.id = ?", id).Where("l.deleted_at IS NULL").For("UPDATE")
	if err := a.Restrict(q, "l.partner_id").Scan(ctx); isNoRows(err) {
		return nil, apperr.NotFoundf("location").OnField(field)
	} else if err != nil {
		return nil, fmt.Errorf("lock location %s: %w", id, err)
	}
	return l, nil
}
