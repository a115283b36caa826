package partner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/auth"
	"lms/db"
)

// ImpersonationTTL bounds how long an impersonation token lives when the
// distributor does not end it.
const ImpersonationTTL = 8 * time.Hour

// StartImpersonationInput names the dealer user to act as.
type StartImpersonationInput struct {
	// DealerUserEmail is the email of the dealer user, as the guide's
	// "Impersonate Dealer/Reseller" page asks for it.
	DealerUserEmail string
}

// StartImpersonation lets a distributor user act as a user of a dealer it has
// a shipping allowance with (ACT-5). It returns a token that acts as the
// dealer user and carries the distributor user's identity; every action taken
// with it is audited with both. The secret is returned once.
// Errors: UNAUTHENTICATED, FORBIDDEN (not a distributor, or already
// impersonating), NO_SHIPPING_ALLOWANCE (also for an unknown email, see
// AllowedDealer).
func (s *Service) StartImpersonation(ctx context.Context, in StartImpersonationInput) (*db.APIToken, *db.User, string, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	if a.Impersonating() {
		return nil, nil, "", apperr.Forbiddenf("end the current impersonation before starting another")
	}
	if a.Partner.Kind != db.PartnerDistributor {
		return nil, nil, "", apperr.Forbiddenf("only distributor users can impersonate dealer users")
	}
	email := strings.TrimSpace(in.DealerUserEmail)
	var (
		target *db.User
		tok    *db.APIToken
		secret string
	)
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		user, dealer, err := AllowedDealer(ctx, tx, a.Partner, email, "dealerUserEmail")
		if err != nil {
			return err
		}
		target = user
		expires := s.now().Add(ImpersonationTTL)
		tok = &db.APIToken{
			UserID:         target.ID,
			ImpersonatorID: &a.User.ID,
			Name:           "impersonation by " + a.User.Email,
			CreatedBy:      &a.User.ID,
			ExpiresAt:      &expires,
		}
		if secret, err = auth.Issue(ctx, tx, tok); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "impersonation.start",
			PartnerIDs: []uuid.UUID{dealer.ID},
			Objects:    []string{audit.Ref("ApiToken", tok.ID), audit.Ref("User", target.ID)},
			Summary:    map[string]any{"impersonator": a.User.Email, "user": target.Email, "dealer": dealer.Name, "expiresAt": expires},
		})
	})
	if err != nil {
		return nil, nil, "", fmt.Errorf("start impersonation of %q: %w", email, err)
	}
	return tok, target, secret, nil
}

// EndImpersonation revokes an impersonation token, returning the distributor
// to its own identity (its own token was never affected). With tokenID nil it
// ends the impersonation the request is made with. Errors: UNAUTHENTICATED,
// NOT_FOUND (not an impersonation token of the caller), NOT_APPLICABLE
// (tokenID nil and the caller is not impersonating).
func (s *Service) EndImpersonation(ctx context.Context, tokenID *uuid.UUID) (*db.APIToken, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	id := a.TokenID
	if tokenID != nil {
		id = *tokenID
	} else if !a.Impersonating() {
		return nil, apperr.New(apperr.NotApplicable, "this request is not made while impersonating; name the impersonation token to end")
	}
	tok := new(db.APIToken)
	if err := s.DB.NewSelect().Model(tok).Where("id = ?", id).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("impersonation").OnField("tokenId")
	} else if err != nil {
		return nil, fmt.Errorf("end impersonation: %w", err)
	}
	if tok.ImpersonatorID == nil {
		return nil, apperr.NotFoundf("impersonation").OnField("tokenId")
	}
	return s.Tokens.RevokeToken(ctx, id)
}
