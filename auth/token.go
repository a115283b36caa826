// Package auth authenticates requests with bearer API tokens (ACT-6): random
// secrets shown once, stored only as a SHA-256 hash, revocable, with an
// optional expiry. It is the one place a different authenticator (OIDC/JWT
// behind an SSO) would plug in: whatever it is, it yields an actor.Actor.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/page"
)

// tokenPrefix marks LMS tokens so secret scanners and people recognise them.
const tokenPrefix = "lms_"

// NewSecret returns a fresh random token, its hash, and the short prefix that
// identifies it in listings without revealing it.
func NewSecret() (secret string, hash []byte, display string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, Hash(secret), secret[:len(tokenPrefix)+6]
}

// Hash returns the stored form of a token.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Service manages API tokens.
type Service struct {
	DB *bun.DB
	// RecheckAfter is how long StillValid trusts its last answer for a
	// token; 0 checks every time.
	RecheckAfter time.Duration
	// TouchInterval is how often Run records the last use of the tokens
	// answered from memory; touchInterval when 0.
	TouchInterval time.Duration

	validity validityCache
	cache    actorCache
}

// Authenticate returns the actor a token acts as, in one statement that
// also records the token's use (at most once a minute, so that reads do not
// turn into a write each), or from memory, without a statement, for a
// token it authenticated within CacheTTL while Run listens for changes. A missing, malformed, revoked or expired token,
// or one whose user or impersonator is disabled, gives UNAUTHENTICATED with
// the same message, so tokens cannot be probed.
func (s *Service) Authenticate(ctx context.Context, secret string) (*actor.Actor, error) {
	invalid := apperr.Unauthenticatedf("the API token is invalid, expired or revoked")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, invalid
	}
	hash := Hash(secret)
	now := time.Now()
	if a, ok := s.cache.get(hash, now); ok {
		return a, nil
	}
	generation := s.cache.generation.Load()
	var row authRow
	err := db.Scan(ctx, s.DB, authenticateSQL, []any{hash}, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, invalid
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	a := &actor.Actor{
		TokenID: row.TokenID,
		User:    &db.User{ID: row.UserID, PartnerID: row.PartnerID, Email: row.UserEmail, Name: row.UserName, Roles: row.UserRoles, CreatedAt: row.UserCreatedAt, UpdatedAt: row.UserUpdatedAt},
		Partner: &db.Partner{ID: row.PartnerID, Kind: row.PartnerKind, Name: row.PartnerName, Email: row.PartnerEmail, CreatedAt: row.PartnerCreatedAt, UpdatedAt: row.PartnerUpdatedAt},
	}
	if row.ImpersonatorID != nil {
		if row.ImpersonatorUserID == nil {
			return nil, invalid // the impersonating user is disabled
		}
		a.Impersonator = &db.User{ID: *row.ImpersonatorUserID, PartnerID: *row.ImpersonatorPartnerID, Email: *row.ImpersonatorEmail, Name: *row.ImpersonatorName, Roles: row.ImpersonatorRoles, CreatedAt: *row.ImpersonatorCreatedAt, UpdatedAt: *row.ImpersonatorUpdatedAt}
		a.ImpersonatorPartner = &db.Partner{ID: *row.ImpersonatorPartnerID, Kind: *row.ImpersonatorPartnerKind, Name: *row.ImpersonatorPartnerName, Email: *row.ImpersonatorPartnerEmail, CreatedAt: *row.ImpersonatorPartnerCreatedAt, UpdatedAt: *row.ImpersonatorPartnerUpdatedAt}
	}
	s.cache.put(hash, a, row.ExpiresAt, generation, now)
	return a, nil
}

// authenticateSQL finds a usable token with its enabled user and partner,
// and the impersonating user and partner (null when disabled), and records
// the token's use once a minute; one round trip per request, its text the
// same for every token (a parameter, not an inlined value).
const authenticateSQL = `
WITH tok AS (
	SELECT t.id, t.user_id, t.impersonator_id, t.expires_at FROM api_tokens AS t
	WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
), touch AS (
	UPDATE api_tokens SET last_used_at = now()
	WHERE id IN (SELECT tok.id FROM tok JOIN users AS u ON u.id = tok.user_id AND u.disabled_at IS NULL)
	  AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
)
SELECT tok.id AS token_id, tok.impersonator_id, tok.expires_at,
	u.id AS user_id, u.email AS user_email, u.name AS user_name, u.roles AS user_roles, u.created_at AS user_created_at, u.updated_at AS user_updated_at,
	p.id AS partner_id, p.kind AS partner_kind, p.name AS partner_name, p.email AS partner_email, p.created_at AS partner_created_at, p.updated_at AS partner_updated_at,
	iu.id AS imp_user_id, iu.email AS imp_email, iu.name AS imp_name, iu.roles AS imp_roles, iu.created_at AS imp_created_at, iu.updated_at AS imp_updated_at,
	ip.id AS imp_partner_id, ip.kind AS imp_partner_kind, ip.name AS imp_partner_name, ip.email AS imp_partner_email, ip.created_at AS imp_partner_created_at, ip.updated_at AS imp_partner_updated_at
FROM tok
JOIN users AS u ON u.id = tok.user_id AND u.disabled_at IS NULL
JOIN partners AS p ON p.id = u.partner_id
LEFT JOIN users AS iu ON iu.id = tok.impersonator_id AND iu.disabled_at IS NULL
LEFT JOIN partners AS ip ON ip.id = iu.partner_id`

