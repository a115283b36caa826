package license_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// A demo file is a time-limited stand-in (LIC-10): a site that has its actual
// license file keeps it as the current one when a demo is generated.
func TestDemoFileIsNeverCurrent(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	lines := ship(t, env, lmstest.DealerY, "SO-CUR", "PO-CUR", line{"BE107573", 1})
	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	actual := waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, loc.ID, mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: lines["BE107573"]})...))
	require.True(t, actual.Current)

	demo := waitFile(t, env, lmstest.DealerY, mustGenerateDemo(t, env, lmstest.DealerY, loc.ID))
	require.Greater(t, demo.Version, actual.Version)
	require.False(t, demo.Current)
	var got struct {
		Node struct {
			CurrentLicenseFile struct{ ID string }
			LicenseFiles       struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location {
	  currentLicenseFile { id } licenseFiles { edges { node { id } } } } } }`, map[string]any{"id": loc.ID}).Decode(t, &got)
	require.Equal(t, actual.ID, got.Node.CurrentLicenseFile.ID)
	require.Len(t, got.Node.LicenseFiles.Edges, 2, "the demo is in the history")
	require.Equal(t, demo.ID, got.Node.LicenseFiles.Edges[0].Node.ID)
}
