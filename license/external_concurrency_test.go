package license_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// TestExternalConcurrentAttachOfOnePurchaseOrder races attaches of one
// external purchase order to two systems, A and B (EXT-2): exactly one
// request wins, the others are told INSUFFICIENT_QUANTITY or
// PO_CANNOT_BE_SPLIT as data, one location holds the licenses, and LIC-15
// holds. In the MobiCall case the two requests select disjoint lines (A's
// master its lines, B's supervisor the -M lines), so only the lock on all
// of the order's lines (lockSelection) lets each see the other's licenses.
func TestExternalConcurrentAttachOfOnePurchaseOrder(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	const racers = 8

	type target struct {
		location apiLocation
		sels     []sel
		parts    []string
	}
	for _, tc := range []struct {
		name  string
		setup func() (a, b target)
	}{
		{"UM4730", func() (a, b target) {
			lines := ship(t, env, lmstest.DealerY, "SO-UM-"+randomDigits(7), "PO-UM-"+randomDigits(6),
				line{"ILL-UM4730-BASE", 1}, line{"ILL-UM4730-PORTS-4", 3})
			whole := []sel{{Line: lines["ILL-UM4730-BASE"]}, {Line: lines["ILL-UM4730-PORTS-4"]}}
			parts := []string{"ILL-UM4730-BASE", "ILL-UM4730-PORTS-4"}
			locA := createLocation(t, env, lmstest.DealerY, "UM4730", map[string]any{"name": "UM A", "hardwareKeyCode": "11-" + randomDigits(8)})
			locB := createLocation(t, env, lmstest.DealerY, "UM4730", map[string]any{"name": "UM B", "hardwareKeyCode": "11-" + randomDigits(8)})
			return target{locA, whole, parts}, target{locB, whole, parts}
		}},
		{"MobiCall", func() (a, b target) {
			lines := ship(t, env, lmstest.DealerY, "SO-MC-"+randomDigits(7), "PO-MC-"+randomDigits(6),
				line{"ILL-MC-SERVER", 1}, line{"ILL-MC-USERS-10", 2}, line{"ILL-MC-SERVER-M", 1}, line{"ILL-MC-USERS-10-M", 2})
			system := func(name string) (master, sup apiLocation) {
				master = createLocation(t, env, lmstest.DealerY, "MOBICALL_MASTER", map[string]any{"name": name, "hardwareKeyCode": randomHex(4)})
				sup = createChild(t, env, lmstest.DealerY, master.ID, "REDUNDANT", map[string]any{"name": name + " Supervisor", "hardwareKeyCode": randomHex(4)})
				return master, sup
			}
			masterA, _ := system("MobiCall A")
			_, supB := system("MobiCall B")
			return target{masterA, []sel{{Line: lines["ILL-MC-SERVER"]}, {Line: lines["ILL-MC-USERS-10"]}}, []string{"ILL-MC-SERVER", "ILL-MC-USERS-10"}},
				target{supB, []sel{{Line: lines["ILL-MC-SERVER-M"]}, {Line: lines["ILL-MC-USERS-10-M"]}}, []string{"ILL-MC-SERVER-M", "ILL-MC-USERS-10-M"}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := tc.setup()
			targets := []target{a, b}
			results := lmstest.Together(racers, func(i int) struct {
				P   licensesPayload
				Err error
			} {
				to := targets[i%2]
				p, err := postAttach(env, lmstest.DealerY, to.location.ID, "", to.sels...)
				return struct {
					P   licensesPayload
					Err error
				}{p, err}
			})

			var winner *target
			for i, r := range results {
				require.NoError(t, r.Err, "request %d", i)
				if len(r.P.Errors) == 0 {
					require.Nil(t, winner, "request %d won too: %+v", i, r.P.Licenses)
					winner = &targets[i%2]
					got := partNumbers(r.P.Licenses)
					slices.Sort(got)
					require.Equal(t, winner.parts, got, "request %d", i)
					continue
				}
				require.Empty(t, r.P.Licenses, "request %d", i)
				for _, e := range r.P.Errors {
					require.Contains(t, []string{"INSUFFICIENT_QUANTITY", "PO_CANNOT_BE_SPLIT"}, e.Code, "request %d: %+v", i, r.P.Errors)
				}
			}
			require.NotNil(t, winner, "one request wins")
			for _, to := range targets {
				want := 0
				if to.location.ID == winner.location.ID {
					want = len(to.parts)
				}
				require.Equal(t, want, attachedCount(t, env, lmstest.DealerY, to.location.ID), "licenses on %s", to.location.Name)
			}
			requireConserved(t, env)
		})
	}
}
