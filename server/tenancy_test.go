package server_test

import (
	"encoding/base64"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// userIDs returns the global ids of the seeded users by email, as the admin
// sees them.
func userIDs(t *testing.T, env *lmstest.Env) map[string]string {
	t.Helper()
	var got struct {
		Partners struct {
			Edges []struct {
				Node struct {
					Users struct {
						Edges []struct{ Node struct{ ID, Email string } }
					}
				}
			}
		}
	}
	env.Query(t, lmstest.Admin, `{ partners(first: 20) { edges { node { users(first: 20) { edges { node { id email } } } } } } }`, nil).Decode(t, &got)
	ids := map[string]string{}
	for _, p := range got.Partners.Edges {
		for _, u := range p.Node.Users.Edges {
			ids[u.Node.Email] = u.Node.ID
		}
	}
	return ids
}

func tokenIDOf(t *testing.T, env *lmstest.Env, user string) string {
	t.Helper()
	var got struct {
		Viewer struct {
			User struct {
				ApiTokens struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
	}
	env.Query(t, user, `{ viewer { user { apiTokens { edges { node { id } } } } } }`, nil).Decode(t, &got)
	require.NotEmpty(t, got.Viewer.User.ApiTokens.Edges)
	return got.Viewer.User.ApiTokens.Edges[0].Node.ID
}

func randomID(typ string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + uuid.NewString()))
}

// ACT-3: a dealer's token can neither read nor change another partner's
// users, tokens or audit events, and a foreign id answers exactly like a
// random one.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	partners := partnerIDs(t, env)
	users := userIDs(t, env)
	zoeToken := tokenIDOf(t, env, lmstest.DealerZ)

	var zAudit struct {
		AuditEvents struct {
			Edges []struct{ Node struct{ ID, Action string } }
		}
	}
	// Make an event that is Dealer Z's alone.
	env.Query(t, lmstest.DealerZ, `mutation { createApiToken(input: {name: "z script"}) { errors { code } } }`, nil)
	env.Query(t, lmstest.DealerZ, `{ auditEvents { edges { node { id action } } } }`, nil).Decode(t, &zAudit)
	var zOnly string
	for _, e := range zAudit.AuditEvents.Edges {
		if e.Node.Action == "api_token.create" {
			zOnly = e.Node.ID
		}
	}
	require.NotEmpty(t, zOnly)

	foreign := map[string]string{
		"partner":     partners["Dealer Z"],
		"user":        users[lmstest.DealerZ],
		"token":       zoeToken,
		"audit event": zOnly,
		"vendor user": users[lmstest.Admin],
	}
	random := map[string]string{
		"partner": randomID("Partner"), "user": randomID("User"), "token": randomID("ApiToken"),
		"audit event": randomID("AuditEvent"), "vendor user": randomID("User"),
	}
	const nodeQuery = `query($id: ID!) { node(id: $id) { id } }`
	for what, id := range foreign {
		got := env.Query(t, lmstest.DealerY, nodeQuery, map[string]any{"id": id})
		want := env.Query(t, lmstest.DealerY, nodeQuery, map[string]any{"id": random[what]})
		require.Empty(t, got.Errors, what)
		require.JSONEq(t, string(want.Data), string(got.Data), "node(%s) must answer like a random id", what)
		require.JSONEq(t, `{"node":null}`, string(got.Data))
		// The owner does see it.
		owner := lmstest.DealerZ
		if what == "vendor user" {
			owner = lmstest.Admin
		}
		var seen struct{ Node *struct{ ID string } }
		env.Query(t, owner, nodeQuery, map[string]any{"id": id}).Decode(t, &seen)
		require.NotNil(t, seen.Node, what)
	}
	var many struct{ Nodes []*struct{ ID string } }
	env.Query(t, lmstest.DealerY, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{users[lmstest.DealerY], users[lmstest.DealerZ]}}).Decode(t, &many)
	require.NotNil(t, many.Nodes[0])
	require.Nil(t, many.Nodes[1])

	// Dealer Y's lists hold nothing of Dealer Z.
	var partnersSeen struct {
		Partners struct {
			Edges []struct{ Node struct{ Name string } }
		}
	}
	env.Query(t, lmstest.DealerY, `{ partners { edges { node { name } } } }`, nil).Decode(t, &partnersSeen)
	require.Len(t, partnersSeen.Partners.Edges, 1)
	require.Equal(t, "Dealer Y", partnersSeen.Partners.Edges[0].Node.Name)

	var yAudit struct {
		AuditEvents struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	env.Query(t, lmstest.DealerY, `{ auditEvents(first: 250) { edges { node { id } } } }`, nil).Decode(t, &yAudit)
	for _, e := range yAudit.AuditEvents.Edges {
		require.NotEqual(t, zOnly, e.Node.ID)
	}
	resp := env.Query(t, lmstest.DealerY, `query($id: ID!) { auditEvents(filter: {objectId: $id}) { edges { node { id } } } }`, map[string]any{"id": users[lmstest.DealerZ]})
	require.JSONEq(t, `{"auditEvents":{"edges":[]}}`, string(resp.Data))

	// Changing: revoking Zoe's token answers NOT_FOUND, like a random id, and
	// the token still works.
	for _, id := range []string{zoeToken, random["token"]} {
		var rev struct {
			RevokeApiToken struct {
				ApiToken *struct{ ID string }
				Errors   []struct {
					Code    string
					Message string
				}
			}
		}
		env.Query(t, lmstest.DealerY, `mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { id } errors { code message } } }`, map[string]any{"id": id}).Decode(t, &rev)
		require.Nil(t, rev.RevokeApiToken.ApiToken)
		require.Equal(t, "NOT_FOUND", rev.RevokeApiToken.Errors[0].Code)
		require.Equal(t, "API token not found", rev.RevokeApiToken.Errors[0].Message)
	}
	var v viewerData
	env.Query(t, lmstest.DealerZ, viewerQuery, nil).Decode(t, &v)

	// Creating a token for another partner's user is refused like a missing user.
	var ct struct {
		CreateApiToken struct {
			Token  *string
			Errors []struct{ Code string }
		}
	}
	env.Query(t, lmstest.DealerY, `mutation($u: ID!) { createApiToken(input: {userId: $u, name: "steal"}) { token errors { code } } }`, map[string]any{"u": users[lmstest.DealerZ]}).Decode(t, &ct)
	require.Nil(t, ct.CreateApiToken.Token)
	require.Equal(t, "NOT_FOUND", ct.CreateApiToken.Errors[0].Code)

	// Reading another partner's users through a path is NOT_FOUND too.
	resp = env.Query(t, lmstest.DealerY, `query($u: ID!) { node(id: $u) { ... on User { apiTokens { edges { node { id } } } } } }`, map[string]any{"u": users[lmstest.DealerY2]})
	require.NotEmpty(t, resp.Errors, "a user cannot list a colleague's tokens")
	require.Equal(t, "NOT_FOUND", resp.Errors[0].Code())

	// A cursor minted for one tenant is refused for another.
	var page struct {
		AuditEvents struct{ PageInfo struct{ EndCursor string } }
	}
	env.Query(t, lmstest.DealerZ, `{ auditEvents(first: 1) { pageInfo { endCursor } } }`, nil).Decode(t, &page)
	resp = env.Query(t, lmstest.DealerY, `query($a: String) { auditEvents(first: 1, after: $a) { edges { node { id } } } }`, map[string]any{"a": page.AuditEvents.PageInfo.EndCursor})
	require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())
}

// A distributor sees the dealers it ships to, and their users, but not
// other dealers.
func TestDistributorSeesItsDealers(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	var got struct {
		Partners struct {
			Edges []struct{ Node struct{ Name string } }
		}
	}
	env.Query(t, lmstest.Distributor, `{ partners { edges { node { name } } } }`, nil).Decode(t, &got)
	require.Len(t, got.Partners.Edges, 1)
	require.Equal(t, "Dealer Y", got.Partners.Edges[0].Node.Name)
}
