package license_test

// API tests of MobiCall (LOC-11, EXT-2): parts ending -M go to the
// supervisor, the others to the master, and a purchase order for a
// redundant system is split between the two, never across systems.

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// LOC-11: parts ending -M go to the MobiCall Supervisor only, the others to
// the master; a MobiBox takes master parts only.
func TestMobiCallPartPlacement(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})

	shipPO := func(parts ...line) map[string]string {
		return ship(t, env, lmstest.DealerY, "SO-MC-"+randomDigits(7), "PO-MC-"+randomDigits(6), parts...)
	}
	selAll := func(lines map[string]string) []sel {
		var out []sel
		for _, id := range lines {
			out = append(out, sel{Line: id})
		}
		return out
	}
	master := createLocation(t, env, lmstest.DealerY, "MOBICALL_MASTER", map[string]any{"hardwareKeyCode": randomHex(4)})
	sup := createChild(t, env, lmstest.DealerY, master.ID, "REDUNDANT", map[string]any{"name": "MobiCall Supervisor", "hardwareKeyCode": randomHex(4)})
	masterPO := shipPO(line{"ILL-MC-SERVER", 1}, line{"ILL-MC-USERS-10", 2})
	supPO := shipPO(line{"ILL-MC-SERVER-M", 1}, line{"ILL-MC-USERS-10-M", 2})

	_, errs := attach(t, env, lmstest.DealerY, master.ID, selAll(supPO)...)
	require.Len(t, errs, 2)
	for _, e := range errs {
		require.Equal(t, "WRONG_LOCATION_FOR_PART", e.Code)
		require.Contains(t, e.Message, "parts ending -M go to the MobiCall Supervisor location")
	}
	_, errs = attach(t, env, lmstest.DealerY, sup.ID, selAll(masterPO)...)
	require.Len(t, errs, 2)
	for _, e := range errs {
		require.Equal(t, "WRONG_LOCATION_FOR_PART", e.Code)
		require.Contains(t, e.Message, "goes to the master location "+master.Name)
	}
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, master.ID))
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, sup.ID))

	require.Len(t, mustAttach(t, env, lmstest.DealerY, sup.ID, selAll(supPO)...), 2)
	require.Len(t, mustAttach(t, env, lmstest.DealerY, master.ID, selAll(masterPO)...), 2)

	box := createLocation(t, env, lmstest.DealerY, "MOBIBOX", map[string]any{"hardwareKeyCode": randomHex(4)})
	_, errs = attach(t, env, lmstest.DealerY, box.ID, selAll(shipPO(line{"ILL-MC-USERS-10-M", 1}))...)
	e := requireError(t, errs, "PART_NOT_ALLOWED") // MobiBox takes master parts only
	require.Contains(t, e.Message, "parts ending -M go to a MobiCall Supervisor location only")
	_, errs = attach(t, env, lmstest.DealerY, box.ID, selAll(shipPO(line{"ILL-MC-ESPA", 1}))...)
	requireError(t, errs, "PART_NOT_ALLOWED") // a master part the MobiBox does not take
	require.Len(t, mustAttach(t, env, lmstest.DealerY, box.ID, selAll(shipPO(line{"ILL-MC-SERVER", 1}))...), 1)

	// Outside MobiCall an -M part is simply not allowed (LIC-3), on a PBX
	// as on another external product; the message says where it goes.
	sv := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	rcc := createLocation(t, env, lmstest.DealerY, "RCC", map[string]any{"hardwareKeyCode": "aa0014SA" + randomDigits(10) + "AA"})
	for _, loc := range []apiLocation{sv, rcc} {
		_, errs = attach(t, env, lmstest.DealerY, loc.ID, selAll(shipPO(line{"ILL-MC-USERS-10-M", 1}))...)
		e = requireError(t, errs, "PART_NOT_ALLOWED")
		require.Contains(t, e.Message, "cannot be attached to a")
		require.Contains(t, e.Message, "parts ending -M go to a MobiCall Supervisor location only")
		require.Zero(t, attachedCount(t, env, lmstest.DealerY, loc.ID))
	}
}

