package server_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/catalog"
	"lms/lmstest"
)

// catalogIDsQuery lists every catalog object with its id.
const catalogIDsQuery = `{ catalog {
  systemTypes { id code name }
  parts(first: 250) { edges { node { id number name } } }
  swaApplications { id code name } } }`

type catalogIDsAnswer struct {
	Catalog struct {
		SystemTypes []catalogObject
		Parts       struct {
			Edges []struct{ Node catalogObject }
		}
		SwaApplications []catalogObject
	}
}

// catalogObject is a system type, part or SWA application: Key is its code
// or part number.
type catalogObject struct {
	ID, Code, Number, Name string
}

func (o catalogObject) key() string { return o.Code + o.Number }

// ids maps "Type/key" to the object's id.
func (a catalogIDsAnswer) ids() map[string]catalogObject {
	out := map[string]catalogObject{}
	for _, st := range a.Catalog.SystemTypes {
		out["SystemType/"+st.key()] = st
	}
	for _, e := range a.Catalog.Parts.Edges {
		out["Part/"+e.Node.key()] = e.Node
	}
	for _, app := range a.Catalog.SwaApplications {
		out["SwaApplication/"+app.key()] = app
	}
	return out
}

func catalogIDs(t *testing.T, env *lmstest.Env, user string) map[string]catalogObject {
	t.Helper()
	var got catalogIDsAnswer
	env.Query(t, user, catalogIDsQuery, nil).Decode(t, &got)
	require.Less(t, len(got.Catalog.Parts.Edges), 250, "the query must list every part")
	return got.ids()
}

// Catalog objects have global ids like every other object, so normalised
// client caches need no per-type key configuration: present, unique, the
// same in every answer, on every server and in every catalog version for the
// same code, and node(id) / nodes(ids) return the object.
func TestCatalogObjectIDs(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})

	first := catalogIDs(t, env, lmstest.DealerY)
	require.Contains(t, first, "SystemType/SV8100")
	require.Contains(t, first, "Part/BE107585")
	require.Contains(t, first, "SwaApplication/SV8300")
	seen := map[string]string{}
	for what, o := range first {
		require.NotEmpty(t, o.ID, what)
		require.NotContains(t, o.ID, o.key(), "%s: ids are opaque", what)
		require.NotContains(t, seen, o.ID, "%s has the id of %s", what, seen[o.ID])
		seen[o.ID] = what
	}

	// Another user, another request: the same ids.
	require.Equal(t, first, catalogIDs(t, env, lmstest.Admin))

	// A new catalog version renaming a part keeps its id.
	c, err := catalog.Default()
	require.NoError(t, err)
	c.Version++
	for i := range c.Parts {
		if c.Parts[i].Number == "BE107585" {
			c.Parts[i].Name += " (renamed)"
		}
	}
	require.NoError(t, catalog.Sync(context.Background(), env.DB.Bun, c))
	// The server serves the catalog from memory and reloads it when the
	// tables change.
	var renamed map[string]catalogObject
	lmstest.Eventually(t, 5*time.Second, func() bool {
		renamed = catalogIDs(t, env, lmstest.DealerY)
		return renamed["Part/BE107585"].Name == first["Part/BE107585"].Name+" (renamed)"
	}, "the server reloads the catalog after a sync")
	require.Equal(t, first["Part/BE107585"].ID, renamed["Part/BE107585"].ID)
	require.Len(t, renamed, len(first))
	for what, o := range renamed {
		require.Equal(t, first[what].ID, o.ID, what)
	}

	// Another server over another database: the same ids.
	other := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	for what, o := range catalogIDs(t, other, lmstest.DealerZ) {
		require.Equal(t, first[what].ID, o.ID, what)
	}

	// node(id) refetches each kind of catalog object.
	const nodeQuery = `query($id: ID!) { node(id: $id) { __typename id
  ... on SystemType { code name } ... on Part { number name } ... on SwaApplication { code name } } }`
	for _, what := range []string{"SystemType/SV8100", "Part/BE107585", "SwaApplication/SV8300"} {
		want := renamed[what]
		var got struct {
			Node *struct {
				Typename string `json:"__typename"`
				catalogObject
			}
		}
		env.Query(t, lmstest.DealerZ, nodeQuery, map[string]any{"id": want.ID}).Decode(t, &got)
		require.NotNil(t, got.Node, what)
		require.Equal(t, strings.Split(what, "/")[0], got.Node.Typename)
		require.Equal(t, want, got.Node.catalogObject)
	}
	var many struct {
		Nodes []*struct{ ID string }
	}
	ids := []string{renamed["Part/BE107585"].ID, renamed["SystemType/SV8100"].ID, renamed["SwaApplication/SV8300"].ID}
	env.Query(t, lmstest.DealerY, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}).Decode(t, &many)
	require.Len(t, many.Nodes, 3)
	for i, n := range many.Nodes {
		require.NotNil(t, n, ids[i])
		require.Equal(t, ids[i], n.ID)
	}

	// A catalog id without a catalog object answers null, like any unknown id;
	// without a token, as for any other object, the answer is UNAUTHENTICATED.
	var unknown struct{ Node *struct{ ID string } }
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { id } }`,
		map[string]any{"id": base64.RawURLEncoding.EncodeToString([]byte("Part:NO-SUCH-PART"))}).Decode(t, &unknown)
	require.Nil(t, unknown.Node)
	anonymous := env.Query(t, "", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ids[0]})
	require.NotEmpty(t, anonymous.Errors)
	require.Equal(t, "UNAUTHENTICATED", anonymous.Errors[0].Code())
}
