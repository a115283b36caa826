package migration_test

import (
	"cmp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// TestMigrateRefusals: what MIG-1 refuses, each as a payload error that
// changes nothing — a location of another type, one without activated
// licenses, one with a license attached but not activated (the message
// names it; once it is activated the migration goes through), an invalid or
// a duplicate HWKC, a migration not confirmed, a type the catalog does not
// lead to, and another partner's location (NOT_FOUND, as if missing).
func TestMigrateRefusals(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	const user = lmstest.DealerY

	cp10 := newLocation(t, env, user, "SV9100_CP10", "CP10 with an attached license", "34"+randomHex(10))
	lines := ship(t, env, user, "SO-REFUSE", "PO-REFUSE", part{"BE114063", 8}, part{"BE114065", 10})
	waitFile(t, env, user, activate(t, env, user, cp10, attach(t, env, user, cp10, false, lines[0])...))
	pending := attach(t, env, user, cp10, false, lines[1])
	var pendingCode struct {
		Node struct{ SoftwareKeyCode string }
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on License { softwareKeyCode } } }`, map[string]any{"id": pending[0]}).Decode(t, &pendingCode)

	cp20 := newLocation(t, env, user, "SV9100_CP20", "Already a CP20", "44"+randomHex(10))
	empty := newLocation(t, env, user, "SV9100_CP10", "CP10 without licenses", "34"+randomHex(10))
	sv8100 := activatedLocation(t, env, user, "SV8100", "An SV8100", "19"+randomHex(10), "SO-SV8100", part{"BE107573", 1})
	taken := "44" + randomHex(10)
	newLocation(t, env, lmstest.DealerZ, "SV9100_CP20", "Dealer Z's CP20", taken)
	free := "44" + randomHex(10)

	tests := []struct {
		name, location, hwkc string
		in                   map[string]any
		user, code, field    string
		message              string
	}{
		{name: "AttachedNotActivated", location: cp10, hwkc: free, code: "NOT_APPLICABLE", field: "locationId", message: pendingCode.Node.SoftwareKeyCode + " (BE114065 × 10)"},
		{name: "AlreadyCP20", location: cp20, hwkc: free, code: "NOT_APPLICABLE", field: "locationId", message: "system type SV9100 CP20 cannot be migrated"},
		{name: "NotAnSV9100", location: sv8100, hwkc: free, code: "NOT_APPLICABLE", field: "locationId", message: "SV8100"},
		{name: "NoActivatedLicenses", location: empty, hwkc: free, code: "NOT_APPLICABLE", field: "locationId", message: "no activated licenses"},
		{name: "UnknownTarget", location: cp10, hwkc: free, in: map[string]any{"newSystemType": "SV9500"}, code: "NOT_APPLICABLE", field: "newSystemType", message: "only to SV9100_CP20"},
		{name: "NotConfirmed", location: cp10, hwkc: free, in: map[string]any{"confirm": false}, code: "VALIDATION_FAILED", field: "confirm"},
		{name: "NoHWKC", location: cp10, hwkc: " ", code: "INVALID_HARDWARE_KEYCODE", field: "newHardwareKeyCode"},
		{name: "OtherTenant", location: cp10, hwkc: free, user: lmstest.DealerZ, code: "NOT_FOUND", field: "locationId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := migrate(t, env, cmp.Or(tt.user, user), tt.location, tt.hwkc, tt.in)
			require.Nil(t, got.Migration)
			e := requireError(t, got.Errors, tt.code)
			require.Equal(t, []string{"input", tt.field}, e.Field)
			require.Contains(t, e.Message, tt.message)
		})
	}

	// Once the attached license is activated, the HWKC is checked: a CP10
	// code, garbage and another location's CP20 code are refused.
	waitFile(t, env, user, activate(t, env, user, cp10, pending...))
	for _, tt := range []struct{ hwkc, code string }{
		{"34" + randomHex(10), "INVALID_HARDWARE_KEYCODE"},
		{"44-XYZ", "INVALID_HARDWARE_KEYCODE"},
		{taken, "DUPLICATE_HARDWARE_KEYCODE"},
		{strings.ToLower(taken), "DUPLICATE_HARDWARE_KEYCODE"},
	} {
		got := migrate(t, env, user, cp10, tt.hwkc, nil)
		e := requireError(t, got.Errors, tt.code)
		require.Equal(t, []string{"input", "newHardwareKeyCode"}, e.Field, tt.hwkc)
	}
	// Nothing changed: still the CP10, no history.
	p := page(t, env, user, cp10)
	require.Equal(t, "SV9100_CP10", p.SystemType.Code)
	require.Zero(t, p.History.TotalCount)
	require.Equal(t, 2, p.ActivatedLicenses.TotalCount)

	// A code typed in lower case is normalised, and the migration goes through.
	ok := migrate(t, env, user, cp10, " "+strings.ToLower(free)+" ", nil)
	require.Empty(t, ok.Errors)
	require.Equal(t, free, page(t, env, user, cp10).HardwareKeyCode)
}

// TestMigrateIdempotent: a retry with the same key answers the first
// migration and changes nothing; the same key with another input is
// refused (SPEC §12).
func TestMigrateIdempotent(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	const user = lmstest.DealerY
	loc := activatedLocation(t, env, user, "SV9100_CP10", "Retried", "34"+randomHex(10), "SO-RETRY", part{"BE114063", 8})
	code := "44" + randomHex(10)

	in := map[string]any{"idempotencyKey": "migrate-retried-1"}
	first := migrate(t, env, user, loc, code, in)
	require.Empty(t, first.Errors)
	again := migrate(t, env, user, loc, code, in)
	require.Empty(t, again.Errors)
	require.Equal(t, first.Migration.ID, again.Migration.ID)
	require.Equal(t, first.Migration.OrderNumber, again.Migration.OrderNumber)
	require.Equal(t, 1, page(t, env, user, loc).History.TotalCount, "migrated once")

	other := migrate(t, env, user, loc, "44"+randomHex(10), in)
	requireError(t, other.Errors, "IDEMPOTENCY_KEY_REUSED")
}