// A redundant MobiCall system is ordered on one purchase order: the master
// takes its lines of it, the supervisor the -M lines, and together they
// take the whole PO, on one system (EXT-2, LOC-11). Anywhere else the PO
// cannot be split.
func TestMobiCallRedundantPurchaseOrder(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})

	system := func(name string) (master, sup apiLocation) {
		master = createLocation(t, env, lmstest.DealerY, "MOBICALL_MASTER", map[string]any{"name": name, "hardwareKeyCode": randomHex(4)})
		sup = createChild(t, env, lmstest.DealerY, master.ID, "REDUNDANT", map[string]any{"name": name + " Supervisor", "hardwareKeyCode": randomHex(4)})
		return master, sup
	}
	master, sup := system("MobiCall A")
	po := "PO-MC-" + randomDigits(6)
	lines := ship(t, env, lmstest.DealerY, "SO-MC-"+randomDigits(7), po,
		line{"ILL-MC-SERVER", 1}, line{"ILL-MC-USERS-10", 2}, line{"ILL-MC-SERVER-M", 1}, line{"ILL-MC-USERS-10-M", 2})
	server, users := sel{Line: lines["ILL-MC-SERVER"]}, sel{Line: lines["ILL-MC-USERS-10"]}
	serverM, usersM := sel{Line: lines["ILL-MC-SERVER-M"]}, sel{Line: lines["ILL-MC-USERS-10-M"]}

	// Each location must still take all of its lines of the PO.
	_, errs := attach(t, env, lmstest.DealerY, master.ID, server)
	e := requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Equal(t, "input.lines", fieldPath(e))
	require.Contains(t, e.Message, po+" cannot be split: select also line 2 (ILL-MC-USERS-10 × 2)")
	require.NotContains(t, e.Message, "SERVER-M")
	require.NotContains(t, e.Message, "USERS-10-M")
	_, errs = attach(t, env, lmstest.DealerY, master.ID, server, sel{Line: lines["ILL-MC-USERS-10"], Qty: qty(1)})
	e = requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Equal(t, "input.lines.1.quantity", fieldPath(e))
	_, errs = attach(t, env, lmstest.DealerY, sup.ID, usersM)
	e = requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Contains(t, e.Message, po+" cannot be split: select also line 3 (ILL-MC-SERVER-M × 1)")
	require.NotContains(t, e.Message, "ILL-MC-USERS-10 ")
	// The other location's parts are still refused where they do not go:
	// a quantity of them is the wrong location, not a split.
	_, errs = attach(t, env, lmstest.DealerY, master.ID, server, users, serverM, usersM)
	require.Equal(t, []string{"WRONG_LOCATION_FOR_PART", "WRONG_LOCATION_FOR_PART"}, codes(errs))
	_, errs = attach(t, env, lmstest.DealerY, master.ID, server, users, skip(serverM), sel{Line: usersM.Line, Qty: qty(1)})
	e = requireError(t, errs, "WRONG_LOCATION_FOR_PART")
	require.Equal(t, "input.lines.3.lineId", fieldPath(e))
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, master.ID))
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, sup.ID))

	// The master takes its lines, the supervisor the -M lines; each may
	// list the whole PO and skip the other's lines with quantity 0 (LIC-3).
	masterLics := mustAttach(t, env, lmstest.DealerY, master.ID, server, users, skip(serverM), skip(usersM))
	require.ElementsMatch(t, []string{"ILL-MC-SERVER", "ILL-MC-USERS-10"}, partNumbers(masterLics))
	require.Equal(t, 1, binAvailable(t, env, lmstest.DealerY, serverM.Line))
	require.Equal(t, 2, binAvailable(t, env, lmstest.DealerY, usersM.Line))
	supLics := mustAttach(t, env, lmstest.DealerY, sup.ID, skip(server), skip(users), serverM, usersM)
	require.ElementsMatch(t, []string{"ILL-MC-SERVER-M", "ILL-MC-USERS-10-M"}, partNumbers(supLics))
	for _, id := range lines {
		require.Zero(t, binAvailable(t, env, lmstest.DealerY, id))
	}

	// The PO stays on one system: the supervisor of another master cannot
	// take the -M lines of a PO whose master lines are on this one.
	_, sup2 := system("MobiCall B")
	po2 := "PO-MC-" + randomDigits(6)
	lines2 := ship(t, env, lmstest.DealerY, "SO-MC-"+randomDigits(7), po2, line{"ILL-MC-USERS-10", 1}, line{"ILL-MC-USERS-10-M", 1})
	require.Len(t, mustAttach(t, env, lmstest.DealerY, master.ID, sel{Line: lines2["ILL-MC-USERS-10"]}), 1)
	_, errs = attach(t, env, lmstest.DealerY, sup2.ID, sel{Line: lines2["ILL-MC-USERS-10-M"]})
	e = requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Contains(t, e.Message, po2+" cannot be split: its licenses are on MobiCall A already")
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, sup2.ID))
	require.Len(t, mustAttach(t, env, lmstest.DealerY, sup.ID, sel{Line: lines2["ILL-MC-USERS-10-M"]}), 1)

	// Activation takes a location's part of the PO, whole: the master's
	// licenses activate without the supervisor's. The supervisor's -M
	// licenses may leave it, but only to come back: the PO is on this
	// system.
	act := activate(t, env, lmstest.DealerY, sup.ID, supLics[0].ID)
	requireError(t, act.Errors, "PO_CANNOT_BE_SPLIT")
	require.Empty(t, activate(t, env, lmstest.DealerY, master.ID, ids(masterLics)...).Errors)
	detached := mutate[struct{ Errors []userError }](t, env, lmstest.DealerY, "detachLicenses", "",
		map[string]any{"locationId": sup.ID, "licenseIds": ids(supLics)})
	require.Empty(t, detached.Errors)
	_, errs = attach(t, env, lmstest.DealerY, sup2.ID, serverM, usersM)
	e = requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Contains(t, e.Message, "its licenses are on MobiCall A already")
	require.Len(t, mustAttach(t, env, lmstest.DealerY, sup.ID, serverM, usersM), 2)

	// A MobiBox is no redundant system: a mixed PO cannot go to it, whole
	// or in part.
	box := createLocation(t, env, lmstest.DealerY, "MOBIBOX", map[string]any{"hardwareKeyCode": randomHex(4)})
	po3 := "PO-MB-" + randomDigits(6)
	lines3 := ship(t, env, lmstest.DealerY, "SO-MB-"+randomDigits(7), po3, line{"ILL-MC-SERVER", 1}, line{"ILL-MC-SERVER-M", 1})
	_, errs = attach(t, env, lmstest.DealerY, box.ID, sel{Line: lines3["ILL-MC-SERVER"]})
	e = requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Contains(t, e.Message, po3+" cannot be split: select also line 2 (ILL-MC-SERVER-M × 1)")
	_, errs = attach(t, env, lmstest.DealerY, box.ID, sel{Line: lines3["ILL-MC-SERVER"]}, sel{Line: lines3["ILL-MC-SERVER-M"]})
	e = requireError(t, errs, "PART_NOT_ALLOWED")
	require.Equal(t, "input.lines.1.lineId", fieldPath(e))
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, box.ID))
}

