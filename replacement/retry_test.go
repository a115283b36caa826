package replacement_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// A request or a replacement retried with its idempotency key answers the
// first answer and changes nothing more: one request, one emergency file,
// one history entry; the same key with another input is refused (SPEC §12).
func TestHardwareReplacementIdempotency(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	loc := activatedSV8100(t, env, lmstest.DealerY, "Retried SV8100")
	newCode := sv8100Code()
	in := map[string]any{"locationId": loc.ID, "oldHardwareKeyCode": loc.HardwareKeyCode, "newHardwareKeyCode": newCode,
		"reason": "CPU dead", "idempotencyKey": "hwr-1"}
	type payload struct {
		Request *apiRequest
		Errors  []userError
	}
	first := lmstest.Mutate[payload](t, env, lmstest.DealerY, "requestHardwareReplacement", "request { "+requestFields+" }", in)
	require.Empty(t, first.Errors)
	again := lmstest.Mutate[payload](t, env, lmstest.DealerY, "requestHardwareReplacement", "request { "+requestFields+" }", in)
	require.Empty(t, again.Errors)
	require.Equal(t, first.Request.ID, again.Request.ID)
	require.Equal(t, first.Request.EmergencyLicenseFile.ID, again.Request.EmergencyLicenseFile.ID)
	in["reason"] = "another reason"
	reused := lmstest.Mutate[payload](t, env, lmstest.DealerY, "requestHardwareReplacement", "request { id }", in)
	require.Equal(t, []string{"IDEMPOTENCY_KEY_REUSED"}, codes(reused.Errors))
	require.Len(t, queue(t, env, lmstest.Admin, nil), 1)

	require.Empty(t, resolve(t, env, lmstest.Admin, first.Request.ID, "REJECT", "wrong site").Errors)
	replaceIn := map[string]any{"locationId": loc.ID, "newHardwareKeyCode": newCode, "reason": "CPU dead", "idempotencyKey": "desk-1"}
	done := lmstest.Mutate[replaced](t, env, lmstest.Admin, "replaceHardware", replacedFields, replaceIn)
	require.Empty(t, done.Errors)
	retried := lmstest.Mutate[replaced](t, env, lmstest.Admin, "replaceHardware", replacedFields, replaceIn)
	require.Empty(t, retried.Errors, "a retry does not find the code taken by its own first run")
	require.Equal(t, done.LicenseFile.ID, retried.LicenseFile.ID)
	var history struct {
		Node struct{ History struct{ TotalCount int } }
	}
	env.Query(t, lmstest.Admin, `query($id: ID!) { node(id: $id) { ... on Location { history { totalCount } } } }`, map[string]any{"id": loc.ID}).Decode(t, &history)
	require.Equal(t, 1, history.Node.History.TotalCount)
}

// Racing requests: two for one location file one (the other finds it,
// ALREADY_EXISTS); two for one new code at two locations file one (the
// other DUPLICATE_HARDWARE_KEYCODE) — the location's lock and the pending
// codes' unique index, not a check that both pass before either writes.
func TestHardwareReplacementRequestsRace(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	a := activatedSV8100(t, env, lmstest.DealerY, "Site A")
	b := activatedSV8100(t, env, lmstest.DealerY, "Site B")

	race := func(in [2]map[string]any) []string {
		results := lmstest.Together(2, func(i int) []string {
			p, err := lmstest.PostMutation[struct{ Errors []userError }](env, lmstest.DealerY, "requestHardwareReplacement", "request { id }", in[i])
			if err != nil {
				return []string{err.Error()}
			}
			return append([]string{"ok"}, codes(p.Errors)...)
		})
		out := []string{}
		for _, r := range results {
			out = append(out, r[len(r)-1])
		}
		slices.Sort(out)
		return out
	}
	input := func(s site, code string) map[string]any {
		return map[string]any{"locationId": s.ID, "oldHardwareKeyCode": s.HardwareKeyCode, "newHardwareKeyCode": code, "reason": "race"}
	}
	require.Equal(t, []string{"ALREADY_EXISTS", "ok"}, race([2]map[string]any{input(a, sv8100Code()), input(a, sv8100Code())}))
	code := sv8100Code()
	require.Equal(t, []string{"DUPLICATE_HARDWARE_KEYCODE", "ok"}, race([2]map[string]any{input(b, code), input(activatedSV8100(t, env, lmstest.DealerY, "Site C"), code)}))
	require.Len(t, queue(t, env, lmstest.Admin, "PENDING"), 2)
}
