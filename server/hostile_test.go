package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"

	"lms/graph"
	"lms/lmstest"
	"lms/server"
)

// hostile is a document that asks the server for far more work than any
// client needs, cheap for an attacker to send without a token.
type hostile struct {
	name  string
	query string
	vars  map[string]any
	// message is part of the refusal's message.
	message string
}

// hostileDocuments are the attacks outside testing found (issue 11).
func hostileDocuments() []hostile {
	var fan strings.Builder // each fragment spreads the next twice: 2^40 fields
	fan.WriteString("query { ...F0 }")
	for i := range 40 {
		fmt.Fprintf(&fan, " fragment F%d on Query { ...F%d ...F%d }", i, i+1, i+1)
	}
	fan.WriteString(" fragment F40 on Query { __typename }")

	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 1000 {
		fmt.Fprintf(&aliases, " a%d: __typename", i)
	}
	aliases.WriteString(" }")

	ids := make([]any, 250)
	for i := range ids {
		ids[i] = fmt.Sprintf("TG9jYXRpb246MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAw%03d", i)
	}
	var nodes strings.Builder
	nodes.WriteString("query($ids: [ID!]!) {")
	for i := range 100 {
		fmt.Fprintf(&nodes, " n%d: nodes(ids: $ids) { id }", i)
	}
	nodes.WriteString(" }")

	var unknown strings.Builder
	unknown.WriteString("{")
	for i := range 30000 {
		fmt.Fprintf(&unknown, " f%d", i)
	}
	unknown.WriteString(" }")

	// 1 MiB of input nested as deep as it goes, as a literal and as a
	// variable.
	const mib = 1 << 20
	depth := (mib - 1000) / len(`{search: }`)
	nestedLiteral := "{ locations(filter: " + strings.Repeat("{search: ", depth) + `"x"` + strings.Repeat("}", depth) + ") { edges { node { id } } } }"
	nest := func(levels int) any {
		var v any = "x"
		for range levels {
			v = map[string]any{"search": v}
		}
		return v
	}

	return []hostile{
		{"fragment fan-out to 40 levels", fan.String(), nil, "fields with its fragments expanded"},
		{"100,000 __typename", "{" + strings.Repeat(" __typename", 100000) + " }", nil, ""},
		{"90,000 __typename", "{" + strings.Repeat(" __typename", 90000) + " }", nil, "longer than 15000 tokens"},
		{"8,000 __typename", "{" + strings.Repeat(" __typename", 8000) + " }", nil, "fields with its fragments expanded"},
		{"1,000 __typename in one selection set", "{" + strings.Repeat(" __typename", 1000) + " }", nil, `selects "__typename" 1000 times`},
		{"1,000 aliases", aliases.String(), nil, "1000 aliases"},
		{"100 aliases of nodes with 250 ids", nodes.String(), map[string]any{"ids": ids}, "looks up 25000 ids"},
		{"30,000 unknown fields", unknown.String(), nil, "longer than 15000 tokens"},
		{"1 MiB of nested input literal", nestedLiteral, nil, "exceeded maximum nesting depth"},
		{"1 MiB of nested input variable", `query($f: LocationFilter) { locations(filter: $f) { edges { node { id } } } }`, map[string]any{"f": nest(mib / len(`{"search":}`))}, ""},
		{"nested variable as deep as JSON goes", `query($f: LocationFilter) { locations(filter: $f) { edges { node { id } } } }`, map[string]any{"f": nest(9900)}, ""},
	}
}

