package license_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// licenseKeys are what identifies a set of licenses: ids and Software Key
// Codes, in the answer's order.
func licenseKeys(lics []apiLicense) [][2]string {
	out := make([][2]string, len(lics))
	for i, l := range lics {
		out[i] = [2]string{l.ID, l.SoftwareKeyCode}
	}
	return out
}

// requireKeyReused checks errs is exactly IDEMPOTENCY_KEY_REUSED on the
// input's idempotencyKey.
func requireKeyReused(t *testing.T, errs []userError) {
	t.Helper()
	e := requireError(t, errs, "IDEMPOTENCY_KEY_REUSED")
	require.Equal(t, "input.idempotencyKey", strings.Join(e.Field, "."), "field of %+v", e)
}

// locationLicenseCodes reads, from the table, the Software Key Codes of the
// licenses on the location with the Hardware Key Code, by status.
func locationLicenseCodes(t testing.TB, env *lmstest.Env, hwkc string) map[string]string {
	t.Helper()
	var rows []struct {
		SoftwareKeyCode string `bun:"software_key_code"`
		Status          string `bun:"status"`
	}
	require.NoError(t, env.DB.Bun.NewRaw(`SELECT lic.software_key_code, lic.status FROM licenses AS lic
JOIN locations AS l ON l.id = lic.location_id WHERE l.hardware_key_code = ?`, hwkc).Scan(context.Background(), &rows))
	out := map[string]string{}
	for _, r := range rows {
		out[r.SoftwareKeyCode] = r.Status
	}
	return out
}

// locationFileCount counts the license_files rows of the location with the
// Hardware Key Code.
func locationFileCount(t testing.TB, env *lmstest.Env, hwkc string) int {
	t.Helper()
	n, err := env.DB.Bun.NewSelect().TableExpr("license_files AS lf").Join("JOIN locations AS l ON l.id = lf.location_id").
		Where("l.hardware_key_code = ?", hwkc).Count(context.Background())
	require.NoError(t, err)
	return int(n)
}

// activateWithKey activates licenses with the agreement accepted and an
// idempotency key.
func activateWithKey(t testing.TB, env *lmstest.Env, user, locationID, key string, licenseIDs ...string) activationPayload {
	t.Helper()
	return mutate[activationPayload](t, env, user, "activateLicenses", "licenses { "+licenseFields+" } licenseFile { id version status }",
		map[string]any{"locationId": locationID, "licenseIds": licenseIDs, "acceptAgreement": true, "idempotencyKey": key})
}

// fileFeatures are a ready file's features: part number → amount.
func fileFeatures(f apiFile) map[string]string {
	out := map[string]string{}
	for _, x := range f.Features {
		out[x.Part.Number] = x.Amount
	}
	return out
}

// available is a bin line's available quantity, read through the API.
func available(t testing.TB, env *lmstest.Env, user, lineID string) int {
	t.Helper()
	return orderLineState(t, env, user, lineID).Available
}

