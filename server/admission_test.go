package server_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// A large body that arrives slowly holds only its own connection: other
// large requests take their turns meanwhile (the body is read before the
// turn is taken).
func TestSlowLargeBodyHoldsNoTurn(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})

	// Two clients that send 40 KB bodies and stop halfway: as many as a
	// 4-core machine gives turns.
	for range 2 {
		conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		_, err = fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: lms\r\nContent-Type: application/json\r\nContent-Length: 40000\r\n\r\n{\"query\":\"%s", strings.Repeat(" ", 20000))
		require.NoError(t, err)
	}

	// A signed-in client's large query is answered all the same.
	query := "{ viewer { user { email } } }" + strings.Repeat(" ", 30000)
	body := requestBody(t, query, nil)
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+env.Tokens[lmstest.DealerY])
	client := http.Client{Timeout: 20 * time.Second} // fails the test instead of waiting for ever
	resp, err := client.Do(req)
	require.NoError(t, err, "the large request waited behind the slow ones")
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
