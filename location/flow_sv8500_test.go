package location_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// The guide's "I. Create New Customer" and "II. Create New Customer
// Location" with an SV8100: an entered HWKC, stored as entered, and the EULA
// mailed to the customer email.
func TestFlowSV8100(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	cust := createCustomer(t, env, lmstest.DealerY, "Gerards Business")

	loc := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
		"customerId": cust, "name": "Location A", "systemType": "SV8100",
		"hardwareKeyCode": " 190400324412 ", "customerEmail": "it@gerards.example", "dealerEmail": "sales@dealer-y.example",
		"hardwareVersion": "CPU 2", "softwareVersion": "V9.5", "referenceNote": "Lab", "vertical": "EDUCATION",
		"address": map[string]any{"street": "Main 1", "city": "Utrecht", "country": "Netherlands", "zip": "3511AA"},
	})
	require.Equal(t, "190400324412", loc.HardwareKeyCode)
	require.Equal(t, "SV8100", loc.SystemType.Code)
	require.Equal(t, "ENTERED", loc.HardwareKeyCodeSource)
	require.Equal(t, "EDUCATION", loc.Vertical)
	require.Equal(t, "it@gerards.example", loc.CustomerEmail)
	require.Equal(t, "Gerards Business", loc.Customer.Name)
	require.Nil(t, loc.Parent)
	require.Empty(t, loc.Children.Edges)
	require.Len(t, loc.LocationID, 36)

	m := eulaFor(t, env, "it@gerards.example", "190400324412")
	require.Contains(t, m.Text, loc.LocationID)
	require.Contains(t, m.Text, "Gerards Business")
	require.Contains(t, m.HTML, "Location A")

	require.Equal(t, loc, getLocation(t, env, lmstest.DealerY, loc.ID))
}

// "SV8500 and SR-MGC": the SV8500 gets its LMC child automatically; an
// SR-MGC child is added with confirmation and gets a temp key.
func TestFlowSV8500AndSrMgc(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	cust := createCustomer(t, env, lmstest.DealerY, "Tons Business")

	main := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
		"customerId": cust, "name": "Main SV8500", "systemType": "SV8500", "hardwareKeyCode": "22E76E11299790C8CA0724859BI4",
	})
	require.Equal(t, "eula@tonsbusiness.example", main.CustomerEmail, "defaults to the customer's EULA email")
	require.Len(t, main.Children.Edges, 1)
	lmc := main.Children.Edges[0].Node
	require.Equal(t, "Main SV8500_LMC", lmc.Name)
	require.Equal(t, "LM22E76E11299790C8CA0724859BI4", lmc.HardwareKeyCode)
	require.Equal(t, "LMC", *lmc.ChildKind)
	require.Equal(t, "LMC", lmc.SystemType.Code)
	require.Equal(t, main.ID, lmc.Parent.ID)

	_, errs := createChild(t, env, lmstest.DealerY, map[string]any{"parentId": main.ID, "kind": "SR_MGC", "name": "SR-MGC Site 2"})
	require.Equal(t, []string{"VALIDATION_FAILED"}, codes(errs), "confirmation required")

	srmgc, errs := createChild(t, env, lmstest.DealerY, map[string]any{"parentId": main.ID, "kind": "SR_MGC", "name": "SR-MGC Site 2", "confirmed": true})
	require.Empty(t, errs)
	require.Regexp(t, `^22-\d{12}-\d{3}-TEMP-KEY$`, srmgc.HardwareKeyCode)
	require.True(t, srmgc.HasTemporaryKey)
	require.Equal(t, "SR_MGC", srmgc.SystemType.Code)
	require.Equal(t, main.ID, srmgc.Parent.ID)

	eulaFor(t, env, "eula@tonsbusiness.example", main.HardwareKeyCode)
	eulaFor(t, env, "eula@tonsbusiness.example", srmgc.HardwareKeyCode)

	got := getLocation(t, env, lmstest.DealerY, main.ID)
	require.Len(t, got.Children.Edges, 2)

	_, errs = createLocation(t, env, lmstest.DealerY, map[string]any{"customerId": cust, "name": "x", "systemType": "SR_MGC"})
	require.Equal(t, []string{"VALIDATION_FAILED"}, codes(errs), "SR-MGC only as a child")
}