// TestAttachIdempotency: attachLicenses with an idempotencyKey (SPEC §12).
// A retry with the same key and input answers the first licenses and takes
// nothing more from the bin; the same key with another input is refused;
// concurrent requests with one key attach once; keys are per partner; and a
// failed request does not use its key up.
func TestAttachIdempotency(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	y := ship(t, env, lmstest.DealerY, "SO-IDEM-Y", "PO-IDEM-Y", line{"BE107585", 20}, line{"BE107582", 10}, line{"BE107576", 4})
	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	k := "attach-" + randomHex(12)

	// The first request attaches.
	first, errs := attachWithKey(t, env, lmstest.DealerY, loc.ID, k, sel{Line: y["BE107585"], Qty: qty(5)}, sel{Line: y["BE107582"], Qty: qty(2)})
	require.Empty(t, errs)
	require.Len(t, first, 2)
	require.Equal(t, 15, available(t, env, lmstest.DealerY, y["BE107585"]))
	require.Equal(t, 8, available(t, env, lmstest.DealerY, y["BE107582"]))

	// The retry answers the same licenses and takes nothing more.
	again, errs := attachWithKey(t, env, lmstest.DealerY, loc.ID, k, sel{Line: y["BE107585"], Qty: qty(5)}, sel{Line: y["BE107582"], Qty: qty(2)})
	require.Empty(t, errs)
	require.Equal(t, licenseKeys(first), licenseKeys(again), "the retry answers the first licenses")
	require.Equal(t, first, again)
	require.Equal(t, 15, available(t, env, lmstest.DealerY, y["BE107585"]), "the bin quantity was taken once")
	require.Equal(t, 8, available(t, env, lmstest.DealerY, y["BE107582"]))
	require.Len(t, locationLicenseCodes(t, env, loc.HardwareKeyCode), 2)

	// The same key with other input (another quantity, another selection,
	// another operation) is refused and changes nothing.
	_, errs = attachWithKey(t, env, lmstest.DealerY, loc.ID, k, sel{Line: y["BE107585"], Qty: qty(6)}, sel{Line: y["BE107582"], Qty: qty(2)})
	requireKeyReused(t, errs)
	_, errs = attachWithKey(t, env, lmstest.DealerY, loc.ID, k, sel{Line: y["BE107585"], Qty: qty(5)})
	requireKeyReused(t, errs)
	requireKeyReused(t, activateWithKey(t, env, lmstest.DealerY, loc.ID, k, ids(first)...).Errors)
	require.Equal(t, 15, available(t, env, lmstest.DealerY, y["BE107585"]))
	require.Equal(t, 8, available(t, env, lmstest.DealerY, y["BE107582"]))
	require.Equal(t, map[string]string{first[0].SoftwareKeyCode: "ATTACHED", first[1].SoftwareKeyCode: "ATTACHED"},
		locationLicenseCodes(t, env, loc.HardwareKeyCode), "nothing was attached or activated by the refused requests")

	// Ten concurrent requests with one new key and the same input: one
	// attaches, all answer its licenses.
	k2 := "attach-" + randomHex(12)
	results := lmstest.Together(10, func(int) struct {
		P   licensesPayload
		Err error
	} {
		p, err := postAttach(env, lmstest.DealerY, loc.ID, k2, sel{Line: y["BE107585"], Qty: qty(3)})
		return struct {
			P   licensesPayload
			Err error
		}{p, err}
	})
	for i, r := range results {
		require.NoError(t, r.Err, "request %d", i)
		require.Empty(t, r.P.Errors, "request %d", i)
		require.Len(t, r.P.Licenses, 1, "request %d", i)
		require.Equal(t, licenseKeys(results[0].P.Licenses), licenseKeys(r.P.Licenses), "request %d answers the same license", i)
		require.Equal(t, 3, r.P.Licenses[0].Quantity)
	}
	require.Equal(t, 12, available(t, env, lmstest.DealerY, y["BE107585"]), "the bin was reduced once")
	onLocation := locationLicenseCodes(t, env, loc.HardwareKeyCode)
	require.Len(t, onLocation, 3, "exactly one set of licenses exists")
	require.Contains(t, onLocation, results[0].P.Licenses[0].SoftwareKeyCode)

	// Keys are per partner: Dealer Z's request with the same key string is
	// its own request and gets its own answer.
	z := ship(t, env, lmstest.DealerZ, "SO-IDEM-Z", "PO-IDEM-Z", line{"BE107585", 20})
	zLoc := createLocation(t, env, lmstest.DealerZ, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	zLics, errs := attachWithKey(t, env, lmstest.DealerZ, zLoc.ID, k, sel{Line: z["BE107585"], Qty: qty(5)})
	require.Empty(t, errs)
	require.Len(t, zLics, 1)
	require.NotContains(t, ids(first), zLics[0].ID)
	require.Equal(t, "PO-IDEM-Z", zLics[0].PurchaseOrder)
	require.Equal(t, 15, available(t, env, lmstest.DealerZ, z["BE107585"]))
	require.Equal(t, map[string]string{zLics[0].SoftwareKeyCode: "ATTACHED"}, locationLicenseCodes(t, env, zLoc.HardwareKeyCode))
	// And Dealer Y's key still answers Dealer Y's first licenses.
	again, errs = attachWithKey(t, env, lmstest.DealerY, loc.ID, k, sel{Line: y["BE107585"], Qty: qty(5)}, sel{Line: y["BE107582"], Qty: qty(2)})
	require.Empty(t, errs)
	require.Equal(t, licenseKeys(first), licenseKeys(again))

	// A failed request is not remembered (the chosen behaviour: only
	// successful answers are kept, license/idempotency.go): once the line
	// holds enough again, the retry with the same key and input attaches.
	// Here 3 of BE107576's 4 are attached, the keyed request for 4 fails,
	// the 3 are detached back into the line, and the retry succeeds.
	held := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: y["BE107576"], Qty: qty(3)})
	k4 := "attach-" + randomHex(12)
	failed, errs := attachWithKey(t, env, lmstest.DealerY, loc.ID, k4, sel{Line: y["BE107576"], Qty: qty(4)})
	requireError(t, errs, "INSUFFICIENT_QUANTITY")
	require.Empty(t, failed)
	detached := mutate[licensesPayload](t, env, lmstest.DealerY, "detachLicenses", "licenses { id }",
		map[string]any{"locationId": loc.ID, "licenseIds": ids(held)})
	require.Empty(t, detached.Errors)
	require.Equal(t, 4, available(t, env, lmstest.DealerY, y["BE107576"]))
	retried, errs := attachWithKey(t, env, lmstest.DealerY, loc.ID, k4, sel{Line: y["BE107576"], Qty: qty(4)})
	require.Empty(t, errs, "the failed request did not use the key up")
	require.Len(t, retried, 1)
	require.Equal(t, 4, retried[0].Quantity)
	require.Zero(t, available(t, env, lmstest.DealerY, y["BE107576"]))
	// From now on the key answers that success.
	again, errs = attachWithKey(t, env, lmstest.DealerY, loc.ID, k4, sel{Line: y["BE107576"], Qty: qty(4)})
	require.Empty(t, errs)
	require.Equal(t, licenseKeys(retried), licenseKeys(again))
	require.Zero(t, available(t, env, lmstest.DealerY, y["BE107576"]))

	requireConserved(t, env)
}