// Every hostile document is refused before it is validated or executed,
// signed in or not, and the work spent refusing it has a deterministic
// bound: no SQL statement beyond authentication, and either the parser
// stopped at its token limit or the limits visited at most a few times as
// many selections as the document has tokens (so a fragment fan-out costs
// what its text costs, not what it expands to). Wall times are the
// benchmark's (BenchmarkHostileDocuments).
func TestHostileDocumentsAreRefusedCheaply(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})

	// Authentication is counted apart: a request that runs nothing else
	// costs no statement beyond it.
	require.Equal(t, 0, env.Query(t, lmstest.Admin, "{ __typename }", nil).Statements())
	require.Equal(t, 0, env.Query(t, "", "{ __typename }", nil).Statements())

	for _, h := range hostileDocuments() {
		for _, user := range []string{"", lmstest.Admin} {
			t.Run(fmt.Sprintf("%s/%s", h.name, cmpOr(user, "anonymous")), func(t *testing.T) {
				resp := env.Query(t, user, h.query, h.vars)
				require.NotEmpty(t, resp.Errors, "refused")
				require.True(t, len(resp.Data) == 0 || string(resp.Data) == "null", "nothing executed, got %s", resp.Data)
				require.LessOrEqual(t, len(resp.Errors), graph.DefaultLimits.MaxErrors+1)
				require.Equal(t, 0, resp.Statements(), "no SQL statement beyond authentication")
				if user == "" {
					require.Equal(t, 0, resp.AuthStatements(), "no SQL statement")
				}
				switch {
				case resp.Status == http.StatusRequestEntityTooLarge:
					// Refused unread: without a token only small bodies are
					// read, and no body over the body limit.
					require.Regexp(t, `^the request body (without an API token )?is \d+ bytes; the limit is \d+$`, resp.Errors[0].Message)
				case h.message != "":
					require.Contains(t, resp.Errors[0].Message, h.message)
				}
				visits, _ := resp.Extensions["limitVisits"].(float64)
				require.LessOrEqual(t, int(visits), 3*tokens(h.query), "the limits' work is linear in the document")
			})
		}
	}
}

// tokens counts the lexical tokens of a query, up to the first the lexer
// cannot read.
func tokens(query string) int {
	l := lexer.New(&ast.Source{Input: query})
	n := 0
	for {
		tok, err := l.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return n
		}
		n++
	}
}

func cmpOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// A document within the limits that fails validation answers at most
// MaxErrors errors and one that says how many more there were.
func TestErrorsAreCapped(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	var q strings.Builder
	q.WriteString("{")
	for i := range 1000 {
		fmt.Fprintf(&q, " f%d", i)
	}
	q.WriteString(" }")
	resp := env.Query(t, "", q.String(), nil)
	require.Len(t, resp.Errors, graph.DefaultLimits.MaxErrors+1)
	require.Equal(t, "GRAPHQL_VALIDATION_FAILED", resp.Errors[0].Code())
	last := resp.Errors[len(resp.Errors)-1]
	require.Equal(t, "TOO_MANY_ERRORS", last.Code())
	require.Equal(t, fmt.Sprintf("%d more errors are not shown", 1000-graph.DefaultLimits.MaxErrors), last.Message)
}

// The standard introspection queries of graphql-js 16 (what GraphiQL, the
// explorer, codegen tools and Apollo's tooling send) are accepted: the
// introspection fields do not count towards the depth limit. Switched off,
// introspection is refused.
func TestStandardIntrospectionQueries(t *testing.T) {
	t.Parallel()
	on := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	off := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true, Config: func(c *server.Config) { c.Introspection = false }})
	for _, fixture := range []string{"graphql-js-16.graphql", "graphql-js-16-all-options.graphql", "graphiql-3.graphql"} {
		t.Run(fixture, func(t *testing.T) {
			query := readFile(t, "../graph/testdata/introspection/"+fixture)
			for _, user := range []string{"", lmstest.DealerY} {
				resp := on.Query(t, user, query, nil)
				require.Empty(t, resp.Errors, "introspection in development")
				var data struct {
					Schema struct {
						QueryType struct{ Name string }
						Types     []struct{ Name string }
					} `json:"__schema"`
				}
				require.NoError(t, json.Unmarshal(resp.Data, &data))
				require.Equal(t, "Query", data.Schema.QueryType.Name)
				require.Greater(t, len(data.Schema.Types), 50)

				resp = off.Query(t, user, query, nil)
				require.NotEmpty(t, resp.Errors, "introspection switched off")
				require.Contains(t, resp.Errors[0].Message, "introspection disabled")
			}
		})
	}

	// Introspection nested past what any tool asks is refused by
	// validation's own rule.
	deep := "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }"
	resp := on.Query(t, "", deep, nil)
	require.NotEmpty(t, resp.Errors)
	require.Contains(t, resp.Errors[0].Message, "Maximum introspection depth exceeded")
}

