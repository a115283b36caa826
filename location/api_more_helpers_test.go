package location_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// requireOnlyError asserts that errs holds exactly one error, with code and,
// unless field is empty, concerning input field field; it returns the error
// for checks of its message.
func requireOnlyError(t *testing.T, errs []userError, code, field string) userError {
	t.Helper()
	require.Len(t, errs, 1, "errors: %+v", errs)
	require.Equal(t, code, errs[0].Code, "error: %+v", errs[0])
	if field != "" {
		require.Equal(t, []string{"input", field}, errs[0].Field, "error: %+v", errs[0])
	}
	require.NotEmpty(t, errs[0].Message)
	return errs[0]
}

// editLocation runs updateLocation as user with input in (id included) and
// returns the location and the payload errors.
func editLocation(t *testing.T, env *lmstest.Env, user string, in map[string]any) (*apiLocation, []userError) {
	t.Helper()
	var got struct {
		UpdateLocation struct {
			Location *apiLocation
			Errors   []userError
		}
	}
	env.Query(t, user, `mutation($in: UpdateLocationInput!) { updateLocation(input: $in) { location { `+locationFields+` } errors { code message field } } }`,
		map[string]any{"in": in}).Decode(t, &got)
	return got.UpdateLocation.Location, got.UpdateLocation.Errors
}

// findByHWKC runs locationByHardwareKeyCode as user; nil when there is none.
func findByHWKC(t *testing.T, env *lmstest.Env, user, code string) *apiLocation {
	t.Helper()
	var got struct{ LocationByHardwareKeyCode *apiLocation }
	env.Query(t, user, `query($code: String!) { locationByHardwareKeyCode(hardwareKeyCode: $code) { `+locationFields+` } }`,
		map[string]any{"code": code}).Decode(t, &got)
	return got.LocationByHardwareKeyCode
}

// locationsMatching returns the HWKCs of user's locations whose name, HWKC,
// FCN or domain name contains search (the locations query's type-ahead).
func locationsMatching(t *testing.T, env *lmstest.Env, user, search string) []string {
	t.Helper()
	var got struct {
		Locations struct {
			Edges []struct {
				Node struct{ HardwareKeyCode string }
			}
		}
	}
	env.Query(t, user, `query($s: String) { locations(first: 100, filter: {search: $s}) { edges { node { hardwareKeyCode } } } }`,
		map[string]any{"s": search}).Decode(t, &got)
	out := []string{}
	for _, e := range got.Locations.Edges {
		out = append(out, e.Node.HardwareKeyCode)
	}
	return out
}

// eulaSubjects returns the subjects of the EULA emails LMS recorded for
// user's partner that name code (the emails query, newest first).
func eulaSubjects(t *testing.T, env *lmstest.Env, user, code string) []string {
	t.Helper()
	var got struct {
		Emails struct {
			Edges []struct{ Node struct{ Subject string } }
		}
	}
	env.Query(t, user, `{ emails(first: 100) { edges { node { subject } } } }`, nil).Decode(t, &got)
	out := []string{}
	for _, e := range got.Emails.Edges {
		if containsAll(e.Node.Subject, "End User License Agreement", "("+code+")") {
			out = append(out, e.Node.Subject)
		}
	}
	return out
}

// childrenOf returns the children of a location as its parent lists them.
func childrenOf(l *apiLocation) []string {
	out := []string{}
	for _, e := range l.Children.Edges {
		out = append(out, e.Node.HardwareKeyCode)
	}
	return out
}

// mutationResult is what racing goroutines report: the location's HWKC (""
// when none was created) and the payload error codes.
type mutationResult struct {
	HardwareKeyCode string
	Codes           []string
	Err             error
}

// postMutation posts a create mutation (createLocation or
// createChildLocation, named by field) as user without a *testing.T, so that
// goroutines may call it; the test goroutine asserts on the result.
func postMutation(env *lmstest.Env, user, field, inputType string, in map[string]any) mutationResult {
	body, err := json.Marshal(map[string]any{
		"query":     fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { location { hardwareKeyCode } errors { code message field } } }`, inputType, field),
		"variables": map[string]any{"in": in},
	})
	if err != nil {
		return mutationResult{Err: err}
	}
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return mutationResult{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+env.Tokens[user])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return mutationResult{Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return mutationResult{Err: err}
	}
	var out struct {
		Data map[string]struct {
			Location *struct{ HardwareKeyCode string }
			Errors   []userError
		}
		Errors []lmstest.Error
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return mutationResult{Err: fmt.Errorf("answer is not JSON: %w: %s", err, raw)}
	}
	if len(out.Errors) > 0 {
		msgs := make([]string, len(out.Errors))
		for i, e := range out.Errors {
			msgs[i] = e.Code() + ": " + e.Message
		}
		return mutationResult{Err: fmt.Errorf("GraphQL errors: %s", strings.Join(msgs, "; "))}
	}
	payload := out.Data[field]
	r := mutationResult{Codes: codes(payload.Errors)}
	if payload.Location != nil {
		r.HardwareKeyCode = payload.Location.HardwareKeyCode
	}
	return r
}

// race runs n calls of do at the same moment: every goroutine waits at a
// barrier until all n are ready, then all are released together. It returns
// the results in call order.
func race(n int, do func(i int) mutationResult) []mutationResult {
	results := make([]mutationResult, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			results[i] = do(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return results
}