// TestActivateIdempotency: activateLicenses with an idempotencyKey (SPEC
// §12). A retry answers the same licenses and the same license file, and
// only one file generation was requested; the key with other licenses is
// refused; concurrent requests with one key activate once.
func TestActivateIdempotency(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	y := ship(t, env, lmstest.DealerY, "SO-IDEM-ACT", "PO-IDEM-ACT", line{"BE107585", 10}, line{"BE107582", 5})
	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	ab := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: y["BE107585"], Qty: qty(4)}, sel{Line: y["BE107582"], Qty: qty(2)})
	c := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: y["BE107585"], Qty: qty(1)})
	k3 := "activate-" + randomHex(12)

	first := activateWithKey(t, env, lmstest.DealerY, loc.ID, k3, ids(ab)...)
	require.Empty(t, first.Errors)
	require.Len(t, first.Licenses, 2)
	require.NotNil(t, first.LicenseFile)
	require.Equal(t, 1, first.LicenseFile.Version)

	again := activateWithKey(t, env, lmstest.DealerY, loc.ID, k3, ids(ab)...)
	require.Empty(t, again.Errors, "the retry is not ALREADY_ACTIVATED: it answers the first activation")
	require.Equal(t, licenseKeys(first.Licenses), licenseKeys(again.Licenses))
	require.NotNil(t, again.LicenseFile)
	require.Equal(t, first.LicenseFile.ID, again.LicenseFile.ID, "the retry answers the same license file")
	require.Equal(t, 1, locationFileCount(t, env, loc.HardwareKeyCode), "one file generation was requested")

	// The same key with other licenses is refused and activates nothing.
	requireKeyReused(t, activateWithKey(t, env, lmstest.DealerY, loc.ID, k3, ids(c)...).Errors)
	requireKeyReused(t, activateWithKey(t, env, lmstest.DealerY, loc.ID, k3, append(ids(ab), ids(c)...)...).Errors)
	require.Equal(t, "ATTACHED", locationLicenseCodes(t, env, loc.HardwareKeyCode)[c[0].SoftwareKeyCode])
	require.Equal(t, 1, locationFileCount(t, env, loc.HardwareKeyCode))

	// The file the key answers is the one that becomes ready, with the
	// first activation's content.
	f := waitFile(t, env, lmstest.DealerY, first.LicenseFile.ID)
	require.Equal(t, 1, f.Version)
	require.Equal(t, map[string]string{"BE107585": "4", "BE107582": "2"}, fileFeatures(f))

	// Ten concurrent requests with one new key activate C once, with one
	// more file.
	k5 := "activate-" + randomHex(12)
	results := lmstest.Together(10, func(int) struct {
		P   activationPayload
		Err error
	} {
		p, err := postActivate(env, lmstest.DealerY, loc.ID, k5, ids(c)...)
		return struct {
			P   activationPayload
			Err error
		}{p, err}
	})
	for i, r := range results {
		require.NoError(t, r.Err, "request %d", i)
		require.Empty(t, r.P.Errors, "request %d", i)
		require.Equal(t, licenseKeys(c), licenseKeys(r.P.Licenses), "request %d", i)
		require.NotNil(t, r.P.LicenseFile, "request %d", i)
		require.Equal(t, results[0].P.LicenseFile.ID, r.P.LicenseFile.ID, "request %d answers the same file", i)
		require.Equal(t, 2, r.P.LicenseFile.Version, "request %d", i)
	}
	require.Equal(t, 2, locationFileCount(t, env, loc.HardwareKeyCode), "one more file generation")
	require.Equal(t, "ACTIVATED", locationLicenseCodes(t, env, loc.HardwareKeyCode)[c[0].SoftwareKeyCode])
	f2 := waitFile(t, env, lmstest.DealerY, results[0].P.LicenseFile.ID)
	require.True(t, f2.Current)
	require.Equal(t, map[string]string{"BE107585": "5", "BE107582": "2"}, fileFeatures(f2))

	// Without a key, activating again is ALREADY_ACTIVATED, as before.
	requireError(t, activate(t, env, lmstest.DealerY, loc.ID, ids(c)...).Errors, "ALREADY_ACTIVATED")
	require.Equal(t, 2, locationFileCount(t, env, loc.HardwareKeyCode))
	requireConserved(t, env)
}