// authRow is a row of authenticateSQL.
type authRow struct {
	TokenID          uuid.UUID      `bun:"token_id"`
	ImpersonatorID   *uuid.UUID     `bun:"impersonator_id"`
	ExpiresAt        *time.Time     `bun:"expires_at"`
	UserID           uuid.UUID      `bun:"user_id"`
	UserEmail        string         `bun:"user_email"`
	UserName         string         `bun:"user_name"`
	UserRoles        []db.Role      `bun:"user_roles,array"`
	UserCreatedAt    time.Time      `bun:"user_created_at"`
	UserUpdatedAt    time.Time      `bun:"user_updated_at"`
	PartnerID        uuid.UUID      `bun:"partner_id"`
	PartnerKind      db.PartnerKind `bun:"partner_kind"`
	PartnerName      string         `bun:"partner_name"`
	PartnerEmail     string         `bun:"partner_email"`
	PartnerCreatedAt time.Time      `bun:"partner_created_at"`
	PartnerUpdatedAt time.Time      `bun:"partner_updated_at"`

	ImpersonatorUserID           *uuid.UUID      `bun:"imp_user_id"`
	ImpersonatorEmail            *string         `bun:"imp_email"`
	ImpersonatorName             *string         `bun:"imp_name"`
	ImpersonatorRoles            []db.Role       `bun:"imp_roles,array"`
	ImpersonatorCreatedAt        *time.Time      `bun:"imp_created_at"`
	ImpersonatorUpdatedAt        *time.Time      `bun:"imp_updated_at"`
	ImpersonatorPartnerID        *uuid.UUID      `bun:"imp_partner_id"`
	ImpersonatorPartnerKind      *db.PartnerKind `bun:"imp_partner_kind"`
	ImpersonatorPartnerName      *string         `bun:"imp_partner_name"`
	ImpersonatorPartnerEmail     *string         `bun:"imp_partner_email"`
	ImpersonatorPartnerCreatedAt *time.Time      `bun:"imp_partner_created_at"`
	ImpersonatorPartnerUpdatedAt *time.Time      `bun:"imp_partner_updated_at"`
}

// Issue stores a new token for tok.UserID through idb and returns its secret,
// which is never stored and cannot be shown again. Callers record the audit
// event themselves, as part of the change the token belongs to.
func Issue(ctx context.Context, idb bun.IDB, tok *db.APIToken) (string, error) {
	secret, hash, display := NewSecret()
	tok.TokenHash, tok.Prefix = hash, display
	if _, err := idb.NewInsert().Model(tok).Returning("*").Exec(ctx); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	return secret, nil
}

// CreateTokenInput is the input of CreateToken.
type CreateTokenInput struct {
	// UserID is the user the token acts as; nil means the caller itself.
	UserID    *uuid.UUID
	Name      string
	ExpiresAt *time.Time
}

// Validate checks the input on its own.
func (in CreateTokenInput) Validate(now time.Time) error {
	var errs apperr.List
	if n := strings.TrimSpace(in.Name); n == "" || len(n) > 100 {
		errs.Add(apperr.Invalid("name", "give the token a name of 1 to 100 characters, e.g. the script that uses it"))
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		errs.Add(apperr.Invalid("expiresAt", "the expiry must be in the future"))
	}
	return errs.Err()
}

