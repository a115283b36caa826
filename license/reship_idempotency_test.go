package license_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// Reship, return and demo licenses take inventory or a counter; a retry
// with the same idempotency key answers the first result and takes nothing
// again (SPEC §12).
func TestReshipReturnAndDemoIdempotency(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	lines := ship(t, env, lmstest.Distributor, "SO-IK", "PO-IK", line{"391950", 10})
	in := map[string]any{
		"dealerUserEmail": lmstest.DealerY, "salesOrder": "SO-IK-1", "purchaseOrder": "PO-IK-1",
		"lines": []map[string]any{{"lineId": lines["391950"], "quantity": 4}}, "idempotencyKey": "reship-1",
	}
	first := mutate[reshipPayload](t, env, lmstest.Distributor, "reshipLicenses", "order { "+resoldOrderFields+" }", in)
	require.Empty(t, first.Errors)
	again := mutate[reshipPayload](t, env, lmstest.Distributor, "reshipLicenses", "order { "+resoldOrderFields+" }", in)
	require.Empty(t, again.Errors)
	require.Equal(t, first.Order.ID, again.Order.ID)
	require.Equal(t, 6, orderLineState(t, env, lmstest.Distributor, lines["391950"]).Available, "taken once")
	require.Len(t, resoldOrders(t, env, lmstest.Distributor), 1)
	in["purchaseOrder"] = "PO-IK-2"
	requireError(t, mutate[reshipPayload](t, env, lmstest.Distributor, "reshipLicenses", "order { id }", in).Errors, "IDEMPOTENCY_KEY_REUSED")

	dealerLine := first.Order.lineIDs()["391950"]
	ret := map[string]any{"lines": []map[string]any{{"lineId": dealerLine, "quantity": 1}}, "idempotencyKey": "return-1"}
	type returnPayload struct {
		Returns []apiReturn
		Errors  []userError
	}
	r1 := mutate[returnPayload](t, env, lmstest.DealerY, "returnLicenses", "returns { "+returnFields+" }", ret)
	r2 := mutate[returnPayload](t, env, lmstest.DealerY, "returnLicenses", "returns { "+returnFields+" }", ret)
	require.Empty(t, r1.Errors)
	require.Empty(t, r2.Errors)
	require.Equal(t, r1.Returns, r2.Returns)
	require.Len(t, licenseReturns(t, env, lmstest.DealerY), 1)
	require.Equal(t, 3, orderLineState(t, env, lmstest.DealerY, dealerLine).Available)
	require.Equal(t, 7, orderLineState(t, env, lmstest.Distributor, lines["391950"]).Available)

	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	demo := map[string]any{"locationId": loc.ID, "acceptAgreement": true, "idempotencyKey": "demo-1"}
	d1 := mutate[demoPayload](t, env, lmstest.DealerY, "generateDemoLicense", demoSelection, demo)
	d2 := mutate[demoPayload](t, env, lmstest.DealerY, "generateDemoLicense", demoSelection, demo)
	require.Empty(t, d1.Errors)
	require.Empty(t, d2.Errors)
	require.Equal(t, d1.LicenseFile.ID, d2.LicenseFile.ID)
	require.Equal(t, 1, *demoLicensesLeft(t, env, lmstest.DealerY, loc.ID), "one demo license used")
	var files int
	require.NoError(t, env.DB.Bun.NewRaw(`SELECT count(*) FROM license_files WHERE reason = 'DEMO'`).Scan(context.Background(), &files))
	require.Equal(t, 1, files)
	requireConserved(t, env)
}
