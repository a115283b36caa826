package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/actor"
	"lms/apperr"
	"lms/auth"
	"lms/db"
)

// While Run listens for changes, a token authenticated moments ago costs no
// statement; any change to tokens, users or partners, made anywhere, is
// seen as soon as its notification arrives, a revocation through the
// Service at once; and the last use of cached tokens is still recorded.
func TestAuthenticateFromMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, token := seeded(t)
	s := &auth.Service{DB: d.Bun, TouchInterval: 50 * time.Millisecond}
	run, stop := context.WithCancel(ctx)
	notes := &db.Notifications{Pool: d.Pool}
	s.ListenOn(notes)
	done := make(chan struct{}, 2)
	go func() { notes.Run(run); done <- struct{}{} }()
	go func() { s.Run(run, nil); done <- struct{}{} }()
	t.Cleanup(func() { stop(); <-done; <-done })

	// authenticate returns the actor (nil when refused) and the statements it cost.
	authenticate := func(secret string) (*actor.Actor, int64) {
		t.Helper()
		c := new(db.StatementCounter)
		a, err := s.Authenticate(db.WithStatementCounter(ctx, c), secret)
		if err != nil {
			require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))
			return nil, c.Count()
		}
		return a, c.Count()
	}
	exec := func(query string, args ...any) {
		t.Helper()
		_, err := d.Bun.NewRaw(query, args...).Exec(ctx)
		require.NoError(t, err)
	}
	cached := func(secret string) bool {
		a, n := authenticate(secret)
		return a != nil && n == 0
	}
	refused := func(secret string) bool {
		a, _ := authenticate(secret)
		return a == nil
	}

	yara := token["yara@dealer-y.example"]
	require.Eventually(t, func() bool { return cached(yara) }, 5*time.Second, 5*time.Millisecond, "answered from memory once listening")
	a, n := authenticate(yara)
	require.Zero(t, n)
	require.Equal(t, "yara@dealer-y.example", a.User.Email)
	require.Equal(t, "Dealer Y", a.Partner.Name)

	// The use of a cached token is recorded by Run.
	exec(`UPDATE api_tokens SET last_used_at = now() - interval '2 minutes' WHERE id = ?`, a.TokenID)
	before := time.Now()
	require.True(t, cached(yara))
	require.Eventually(t, func() bool {
		var at time.Time
		require.NoError(t, d.Bun.NewRaw(`SELECT last_used_at FROM api_tokens WHERE id = ?`, a.TokenID).Scan(ctx, &at))
		return !at.Before(before.Add(-time.Second))
	}, 5*time.Second, 10*time.Millisecond, "the last use of a token answered from memory is recorded")

	// Changes made by hand, in the database: seen once announced.
	zoe := token["zoe@dealer-z.example"]
	z, _ := authenticate(zoe)
	require.True(t, cached(zoe))
	exec(`UPDATE api_tokens SET revoked_at = now() WHERE id = ?`, z.TokenID)
	require.Eventually(t, func() bool { return refused(zoe) }, 5*time.Second, 5*time.Millisecond, "revoked by hand")

	yuri := token["yuri@dealer-y.example"]
	authenticate(yuri)
	require.True(t, cached(yuri))
	exec(`UPDATE users SET disabled_at = now() WHERE email = 'yuri@dealer-y.example'`)
	require.Eventually(t, func() bool { return refused(yuri) }, 5*time.Second, 5*time.Millisecond, "user disabled by hand")

	authenticate(yara)
	require.True(t, cached(yara))
	exec(`UPDATE partners SET name = 'Dealer Y (renamed)' WHERE name = 'Dealer Y'`)
	require.Eventually(t, func() bool {
		a, _ := authenticate(yara)
		return a.Partner.Name == "Dealer Y (renamed)"
	}, 5*time.Second, 5*time.Millisecond, "partner renamed by hand")

	// Revoked through the Service: refused at once, without waiting for
	// the notification.
	require.Eventually(t, func() bool { return cached(yara) }, 5*time.Second, 5*time.Millisecond)
	a, _ = authenticate(yara)
	_, err := s.RevokeToken(actor.With(ctx, a), a.TokenID)
	require.NoError(t, err)
	require.True(t, refused(yara), "refused as soon as RevokeToken returns")
}