// CreateToken creates a token for the caller itself or, for an admin, for any
// user. The secret is returned once. Not allowed while impersonating: a token
// minted then would outlive the impersonation and hide who acts.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (user), VALIDATION_FAILED.
func (s *Service) CreateToken(ctx context.Context, in CreateTokenInput) (*db.APIToken, string, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, "", err
	}
	if a.Impersonating() {
		return nil, "", apperr.Forbiddenf("tokens cannot be created while impersonating")
	}
	if err := in.Validate(time.Now()); err != nil {
		return nil, "", err
	}
	userID := a.User.ID
	if in.UserID != nil && *in.UserID != a.User.ID {
		if !a.IsAdmin() {
			return nil, "", apperr.NotFoundf("user").OnField("userId")
		}
		userID = *in.UserID
	}
	tok := &db.APIToken{UserID: userID, Name: strings.TrimSpace(in.Name), ExpiresAt: in.ExpiresAt, CreatedBy: &a.User.ID}
	var secret string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		u := new(db.User)
		if err := tx.NewSelect().Model(u).Where("id = ?", userID).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("user").OnField("userId")
		} else if err != nil {
			return err
		}
		if secret, err = Issue(ctx, tx, tok); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "api_token.create",
			PartnerIDs: []uuid.UUID{u.PartnerID},
			Objects:    []string{audit.Ref("ApiToken", tok.ID), audit.Ref("User", userID)},
			Summary:    map[string]any{"name": tok.Name, "prefix": tok.Prefix, "expiresAt": tok.ExpiresAt},
		})
	})
	if err != nil {
		return nil, "", fmt.Errorf("create api token: %w", err)
	}
	return tok, secret, nil
}

// RevokeToken revokes a token of the caller's own (or, for an admin, any
// token). Revoking twice is harmless. While impersonating, only the
// impersonation token itself can be revoked (see EndImpersonation).
// Errors: UNAUTHENTICATED, NOT_FOUND.
func (s *Service) RevokeToken(ctx context.Context, id uuid.UUID) (*db.APIToken, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	tok := new(db.APIToken)
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(tok).Where("id = ?", id).For("UPDATE").Scan(ctx); errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("API token").OnField("id")
		} else if err != nil {
			return err
		}
		if !canManage(a, tok) {
			return apperr.NotFoundf("API token").OnField("id")
		}
		if tok.RevokedAt != nil {
			return nil
		}
		if _, err := tx.NewUpdate().Model(tok).Set("revoked_at = now()").WherePK().Returning("*").Exec(ctx); err != nil {
			return err
		}
		owner := new(db.User)
		if err := tx.NewSelect().Model(owner).Where("id = ?", tok.UserID).Scan(ctx); err != nil {
			return err
		}
		action := "api_token.revoke"
		if tok.ImpersonatorID != nil {
			action = "impersonation.end"
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     action,
			PartnerIDs: []uuid.UUID{owner.PartnerID},
			Objects:    []string{audit.Ref("ApiToken", tok.ID), audit.Ref("User", tok.UserID)},
			Summary:    map[string]any{"name": tok.Name, "prefix": tok.Prefix},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("revoke api token %s: %w", id, err)
	}
	s.validity.forget(id)
	s.cache.invalidate()
	return tok, nil
}

// canManage reports whether a may see and revoke tok: an admin any token; an
// impersonation session only its own token; a user its own tokens and the
// impersonation tokens it started.
func canManage(a *actor.Actor, tok *db.APIToken) bool {
	switch {
	case a.IsAdmin():
		return true
	case a.Impersonating():
		return tok.ID == a.TokenID
	default:
		return tok.UserID == a.User.ID && tok.ImpersonatorID == nil ||
			tok.ImpersonatorID != nil && *tok.ImpersonatorID == a.User.ID
	}
}

// FindToken returns a token the caller may manage. Errors: UNAUTHENTICATED,
// NOT_FOUND.
func (s *Service) FindToken(ctx context.Context, id uuid.UUID) (*db.APIToken, error) {
	toks, err := s.FindTokens(ctx, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if toks[0] == nil {
		return nil, apperr.NotFoundf("API token")
	}
	return toks[0], nil
}

// FindTokens returns the tokens with the given ids in order, nil where a
// token does not exist or the caller may not manage it. node and nodes call
// it with all the ids of a request. Errors: UNAUTHENTICATED.
func (s *Service) FindTokens(ctx context.Context, ids []uuid.UUID) ([]*db.APIToken, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.APIToken
	if err := s.DB.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("find api tokens: %w", err)
	}
	out := db.InOrder(ids, rows, func(t *db.APIToken) uuid.UUID { return t.ID })
	for i, tok := range out {
		if tok != nil && !canManage(a, tok) {
			out[i] = nil
		}
	}
	return out, nil
}

// ListTokens lists the tokens of a user, newest first: the caller's own, or
// any user's for an admin. Errors: UNAUTHENTICATED, NOT_FOUND, VALIDATION_FAILED.
func (s *Service) ListTokens(ctx context.Context, userID uuid.UUID, args page.Args) (*page.Page[db.APIToken], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && userID != a.User.ID {
		return nil, apperr.NotFoundf("user")
	}
	q := s.DB.NewSelect().Model((*db.APIToken)(nil)).Where("user_id = ?", userID)
	if a.Impersonating() {
		q = q.Where("id = ?", a.TokenID)
	}
	return page.NewestFirst(ctx, q, args, a.Scope()+"/"+userID.String(), "created_at", "id", func(t *db.APIToken) (time.Time, uuid.UUID) {
		return t.CreatedAt, t.ID
	})
}
