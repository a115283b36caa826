package location_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// The guide's "MobiCall" and "MobiBox" (LOC-11): a stand-alone MobiCall is one
// MOBICALL_MASTER location with its dongle id as HWKC; a redundant one adds
// the MOBICALL_SUPERVISOR, created as the master's redundant child. A MobiBox
// stands alone.
func TestFlowMobiCall(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})

	t.Run("MasterAndSupervisor", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "Hospital Alarm")

		master := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "MobiCall Master", "systemType": "MOBICALL_MASTER", "hardwareKeyCode": "1A2F",
			"customerEmail": "alarm@hospital.example", "vertical": "HEALTHCARE",
		})
		require.Equal(t, "MOBICALL_MASTER", master.SystemType.Code)
		require.Equal(t, "1A2F", master.HardwareKeyCode)
		require.Equal(t, "ENTERED", master.HardwareKeyCodeSource)
		require.Empty(t, master.Children.Edges, "stand-alone until a supervisor is added")
		eulaFor(t, env, "alarm@hospital.example", "1A2F")
		require.Equal(t, master, getLocation(t, env, lmstest.DealerY, master.ID))

		_, errs := createLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "MobiCall Supervisor", "systemType": "MOBICALL_SUPERVISOR", "hardwareKeyCode": "1A30",
		})
		requireOnlyError(t, errs, "VALIDATION_FAILED", "systemType")

		for _, tt := range []struct {
			name, code, wantCode, wantField string
		}{
			{"invalid dongle id", "1A3G", "INVALID_HARDWARE_KEYCODE", "hardwareKeyCode"},
			{"the master's dongle id", "1a2f", "DUPLICATE_HARDWARE_KEYCODE", "hardwareKeyCode"},
		} {
			_, errs := createChild(t, env, lmstest.DealerY, map[string]any{
				"parentId": master.ID, "kind": "REDUNDANT", "name": tt.name, "hardwareKeyCode": tt.code, "confirmed": true,
			})
			requireOnlyError(t, errs, tt.wantCode, tt.wantField)
		}

		sup, errs := createChild(t, env, lmstest.DealerY, map[string]any{
			"parentId": master.ID, "kind": "REDUNDANT", "name": "MobiCall Supervisor", "hardwareKeyCode": "1a30", "confirmed": true,
		})
		require.Empty(t, errs)
		require.Equal(t, "MOBICALL_SUPERVISOR", sup.SystemType.Code)
		require.Equal(t, "REDUNDANT", *sup.ChildKind)
		require.Equal(t, "1A30", sup.HardwareKeyCode)
		require.Equal(t, "ENTERED", sup.HardwareKeyCodeSource)
		require.NotNil(t, sup.Parent)
		require.Equal(t, master.ID, sup.Parent.ID)
		require.Equal(t, "alarm@hospital.example", sup.CustomerEmail)
		eulaFor(t, env, "alarm@hospital.example", "1A30")
		require.Equal(t, sup, getLocation(t, env, lmstest.DealerY, sup.ID))

		parent := getLocation(t, env, lmstest.DealerY, master.ID)
		require.Len(t, parent.Children.Edges, 1)
		require.Equal(t, sup.ID, parent.Children.Edges[0].Node.ID)
		require.Equal(t, "MOBICALL_SUPERVISOR", parent.Children.Edges[0].Node.SystemType.Code)

		_, errs = createChild(t, env, lmstest.DealerY, map[string]any{
			"parentId": master.ID, "kind": "REDUNDANT", "name": "Second supervisor", "hardwareKeyCode": "1A31", "confirmed": true,
		})
		requireOnlyError(t, errs, "ALREADY_EXISTS", "kind")
		_, errs = createChild(t, env, lmstest.DealerY, map[string]any{"parentId": master.ID, "kind": "LMC"})
		requireOnlyError(t, errs, "NOT_APPLICABLE", "kind")
		_, errs = createChild(t, env, lmstest.DealerY, map[string]any{"parentId": master.ID, "kind": "SR_MGC", "name": "x", "confirmed": true})
		requireOnlyError(t, errs, "NOT_APPLICABLE", "kind")
		require.Equal(t, []string{"1A30"}, childrenOf(getLocation(t, env, lmstest.DealerY, master.ID)))
	})

	t.Run("MobiBox", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "Small Clinic")

		box := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "MobiBox", "systemType": "MOBIBOX", "hardwareKeyCode": "1B2F",
		})
		require.Equal(t, "MOBIBOX", box.SystemType.Code)
		require.Equal(t, "1B2F", box.HardwareKeyCode)
		require.Empty(t, box.Children.Edges)
		eulaFor(t, env, "eula@smallclinic.example", "1B2F")
		require.Equal(t, box, getLocation(t, env, lmstest.DealerY, box.ID))

		_, errs := createChild(t, env, lmstest.DealerY, map[string]any{
			"parentId": box.ID, "kind": "REDUNDANT", "name": "MobiBox Supervisor", "hardwareKeyCode": "1B30", "confirmed": true,
		})
		requireOnlyError(t, errs, "NOT_APPLICABLE", "kind")
		require.Empty(t, getLocation(t, env, lmstest.DealerY, box.ID).Children.Edges)
		require.Nil(t, findByHWKC(t, env, lmstest.DealerY, "1B30"))
	})
}
