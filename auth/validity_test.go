package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/actor"
	"lms/auth"
	"lms/db"
)

// StillValid follows revocation, disabled users and expiry. Its answer is
// cached for RecheckAfter, except that a revocation through the service
// counts at once; with RecheckAfter 0 every call looks.
func TestStillValid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, token := seeded(t)
	cached := &auth.Service{DB: d.Bun, RecheckAfter: time.Hour}
	uncached := &auth.Service{DB: d.Bun}
	actorOf := func(email string) *actor.Actor {
		a, err := uncached.Authenticate(ctx, token[email])
		require.NoError(t, err)
		return a
	}
	requireValid := func(s *auth.Service, a *actor.Actor, want bool) {
		t.Helper()
		valid, err := s.StillValid(ctx, a.TokenID)
		require.NoError(t, err)
		require.Equal(t, want, valid)
	}
	exec := func(query string, args ...any) {
		t.Helper()
		_, err := d.Bun.NewRaw(query, args...).Exec(ctx)
		require.NoError(t, err)
	}

	// Revoked in the database behind the services' back: the cache keeps
	// its answer, the uncached service sees it. Revoked through the
	// service: at once.
	yara := actorOf("yara@dealer-y.example")
	requireValid(cached, yara, true)
	exec(`UPDATE api_tokens SET revoked_at = now() WHERE id = ?`, yara.TokenID)
	requireValid(cached, yara, true)
	requireValid(uncached, yara, false)
	exec(`UPDATE api_tokens SET revoked_at = NULL WHERE id = ?`, yara.TokenID)
	_, err := cached.RevokeToken(actor.With(ctx, yara), yara.TokenID)
	require.NoError(t, err)
	requireValid(cached, yara, false)

	// A disabled user, an expired token.
	yuri := actorOf("yuri@dealer-y.example")
	requireValid(uncached, yuri, true)
	exec(`UPDATE users SET disabled_at = now() WHERE id = ?`, yuri.User.ID)
	requireValid(uncached, yuri, false)
	zoe := actorOf("zoe@dealer-z.example")
	exec(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = ?`, zoe.TokenID)
	requireValid(uncached, zoe, false)

	// An impersonation whose distributor user is disabled.
	ed := actorOf("ed@distributor-x.example")
	imp := &db.APIToken{UserID: yara.User.ID, ImpersonatorID: &ed.User.ID, Name: "impersonation"}
	_, err = auth.Issue(ctx, d.Bun, imp)
	require.NoError(t, err)
	requireValid(uncached, &actor.Actor{TokenID: imp.ID}, true)
	exec(`UPDATE users SET disabled_at = now() WHERE id = ?`, ed.User.ID)
	requireValid(uncached, &actor.Actor{TokenID: imp.ID}, false)
}