// A NUL character in any string input is refused as VALIDATION_FAILED on
// the field that holds it, literal or variable, before anything runs.
func TestNULInStringInputs(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	cases := []struct {
		name  string
		user  string
		query string
		vars  map[string]any
		field []any
	}{
		{"search filter literal", lmstest.DealerY, `{ locations(filter: {search: "ab\u0000c"}) { edges { node { id } } } }`, nil, []any{"filter", "search"}},
		{"search filter variable", lmstest.DealerY, `query($f: LocationFilter) { locations(filter: $f) { edges { node { id } } } }`,
			map[string]any{"f": map[string]any{"search": "ab\x00c"}}, []any{"filter", "search"}},
		{"customer name", lmstest.DealerY, `mutation($in: CreateCustomerInput!) { createCustomer(input: $in) { customer { id } errors { code } } }`,
			map[string]any{"in": map[string]any{"name": "Tons\x00", "eulaEmail": "it@tons.example"}}, []any{"input", "name"}},
		{"lookup", lmstest.DealerY, `query($k: String!) { licenseBySoftwareKeyCode(softwareKeyCode: $k) { id } }`,
			map[string]any{"k": "\x00"}, []any{"softwareKeyCode"}},
		{"token name", lmstest.DealerY, `mutation { createApiToken(input: {name: "ci\u0000"}) { secret errors { code } } }`, nil, []any{"input", "name"}},
		{"idempotency key", lmstest.DealerY, `mutation($in: AttachLicensesInput!) { attachLicenses(input: $in) { errors { code } } }`,
			map[string]any{"in": map[string]any{"locationId": "x", "lines": []any{}, "idempotencyKey": "k\x00"}}, []any{"input", "idempotencyKey"}},
		{"list element", lmstest.DealerY, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
			map[string]any{"ids": []any{"a", "b\x00"}}, []any{"ids", "1"}},
		{"anonymous", "", `{ locations(filter: {search: "\u0000"}) { edges { node { id } } } }`, nil, []any{"filter", "search"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := env.Query(t, tc.user, tc.query, tc.vars)
			require.Len(t, resp.Errors, 1, "%s", resp.Data)
			require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code(), resp.Errors[0].Message)
			require.Equal(t, tc.field, resp.Errors[0].Extensions["field"])
			require.Contains(t, resp.Errors[0].Message, "NUL")
			require.True(t, len(resp.Data) == 0 || string(resp.Data) == "null")
		})
	}
	var customers struct {
		Customers struct{ Edges []any }
	}
	env.Query(t, lmstest.DealerY, `{ customers { edges { node { id } } } }`, nil).Decode(t, &customers)
	require.Empty(t, customers.Customers.Edges, "nothing was created")
}

// A multipart request whose map names a path that is not a variable (a
// string's field, an index into an object) is the client's mistake: 422
// VALIDATION_FAILED with a message saying what a path must be, signed in or
// not.
func TestMultipartMapPaths(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	query := `mutation($in: UploadExternalLicenseFileInput!) { uploadExternalLicenseFile(input: $in) { errors { code } } }`
	for _, path := range []string{"variables.in.salesOrder.x", "variables.in.5", "variables.in.file.x.y", "variables.nope.file", "variables.in.salesOrder.0"} {
		for _, user := range []string{"", lmstest.Admin} {
			t.Run(path+"/"+cmpOr(user, "anonymous"), func(t *testing.T) {
				body, ct := browserUpload(`{"query":`+jsonString(query)+`,"variables":{"in":{"locationId":"x","salesOrder":"1234567","file":null}}}`,
					`{"1":["`+path+`"]}`, "UM4730_11-10465697.zip", "PK\x03\x04")
				req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", strings.NewReader(body))
				require.NoError(t, err)
				req.Header.Set("Content-Type", ct)
				if user != "" {
					req.Header.Set("Authorization", "Bearer "+env.Tokens[user])
				}
				resp := env.Do(t, req)
				require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
				require.Len(t, resp.Errors, 1)
				require.Contains(t, []string{"VALIDATION_FAILED", ""}, resp.Errors[0].Code())
				require.NotContains(t, resp.Errors[0].Message, "internal")
			})
		}
	}
}

// browserUpload is the body a browser's FormData gives a GraphQL multipart
// request (apollo-upload-client): operations, map, then the file as part
// "1", with the boundary style of Chromium.
func browserUpload(operations, fileMap, fileName, content string) (body, contentType string) {
	const boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
	body = "--" + boundary + "\r\n" +
		"Content-Disposition: form-data; name=\"operations\"\r\n\r\n" + operations + "\r\n" +
		"--" + boundary + "\r\n" +
		"Content-Disposition: form-data; name=\"map\"\r\n\r\n" + fileMap + "\r\n" +
		"--" + boundary + "\r\n" +
		"Content-Disposition: form-data; name=\"1\"; filename=\"" + fileName + "\"\r\n" +
		"Content-Type: application/zip\r\n\r\n" + content + "\r\n" +
		"--" + boundary + "--\r\n"
	return body, "multipart/form-data; boundary=" + boundary
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
