package replacement_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
	"lms/lmstest"
)

// The guide's "License Transfer in case of Hardware Replacement", outside
// office hours and beyond it: Dealer Y's CPU dies, Yara files the request
// (old and new HWKC, reason) and at once gets an emergency license file for
// the new code, which `lms verify` accepts with its 14-day expiry; her
// distributor sees the request (T2 → T1); the license desk completes it:
// the location has the new code, its licenses, a new permanent file for the
// new code, the old code in its history with the licenses as they were, and
// Dealer Y is emailed (HWR-1, HWR-2).
func TestHardwareReplacementGuideFlow(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	loc := activatedSV8100(t, env, lmstest.DealerY, "Main SV8100")
	var before struct {
		Node struct {
			CurrentLicenseFile apiFile
			ActivatedLicenses  struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { currentLicenseFile { `+fileFields+` }
	  activatedLicenses(first: 10) { edges { node { id } } } } } }`, map[string]any{"id": loc.ID}).Decode(t, &before)
	require.Len(t, before.Node.ActivatedLicenses.Edges, 2)
	newCode := sv8100Code()

	t.Log("Yara files the request, typing the new code in lower case; the emergency file comes with it")
	req, errs := requestReplacement(t, env, lmstest.DealerY, loc.ID, loc.HardwareKeyCode, strings.ToLower(newCode))
	require.Empty(t, errs)
	require.Equal(t, "PENDING", req.Status)
	require.Equal(t, loc.HardwareKeyCode, req.OldHardwareKeyCode)
	require.Equal(t, newCode, req.NewHardwareKeyCode, "normalised like an entered code")
	require.Equal(t, "Dealer Y", req.Partner.Name)
	require.Equal(t, "SV8100", req.SystemType.Code)
	require.Equal(t, "Yara Dealer", req.RequestedBy.Name)
	require.Nil(t, req.EmergencyLicenseFileRefusal)
	require.NotNil(t, req.EmergencyLicenseFile)
	require.Equal(t, "EMERGENCY", req.EmergencyLicenseFile.Reason)
	require.Equal(t, newCode, *req.EmergencyLicenseFile.HardwareKeyCode)
	requestedAt, err := time.Parse(time.RFC3339Nano, *req.EmergencyLicenseFile.RequestedAt)
	require.NoError(t, err)
	wantExpiry := requestedAt.Add(14 * 24 * time.Hour).Truncate(time.Second).UTC()
	require.Equal(t, wantExpiry.Format(time.RFC3339), *req.EmergencyLicenseFileExpiresAt)

	emergency := waitFile(t, env, lmstest.DealerY, req.EmergencyLicenseFile.ID)
	require.False(t, emergency.Current, "an emergency file never replaces the location's file")
	require.Equal(t, wantExpiry.Format(time.RFC3339), *emergency.ExpiresAt)
	zip, name := download(t, env, lmstest.DealerY, emergency)
	require.Equal(t, newCode+"-svi.zip", name)
	v, err := format.Verify(zip, env.Server.Graph.Services.Files.Keys)
	require.NoError(t, err)
	require.Equal(t, newCode, v.Payloads[0].HardwareKeyCode)
	require.True(t, v.Payloads[0].ExpiresAt.Equal(wantExpiry))
	features := map[string]int{}
	for _, f := range v.Payloads[0].Features {
		features[f.PartNumber] = f.Quantity
	}
	require.Equal(t, map[string]int{"BE107573": 1, "BE107582": 5}, features, "the location's activated licenses")
	out, err := lmstest.Verify(t, env, zip, name)
	require.NoError(t, err, out)
	require.Contains(t, out, "hardware key code: "+newCode)
	require.Contains(t, out, "expires: "+wantExpiry.Format(time.RFC3339)+" (time-limited license)")
	require.Contains(t, out, "BE107582")

	m := lmstest.MailTo(t, env, lmstest.DealerY, "emergency license file", *emergency.ActivationCode)
	require.Contains(t, m.Text, "valid until "+wantExpiry.Format("2 January 2006, 15:04 UTC"))
	lmstest.MailTo(t, env, "desk@dealer.example", "emergency license file") // the location's dealer email
	desk := lmstest.MailTo(t, env, lmstest.Admin, "Hardware replacement requested", loc.HardwareKeyCode, newCode)
	require.Contains(t, desk.Text, "CPU board defective after a power cut")
	require.Contains(t, desk.Text, "received an emergency license file")

	var still struct {
		Node struct {
			HardwareKeyCode    string
			CurrentLicenseFile apiFile
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { hardwareKeyCode currentLicenseFile { `+fileFields+` } } } }`,
		map[string]any{"id": loc.ID}).Decode(t, &still)
	require.Equal(t, loc.HardwareKeyCode, still.Node.HardwareKeyCode, "nothing changes before the license desk acts")
	require.Equal(t, before.Node.CurrentLicenseFile.ID, still.Node.CurrentLicenseFile.ID)

	t.Log("T2 → T1: Distributor X sees its dealer's request, named, but not the dealer's location or files")
	dist := queue(t, env, lmstest.Distributor, "PENDING")
	require.Len(t, dist, 1)
	require.Equal(t, req.ID, dist[0].ID)
	require.Equal(t, "Main SV8100", dist[0].LocationName)
	require.Nil(t, dist[0].Location)
	require.Nil(t, dist[0].EmergencyLicenseFile)
	require.Empty(t, queue(t, env, lmstest.DealerZ, nil), "another dealer sees nothing")

	t.Log("the license desk works the queue and completes the request")
	pending := queue(t, env, lmstest.Admin, "PENDING")
	require.Len(t, pending, 1)
	require.Equal(t, req.ID, pending[0].ID)
	done := resolve(t, env, lmstest.Admin, req.ID, "COMPLETE", "")
	require.Empty(t, done.Errors)
	require.Equal(t, "COMPLETED", done.Request.Status)
	require.Equal(t, "Ada Admin", done.Request.ResolvedBy.Name)
	require.Equal(t, newCode, done.Location.HardwareKeyCode)
	require.Equal(t, "HARDWARE_REPLACEMENT", done.LicenseFile.Reason)
	require.Equal(t, done.LicenseFile.ID, done.Request.LicenseFile.ID)
	require.Equal(t, "HARDWARE_REPLACED", done.HistoryEntry.Kind)
	require.Equal(t, loc.HardwareKeyCode, done.HistoryEntry.HardwareKeyCode)

	permanent := waitFile(t, env, lmstest.DealerY, done.LicenseFile.ID)
	require.True(t, permanent.Current, "the permanent file replaces the emergency one")
	require.Nil(t, permanent.ExpiresAt)
	require.Nil(t, permanent.HardwareKeyCode)
	zip, name = download(t, env, lmstest.DealerY, permanent)
	require.Equal(t, newCode+"-svi.zip", name)
	out, err = lmstest.Verify(t, env, zip, name)
	require.NoError(t, err, out)
	require.Contains(t, out, "hardware key code: "+newCode)
	require.NotContains(t, out, "expires:")

	var after struct {
		Node struct {
			HardwareKeyCode    string
			CurrentLicenseFile apiFile
			ActivatedLicenses  struct {
				Edges []struct{ Node struct{ ID string } }
			}
			History struct{ Edges []struct{ Node apiHistory } }
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { hardwareKeyCode currentLicenseFile { `+fileFields+` }
	  activatedLicenses(first: 10) { edges { node { id } } } history { edges { node { `+historyFields+` } } } } } }`,
		map[string]any{"id": loc.ID}).Decode(t, &after)
	require.Equal(t, newCode, after.Node.HardwareKeyCode)
	require.Equal(t, permanent.ID, after.Node.CurrentLicenseFile.ID)
	require.Equal(t, before.Node.ActivatedLicenses, after.Node.ActivatedLicenses, "the licenses stay with the location")
	require.Len(t, after.Node.History.Edges, 1)
	h := after.Node.History.Edges[0].Node
	require.Equal(t, "HARDWARE_REPLACED", h.Kind)
	require.Equal(t, loc.HardwareKeyCode, h.HardwareKeyCode)
	require.Equal(t, newCode, h.NewHardwareKeyCode)
	require.Equal(t, "SV8100", h.SystemType.Code)
	require.Equal(t, "SV8100", h.NewSystemType.Code)
	require.Equal(t, "CPU board defective after a power cut", h.Reason)
	require.Len(t, h.Licenses, 2, "the license snapshot")
	for _, l := range h.Licenses {
		require.Equal(t, "ACTIVATED", l.Status)
		require.True(t, strings.HasPrefix(l.PurchaseOrder, "PO-SO-"), l.PurchaseOrder)
	}

	t.Log("Dealer Y's users hear of it, with a link to the new file; the old code is free again")
	for _, u := range []string{lmstest.DealerY, lmstest.DealerY2} {
		m := lmstest.MailTo(t, env, u, "Hardware replaced", newCode)
		require.Contains(t, m.Text, "Old HWKC:           "+loc.HardwareKeyCode)
		require.Contains(t, m.Text, "/license-files/"+lmstest.UUIDOf(t, permanent.ID).String()+"?expires=")
		require.Contains(t, m.Text, "The emergency license file of your request stays valid until "+wantExpiry.Format("2 January 2006, 15:04 UTC"))
	}
	var lookup struct{ New, Old *struct{ ID string } }
	env.Query(t, lmstest.Admin, `query($n: String!, $o: String!) { new: locationByHardwareKeyCode(hardwareKeyCode: $n) { id }
	  old: locationByHardwareKeyCode(hardwareKeyCode: $o) { id } }`, map[string]any{"n": newCode, "o": loc.HardwareKeyCode}).Decode(t, &lookup)
	require.Equal(t, loc.ID, lookup.New.ID)
	require.Nil(t, lookup.Old)
	require.Empty(t, queue(t, env, lmstest.Admin, "PENDING"))
	require.Equal(t, "COMPLETED", request(t, env, lmstest.DealerY, req.ID).Status)

	t.Log("the audit trail shows the request and the replacement")
	var trail struct {
		AuditEvents struct {
			Edges []struct{ Node struct{ Action string } }
		}
	}
	env.Query(t, lmstest.DealerY, `{ auditEvents(first: 50) { edges { node { action } } } }`, nil).Decode(t, &trail)
	var actions []string
	for _, e := range trail.AuditEvents.Edges {
		actions = append(actions, e.Node.Action)
	}
	require.Contains(t, actions, "hardware_replacement.request")
	require.Contains(t, actions, "hardware_replacement.replace")
}
