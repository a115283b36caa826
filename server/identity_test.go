package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

const viewerQuery = `{ viewer { user { id email roles } partner { id name kind } roles impersonation { impersonator { email } } } }`

type viewerData struct {
	Viewer struct {
		User struct {
			ID    string
			Email string
			Roles []string
		}
		Partner struct {
			ID   string
			Name string
			Kind string
		}
		Roles         []string
		Impersonation *struct {
			Impersonator struct{ Email string }
		}
	}
}

func TestViewerForEverySeededToken(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	require.Len(t, env.Tokens, 6)
	kinds := map[string]string{
		lmstest.Admin: "VENDOR", lmstest.Distributor: "DISTRIBUTOR", lmstest.DealerY: "DEALER", lmstest.DealerZ: "DEALER",
	}
	for email := range env.Tokens {
		var got viewerData
		env.Query(t, email, viewerQuery, nil).Decode(t, &got)
		require.Equal(t, email, got.Viewer.User.Email)
		require.Contains(t, got.Viewer.Roles, "USER")
		require.Nil(t, got.Viewer.Impersonation)
		if k, ok := kinds[email]; ok {
			require.Equal(t, k, got.Viewer.Partner.Kind, email)
		}
	}
}

func TestBadTokenIsUnauthenticated(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})

	for _, token := range []string{"lms_not-a-real-token", "garbage", env.Tokens[lmstest.Admin] + "x"} {
		resp := env.QueryToken(t, token, viewerQuery, nil)
		require.Equal(t, http.StatusUnauthorized, resp.Status)
		require.Len(t, resp.Errors, 1)
		require.Equal(t, "UNAUTHENTICATED", resp.Errors[0].Code())
	}

	// No token at all: the query runs, and viewer answers UNAUTHENTICATED.
	resp := env.QueryToken(t, "", viewerQuery, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.Len(t, resp.Errors, 1)
	require.Equal(t, "UNAUTHENTICATED", resp.Errors[0].Code())
}

func TestAdminCreatesPartnerUserAndToken(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})

	var created struct {
		CreatePartner struct {
			Partner struct{ ID, Name, Kind string }
			Errors  []struct{ Code, Message string }
		}
	}
	env.Query(t, lmstest.Admin, `mutation($in: CreatePartnerInput!) { createPartner(input: $in) { partner { id name kind } errors { code message field } } }`,
		map[string]any{"in": map[string]any{"kind": "DEALER", "name": "Dealer W", "email": "office@dealer-w.example"}}).Decode(t, &created)
	require.Empty(t, created.CreatePartner.Errors)
	require.Equal(t, "DEALER", created.CreatePartner.Partner.Kind)

	// The same name again is an expected failure, reported as data.
	var dup struct {
		CreatePartner struct {
			Partner *struct{ ID string }
			Errors  []struct {
				Code  string
				Field []string
			}
		}
	}
	env.Query(t, lmstest.Admin, `mutation($in: CreatePartnerInput!) { createPartner(input: $in) { partner { id } errors { code message field } } }`,
		map[string]any{"in": map[string]any{"kind": "DEALER", "name": "dealer w"}}).Decode(t, &dup)
	require.Nil(t, dup.CreatePartner.Partner)
	require.Equal(t, "ALREADY_EXISTS", dup.CreatePartner.Errors[0].Code)
	require.Equal(t, []string{"input", "name"}, dup.CreatePartner.Errors[0].Field)

	var user struct {
		CreateUser struct {
			User   struct{ ID, Email string }
			Errors []struct{ Code string }
		}
	}
	env.Query(t, lmstest.Admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { user { id email roles } errors { code } } }`,
		map[string]any{"in": map[string]any{"partnerId": created.CreatePartner.Partner.ID, "email": "wes@dealer-w.example", "name": "Wes", "roles": []string{"SWA_ADMIN"}}}).Decode(t, &user)
	require.Empty(t, user.CreateUser.Errors)

	var tok struct {
		CreateApiToken struct {
			Token    string
			ApiToken struct{ ID, Prefix string }
			Errors   []struct{ Code string }
		}
	}
	env.Query(t, lmstest.Admin, `mutation($in: CreateApiTokenInput!) { createApiToken(input: $in) { token apiToken { id prefix } errors { code } } }`,
		map[string]any{"in": map[string]any{"userId": user.CreateUser.User.ID, "name": "wes laptop"}}).Decode(t, &tok)
	require.Empty(t, tok.CreateApiToken.Errors)
	require.Contains(t, tok.CreateApiToken.Token, tok.CreateApiToken.ApiToken.Prefix)

	var v viewerData
	env.QueryToken(t, tok.CreateApiToken.Token, viewerQuery, nil).Decode(t, &v)
	require.Equal(t, "wes@dealer-w.example", v.Viewer.User.Email)
	require.ElementsMatch(t, []string{"USER", "SWA_ADMIN"}, v.Viewer.Roles)

	// Revoked tokens stop working at once.
	var rev struct {
		RevokeApiToken struct{ Errors []struct{ Code string } }
	}
	env.QueryToken(t, tok.CreateApiToken.Token, `mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { revokedAt } errors { code } } }`,
		map[string]any{"id": tok.CreateApiToken.ApiToken.ID}).Decode(t, &rev)
	require.Empty(t, rev.RevokeApiToken.Errors)
	resp := env.QueryToken(t, tok.CreateApiToken.Token, viewerQuery, nil)
	require.Equal(t, "UNAUTHENTICATED", resp.Errors[0].Code())

	// Each change is in the audit trail, with the request id.
	var audit struct {
		AuditEvents struct {
			Edges []struct {
				Node struct {
					Action    string
					RequestID string
					Actor     *struct{ Email string }
				}
			}
		}
	}
	env.Query(t, lmstest.Admin, `{ auditEvents(first: 10) { edges { node { action requestId actor { email } } } } }`, nil).Decode(t, &audit)
	var actions []string
	for _, e := range audit.AuditEvents.Edges {
		actions = append(actions, e.Node.Action)
		if e.Node.Action != "seed.run" {
			require.NotEmpty(t, e.Node.RequestID)
		}
	}
	require.Equal(t, []string{"api_token.revoke", "api_token.create", "user.create", "partner.create", "seed.run"}, actions)
}

func TestNonAdminCannotAdminister(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	for _, who := range []string{lmstest.Distributor, lmstest.DealerY} {
		var got struct {
			CreatePartner struct {
				Partner *struct{ ID string }
				Errors  []struct{ Code string }
			}
		}
		env.Query(t, who, `mutation { createPartner(input: {kind: DEALER, name: "Sneaky"}) { partner { id } errors { code } } }`, nil).Decode(t, &got)
		require.Nil(t, got.CreatePartner.Partner)
		require.Equal(t, "FORBIDDEN", got.CreatePartner.Errors[0].Code)
	}
}
