package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

const startImpersonation = `mutation($email: String!) {
  startImpersonation(input: {dealerUserEmail: $email}) { token apiToken { id expiresAt impersonator { email } } user { email } errors { code message field } }
}`

type startData struct {
	StartImpersonation struct {
		Token    *string
		ApiToken *struct {
			ID           string
			Impersonator struct{ Email string }
		}
		User   *struct{ Email string }
		Errors []struct{ Code, Message string }
	}
}

// ACT-5: a distributor acts as a dealer user only with a shipping allowance;
// it then is that user, admin-only mutations stay refused, and every action
// is audited with both identities.
func TestImpersonation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})

	// Without an allowance (Dealer Z), refused.
	var refused startData
	env.Query(t, lmstest.Distributor, startImpersonation, map[string]any{"email": lmstest.DealerZ}).Decode(t, &refused)
	require.Nil(t, refused.StartImpersonation.Token)
	require.Equal(t, "NO_SHIPPING_ALLOWANCE", refused.StartImpersonation.Errors[0].Code)
	// An unknown email, a disabled dealer user, the distributor's own user
	// and the license desk get exactly that answer: nobody can probe which
	// emails other tenants' users have (ACT-3).
	_, err := env.DB.Bun.NewRaw(`UPDATE users SET disabled_at = now() WHERE email = ?`, lmstest.DealerY2).Exec(context.Background())
	require.NoError(t, err)
	want := refused.StartImpersonation.Errors[0]
	for _, email := range []string{"nobody@dealer-y.example", lmstest.DealerY2, "sam@distributor-x.example", lmstest.Admin} {
		var other startData
		env.Query(t, lmstest.Distributor, startImpersonation, map[string]any{"email": email}).Decode(t, &other)
		require.Nil(t, other.StartImpersonation.Token, email)
		require.Len(t, other.StartImpersonation.Errors, 1, email)
		require.Equal(t, want.Code, other.StartImpersonation.Errors[0].Code, email)
		require.Equal(t, strings.Replace(want.Message, lmstest.DealerZ, email, 1), other.StartImpersonation.Errors[0].Message, email)
	}
	_, err = env.DB.Bun.NewRaw(`UPDATE users SET disabled_at = NULL WHERE email = ?`, lmstest.DealerY2).Exec(context.Background())
	require.NoError(t, err)

	// Dealers cannot impersonate at all.
	env.Query(t, lmstest.DealerZ, startImpersonation, map[string]any{"email": lmstest.DealerY}).Decode(t, &refused)
	require.Equal(t, "FORBIDDEN", refused.StartImpersonation.Errors[0].Code)

	// With the allowance (Dealer Y): a token that acts as Yara.
	var started startData
	env.Query(t, lmstest.Distributor, startImpersonation, map[string]any{"email": lmstest.DealerY}).Decode(t, &started)
	require.Empty(t, started.StartImpersonation.Errors)
	require.Equal(t, lmstest.Distributor, started.StartImpersonation.ApiToken.Impersonator.Email)
	imp := *started.StartImpersonation.Token

	var v viewerData
	env.QueryToken(t, imp, viewerQuery, nil).Decode(t, &v)
	require.Equal(t, lmstest.DealerY, v.Viewer.User.Email)
	require.Equal(t, "Dealer Y", v.Viewer.Partner.Name)
	require.NotNil(t, v.Viewer.Impersonation)
	require.Equal(t, lmstest.Distributor, v.Viewer.Impersonation.Impersonator.Email)

	// It sees what Yara sees: her partner only, not the distributor's data.
	var ps struct {
		Partners struct {
			Edges []struct{ Node struct{ Name string } }
		}
	}
	env.QueryToken(t, imp, `{ partners { edges { node { name } } } }`, nil).Decode(t, &ps)
	require.Len(t, ps.Partners.Edges, 1)
	require.Equal(t, "Dealer Y", ps.Partners.Edges[0].Node.Name)

	// Admin-only mutations, new tokens and nested impersonation are refused.
	var cp struct {
		CreatePartner struct{ Errors []struct{ Code string } }
	}
	env.QueryToken(t, imp, `mutation { createPartner(input: {kind: DEALER, name: "Nope"}) { errors { code } } }`, nil).Decode(t, &cp)
	require.Equal(t, "FORBIDDEN", cp.CreatePartner.Errors[0].Code)
	var ga struct {
		GrantShippingAllowance struct{ Errors []struct{ Code string } }
	}
	ids := partnerIDs(t, env)
	env.QueryToken(t, imp, grantMutation, map[string]any{"in": map[string]any{"distributorId": ids["Distributor X"], "dealerId": ids["Dealer Z"]}}).Decode(t, &ga)
	require.Equal(t, "FORBIDDEN", ga.GrantShippingAllowance.Errors[0].Code)
	var ct struct {
		CreateApiToken struct{ Errors []struct{ Code string } }
	}
	env.QueryToken(t, imp, `mutation { createApiToken(input: {name: "escape"}) { errors { code } } }`, nil).Decode(t, &ct)
	require.Equal(t, "FORBIDDEN", ct.CreateApiToken.Errors[0].Code)
	var nested startData
	env.QueryToken(t, imp, startImpersonation, map[string]any{"email": lmstest.DealerY2}).Decode(t, &nested)
	require.Equal(t, "FORBIDDEN", nested.StartImpersonation.Errors[0].Code)

	// Ending it (an action taken while impersonating) revokes the token; the
	// distributor's own token is untouched.
	var end struct {
		EndImpersonation struct {
			ApiToken *struct{ RevokedAt *string }
			Errors   []struct{ Code string }
		}
	}
	env.QueryToken(t, imp, `mutation { endImpersonation { apiToken { revokedAt } errors { code } } }`, nil).Decode(t, &end)
	require.Empty(t, end.EndImpersonation.Errors)
	require.NotNil(t, end.EndImpersonation.ApiToken.RevokedAt)
	require.Equal(t, "UNAUTHENTICATED", env.QueryToken(t, imp, viewerQuery, nil).Errors[0].Code())
	env.Query(t, lmstest.Distributor, viewerQuery, nil).Decode(t, &v)
	require.Equal(t, lmstest.Distributor, v.Viewer.User.Email)
	require.Nil(t, v.Viewer.Impersonation)

	// The dealer's audit trail shows both identities for what was done while
	// impersonating; the distributor's trail shows it too.
	type events struct {
		AuditEvents struct {
			Edges []struct {
				Node struct {
					Action         string
					Display        string
					ActedBy        *struct{ Email string }
					ImpersonatedBy *struct{ Email, PartnerName string }
				}
			}
		}
	}
	check := func(viewer string) {
		var got events
		env.Query(t, viewer, `{ auditEvents(first: 20) { edges { node { action display actedBy { email } impersonatedBy { email partnerName } } } } }`, nil).Decode(t, &got)
		found := map[string]bool{}
		for _, e := range got.AuditEvents.Edges {
			switch e.Node.Action {
			case "impersonation.end":
				require.Equal(t, lmstest.DealerY, e.Node.ActedBy.Email, viewer)
				require.NotNil(t, e.Node.ImpersonatedBy, viewer)
				require.Equal(t, lmstest.Distributor, e.Node.ImpersonatedBy.Email, viewer)
				require.Equal(t, "Distributor X", e.Node.ImpersonatedBy.PartnerName, viewer)
				require.Equal(t, "IMP:Ed Distributor/Dealer Y", e.Node.Display, viewer)
				found[e.Node.Action] = true
			case "impersonation.start":
				require.Equal(t, lmstest.Distributor, e.Node.ActedBy.Email, viewer)
				found[e.Node.Action] = true
			}
		}
		require.True(t, found["impersonation.end"] && found["impersonation.start"], "%s sees both events: %v", viewer, found)
	}
	check(lmstest.DealerY)
	check(lmstest.Distributor)
	check(lmstest.Admin)

	// Dealer Z's trail shows none of it.
	var z events
	env.Query(t, lmstest.DealerZ, `{ auditEvents { edges { node { action } } } }`, nil).Decode(t, &z)
	for _, e := range z.AuditEvents.Edges {
		require.NotContains(t, []string{"impersonation.start", "impersonation.end"}, e.Node.Action)
	}
}
