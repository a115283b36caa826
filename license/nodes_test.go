package license_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// nodeSelection asks every type of object for scalars and for what its
// lists prefetch below it, so that the statement count of a request is
// deterministic.
const nodeSelection = `__typename id
  ... on Partner { name kind }
  ... on User { email name }
  ... on ShippingAllowance { grantedAt }
  ... on ApiToken { name prefix }
  ... on AuditEvent { action }
  ... on Email { subject recipient }
  ... on Customer { name partner { name } }
  ... on Location { name customer { name } systemType { name } protectDat { fileName }
    attachedLicenses(first: 5) { edges { node { softwareKeyCode part { name } } } }
    licenseFiles(first: 5) { edges { node { version status } } } }
  ... on LicenseOrder { salesOrder partner { name } lines(first: 5) { edges { node { lineNumber part { name } available } } } }
  ... on OrderLine { lineNumber shipped available }
  ... on License { softwareKeyCode status part { name } location { name } }
  ... on ProtectDat { fileName size }
  ... on LicenseReturn { quantity reason }
  ... on LicenseFile { version fileStatus: status location { name } }`

// dealerObjects are ids of Dealer Y's objects by type, and ids it may not
// see (other partners' objects, random and malformed ids).
type dealerObjects struct {
	own     map[string][]string
	foreign []string
}

// pick returns n ids of each of Dealer Y's types (repeating a type's ids
// where it has fewer) and n times the foreign ids, interleaved.
func (o dealerObjects) pick(n int) []string {
	var out []string
	for i := range n {
		for _, typ := range nodeTypes {
			ids := o.own[typ]
			out = append(out, ids[i%len(ids)])
		}
		out = append(out, o.foreign...)
	}
	return out
}

var nodeTypes = []string{"Partner", "User", "ShippingAllowance", "ApiToken", "AuditEvent", "Email", "Customer",
	"Location", "LicenseOrder", "OrderLine", "License", "ProtectDat", "LicenseReturn", "LicenseFile"}

