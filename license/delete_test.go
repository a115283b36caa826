package license_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// deleteLocation runs deleteLocation and returns its errors.
func deleteLocation(t testing.TB, env *lmstest.Env, user, id string) []userError {
	t.Helper()
	return mutate[struct{ Errors []userError }](t, env, user, "deleteLocation", "", map[string]any{"id": id}).Errors
}

// TestDeleteLocationHeldByLicenses: a location with attached licenses is
// deleted only after they are detached, one with activated licenses never
// (LIC-5: activation binds them to it for good).
func TestDeleteLocationHeldByLicenses(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	loc, lics := readyLocation(t, env)

	requireError(t, deleteLocation(t, env, lmstest.DealerY, loc.ID), "NOT_APPLICABLE")
	mustActivate(t, env, lmstest.DealerY, loc.ID, lics[0])
	detached := mutate[struct{ Errors []userError }](t, env, lmstest.DealerY, "detachLicenses", "",
		map[string]any{"locationId": loc.ID, "licenseIds": []string{lics[1].ID}})
	require.Empty(t, detached.Errors)
	requireError(t, deleteLocation(t, env, lmstest.DealerY, loc.ID), "NOT_APPLICABLE")

	other := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	lines := ship(t, env, lmstest.DealerY, "SO-DEL", "PO-DEL", line{"BE107576", 1})
	held := mustAttach(t, env, lmstest.DealerY, other.ID, sel{Line: lines["BE107576"]})
	requireError(t, deleteLocation(t, env, lmstest.DealerY, other.ID), "NOT_APPLICABLE")
	require.Empty(t, mutate[struct{ Errors []userError }](t, env, lmstest.DealerY, "detachLicenses", "",
		map[string]any{"locationId": other.ID, "licenseIds": []string{held[0].ID}}).Errors)
	require.Empty(t, deleteLocation(t, env, lmstest.DealerY, other.ID))
}
