package location_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// The guide's "iS3000 and SIP@Net Server": a dongle HWKC entered as usual, or
// a Full Computer Name for which LMS generates a unique virtual HWKC (LOC-8);
// the LMC location of an iS3000 is made by hand, with LMIS + the HWKC without
// its aa/AA (LOC-4, "MA4000 / MA4000 EM / CTI / UIP").
func TestFlowIS3000(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})

	t.Run("DongleWithLMC", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "Ed Austria")

		loc := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "SIP@Net dongle", "systemType": "IS3000",
			"hardwareKeyCode": "aa0014SA2792883418AA", "customerEmail": "it@ed-austria.example",
		})
		require.Equal(t, "IS3000", loc.SystemType.Code)
		require.Equal(t, "aa0014SA2792883418AA", loc.HardwareKeyCode)
		require.Equal(t, "ENTERED", loc.HardwareKeyCodeSource)
		require.Nil(t, loc.FullComputerName)
		require.Empty(t, loc.Children.Edges, "an iS3000 gets its LMC location by hand")
		eulaFor(t, env, "it@ed-austria.example", "aa0014SA2792883418AA")
		require.Equal(t, loc, getLocation(t, env, lmstest.DealerY, loc.ID))

		_, errs := updateLocation(t, env, lmstest.DealerY, map[string]any{"id": loc.ID, "fullComputerName": "pbx.example.local"})
		requireOnlyError(t, errs, "VALIDATION_FAILED", "fullComputerName")
		require.Nil(t, getLocation(t, env, lmstest.DealerY, loc.ID).FullComputerName)

		lmc, errs := createChild(t, env, lmstest.DealerY, map[string]any{"parentId": loc.ID, "kind": "LMC"})
		require.Empty(t, errs)
		require.Equal(t, "LMIS0014SA2792883418", lmc.HardwareKeyCode)
		require.Equal(t, "LMC", lmc.SystemType.Code)
		require.Equal(t, "LMC", *lmc.ChildKind)
		require.Equal(t, "SIP@Net dongle_LMC", lmc.Name)
		require.Equal(t, "DERIVED_FROM_PARENT", lmc.HardwareKeyCodeSource)
		require.NotNil(t, lmc.Parent)
		require.Equal(t, loc.ID, lmc.Parent.ID)
		require.Equal(t, cust, lmc.Customer.ID)
		require.Equal(t, "it@ed-austria.example", lmc.CustomerEmail)
		eulaFor(t, env, "it@ed-austria.example", "LMIS0014SA2792883418")
		require.Equal(t, lmc, getLocation(t, env, lmstest.DealerY, lmc.ID))
		require.Equal(t, []string{"LMIS0014SA2792883418"}, childrenOf(getLocation(t, env, lmstest.DealerY, loc.ID)))

		_, errs = createChild(t, env, lmstest.DealerY, map[string]any{"parentId": loc.ID, "kind": "LMC", "name": "Second LMC"})
		requireOnlyError(t, errs, "ALREADY_EXISTS", "kind")

		sv8100 := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "SV8100", "systemType": "SV8100", "hardwareKeyCode": "190400324413",
		})
		_, errs = createChild(t, env, lmstest.DealerY, map[string]any{"parentId": sv8100.ID, "kind": "LMC"})
		requireOnlyError(t, errs, "NOT_APPLICABLE", "kind")
		require.Empty(t, getLocation(t, env, lmstest.DealerY, sv8100.ID).Children.Edges)
	})

	t.Run("FullComputerName", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "Ed Austria FCN")

		loc := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "SIP@Net location using FCN", "systemType": "IS3000",
			"fullComputerName": "HVPC030PBX.DEVNLNEC.LOCAL",
			"address":          map[string]any{"street": "No street", "city": "No city", "state": "No state", "country": "Austria", "zip": "1234"},
		})
		require.NotNil(t, loc.FullComputerName)
		require.Equal(t, "hvpc030pbx.devnlnec.local", *loc.FullComputerName, "capitals become small")
		require.Regexp(t, `^aa0016HN\d{12}AA$`, loc.HardwareKeyCode)
		require.Equal(t, "GENERATED_FROM_FCN", loc.HardwareKeyCodeSource)
		require.False(t, loc.HasTemporaryKey)
		require.Empty(t, loc.Children.Edges)
		eulaFor(t, env, "eula@edaustriafcn.example", loc.HardwareKeyCode)
		require.Equal(t, loc, getLocation(t, env, lmstest.DealerY, loc.ID))

		// An FCN need not be unique; the HWKC is.
		twin := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "Same FCN", "systemType": "IS3000", "fullComputerName": "hvpc030pbx.devnlnec.local",
		})
		require.Equal(t, "hvpc030pbx.devnlnec.local", *twin.FullComputerName)
		require.Regexp(t, `^aa0016HN\d{12}AA$`, twin.HardwareKeyCode)
		require.NotEqual(t, loc.HardwareKeyCode, twin.HardwareKeyCode)
		eulaFor(t, env, "eula@edaustriafcn.example", twin.HardwareKeyCode)

		// The FCN can be edited; the HWKC stays.
		edited, errs := updateLocation(t, env, lmstest.DealerY, map[string]any{"id": loc.ID, "fullComputerName": " NewHost.devnlnec.local "})
		require.Empty(t, errs)
		require.Equal(t, "newhost.devnlnec.local", *edited.FullComputerName)
		require.Equal(t, loc.HardwareKeyCode, edited.HardwareKeyCode)
		require.Equal(t, "GENERATED_FROM_FCN", edited.HardwareKeyCodeSource)
		reread := getLocation(t, env, lmstest.DealerY, loc.ID)
		require.Equal(t, "newhost.devnlnec.local", *reread.FullComputerName)
		require.Equal(t, loc.HardwareKeyCode, reread.HardwareKeyCode)
		require.Equal(t, loc.Name, reread.Name)
		require.Equal(t, []string{loc.HardwareKeyCode}, searchLocations(t, env, lmstest.DealerY, "NEWHOST.devnlnec").hardwareKeyCodes(), "search finds the new FCN")
		require.Equal(t, []string{twin.HardwareKeyCode}, searchLocations(t, env, lmstest.DealerY, "hvpc030pbx").hardwareKeyCodes(), "and no longer the old one")

		_, errs = updateLocation(t, env, lmstest.DealerY, map[string]any{"id": loc.ID, "fullComputerName": "not a host name"})
		requireOnlyError(t, errs, "VALIDATION_FAILED", "fullComputerName")
		require.Equal(t, "newhost.devnlnec.local", *getLocation(t, env, lmstest.DealerY, loc.ID).FullComputerName)

		_, errs = createLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "Both", "systemType": "IS3000",
			"fullComputerName": "pbx.devnlnec.local", "hardwareKeyCode": "aa0014SA2792883419AA",
		})
		requireOnlyError(t, errs, "INVALID_HARDWARE_KEYCODE", "hardwareKeyCode")

		lmc, errs := createChild(t, env, lmstest.DealerY, map[string]any{"parentId": loc.ID, "kind": "LMC", "name": "MA4000 for FCN"})
		require.Empty(t, errs)
		require.Equal(t, "LMIS"+loc.HardwareKeyCode[2:len(loc.HardwareKeyCode)-2], lmc.HardwareKeyCode)
		require.Equal(t, "MA4000 for FCN", lmc.Name)
	})
}
