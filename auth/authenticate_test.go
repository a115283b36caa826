package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/apperr"
	"lms/auth"
	"lms/db"
)

// Authenticate finds the actor in one statement: the user and partner, the
// impersonator and its partner, and records the token's use at most once a
// minute; every unusable token answers the same UNAUTHENTICATED.
func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, token := seeded(t)
	s := &auth.Service{DB: d.Bun}
	exec := func(query string, args ...any) {
		t.Helper()
		_, err := d.Bun.NewRaw(query, args...).Exec(ctx)
		require.NoError(t, err)
	}
	lastUsed := func(id any) *time.Time {
		t.Helper()
		var at *time.Time
		require.NoError(t, d.Bun.NewRaw(`SELECT last_used_at FROM api_tokens WHERE id = ?`, id).Scan(ctx, &at))
		return at
	}
	invalid := func(secret string) {
		t.Helper()
		_, err := s.Authenticate(ctx, secret)
		require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))
		require.EqualError(t, err, "UNAUTHENTICATED: the API token is invalid, expired or revoked")
	}

	yara, err := s.Authenticate(ctx, token["yara@dealer-y.example"])
	require.NoError(t, err)
	require.Equal(t, "yara@dealer-y.example", yara.User.Email)
	require.Equal(t, yara.User.PartnerID, yara.Partner.ID)
	require.Equal(t, "Dealer Y", yara.Partner.Name)
	require.Equal(t, db.PartnerDealer, yara.Partner.Kind)
	require.True(t, yara.User.HasRole(db.RoleSwaAdmin))
	require.Nil(t, yara.Impersonator)

	// The use is recorded, then not again within the minute.
	first := lastUsed(yara.TokenID)
	require.NotNil(t, first)
	_, err = s.Authenticate(ctx, token["yara@dealer-y.example"])
	require.NoError(t, err)
	require.Equal(t, *first, *lastUsed(yara.TokenID))
	exec(`UPDATE api_tokens SET last_used_at = now() - interval '2 minutes' WHERE id = ?`, yara.TokenID)
	_, err = s.Authenticate(ctx, token["yara@dealer-y.example"])
	require.NoError(t, err)
	require.True(t, lastUsed(yara.TokenID).After(first.Add(-time.Second)))

	// Impersonation: both identities, in the same statement.
	admin, err := s.Authenticate(ctx, token["admin@lms.example"])
	require.NoError(t, err)
	require.True(t, admin.IsAdmin())
	ed, err := s.Authenticate(ctx, token["ed@distributor-x.example"])
	require.NoError(t, err)
	imp := &db.APIToken{UserID: yara.User.ID, ImpersonatorID: &ed.User.ID, Name: "impersonation"}
	secret, err := auth.Issue(ctx, d.Bun, imp)
	require.NoError(t, err)
	as, err := s.Authenticate(ctx, secret)
	require.NoError(t, err)
	require.Equal(t, yara.User.ID, as.User.ID)
	require.Equal(t, ed.User.ID, as.Impersonator.ID)
	require.Equal(t, ed.Partner.ID, as.ImpersonatorPartner.ID)
	require.Equal(t, db.PartnerDistributor, as.ImpersonatorPartner.Kind)

	// Unusable: malformed, unknown, revoked, expired, a disabled user, a
	// disabled impersonator.
	invalid("")
	invalid("lms_unknown")
	invalid("Bearer " + token["yara@dealer-y.example"])
	zoe, err := s.Authenticate(ctx, token["zoe@dealer-z.example"])
	require.NoError(t, err)
	exec(`UPDATE api_tokens SET revoked_at = now() WHERE id = ?`, zoe.TokenID)
	invalid(token["zoe@dealer-z.example"])
	yuri, err := s.Authenticate(ctx, token["yuri@dealer-y.example"])
	require.NoError(t, err)
	exec(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = ?`, yuri.TokenID)
	invalid(token["yuri@dealer-y.example"])
	exec(`UPDATE api_tokens SET expires_at = NULL WHERE id = ?`, yuri.TokenID)
	exec(`UPDATE users SET disabled_at = now() WHERE id = ?`, yuri.User.ID)
	invalid(token["yuri@dealer-y.example"])
	exec(`UPDATE users SET disabled_at = now() WHERE id = ?`, ed.User.ID)
	invalid(secret)
	invalid(token["ed@distributor-x.example"])
}