// fillDealer gives Dealer Y ten objects of every type it can have many of:
// orders reshipped by Distributor X with their lines, licenses attached from
// them to LMC locations (each of its own customer) and activated, returns,
// Expense Management locations with a protect.dat, tokens; and collects
// the ids Dealer Y sees, plus ids of Dealer Z and Distributor X.
func fillDealer(t *testing.T, env *lmstest.Env) dealerObjects {
	t.Helper()
	own := map[string][]string{}
	add := func(typ, id string) { own[typ] = append(own[typ], id) }
	stock := ship(t, env, lmstest.Distributor, "SO-STOCK", "PO-STOCK", line{"391950", 30}, line{"390908", 30})
	for i := range 10 {
		p := reship(t, env, lmstest.Distributor, lmstest.DealerY, fmt.Sprintf("SO-%02d", i), fmt.Sprintf("PO-%02d", i),
			reshipLine{Line: stock["391950"], Qty: qty(2)}, reshipLine{Line: stock["390908"], Qty: qty(2)})
		require.Empty(t, p.Errors)
		add("LicenseOrder", p.Order.ID)
		lines := p.Order.lineIDs()
		add("OrderLine", lines["391950"])
		add("OrderLine", lines["390908"])

		lmc := createLocation(t, env, lmstest.DealerY, "LMC", map[string]any{"hardwareKeyCode": "LM" + randomHex(16)})
		lics := mustAttach(t, env, lmstest.DealerY, lmc.ID, sel{Line: lines["391950"], Qty: qty(1)})
		add("License", lics[0].ID)
		add("LicenseFile", mustActivate(t, env, lmstest.DealerY, lmc.ID, lics...))
		returns, errs := returnLicenses(t, env, lmstest.DealerY, "not needed", reshipLine{Line: lines["390908"], Qty: qty(1)})
		require.Empty(t, errs)
		add("LicenseReturn", returns[0].ID)
		var loc struct {
			Node struct{ Customer struct{ ID string } }
		}
		env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { customer { id } } } }`,
			map[string]any{"id": lmc.ID}).Decode(t, &loc)
		add("Customer", loc.Node.Customer.ID)

		em := createLocation(t, env, lmstest.DealerY, "EXPENSE_MGMT", map[string]any{"hardwareKeyCode": randomDigits(8)})
		add("Location", em.ID)
		pd := uploadProtect(t, env, lmstest.DealerY, em.ID, "protect.dat", randomBytes(100))
		require.Empty(t, pd.Errors)
		add("ProtectDat", pd.ProtectDat.ID)

		tok := mutate[struct {
			APIToken struct{ ID string } `json:"apiToken"`
			Errors   []userError
		}](t, env, lmstest.DealerY, "createApiToken", "apiToken { id }", map[string]any{"name": fmt.Sprint("token ", i)})
		require.Empty(t, tok.Errors)
		add("ApiToken", tok.APIToken.ID)
	}

	type edges struct {
		Edges []struct{ Node struct{ ID string } }
	}
	var y struct {
		Viewer struct {
			Partner struct {
				ID                 string
				Users              edges
				ShippingAllowances []struct{ ID string }
			}
		}
		AuditEvents, Emails edges
	}
	env.Query(t, lmstest.DealerY, `{ viewer { partner { id users { edges { node { id } } } shippingAllowances { id } } }
  auditEvents(first: 10) { edges { node { id } } } emails(first: 10) { edges { node { id } } } }`, nil).Decode(t, &y)
	add("Partner", y.Viewer.Partner.ID)
	for _, e := range y.Viewer.Partner.Users.Edges {
		add("User", e.Node.ID)
	}
	for _, sa := range y.Viewer.Partner.ShippingAllowances {
		add("ShippingAllowance", sa.ID)
	}
	for _, e := range y.AuditEvents.Edges {
		add("AuditEvent", e.Node.ID)
	}
	for _, e := range y.Emails.Edges {
		add("Email", e.Node.ID)
	}
	for _, typ := range nodeTypes {
		require.NotEmpty(t, own[typ], typ)
	}

	// Dealer Z's partner, user, token, customer and location, Distributor
	// X's stock order and line, a malformed id and random ids.
	var z struct {
		Viewer struct {
			Partner struct{ ID string }
			User    struct {
				ID        string
				ApiTokens edges
			}
		}
	}
	env.Query(t, lmstest.DealerZ, `{ viewer { partner { id } user { id apiTokens { edges { node { id } } } } } }`, nil).Decode(t, &z)
	zLoc := createLocation(t, env, lmstest.DealerZ, "EXPENSE_MGMT", map[string]any{"hardwareKeyCode": randomDigits(8)})
	var zCustomer struct {
		Node struct{ Customer struct{ ID string } }
	}
	env.Query(t, lmstest.DealerZ, `query($id: ID!) { node(id: $id) { ... on Location { customer { id } } } }`,
		map[string]any{"id": zLoc.ID}).Decode(t, &zCustomer)
	var stockOrder struct {
		Node struct{ Order struct{ ID string } }
	}
	env.Query(t, lmstest.Distributor, `query($id: ID!) { node(id: $id) { ... on OrderLine { order { id } } } }`,
		map[string]any{"id": stock["391950"]}).Decode(t, &stockOrder)
	foreign := []string{z.Viewer.Partner.ID, z.Viewer.User.ID, z.Viewer.User.ApiTokens.Edges[0].Node.ID, zLoc.ID,
		zCustomer.Node.Customer.ID, stockOrder.Node.Order.ID, stock["391950"], "not-an-id"}
	for _, typ := range []string{"Location", "License"} {
		foreign = append(foreign, base64.RawURLEncoding.EncodeToString([]byte(typ+":"+uuid.NewString())))
	}
	return dealerObjects{own: own, foreign: foreign}
}

// Issue 11 item 5: nodes loads each type of id with one call, so a request
// with ten times the ids runs the same statements; each answer is node's
// answer for that id, and ids of other partners answer null.
func TestNodesStatementsDoNotGrowWithIDs(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	objs := fillDealer(t, env)
	foreign := map[string]bool{}
	for _, id := range objs.foreign {
		foreign[id] = true
	}

	q := `query($ids: [ID!]!) { nodes(ids: $ids) { ` + nodeSelection + ` } }`
	read := func(ids []string) (int, []json.RawMessage) {
		resp := env.Query(t, lmstest.DealerY, q, map[string]any{"ids": ids})
		var got struct{ Nodes []json.RawMessage }
		resp.Decode(t, &got)
		require.Len(t, got.Nodes, len(ids))
		return resp.Statements(), got.Nodes
	}
	small, large := objs.pick(1), objs.pick(10)
	require.Len(t, large, 10*len(small))
	require.LessOrEqual(t, len(large), 250)
	smallCount, _ := read(small)
	largeCount, answers := read(large)
	t.Logf("nodes: %d statements for %d ids, %d for %d ids", smallCount, len(small), largeCount, len(large))
	require.Positive(t, smallCount)
	require.LessOrEqual(t, smallCount, 3*len(nodeTypes), "a handful of statements per type")
	require.Equal(t, smallCount, largeCount, "the statement count must not grow with the ids")

	// The same answers as node, one id at a time.
	types := map[string]bool{}
	for i, id := range large {
		var one struct{ Node json.RawMessage }
		env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { `+nodeSelection+` } }`, map[string]any{"id": id}).Decode(t, &one)
		require.JSONEq(t, string(one.Node), string(answers[i]), "nodes[%d] is node(%s)", i, id)
		if foreign[id] {
			require.Equal(t, "null", string(answers[i]), "an id Dealer Y may not see answers null")
			continue
		}
		var n struct {
			Typename string `json:"__typename"`
		}
		require.NoError(t, json.Unmarshal(answers[i], &n))
		types[n.Typename] = true
	}
	require.Len(t, types, len(nodeTypes), "every type of object answered")
}
