package location_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// A location registered with a mistyped HWKC is deleted; its code, and its
// LMC child's, become free again (LOC-2 counts live locations only).
func TestDeleteLocation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	cust := createCustomer(t, env, lmstest.DealerY, "Tons Business")
	in := map[string]any{"customerId": cust, "name": "Main SV8500", "systemType": "SV8500", "hardwareKeyCode": "22E76E11299790C8CA0724859BI4"}
	main := mustCreateLocation(t, env, lmstest.DealerY, in)
	srmgc, errs := createChild(t, env, lmstest.DealerY, map[string]any{"parentId": main.ID, "kind": "SR_MGC", "name": "SR-MGC", "confirmed": true})
	require.Empty(t, errs)

	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(deleteLocation(t, env, lmstest.DealerY, main.ID)), "SR-MGC child first")
	require.Equal(t, []string{"NOT_FOUND"}, codes(deleteLocation(t, env, lmstest.DealerZ, srmgc.ID)), "another partner's")
	require.Empty(t, deleteLocation(t, env, lmstest.DealerY, srmgc.ID))
	require.Empty(t, deleteLocation(t, env, lmstest.DealerY, main.ID))

	require.Nil(t, getLocation(t, env, lmstest.DealerY, main.ID))
	require.Nil(t, getLocation(t, env, lmstest.DealerY, main.Children.Edges[0].Node.ID), "the LMC child went with it")
	require.Equal(t, []string{"NOT_FOUND"}, codes(deleteLocation(t, env, lmstest.DealerY, main.ID)), "already deleted")

	again := mustCreateLocation(t, env, lmstest.DealerY, in)
	require.Equal(t, main.HardwareKeyCode, again.HardwareKeyCode)
	require.Equal(t, "LM"+main.HardwareKeyCode, again.Children.Edges[0].Node.HardwareKeyCode)

	var events struct {
		AuditEvents struct {
			Edges []struct{ Node struct{ Action string } }
		}
	}
	env.Query(t, lmstest.DealerY, `{ auditEvents(first: 20) { edges { node { action } } } }`, nil).Decode(t, &events)
	var actions []string
	for _, e := range events.AuditEvents.Edges {
		actions = append(actions, e.Node.Action)
	}
	require.Contains(t, actions, "location.delete")
}
