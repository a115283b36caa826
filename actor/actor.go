// Package actor says who is calling: the authenticated user, its partner, and
// when a distributor impersonates a dealer user (ACT-5), the distributor user
// behind it. Every authorisation decision starts here, tenant first.
package actor

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/apperr"
	"lms/db"
)

// Actor is the identity a request acts with.
type Actor struct {
	User    *db.User
	Partner *db.Partner
	// TokenID is the API token the request authenticated with.
	TokenID uuid.UUID
	// Impersonator and ImpersonatorPartner are set when a distributor user
	// acts as User (ACT-5); the request then sees and does exactly what User
	// can, and audit events record both identities.
	Impersonator        *db.User
	ImpersonatorPartner *db.Partner
}

// IsAdmin reports whether the actor is the vendor's license desk.
func (a *Actor) IsAdmin() bool {
	return a.Partner.Kind == db.PartnerVendor && a.User.HasRole(db.RoleAdmin) && a.Impersonator == nil
}

// Impersonating reports whether a distributor user acts as this actor.
func (a *Actor) Impersonating() bool { return a.Impersonator != nil }

// CanAccessPartner reports whether the actor may read or change the data of
// partnerID: its own partner's, or any partner's for an admin (ACT-3).
func (a *Actor) CanAccessPartner(partnerID uuid.UUID) bool {
	return a.IsAdmin() || a.Partner.ID == partnerID
}

// Scope identifies the tenant view of this actor; cursors are bound to it so a
// cursor minted for one tenant is refused for another.
func (a *Actor) Scope() string {
	if a.IsAdmin() {
		return "admin"
	}
	return a.Partner.ID.String()
}

type key struct{}

// With returns ctx carrying a.
func With(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, key{}, a)
}

// From returns the actor in ctx, or nil for an anonymous request.
func From(ctx context.Context) *Actor {
	a, _ := ctx.Value(key{}).(*Actor)
	return a
}

// Require returns the actor in ctx, or UNAUTHENTICATED.
func Require(ctx context.Context) (*Actor, error) {
	if a := From(ctx); a != nil {
		return a, nil
	}
	return nil, apperr.Unauthenticatedf("authentication required: send an API token as 'Authorization: Bearer <token>'")
}

// RequireAdmin returns the actor in ctx when it is an admin, UNAUTHENTICATED
// without an actor, and FORBIDDEN otherwise (also while impersonating).
func RequireAdmin(ctx context.Context) (*Actor, error) {
	a, err := Require(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() {
		return nil, apperr.Forbiddenf("only the license desk (ADMIN) may do this")
	}
	return a, nil
}

// Restrict limits q to the rows whose partnerCol (e.g. "l.partner_id") is
// the actor's partner (ACT-3); an admin's query is left whole. A row it
// leaves out reads exactly like a missing one.
func (a *Actor) Restrict(q *bun.SelectQuery, partnerCol string) *bun.SelectQuery {
	if p := a.RestrictedTo(); p != nil {
		return q.Where("? = ?", bun.Safe(partnerCol), *p)
	}
	return q
}

// RestrictedTo is Restrict for statements written by hand: the partner
// whose rows a may see, or nil for an admin, who may see every partner's.
// Such a statement filters with "($n::uuid IS NULL OR partner_id = $n)".
func (a *Actor) RestrictedTo() *uuid.UUID {
	if a.IsAdmin() {
		return nil
	}
	return &a.Partner.ID
}
