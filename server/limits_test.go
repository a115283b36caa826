package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// Expensive operations are refused before execution (SPEC §12): nothing
// runs, so the answer has no data.
func TestQueryLimits(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})

	deep := "id"
	for range 10 {
		deep = fmt.Sprintf("partner { users(first: 1) { edges { node { %s } } } }", deep)
	}
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 1000 {
		fmt.Fprintf(&aliases, " a%d: viewer { roles }", i)
	}
	aliases.WriteString(" }")

	cases := []struct {
		name, query, code, message string
	}{
		{"deep", "{ viewer { user { " + deep + " } } }", "QUERY_TOO_COMPLEX", "nested"},
		{"aliases", aliases.String(), "QUERY_TOO_COMPLEX", "aliases"},
		{"first 100000", `{ auditEvents(first: 100000) { edges { node { id } } } }`, "VALIDATION_FAILED", "first must be between 1 and 250"},
		{"first 0", `{ partners(first: 0) { edges { node { id } } } }`, "VALIDATION_FAILED", "first must be between 1 and 250"},
		{"nested pages", `{ partners(first: 250) { edges { node { users(first: 250) { edges { node { id } } } } } } }`, "QUERY_TOO_COMPLEX", "estimated cost"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := env.Query(t, lmstest.Admin, tc.query, nil)
			require.Len(t, resp.Errors, 1, "%s", resp.Data)
			require.Equal(t, tc.code, resp.Errors[0].Code())
			require.Contains(t, resp.Errors[0].Message, tc.message)
			require.True(t, len(resp.Data) == 0 || string(resp.Data) == "null", "refused before execution, got data %s", resp.Data)
			require.Equal(t, 0, resp.Statements(), "only authentication ran")
		})
	}

	// first given through a variable is checked too.
	resp := env.Query(t, lmstest.Admin, `query($n: Int) { auditEvents(first: $n) { edges { node { id } } } }`, map[string]any{"n": 100000})
	require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())

	// A bounded page is fine.
	resp = env.Query(t, lmstest.Admin, `{ auditEvents(first: 250) { edges { node { id action } } } }`, nil)
	require.Empty(t, resp.Errors)
}

func TestRequestBodyLimit(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	big := `{"query":"{ viewer { roles } }","variables":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", bytes.NewBufferString(big))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+env.Tokens[lmstest.Admin])
	resp := env.Do(t, req)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.Status)
	require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())
}

// An unexpected failure is reported without internals, with the request id
// that the log line carries.
func TestInternalErrorsHideDetails(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	_, err := env.DB.SQL.Exec(`ALTER TABLE audit_events RENAME TO audit_events_gone`)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", strings.NewReader(`{"query":"{ auditEvents { edges { node { id } } } }"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+env.Tokens[lmstest.Admin])
	req.Header.Set("X-Request-Id", "test-request-0001")
	resp := env.Do(t, req)
	require.Len(t, resp.Errors, 1)
	require.Equal(t, "INTERNAL_SERVER_ERROR", resp.Errors[0].Code())
	require.Equal(t, "internal server error; quote request id test-request-0001 when reporting it", resp.Errors[0].Message)
	require.NotContains(t, resp.Errors[0].Message, "audit_events")
}
