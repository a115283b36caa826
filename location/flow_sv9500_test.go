package location_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/hwkc"
	"lms/lmstest"
)

// The guide's SV9500 chapters: the Appliance Server Model with a primary and
// a secondary HWKC (scanned QR codes accepted, LOC-2), the Standard Server
// Model with a temp key (LOC-6) and the Small Enterprise model with a HWKC
// derived from its MAC address (LOC-7). Every SV9500 gets its LMC child (LOC-4).
func TestFlowSV9500(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})

	t.Run("Appliance", func(t *testing.T) {
		t.Parallel()
		const (
			primary   = "3565A9C3084267EF2E44A4736DI2"
			secondary = "3565ACE34C8C5745F64708D363FK"
			qrPrimary = "A_3565-A9C3-0842-67EF-2E44-A473-6DI2"
			qrSecond  = "A_3565-ACE3-4C8C-5745-F647-08D3-63FK"
		)
		cust := createCustomer(t, env, lmstest.DealerY, "Hideo Communications")

		loc := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "SV9500 Appliance", "systemType": "SV9500",
			"hardwareKeyCode": qrPrimary, "secondaryHardwareKeyCode": qrSecond,
			"customerEmail": "hideo@nl.example", "dealerEmail": "edwin@dealer-y.example", "vertical": "NONE",
			"address": map[string]any{"street": "Olympia 4", "city": "Hilversum", "state": "Noord-Holland", "country": "Netherlands", "zip": "1213NT"},
		})
		require.Equal(t, "SV9500", loc.SystemType.Code)
		require.Equal(t, primary, loc.HardwareKeyCode, "stored without A_ and dashes")
		require.NotNil(t, loc.SecondaryHardwareKeyCode)
		require.Equal(t, secondary, *loc.SecondaryHardwareKeyCode, "stored without A_ and dashes")
		require.Equal(t, "ENTERED", loc.HardwareKeyCodeSource)
		require.False(t, loc.HasTemporaryKey)
		require.False(t, loc.SmallEnterprise)
		require.Nil(t, loc.MacAddress)
		require.Equal(t, "hideo@nl.example", loc.CustomerEmail)
		require.Equal(t, "Hilversum", loc.Address.City)

		require.Len(t, loc.Children.Edges, 1, "the LMC child is created with the SV9500")
		lmc := loc.Children.Edges[0].Node
		require.Equal(t, "SV9500 Appliance_LMC", lmc.Name)
		require.Equal(t, "LM"+primary, lmc.HardwareKeyCode)
		require.Equal(t, "LMC", *lmc.ChildKind)
		require.Equal(t, "LMC", lmc.SystemType.Code)
		require.Equal(t, loc.ID, lmc.Parent.ID)

		m := eulaFor(t, env, "hideo@nl.example", primary)
		require.Contains(t, m.Text, loc.LocationID)
		require.Contains(t, m.Text, "Hideo Communications")

		require.Equal(t, loc, getLocation(t, env, lmstest.DealerY, loc.ID))
		child := getLocation(t, env, lmstest.DealerY, lmc.ID)
		require.Equal(t, "DERIVED_FROM_PARENT", child.HardwareKeyCodeSource)
		require.Equal(t, loc.ID, child.Parent.ID)
		require.Equal(t, cust, child.Customer.ID)
		require.Equal(t, "hideo@nl.example", child.CustomerEmail, "inherited from the parent")
		require.Equal(t, loc.Address, child.Address, "inherited from the parent")

		for _, code := range []string{primary, secondary, qrPrimary, qrSecond, " " + secondary + " "} {
			found := findByHWKC(t, env, lmstest.DealerY, code)
			require.NotNil(t, found, "locationByHardwareKeyCode(%q)", code)
			require.Equal(t, loc.ID, found.ID, "locationByHardwareKeyCode(%q)", code)
		}
		found := findByHWKC(t, env, lmstest.DealerY, "LM"+primary)
		require.NotNil(t, found)
		require.Equal(t, lmc.ID, found.ID)
		require.Nil(t, findByHWKC(t, env, lmstest.DealerZ, primary), "another partner's location is not found (ACT-3)")
		require.Equal(t, []string{primary}, searchLocations(t, env, lmstest.DealerY, "ACE34C8C5745").hardwareKeyCodes(), "search covers the secondary HWKC")

		// The secondary HWKC is as taken as the primary.
		_, errs := createLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "Copy", "systemType": "SV9500", "hardwareKeyCode": secondary,
		})
		requireOnlyError(t, errs, "DUPLICATE_HARDWARE_KEYCODE", "hardwareKeyCode")

		_, errs = createLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "Same twice", "systemType": "SV9500",
			"hardwareKeyCode": "35G00N470108E0S0A8832EF2d3Po", "secondaryHardwareKeyCode": "35G00N470108E0S0A8832EF2d3Po",
		})
		requireOnlyError(t, errs, "INVALID_HARDWARE_KEYCODE", "secondaryHardwareKeyCode")
	})

	t.Run("StandardServer", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "Eds Business")

		before := time.Now().UTC().Truncate(time.Second)
		loc := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "SV9500-Standard Server Module", "systemType": "SV9500",
			"customerEmail": "ed@eds.example", "dealerEmail": "e.bosscha@dealer-y.example",
		})
		after := time.Now().UTC()
		require.Regexp(t, `^35-\d{12}-\d{3}-TEMP-KEY$`, loc.HardwareKeyCode)
		require.True(t, loc.HasTemporaryKey)
		require.Equal(t, "GENERATED_TEMP_KEY", loc.HardwareKeyCodeSource)
		require.Nil(t, loc.SecondaryHardwareKeyCode)
		require.False(t, loc.SmallEnterprise)
		stamp, err := time.Parse("060102150405", loc.HardwareKeyCode[3:15])
		require.NoError(t, err)
		require.False(t, stamp.Before(before) || stamp.After(after), "temp key time %s is the creation time (UTC)", stamp)

		require.Len(t, loc.Children.Edges, 1)
		lmc := loc.Children.Edges[0].Node
		require.Equal(t, "LM"+loc.HardwareKeyCode, lmc.HardwareKeyCode)
		require.Equal(t, "SV9500-Standard Server Module_LMC", lmc.Name)
		require.Equal(t, "LMC", *lmc.ChildKind)
		require.Equal(t, "LMC", lmc.SystemType.Code)

		m := eulaFor(t, env, "ed@eds.example", loc.HardwareKeyCode)
		require.Contains(t, m.Text, loc.LocationID)

		require.Equal(t, loc, getLocation(t, env, lmstest.DealerY, loc.ID))
		found := findByHWKC(t, env, lmstest.DealerY, loc.HardwareKeyCode)
		require.NotNil(t, found)
		require.Equal(t, loc.ID, found.ID)

		_, errs := createLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "Only a secondary", "systemType": "SV9500",
			"secondaryHardwareKeyCode": "3565ACE34C8C5745F64708D363FA",
		})
		requireOnlyError(t, errs, "INVALID_HARDWARE_KEYCODE", "secondaryHardwareKeyCode")
	})

	t.Run("SmallEnterprise", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "Andres Business")
		want := hwkc.FromMAC("6CE4DA01378C")

		loc := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "SV9500SE-1", "systemType": "SV9500",
			"smallEnterprise": true, "macAddress": "6c:e4:da:01:37:8c",
			"customerEmail": "andre@work.example", "vertical": "EDUCATION",
		})
		require.True(t, loc.SmallEnterprise)
		require.NotNil(t, loc.MacAddress)
		require.Equal(t, "6CE4DA01378C", *loc.MacAddress)
		require.Len(t, loc.HardwareKeyCode, 28)
		require.Equal(t, "35", loc.HardwareKeyCode[:2])
		require.Equal(t, want, loc.HardwareKeyCode)
		require.Equal(t, "GENERATED_FROM_MAC", loc.HardwareKeyCodeSource)
		require.False(t, loc.HasTemporaryKey)
		require.Equal(t, "EDUCATION", loc.Vertical)

		require.Len(t, loc.Children.Edges, 1)
		require.Equal(t, "LM"+want, loc.Children.Edges[0].Node.HardwareKeyCode)
		require.Equal(t, "SV9500SE-1_LMC", loc.Children.Edges[0].Node.Name)

		eulaFor(t, env, "andre@work.example", want)
		require.Equal(t, loc, getLocation(t, env, lmstest.DealerY, loc.ID))

		for _, tt := range []struct {
			name      string
			in        map[string]any
			code, fld string
		}{
			{"same MAC, other spelling", map[string]any{"smallEnterprise": true, "macAddress": "6ce4.da01.378c"}, "DUPLICATE_HARDWARE_KEYCODE", ""},
			{"SE without MAC", map[string]any{"smallEnterprise": true}, "VALIDATION_FAILED", "macAddress"},
			{"SE with a bad MAC", map[string]any{"smallEnterprise": true, "macAddress": "6CE4DA01378"}, "VALIDATION_FAILED", "macAddress"},
			{"MAC without SE", map[string]any{"macAddress": "6CE4DA01378D"}, "VALIDATION_FAILED", "macAddress"},
			{"SE with a HWKC", map[string]any{"smallEnterprise": true, "macAddress": "6CE4DA01378E", "hardwareKeyCode": "35G00N470108E0S0A8832EF2d3Po"}, "INVALID_HARDWARE_KEYCODE", "hardwareKeyCode"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				in := map[string]any{"customerId": cust, "name": "SV9500SE-2", "systemType": "SV9500"}
				maps.Copy(in, tt.in)
				_, errs := createLocation(t, env, lmstest.DealerY, in)
				requireOnlyError(t, errs, tt.code, tt.fld)
			})
		}

		// A MAC address on a type that has none is one mistake, reported
		// once, and does not hide a wrong HWKC (LOC-2).
		t.Run("MAC on another system type", func(t *testing.T) {
			t.Parallel()
			_, errs := createLocation(t, env, lmstest.DealerY, map[string]any{
				"customerId": cust, "name": "SV8100 with MAC", "systemType": "SV8100",
				"hardwareKeyCode": "190400324415", "macAddress": "6CE4DA01378F",
			})
			requireOnlyError(t, errs, "VALIDATION_FAILED", "macAddress")
		})
		t.Run("MAC and a wrong HWKC on another system type", func(t *testing.T) {
			t.Parallel()
			_, errs := createLocation(t, env, lmstest.DealerY, map[string]any{
				"customerId": cust, "name": "SV8100 with MAC", "systemType": "SV8100",
				"hardwareKeyCode": "6CE4DA01378F", "macAddress": "6CE4DA01378F",
			})
			byField := map[string][]string{}
			for _, e := range errs {
				byField[strings.Join(e.Field, ".")] = append(byField[strings.Join(e.Field, ".")], e.Code)
			}
			require.Equal(t, map[string][]string{
				"input.hardwareKeyCode": {"INVALID_HARDWARE_KEYCODE"},
				"input.macAddress":      {"VALIDATION_FAILED"},
			}, byField, "errors: %+v", errs)
		})
	})
}
