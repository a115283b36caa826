package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// River UI shows every tenant's jobs, so only the license desk may open it.
func TestRiverUIIsForAdminsOnly(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	get := func(token string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, env.URL+"/riverui/api/jobs?state=available", nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	require.Equal(t, http.StatusSeeOther, get("").StatusCode)
	require.Equal(t, http.StatusForbidden, get(env.Tokens[lmstest.DealerY]).StatusCode)
	require.Equal(t, http.StatusForbidden, get(env.Tokens[lmstest.Distributor]).StatusCode)
	require.Equal(t, http.StatusOK, get(env.Tokens[lmstest.Admin]).StatusCode)

	// The login form sets a cookie for browsers, and only for admins.
	login := func(token string) *http.Response {
		resp, err := client.PostForm(env.URL+"/riverui/login", url.Values{"token": {token}})
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	require.Equal(t, http.StatusForbidden, login(env.Tokens[lmstest.DealerY]).StatusCode)
	resp := login(env.Tokens[lmstest.Admin])
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	cookie := resp.Header.Get("Set-Cookie")
	require.True(t, strings.Contains(cookie, "HttpOnly"), cookie)

	req, err := http.NewRequest(http.MethodGet, env.URL+"/riverui/", nil)
	require.NoError(t, err)
	req.Header.Set("Cookie", strings.SplitN(cookie, ";", 2)[0])
	page, err := client.Do(req)
	require.NoError(t, err)
	page.Body.Close()
	require.Equal(t, http.StatusOK, page.StatusCode)
}
