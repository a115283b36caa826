package replacement_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// The license desk rejects a request with a reason: Dealer Y is emailed,
// the location keeps its code, file and empty history, and the emergency
// file is left to run out. A location gets at most two emergency files in
// 12 months: the third request is still filed, for the license desk to
// handle, but without one (LIMIT_EXCEEDED) (HWR-2).
func TestHardwareReplacementRejectAndEmergencyLimit(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	loc := activatedSV8100(t, env, lmstest.DealerY, "Branch SV8100")

	first, errs := requestReplacement(t, env, lmstest.DealerY, loc.ID, loc.HardwareKeyCode, sv8100Code())
	require.Empty(t, errs)
	require.NotNil(t, first.EmergencyLicenseFile)

	t.Log("one open request per location")
	_, errs = requestReplacement(t, env, lmstest.DealerY2, loc.ID, loc.HardwareKeyCode, sv8100Code())
	require.Equal(t, []string{"ALREADY_EXISTS"}, codes(errs))

	t.Log("a rejection needs a reason; only the license desk resolves")
	require.Equal(t, []string{"VALIDATION_FAILED"}, codes(resolve(t, env, lmstest.Admin, first.ID, "REJECT", "").Errors))
	require.Equal(t, []string{"FORBIDDEN"}, codes(resolve(t, env, lmstest.DealerY, first.ID, "REJECT", "never mind").Errors))

	rejected := resolve(t, env, lmstest.Admin, first.ID, "REJECT", "The new CPU was shipped to another partner")
	require.Empty(t, rejected.Errors)
	require.Equal(t, "REJECTED", rejected.Request.Status)
	require.Equal(t, "The new CPU was shipped to another partner", rejected.Request.Resolution)
	require.NotNil(t, rejected.Request.ResolvedAt)
	require.Nil(t, rejected.Location)
	require.Nil(t, rejected.LicenseFile)
	require.Nil(t, rejected.HistoryEntry)
	for _, u := range []string{lmstest.DealerY, lmstest.DealerY2} {
		m := lmstest.MailTo(t, env, u, "Hardware replacement rejected", loc.HardwareKeyCode)
		require.Contains(t, m.Text, "The new CPU was shipped to another partner")
		require.Contains(t, m.Text, "is not extended: it stops working on")
	}
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(resolve(t, env, lmstest.Admin, first.ID, "COMPLETE", "").Errors), "resolved already")

	var got struct {
		Node struct {
			HardwareKeyCode    string
			CurrentLicenseFile struct{ Reason string }
			History            struct{ TotalCount int }
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { hardwareKeyCode currentLicenseFile { reason }
	  history { totalCount } } } }`, map[string]any{"id": loc.ID}).Decode(t, &got)
	require.Equal(t, loc.HardwareKeyCode, got.Node.HardwareKeyCode, "no change")
	require.Equal(t, "ACTIVATION", got.Node.CurrentLicenseFile.Reason)
	require.Zero(t, got.Node.History.TotalCount)

	t.Log("a second emergency file within 12 months, then no third")
	second, errs := requestReplacement(t, env, lmstest.DealerY, loc.ID, loc.HardwareKeyCode, sv8100Code())
	require.Empty(t, errs)
	require.NotNil(t, second.EmergencyLicenseFile)
	require.Empty(t, resolve(t, env, lmstest.Admin, second.ID, "REJECT", "duplicate of an earlier call").Errors)
	third, errs := requestReplacement(t, env, lmstest.DealerY, loc.ID, loc.HardwareKeyCode, sv8100Code())
	require.Empty(t, errs, "the request itself is filed")
	require.Equal(t, "PENDING", third.Status)
	require.Nil(t, third.EmergencyLicenseFile)
	require.Nil(t, third.EmergencyLicenseFileExpiresAt)
	require.NotNil(t, third.EmergencyLicenseFileRefusal)
	require.Equal(t, "LIMIT_EXCEEDED", third.EmergencyLicenseFileRefusal.Code)
	require.Contains(t, third.EmergencyLicenseFileRefusal.Message, "2 emergency license files in the last 12 months")
	desk := lmstest.MailTo(t, env, lmstest.Admin, "Hardware replacement requested", third.NewHardwareKeyCode)
	require.Contains(t, desk.Text, "The partner received no emergency license file: Branch SV8100 had 2 emergency license files")

	var files struct {
		Node struct {
			LicenseFiles struct {
				Edges []struct{ Node struct{ Reason string } }
			}
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { licenseFiles(first: 20) { edges { node { reason } } } } } }`,
		map[string]any{"id": loc.ID}).Decode(t, &files)
	emergency := 0
	for _, e := range files.Node.LicenseFiles.Edges {
		if e.Node.Reason == "EMERGENCY" {
			emergency++
		}
	}
	require.Equal(t, 2, emergency)
	require.Equal(t, "PENDING", request(t, env, lmstest.Admin, third.ID).Status, "the license desk still handles it")
}
