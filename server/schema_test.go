package server_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// The public interface of this foundation (SPEC §12): Node, the root fields
// and the identity mutations, each answering a payload with errors.
func TestSchemaSurface(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	var got struct {
		Schema struct {
			QueryType struct {
				Fields []struct{ Name string }
			}
			MutationType struct {
				Fields []struct {
					Name string
					Args []struct{ Name string }
					Type struct {
						Kind   string
						OfType struct {
							Name   string
							Fields []struct{ Name string }
						}
					}
				}
			}
		} `json:"__schema"`
		Node struct {
			Kind          string
			PossibleTypes []struct{ Name string }
		}
	}
	env.Query(t, lmstest.Admin, `{
  __schema {
    queryType { fields { name } }
    mutationType { fields { name args { name } type { kind ofType { name fields { name } } } } }
  }
  node: __type(name: "Node") { kind possibleTypes { name } }
}`, nil).Decode(t, &got)

	require.Equal(t, "INTERFACE", got.Node.Kind)
	var nodeTypes []string
	for _, p := range got.Node.PossibleTypes {
		nodeTypes = append(nodeTypes, p.Name)
	}
	require.Subset(t, nodeTypes, []string{"Partner", "User", "ApiToken", "AuditEvent", "ShippingAllowance", "Email"})

	var queries []string
	for _, f := range got.Schema.QueryType.Fields {
		queries = append(queries, f.Name)
	}
	require.Subset(t, queries, []string{"node", "nodes", "viewer", "catalog", "auditEvents", "partners"})

	mutations := map[string]bool{}
	for _, m := range got.Schema.MutationType.Fields {
		mutations[m.Name] = true
		require.Len(t, m.Args, 1, "%s takes one input argument", m.Name)
		require.Equal(t, "input", m.Args[0].Name, m.Name)
		require.Equal(t, "NON_NULL", m.Type.Kind, m.Name)
		var fields []string
		for _, f := range m.Type.OfType.Fields {
			fields = append(fields, f.Name)
		}
		require.Contains(t, fields, "errors", "%s returns a payload with errors", m.Name)
	}
	for _, m := range []string{"createPartner", "createUser", "grantShippingAllowance", "createApiToken", "revokeApiToken", "startImpersonation", "endImpersonation"} {
		require.True(t, mutations[m], "mutation %s", m)
	}
}

func TestIntrospectionCanBeSwitchedOff(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true, Config: func(c *server.Config) { c.Introspection = false }})
	resp := env.Query(t, lmstest.Admin, `{ __schema { queryType { name } } }`, nil)
	require.NotEmpty(t, resp.Errors)
}

// The catalog of CAT-1/CAT-2 is served from the database.
func TestCatalog(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	var got struct {
		Catalog struct {
			SystemTypes []struct {
				Code, HwkcFormat, HwkcExample string
				Flags                         []string
			}
			Parts struct {
				Edges []struct {
					Node struct {
						Number, Name, Stacking string
						Version                *int
					}
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
	}
	env.Query(t, lmstest.DealerY, `{ catalog { systemTypes { code hwkcFormat hwkcExample flags } parts(systemType: "SV8100") { edges { node { number name stacking version } } pageInfo { hasNextPage endCursor } } } }`, nil).Decode(t, &got)
	codes := map[string]string{}
	for _, st := range got.Catalog.SystemTypes {
		codes[st.Code] = st.HwkcExample
	}
	require.Equal(t, "190400324412", codes["SV8100"])
	require.Contains(t, codes, "MOBIBOX")
	var numbers []string
	for _, e := range got.Catalog.Parts.Edges {
		numbers = append(numbers, e.Node.Number)
	}
	require.Subset(t, numbers, []string{"BE107573", "BE107576", "BE107582", "BE107585"})

	// Paging through every part by cursor visits each once.
	seen := map[string]bool{}
	after := ""
	for {
		var pg struct {
			Catalog struct {
				Parts struct {
					Edges    []struct{ Node struct{ Number string } }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
		}
		vars := map[string]any{}
		if after != "" {
			vars["after"] = after
		}
		env.Query(t, lmstest.DealerY, `query($after: String) { catalog { parts(first: 7, after: $after) { edges { node { number } } pageInfo { hasNextPage endCursor } } } }`, vars).Decode(t, &pg)
		for _, e := range pg.Catalog.Parts.Edges {
			require.False(t, seen[e.Node.Number], "part %s twice", e.Node.Number)
			seen[e.Node.Number] = true
		}
		if !pg.Catalog.Parts.PageInfo.HasNextPage {
			break
		}
		after = pg.Catalog.Parts.PageInfo.EndCursor
	}
	require.Greater(t, len(seen), 50)
}

// The statement counter proves lists do not run a query per item: listing 5
// or 40 audit events with their actors' partners costs the same.
func TestAuditListHasNoNPlusOne(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	for i := range 45 {
		resp := env.Query(t, lmstest.Admin, fmt.Sprintf(`mutation { createPartner(input: {kind: DEALER, name: "Dealer %03d"}) { errors { code } } }`, i), nil)
		require.Empty(t, resp.Errors)
	}
	const q = `query($n: Int) { auditEvents(first: $n) { edges { node { id action actor { email partner { name } } impersonator { email } } } } }`
	small := env.Query(t, lmstest.Admin, q, map[string]any{"n": 5})
	large := env.Query(t, lmstest.Admin, q, map[string]any{"n": 40})
	require.Empty(t, large.Errors)
	require.Positive(t, small.Statements())
	require.Equal(t, small.Statements(), large.Statements(), "statement count must not grow with the list")
}
