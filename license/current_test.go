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

// An external product's files come per sales order (EXT-3): the newest
// generation of each sales order is current, and the location shows the
// file made available last.
func TestExternalCurrentFilesPerSalesOrder(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	loc := createLocation(t, env, lmstest.DealerY, "RCC", map[string]any{"hardwareKeyCode": "aa0014SA" + randomDigits(10) + "AA"})
	activatePO := func(so string, parts ...line) string {
		lines := ship(t, env, lmstest.DealerY, so, "PO-"+so, parts...)
		var sels []sel
		for _, id := range lines {
			sels = append(sels, sel{Line: id})
		}
		p := activate(t, env, lmstest.DealerY, loc.ID, ids(mustAttach(t, env, lmstest.DealerY, loc.ID, sels...))...)
		require.Empty(t, p.Errors)
		return p.LicenseFile.ID
	}
	type state struct {
		current map[string]bool
		main    string
	}
	read := func() state {
		var got struct {
			Node struct {
				CurrentLicenseFile *struct{ ID string }
				LicenseFiles       struct {
					Edges []struct {
						Node struct {
							ID      string
							Current bool
						}
					}
				}
			}
		}
		env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location {
		  currentLicenseFile { id } licenseFiles { edges { node { id current } } } } } }`, map[string]any{"id": loc.ID}).Decode(t, &got)
		st := state{current: map[string]bool{}}
		for _, e := range got.Node.LicenseFiles.Edges {
			st.current[e.Node.ID] = e.Node.Current
		}
		if got.Node.CurrentLicenseFile != nil {
			st.main = got.Node.CurrentLicenseFile.ID
		}
		return st
	}

	so1 := activatePO("SO-C1", line{"ILL-RCC-BASE", 1})
	require.Equal(t, state{current: map[string]bool{so1: true}, main: so1}, read())
	require.Empty(t, uploadExternal(t, env, lmstest.Admin, loc.ID, "SO-C1", "rcc.lic", []byte("base")).Errors)
	so2 := activatePO("SO-C2", line{"ILL-RCC-AGENT", 5})
	// Both sales orders' files are current; the location shows the one that
	// can be downloaded.
	require.Equal(t, state{current: map[string]bool{so1: true, so2: true}, main: so1}, read())

	corrected := uploadExternal(t, env, lmstest.Admin, loc.ID, "SO-C1", "rcc-fixed.lic", []byte("base, fixed"))
	require.Empty(t, corrected.Errors)
	fixed := corrected.LicenseFile.ID
	require.Equal(t, state{current: map[string]bool{so1: false, so2: true, fixed: true}, main: fixed}, read())

	require.Empty(t, uploadExternal(t, env, lmstest.Admin, loc.ID, "SO-C2", "agents.lic", []byte("agents")).Errors)
	require.Equal(t, state{current: map[string]bool{so1: false, so2: true, fixed: true}, main: so2}, read(), "the file made available last")
}
