package license_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// TestShipmentMailWithoutUsers: a partner that has no users yet (the
// license desk created it with its contact address only) still hears of a
// shipment to its bin, at that address, like it hears of everything else
// (partner.Recipients is the one recipients rule).
func TestShipmentMailWithoutUsers(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	var created struct {
		CreatePartner struct {
			Partner struct{ ID string }
			Errors  []userError
		}
	}
	env.Query(t, lmstest.Admin, `mutation($in: CreatePartnerInput!) { createPartner(input: $in) { partner { id } errors { code message field } } }`,
		map[string]any{"in": map[string]any{"kind": "DEALER", "name": "Dealer V", "email": "office@dealer-v.example"}}).Decode(t, &created)
	require.Empty(t, created.CreatePartner.Errors)

	p := mutate[struct {
		Order  *struct{ ID string }
		Errors []userError
	}](t, env, lmstest.Admin, "shipLicenseOrder", "order { id }", map[string]any{
		"partnerId": created.CreatePartner.Partner.ID, "salesOrder": "SO-V1", "purchaseOrder": "PO-V1",
		"lines": []map[string]any{{"partNumber": "BE107585", "quantity": 2}},
	})
	require.Empty(t, p.Errors)
	require.NotNil(t, p.Order)

	m := mailTo(t, env, "office@dealer-v.example", "License shipment", "PO-V1")
	require.Contains(t, m.Text, "BE107585")
}
