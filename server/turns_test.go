package server_test

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// GraphQL operations take turns for the pool's connections, but a request
// holds a turn only while it executes: clients without a token that send
// their bodies slowly, more of them than there are turns, hold none, and a
// signed-in query still answers.
func TestSlowBodiesHoldNoTurn(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	addr := strings.TrimPrefix(env.URL, "http://")
	for range 16 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		// Headers and the start of a body that never ends.
		_, err = fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"query\":", addr)
		require.NoError(t, err)
	}
	var got struct {
		Viewer struct{ User struct{ Email string } }
	}
	env.Query(t, lmstest.DealerY, `{ viewer { user { email } } }`, nil).Decode(t, &got)
	require.Equal(t, lmstest.DealerY, got.Viewer.User.Email)
	var customers struct{ Customers struct{ Edges []any } }
	env.Query(t, lmstest.DealerY, `{ customers(first: 1) { edges { node { id } } } }`, nil).Decode(t, &customers)
}
