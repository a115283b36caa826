package license_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
	"lms/lmstest"
)

// binLines reads user's bin by purchase order: part number → available.
func binLines(t testing.TB, env *lmstest.Env, user, po string) map[string]int {
	t.Helper()
	var got struct {
		LicenseBin struct {
			PurchaseOrders struct {
				Edges []struct{ Node apiOrder }
			}
		}
	}
	env.Query(t, user, `query($s: String) { licenseBin(filter: {search: $s}) { purchaseOrders(first: 10) { edges { node { `+orderFields+` } } } } }`,
		map[string]any{"s": po}).Decode(t, &got)
	out := map[string]int{}
	for _, o := range got.LicenseBin.PurchaseOrders.Edges {
		if o.Node.PurchaseOrder != po {
			continue
		}
		for _, l := range o.Node.Lines.Edges {
			out[l.Node.Part.Number] = l.Node.Available
		}
	}
	return out
}

// entitlements reads a location's stacked entitlements: part → amount.
func entitlements(t testing.TB, env *lmstest.Env, user, locationID string) map[string]string {
	t.Helper()
	var got struct {
		Node struct {
			Entitlements struct {
				Edges []struct {
					Node struct {
						Part   struct{ Number string }
						Amount string
					}
				}
			}
		}
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { entitlements { edges { node { part { number } amount } } } } } }`,
		map[string]any{"id": locationID}).Decode(t, &got)
	out := map[string]string{}
	for _, e := range got.Node.Entitlements.Edges {
		out[e.Node.Part.Number] = e.Node.Amount
	}
	return out
}

// TestMain removes the lms command lmstest.Verify built, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	lmstest.RemoveBuiltCommand()
	os.Exit(code)
}

// TestSV8100WalkThrough follows the guide's chapters III and IV with its
// example order: ship, attach with a reduced quantity, detach and see it
// back in the bin, activate, file ready, download, verify, stacking, mail,
// regenerate (LIC-1..9).
func TestSV8100WalkThrough(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	const so, po = "SO 1280677 - SV8100 lics", "PO123456 -SV8100"

	lines := ship(t, env, lmstest.DealerY, so, po,
		line{"BE107573", 1}, line{"BE107582", 5}, line{"BE107576", 1}, line{"BE107585", 20})
	shipment := mailTo(t, env, lmstest.DealerY, "License shipment", "PO123456")
	require.Contains(t, shipment.Text, "BE107585")
	mailTo(t, env, lmstest.DealerY2, "License shipment", "PO123456") // every user of the partner
	require.Equal(t, map[string]int{"BE107573": 1, "BE107582": 5, "BE107576": 1, "BE107585": 20}, binLines(t, env, lmstest.DealerY, po))
	require.Empty(t, binLines(t, env, lmstest.DealerZ, po), "another dealer's bin does not show it")

	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})

	// III. Attach, with BE107585 reduced to 10.
	lics := mustAttach(t, env, lmstest.DealerY, loc.ID,
		sel{Line: lines["BE107573"]}, sel{Line: lines["BE107582"]}, sel{Line: lines["BE107576"]}, sel{Line: lines["BE107585"], Qty: qty(10)})
	require.Len(t, lics, 4)
	skc := regexp.MustCompile(`^[0-9A-Z]{2}19[0-9A-Z]{16}$`)
	seen := map[string]bool{}
	byPart := map[string]apiLicense{}
	for _, l := range lics {
		require.Regexp(t, skc, l.SoftwareKeyCode, "characters 3-4 are the SV8100 prefix")
		require.False(t, seen[l.SoftwareKeyCode])
		seen[l.SoftwareKeyCode] = true
		require.Equal(t, "ATTACHED", l.Status)
		require.Equal(t, po, l.PurchaseOrder)
		require.Equal(t, so, l.SalesOrder)
		byPart[l.Part.Number] = l
	}
	require.Equal(t, 10, byPart["BE107585"].Quantity)
	require.Equal(t, map[string]int{"BE107573": 0, "BE107582": 0, "BE107576": 0, "BE107585": 10}, binLines(t, env, lmstest.DealerY, po))

	// Detach one license: its quantity is back in the bin; attached again it gets a new SKC.
	detached := mutate[struct {
		Licenses []apiLicense
		Errors   []userError
	}](t, env, lmstest.DealerY, "detachLicenses", "licenses { "+licenseFields+" }",
		map[string]any{"locationId": loc.ID, "licenseIds": []string{byPart["BE107573"].ID}})
	require.Empty(t, detached.Errors)
	require.Equal(t, 1, binLines(t, env, lmstest.DealerY, po)["BE107573"])
	again := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: lines["BE107573"]})
	require.NotEqual(t, byPart["BE107573"].SoftwareKeyCode, again[0].SoftwareKeyCode)
	byPart["BE107573"] = again[0]

	// IV. Activate: the agreement must be accepted.
	all := []apiLicense{byPart["BE107573"], byPart["BE107582"], byPart["BE107576"], byPart["BE107585"]}
	refused := mutate[activationPayload](t, env, lmstest.DealerY, "activateLicenses", "licenses { id }",
		map[string]any{"locationId": loc.ID, "licenseIds": ids(all), "acceptAgreement": false})
	requireError(t, refused.Errors, "AGREEMENT_NOT_ACCEPTED")
	fileID := mustActivate(t, env, lmstest.DealerY, loc.ID, all...)

	f := waitFile(t, env, lmstest.DealerY, fileID)
	require.Equal(t, 1, f.Version)
	require.True(t, f.Current)
	require.Equal(t, loc.HardwareKeyCode+"-svi.zip", *f.FileName)
	require.Regexp(t, `^\d{4}-\d{4}-\d{4}-\d{4}$`, *f.ActivationCode)
	zip, name := download(t, env, lmstest.DealerY, f)
	require.Equal(t, *f.FileName, name)
	v, err := format.Verify(zip, keys(env))
	require.NoError(t, err)
	require.Equal(t, *f.ActivationCode, v.ActivationCode)
	require.Equal(t, loc.HardwareKeyCode, v.Payloads[0].HardwareKeyCode)
	require.Equal(t, loc.LocationID, v.Payloads[0].LocationID)
	require.Equal(t, map[string]int{"BE107573": 1, "BE107576": 1, "BE107582": 5, "BE107585": 10}, quantities(v.Payloads[0]))
	out, err := lmstest.Verify(t, env, zip, name)
	require.NoError(t, err, out)
	require.Contains(t, out, loc.HardwareKeyCode)
	require.Contains(t, out, "SV8100")
	require.Contains(t, out, "BE107585")

	// The activation code reaches the user and the location's dealer email.
	m := mailTo(t, env, lmstest.DealerY, *f.ActivationCode)
	require.Contains(t, m.Text, *f.FileName)
	mailTo(t, env, "dealer-desk@dealer.example", *f.ActivationCode)

	// Activated is permanent.
	stuck := mutate[struct{ Errors []userError }](t, env, lmstest.DealerY, "detachLicenses", "",
		map[string]any{"locationId": loc.ID, "licenseIds": []string{byPart["BE107585"].ID}})
	requireError(t, stuck.Errors, "ALREADY_ACTIVATED")

	// Expansion is adding licenses: the other 10 terminals stack onto the first 10 (LIC-9).
	more := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: lines["BE107585"]})
	require.Equal(t, 10, more[0].Quantity)
	f2 := waitFile(t, env, lmstest.DealerY, mustActivate(t, env, lmstest.DealerY, loc.ID, more...))
	require.Equal(t, 2, f2.Version)
	require.Equal(t, map[string]string{"BE107573": "1", "BE107576": "1", "BE107582": "5", "BE107585": "20"}, entitlements(t, env, lmstest.DealerY, loc.ID))
	require.Empty(t, binLines(t, env, lmstest.DealerY, po), "the PO has nothing left in the bin")

	// Regenerate: a new version with the same features.
	regen := mutate[struct {
		LicenseFile *struct{ ID string }
		Errors      []userError
	}](t, env, lmstest.DealerY, "regenerateLicenseFile", "licenseFile { id }", map[string]any{"locationId": loc.ID})
	require.Empty(t, regen.Errors)
	f3 := waitFile(t, env, lmstest.DealerY, regen.LicenseFile.ID)
	require.Equal(t, 3, f3.Version)
	require.True(t, f3.Current)
	require.Equal(t, f2.Features, f3.Features)
	zip3, _ := download(t, env, lmstest.DealerY, f3)
	v3, err := format.Verify(zip3, keys(env))
	require.NoError(t, err)
	require.Equal(t, 3, v3.Payloads[0].Sequence)
	require.Equal(t, map[string]int{"BE107573": 1, "BE107576": 1, "BE107582": 5, "BE107585": 20}, quantities(v3.Payloads[0]))

	// Downloads are authorised like the API.
	status, _, _ := get(t, env, lmstest.DealerZ, *f3.DownloadURL)
	require.Equal(t, 404, status)
	status, _, _ = get(t, env, "", *f3.DownloadURL)
	require.Equal(t, 401, status)
}

func quantities(p format.Payload) map[string]int {
	out := map[string]int{}
	for _, f := range p.Features {
		out[f.PartNumber] = f.Quantity
	}
	return out
}
