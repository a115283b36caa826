package auth_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/db"
	"lms/db/dbtest"
	"lms/seed"
)

// seeded returns a database of its own holding the demo users, and their
// tokens by email.
func seeded(t *testing.T) (*db.DB, map[string]string) {
	t.Helper()
	d, _ := dbtest.New(t)
	users, err := seed.Run(context.Background(), d.Bun)
	require.NoError(t, err)
	token := map[string]string{}
	for _, u := range users {
		token[u.Email] = u.Token
	}
	return d, token
}
