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

	validity validityCache
}

// Authenticate returns the actor a token acts as. A missing, malformed,
// revoked or expired token, or one whose user or impersonator is disabled,
// gives UNAUTHENTICATED with the same message, so tokens cannot be probed.
func (s *Service) Authenticate(ctx context.Context, secret string) (*actor.Actor, error) {
	invalid := apperr.Unauthenticatedf("the API token is invalid, expired or revoked")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, invalid
	}
	tok := new(db.APIToken)
	err := usable(s.DB.NewSelect().Model(tok)).Where("?TableAlias.token_hash = ?", Hash(secret)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, invalid
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: find token: %w", err)
	}
	ids := []uuid.UUID{tok.UserID}
	if tok.ImpersonatorID != nil {
		ids = append(ids, *tok.ImpersonatorID)
	}
	var users []db.User
	if err := s.DB.NewSelect().Model(&users).Where("id IN (?)", bun.In(ids)).Where("disabled_at IS NULL").Scan(ctx); err != nil {
		return nil, fmt.Errorf("authenticate: load users: %w", err)
	}
	if len(users) != len(ids) {
		return nil, invalid
	}
	pids := make([]uuid.UUID, 0, 2)
	for _, u := range users {
		pids = append(pids, u.PartnerID)
	}
	var partners []db.Partner
	if err := s.DB.NewSelect().Model(&partners).Where("id IN (?)", bun.In(pids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("authenticate: load partners: %w", err)
	}
	find := func(id uuid.UUID) (*db.User, *db.Partner) {
		for i := range users {
			if users[i].ID == id {
				for j := range partners {
					if partners[j].ID == users[i].PartnerID {
						return &users[i], &partners[j]
					}
				}
			}
		}
		return nil, nil
	}
	a := &actor.Actor{TokenID: tok.ID}
	a.User, a.Partner = find(tok.UserID)
	if a.User == nil {
		return nil, invalid
	}
	if tok.ImpersonatorID != nil {
		a.Impersonator, a.ImpersonatorPartner = find(*tok.ImpersonatorID)
		if a.Impersonator == nil {
			return nil, invalid
		}
	}
	return a, nil
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

// Touch records that a token was used, at most once a minute per token so
// that reads do not turn into a write each.
func (s *Service) Touch(ctx context.Context, tokenID uuid.UUID) error {
	_, err := s.DB.NewUpdate().Model((*db.APIToken)(nil)).
		Set("last_used_at = now()").
		Where("id = ?", tokenID).
		Where("last_used_at IS NULL OR last_used_at < now() - interval '1 minute'").
		Exec(ctx)
	return err
}
