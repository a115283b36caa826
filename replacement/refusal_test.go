package replacement_test

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// sv8500Code is a random SV8500 Hardware Key Code (^22[A-Za-z0-9]{26}$).
func sv8500Code() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 26)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "22" + string(b)
}

// What hardware replacement refuses (HWR-1, HWR-2): locations whose code
// LMS generated (an iS3000 by Full Computer Name, an LMC child), codes that
// are invalid, not the location's, its own, or taken (by a location or a
// pending request), the wrong caller (a partner replacing, the license desk
// requesting), another partner's location, a second route while a request
// is pending.
func TestHardwareReplacementRefusals(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	loc := activatedSV8100(t, env, lmstest.DealerY, "Main SV8100")
	other := activatedSV8100(t, env, lmstest.DealerY, "Other SV8100")
	cust := newCustomer(t, env, lmstest.DealerY, "Dongle-less customer")
	virtual := createLocation(t, env, lmstest.DealerY, cust, map[string]any{"systemType": "IS3000", "name": "SIP@Net dongle-less", "fullComputerName": "HVPC030PBX.DEVNLNEC.LOCAL"})
	pbx := createLocation(t, env, lmstest.DealerY, cust, map[string]any{"systemType": "SV8500", "name": "SV8500 HQ", "hardwareKeyCode": sv8500Code()})
	var children struct {
		Node struct {
			Children struct{ Edges []struct{ Node site } }
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { children { edges { node { id name hardwareKeyCode } } } } } }`,
		map[string]any{"id": pbx.ID}).Decode(t, &children)
	require.Len(t, children.Node.Children.Edges, 1)
	lmc := children.Node.Children.Edges[0].Node

	for _, tt := range []struct {
		name, user, location, old, new string
		want                           string
	}{
		{"a virtual HWKC from a Full Computer Name", lmstest.DealerY, virtual.ID, virtual.HardwareKeyCode, "aa0014SA2792883418AA", "NOT_APPLICABLE"},
		{"an LMC child, whose code follows its parent's", lmstest.DealerY, lmc.ID, lmc.HardwareKeyCode, "LM" + sv8500Code(), "NOT_APPLICABLE"},
		{"an invalid new code", lmstest.DealerY, loc.ID, loc.HardwareKeyCode, "12345", "INVALID_HARDWARE_KEYCODE"},
		{"another system type's code", lmstest.DealerY, loc.ID, loc.HardwareKeyCode, sv8500Code(), "INVALID_HARDWARE_KEYCODE"},
		{"an old code that is not the location's", lmstest.DealerY, loc.ID, other.HardwareKeyCode, sv8100Code(), "INVALID_HARDWARE_KEYCODE"},
		{"the location's own code", lmstest.DealerY, loc.ID, loc.HardwareKeyCode, loc.HardwareKeyCode, "INVALID_HARDWARE_KEYCODE"},
		{"another location's code", lmstest.DealerY, loc.ID, loc.HardwareKeyCode, other.HardwareKeyCode, "DUPLICATE_HARDWARE_KEYCODE"},
		{"another partner's location", lmstest.DealerZ, loc.ID, loc.HardwareKeyCode, sv8100Code(), "NOT_FOUND"},
		{"the distributor on its dealer's location (it impersonates the dealer instead)", lmstest.Distributor, loc.ID, loc.HardwareKeyCode, sv8100Code(), "NOT_FOUND"},
		{"the license desk, which replaces directly", lmstest.Admin, loc.ID, loc.HardwareKeyCode, sv8100Code(), "FORBIDDEN"},
	} {
		_, errs := requestReplacement(t, env, tt.user, tt.location, tt.old, tt.new)
		require.Equal(t, []string{tt.want}, codes(errs), "request: %s", tt.name)
	}
	_, errs := requestReplacement(t, env, lmstest.DealerY, virtual.ID, virtual.HardwareKeyCode, "aa0014SA2792883418AA")
	require.Contains(t, errs[0].Message, "never needs a hardware replacement")

	for _, tt := range []struct {
		name, user, location, new string
		want                      string
	}{
		{"a partner", lmstest.DealerY, loc.ID, sv8100Code(), "FORBIDDEN"},
		{"a distributor", lmstest.Distributor, loc.ID, sv8100Code(), "FORBIDDEN"},
		{"a virtual HWKC", lmstest.Admin, virtual.ID, "aa0014SA2792883418AA", "NOT_APPLICABLE"},
		{"an LMC child", lmstest.Admin, lmc.ID, "LM" + sv8500Code(), "NOT_APPLICABLE"},
		{"an invalid code", lmstest.Admin, loc.ID, "19XYZ", "INVALID_HARDWARE_KEYCODE"},
		{"a duplicate code", lmstest.Admin, loc.ID, strings.ToLower(other.HardwareKeyCode), "DUPLICATE_HARDWARE_KEYCODE"},
		{"a location that does not exist", lmstest.Admin, other.ID[:len(other.ID)-2] + "AA", sv8100Code(), "NOT_FOUND"},
	} {
		r := replaceHardware(t, env, tt.user, tt.location, tt.new)
		require.Equal(t, []string{tt.want}, codes(r.Errors), "replaceHardware: %s", tt.name)
		require.Nil(t, r.Location)
	}

	t.Log("a pending request claims its new code, and the location's replacement goes through it")
	newCode := sv8100Code()
	req, errs := requestReplacement(t, env, lmstest.DealerY, loc.ID, loc.HardwareKeyCode, newCode)
	require.Empty(t, errs)
	_, errs = requestReplacement(t, env, lmstest.DealerY, other.ID, other.HardwareKeyCode, newCode)
	require.Equal(t, []string{"DUPLICATE_HARDWARE_KEYCODE"}, codes(errs))
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(replaceHardware(t, env, lmstest.Admin, loc.ID, sv8100Code()).Errors))
	require.Equal(t, []string{"NOT_FOUND"}, codes(resolve(t, env, lmstest.Admin, loc.ID, "COMPLETE", "").Errors), "a location's id is no request's")

	t.Log("a code registered since the request fails its completion, which the license desk then rejects")
	taken := createLocation(t, env, lmstest.DealerZ, newCustomer(t, env, lmstest.DealerZ, "Z"), map[string]any{"systemType": "SV8100", "name": "Z", "hardwareKeyCode": newCode})
	require.Equal(t, newCode, taken.HardwareKeyCode)
	require.Equal(t, []string{"DUPLICATE_HARDWARE_KEYCODE"}, codes(resolve(t, env, lmstest.Admin, req.ID, "COMPLETE", "").Errors))
	require.Equal(t, "PENDING", request(t, env, lmstest.Admin, req.ID).Status, "nothing changed")
	require.Empty(t, resolve(t, env, lmstest.Admin, req.ID, "REJECT", "the new code belongs to another site").Errors)
}

// The license desk replaces hardware directly (HWR-1): the LMC child of an
// SV8500 follows with LM + the new code, and with nothing activated there
// is no file to generate; the SWA agreement of an SV8100 stays as it was,
// with its location.
func TestReplaceHardwareCarriesLMCAndSWA(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})

	t.Log("SV8500 with its LMC child, nothing activated")
	pbx := createLocation(t, env, lmstest.DealerY, newCustomer(t, env, lmstest.DealerY, "HQ"), map[string]any{"systemType": "SV8500", "name": "SV8500 HQ", "hardwareKeyCode": sv8500Code()})
	newCode := sv8500Code()
	r := replaceHardware(t, env, lmstest.Admin, pbx.ID, newCode)
	require.Empty(t, r.Errors)
	require.Equal(t, newCode, r.Location.HardwareKeyCode)
	require.Nil(t, r.LicenseFile, "nothing activated, no file")
	require.Equal(t, pbx.HardwareKeyCode, r.HistoryEntry.HardwareKeyCode)
	require.Equal(t, "dongle lost in a fire", r.HistoryEntry.Reason)
	require.Empty(t, r.HistoryEntry.Licenses)
	var children struct {
		Node struct {
			Children struct{ Edges []struct{ Node site } }
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { children { edges { node { id name hardwareKeyCode } } } } } }`,
		map[string]any{"id": pbx.ID}).Decode(t, &children)
	require.Equal(t, "LM"+newCode, children.Node.Children.Edges[0].Node.HardwareKeyCode, "the LMC child follows (LOC-4)")
	m := lmstest.MailTo(t, env, lmstest.DealerY, "Hardware replaced", newCode)
	require.Contains(t, m.Text, "no license file was generated")

	t.Log("SV8100 with an active SWA agreement")
	loc := activatedSV8100(t, env, lmstest.DealerY, "SWA SV8100")
	ship := lmstest.Mutate[struct{ Errors []userError }](t, env, lmstest.Admin, "shipSwaUnits", "order { id }", map[string]any{
		"partnerId": lmstest.PartnerID(t, env, lmstest.DealerY), "salesOrder": "SWA-HWR", "purchaseOrder": "PO-SWA-HWR", "quantity": 100, "expiresOn": "2099-12-31",
	})
	require.Empty(t, ship.Errors)
	assigned := lmstest.Mutate[struct {
		Activation *struct{ ID string }
		Errors     []userError
	}](t, env, lmstest.DealerY, "assignSwa", "activation { id }", map[string]any{"locationId": loc.ID, "termMonths": 12, "authoriseUnits": true, "referenceNote": "PO-SWA-HWR"})
	require.Empty(t, assigned.Errors)
	processed := lmstest.Mutate[struct{ Errors []userError }](t, env, lmstest.DealerY, "processSwaImmediately", "agreement { id }",
		map[string]any{"activationId": assigned.Activation.ID, "reason": "customer asked to start today"})
	require.Empty(t, processed.Errors)
	const swaQuery = `query($id: ID!) { node(id: $id) { ... on Location { hardwareKeyCode swa { status monthlyRate graceEndsOn
	  agreement { id number startsOn endsOn units termMonths } history { number } } } } }`
	type swaAnswer struct {
		Node struct {
			HardwareKeyCode string
			Swa             []map[string]any
		}
	}
	var before, after swaAnswer
	env.Query(t, lmstest.DealerY, swaQuery, map[string]any{"id": loc.ID}).Decode(t, &before)
	require.Len(t, before.Node.Swa, 1)
	require.Equal(t, "ACTIVE", before.Node.Swa[0]["status"])

	newCode = sv8100Code()
	r = replaceHardware(t, env, lmstest.Admin, loc.ID, newCode)
	require.Empty(t, r.Errors)
	require.Equal(t, "HARDWARE_REPLACEMENT", r.LicenseFile.Reason)
	require.Len(t, r.HistoryEntry.Licenses, 2)
	env.Query(t, lmstest.DealerY, swaQuery, map[string]any{"id": loc.ID}).Decode(t, &after)
	require.Equal(t, newCode, after.Node.HardwareKeyCode)
	require.Equal(t, before.Node.Swa, after.Node.Swa, "the SWA agreement stays with the location, unchanged")
	f := waitFile(t, env, lmstest.DealerY, r.LicenseFile.ID)
	require.Equal(t, newCode+"-svi.zip", *f.FileName)
	lmstest.MailTo(t, env, lmstest.DealerY, "Hardware replaced", newCode)
}