// A stand-alone MobiCall master has nowhere to put the -M lines of a mixed
// purchase order: it cannot take its lines of it alone, skipping the -M
// lines with 0 included, nor the -M lines. Once it has a live supervisor
// (a deleted one does not count), the PO is split between the two (LOC-11,
// EXT-2).
func TestMobiCallStandAloneMasterMixedPurchaseOrder(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})

	master := createLocation(t, env, lmstest.DealerY, "MOBICALL_MASTER", map[string]any{"name": "MobiCall Solo", "hardwareKeyCode": randomHex(4)})
	po := "PO-MC-" + randomDigits(6)
	lines := ship(t, env, lmstest.DealerY, "SO-MC-"+randomDigits(7), po, line{"ILL-MC-SERVER", 1}, line{"ILL-MC-SERVER-M", 1})
	server, serverM := sel{Line: lines["ILL-MC-SERVER"]}, sel{Line: lines["ILL-MC-SERVER-M"]}

	requireStranded := func() {
		t.Helper()
		for _, sels := range [][]sel{{server}, {server, skip(serverM)}} {
			_, errs := attach(t, env, lmstest.DealerY, master.ID, sels...)
			e := requireError(t, errs, "PO_CANNOT_BE_SPLIT")
			require.Equal(t, "input.lines", fieldPath(e))
			require.Contains(t, e.Message, po+" cannot be split: a MobiCall Supervisor location takes line 2 (ILL-MC-SERVER-M × 1) of it, and MobiCall Solo has none")
			require.Contains(t, e.Message, "create one as its redundant child location first")
		}
		_, errs := attach(t, env, lmstest.DealerY, master.ID, server, serverM)
		e := requireError(t, errs, "WRONG_LOCATION_FOR_PART")
		require.Equal(t, "input.lines.1.lineId", fieldPath(e))
		require.Zero(t, attachedCount(t, env, lmstest.DealerY, master.ID))
		require.Equal(t, 1, binAvailable(t, env, lmstest.DealerY, server.Line))
		require.Equal(t, 1, binAvailable(t, env, lmstest.DealerY, serverM.Line))
	}
	requireStranded()

	gone := createChild(t, env, lmstest.DealerY, master.ID, "REDUNDANT", map[string]any{"name": "MobiCall Solo Supervisor", "hardwareKeyCode": randomHex(4)})
	require.Empty(t, deleteLocation(t, env, lmstest.DealerY, gone.ID))
	requireStranded()

	sup := createChild(t, env, lmstest.DealerY, master.ID, "REDUNDANT", map[string]any{"name": "MobiCall Solo Supervisor", "hardwareKeyCode": randomHex(4)})
	require.Equal(t, []string{"ILL-MC-SERVER"}, partNumbers(mustAttach(t, env, lmstest.DealerY, master.ID, server, skip(serverM))))
	require.Equal(t, []string{"ILL-MC-SERVER-M"}, partNumbers(mustAttach(t, env, lmstest.DealerY, sup.ID, serverM)))
}

// skip selects a line with quantity 0, which skips it (LIC-3).
func skip(s sel) sel { return sel{Line: s.Line, Qty: qty(0)} }

// partNumbers are the licenses' part numbers, in their order.
func partNumbers(lics []apiLicense) []string {
	out := make([]string, len(lics))
	for i, l := range lics {
		out[i] = l.Part.Number
	}
	return out
}
