package swa_test

// Helpers of the SWA reservation tests (SWA-13): the reservations page as a
// front end asks for it, escalations, and a second distributor that ships
// to nobody.

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// reservationsPage is the SWA reservations page (SWA-13) with everything
// it shows of each pending assignment.
const reservationsPage = `query($dealer: ID, $first: Int, $after: String) {
  swaReservations(dealerId: $dealer, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { dealer { id name } customerName locationName hardwareKeyCode systemType { code }
      activation { id status units termMonths timeLeft dueAt requestedAt requestedBy { email }
        application { code name } location { name customer { name } }
        escalations { reason escalatedAt escalatedBy { name email partnerName } } } } } } }`

// reservation is one node of reservationsPage.
type reservation struct {
	Dealer                                      struct{ ID, Name string }
	CustomerName, LocationName, HardwareKeyCode string
	SystemType                                  struct{ Code string }
	Activation                                  struct {
		ID, Status, TimeLeft, DueAt, RequestedAt string
		Units, TermMonths                        int
		RequestedBy                              *struct{ Email string }
		Application                              struct{ Code, Name string }
		Location                                 *struct {
			Name     string
			Customer struct{ Name string }
		}
		Escalations []escalation
	}
}

type escalation struct {
	Reason, EscalatedAt string
	EscalatedBy         struct{ Name, Email, PartnerName string }
}

type reservationsAnswer struct {
	SwaReservations struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Cursor string
			Node   reservation
		}
	}
}

// listReservations reads the reservations page as user, for one dealer
// when dealer is a partner id, and returns the nodes and the answer's SQL
// statements.
func listReservations(t *testing.T, env *lmstest.Env, user string, dealer any) ([]reservation, int) {
	t.Helper()
	resp := env.Query(t, user, reservationsPage, map[string]any{"dealer": dealer, "first": 250})
	var got reservationsAnswer
	resp.Decode(t, &got)
	out := []reservation{}
	for _, e := range got.SwaReservations.Edges {
		out = append(out, e.Node)
	}
	require.Len(t, out, got.SwaReservations.TotalCount)
	return out, resp.Statements()
}

// activationIDs are the assignments' ids of reservations, in order.
func activationIDs(rs []reservation) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Activation.ID)
	}
	return out
}

type escalatePayload struct {
	Activation *struct {
		ID, Status  string
		Escalations []escalation
	}
	Escalation *escalation
	Errors     []userError
}

const escalateSelection = `activation { id status escalations { reason escalatedAt escalatedBy { name email partnerName } } }
  escalation { reason escalatedAt escalatedBy { name email partnerName } }`

// escalate escalates an assignment as user; key "" sends none.
func escalate(t *testing.T, env *lmstest.Env, user, activationID, reason, key string) escalatePayload {
	t.Helper()
	in := map[string]any{"activationId": activationID, "reason": reason}
	if key != "" {
		in["idempotencyKey"] = key
	}
	return lmstest.Mutate[escalatePayload](t, env, user, "escalateSwaReservation", escalateSelection, in)
}

// distributorW is a distributor with an SWA admin and no shipping
// allowance, signed in as the returned user (a key of env.Tokens).
func distributorW(t *testing.T, env *lmstest.Env) string {
	t.Helper()
	const email = "wes@distributor-w.example"
	p := lmstest.Mutate[struct {
		Partner *struct{ ID string }
		Errors  []userError
	}](t, env, lmstest.Admin, "createPartner", "partner { id }", map[string]any{"kind": "DISTRIBUTOR", "name": "Distributor W"})
	require.Empty(t, p.Errors)
	u := lmstest.Mutate[struct {
		User   *struct{ ID string }
		Errors []userError
	}](t, env, lmstest.Admin, "createUser", "user { id }", map[string]any{
		"partnerId": p.Partner.ID, "email": email, "name": "Wes Distributor", "roles": []string{"SWA_ADMIN"},
	})
	require.Empty(t, u.Errors)
	tok := lmstest.Mutate[struct {
		Token  *string
		Errors []userError
	}](t, env, lmstest.Admin, "createApiToken", "token", map[string]any{"userId": u.User.ID, "name": "test"})
	require.Empty(t, tok.Errors)
	env.Tokens[email] = *tok.Token
	return email
}

// auditActions are the actions of user's audit trail that touched object.
func auditActions(t *testing.T, env *lmstest.Env, user, object string) []string {
	t.Helper()
	var got struct {
		AuditEvents struct {
			Edges []struct{ Node struct{ Action string } }
		}
	}
	env.Query(t, user, `query($o: ID) { auditEvents(first: 250, filter: {objectId: $o}) { edges { node { action } } } }`,
		map[string]any{"o": object}).Decode(t, &got)
	out := []string{}
	for _, e := range got.AuditEvents.Edges {
		out = append(out, e.Node.Action)
	}
	return out
}
