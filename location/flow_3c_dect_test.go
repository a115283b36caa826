package location_test

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// The guide's "3C and 3C CAT2": the user enters the domain name, which need
// not be unique, and LMS generates a unique 3C HWKC (LOC-9).
func TestFlow3C(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	cust := createCustomer(t, env, lmstest.DealerY, "ROMICO BV")

	loc := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
		"customerId": cust, "name": "3C System", "systemType": "THREE_C", "domainName": "Domain.Local",
		"customerEmail": "ict@romico.example",
		"address":       map[string]any{"street": "Slokkerweg 14", "city": "Rotterdam", "state": "Zuid-Holland", "country": "Nederland", "zip": "2470BD"},
	})
	require.Equal(t, "THREE_C", loc.SystemType.Code)
	require.NotNil(t, loc.DomainName)
	require.Equal(t, "domain.local", *loc.DomainName)
	require.Regexp(t, `^3C[0-9A-F]{10}$`, loc.HardwareKeyCode)
	require.Equal(t, "GENERATED_FROM_DOMAIN", loc.HardwareKeyCodeSource)
	require.False(t, loc.HasTemporaryKey)
	require.Empty(t, loc.Children.Edges)
	m := eulaFor(t, env, "ict@romico.example", loc.HardwareKeyCode)
	require.Contains(t, m.Text, "3C System")
	require.Equal(t, loc, getLocation(t, env, lmstest.DealerY, loc.ID))

	second := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
		"customerId": cust, "name": "3C System 2", "systemType": "THREE_C", "domainName": "domain.local",
	})
	require.Equal(t, "domain.local", *second.DomainName)
	require.Regexp(t, `^3C[0-9A-F]{10}$`, second.HardwareKeyCode)
	require.NotEqual(t, loc.HardwareKeyCode, second.HardwareKeyCode, "the domain is not unique, the HWKC is")

	cat2 := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
		"customerId": cust, "name": "3C CAT2 System", "systemType": "THREE_C_CAT2", "domainName": "DOMAIN.local",
	})
	require.Equal(t, "THREE_C_CAT2", cat2.SystemType.Code)
	require.Equal(t, "domain.local", *cat2.DomainName)
	require.Regexp(t, `^3C[0-9A-F]{10}$`, cat2.HardwareKeyCode)
	require.Equal(t, "GENERATED_FROM_DOMAIN", cat2.HardwareKeyCodeSource)
	require.NotContains(t, []string{loc.HardwareKeyCode, second.HardwareKeyCode}, cat2.HardwareKeyCode)
	eulaFor(t, env, "eula@romicobv.example", cat2.HardwareKeyCode)
	require.Equal(t, cat2, getLocation(t, env, lmstest.DealerY, cat2.ID))

	require.ElementsMatch(t, []string{loc.HardwareKeyCode, second.HardwareKeyCode, cat2.HardwareKeyCode},
		searchLocations(t, env, lmstest.DealerY, "Domain.Local").hardwareKeyCodes(), "both are shown: the domain name finds the locations")
	found := findByHWKC(t, env, lmstest.DealerY, second.HardwareKeyCode)
	require.NotNil(t, found)
	require.Equal(t, second.ID, found.ID)

	for _, tt := range []struct {
		name      string
		in        map[string]any
		code, fld string
	}{
		{"3C with a HWKC", map[string]any{"systemType": "THREE_C", "domainName": "other.local", "hardwareKeyCode": "3CB6CE81EECE"}, "INVALID_HARDWARE_KEYCODE", "hardwareKeyCode"},
		{"3C CAT2 with a HWKC", map[string]any{"systemType": "THREE_C_CAT2", "domainName": "other.local", "hardwareKeyCode": "3CB6CE81EECE"}, "INVALID_HARDWARE_KEYCODE", "hardwareKeyCode"},
		{"3C without domain", map[string]any{"systemType": "THREE_C"}, "VALIDATION_FAILED", "domainName"},
		{"3C with a bad domain", map[string]any{"systemType": "THREE_C", "domainName": "-bad-.local"}, "VALIDATION_FAILED", "domainName"},
		{"domain on an SV8100", map[string]any{"systemType": "SV8100", "hardwareKeyCode": "190400324414", "domainName": "x.local"}, "VALIDATION_FAILED", "domainName"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := map[string]any{"customerId": cust, "name": tt.name}
			maps.Copy(in, tt.in)
			_, errs := createLocation(t, env, lmstest.DealerY, in)
			requireOnlyError(t, errs, tt.code, tt.fld)
		})
	}
}

// The guide's "DECT": the PARI of the DAP controller is the HWKC of an IP
// DECT (Full DAP controller) or DECT - NS (Unlicensed DAP controller)
// location, validated against the catalog format (LOC-2).
func TestFlowDECT(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	cust := createCustomer(t, env, lmstest.DealerY, "Care Home")

	full := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
		"customerId": cust, "name": "IP DECT Main", "systemType": "IP_DECT", "hardwareKeyCode": "1009FFFE",
		"customerEmail": "dect@carehome.example", "vertical": "HEALTHCARE",
	})
	require.Equal(t, "IP_DECT", full.SystemType.Code)
	require.Equal(t, "1009FFFE", full.HardwareKeyCode)
	require.Equal(t, "ENTERED", full.HardwareKeyCodeSource)
	require.Equal(t, "HEALTHCARE", full.Vertical)
	require.Empty(t, full.Children.Edges)
	eulaFor(t, env, "dect@carehome.example", "1009FFFE")
	require.Equal(t, full, getLocation(t, env, lmstest.DealerY, full.ID))

	ns := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
		"customerId": cust, "name": "DECT NS Annex", "systemType": "DECT_NS", "hardwareKeyCode": "1FFFFFF9",
	})
	require.Equal(t, "DECT_NS", ns.SystemType.Code)
	require.Equal(t, "1FFFFFF9", ns.HardwareKeyCode)
	eulaFor(t, env, "eula@carehome.example", "1FFFFFF9")
	require.Equal(t, ns, getLocation(t, env, lmstest.DealerY, ns.ID))

	lower := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
		"customerId": cust, "name": "IP DECT typed in lower case", "systemType": "IP_DECT", "hardwareKeyCode": "100a0b0c",
	})
	require.Equal(t, "100A0B0C", lower.HardwareKeyCode, "lower-case hex is stored in capitals")

	for _, tt := range []struct {
		name, systemType, code string
		wantCode               string
		wantInMessage          []string
	}{
		{"lower case of a taken PARI", "IP_DECT", "1009fffe", "DUPLICATE_HARDWARE_KEYCODE", []string{"1009FFFE"}},
		{"taken PARI on DECT - NS", "DECT_NS", "1009FFFE", "DUPLICATE_HARDWARE_KEYCODE", []string{"1009FFFE"}},
		{"wrong first digit", "IP_DECT", "2009FFFE", "INVALID_HARDWARE_KEYCODE", []string{"2009FFFE", "^1[0-9A-F]{7}$", "1009FFFE"}},
		{"too short", "DECT_NS", "1009FFF", "INVALID_HARDWARE_KEYCODE", []string{"^1[0-9A-F]{7}$", "1009FFFE"}},
		{"not hex", "IP_DECT", "1009FFFG", "INVALID_HARDWARE_KEYCODE", []string{"^1[0-9A-F]{7}$", "1009FFFE"}},
		{"missing", "IP_DECT", "", "INVALID_HARDWARE_KEYCODE", []string{"^1[0-9A-F]{7}$", "1009FFFE"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := createLocation(t, env, lmstest.DealerY, map[string]any{
				"customerId": cust, "name": tt.name, "systemType": tt.systemType, "hardwareKeyCode": tt.code,
			})
			e := requireOnlyError(t, errs, tt.wantCode, "hardwareKeyCode")
			for _, part := range tt.wantInMessage {
				require.Contains(t, e.Message, part)
			}
		})
	}
}

// The guide's "MA4000 / MA4000 EM / CTI / UIP": for SV8300, SV8500, SV9300
// and SV9500 the LMC location is already there, a child of the PBX with LM +
// the PBX's HWKC (LOC-4); for an iS3000 the user may also create it as a
// location of system LMC with the LMIS code.
func TestFlowLMCLocations(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})

	for _, tt := range []struct {
		systemType, code string
	}{
		{"SV8300", "18CYG-IPS-00000000BJZ02319QK"},
		{"SV9300", "36LYRAABK000000000CP10A087HY"},
	} {
		t.Run(tt.systemType, func(t *testing.T) {
			t.Parallel()
			cust := createCustomer(t, env, lmstest.DealerY, "Customer of "+tt.systemType)
			pbx := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
				"customerId": cust, "name": tt.systemType + " HQ", "systemType": tt.systemType, "hardwareKeyCode": tt.code,
			})
			require.Equal(t, tt.code, pbx.HardwareKeyCode)
			require.Equal(t, "ENTERED", pbx.HardwareKeyCodeSource)
			require.Len(t, pbx.Children.Edges, 1)
			lmc := pbx.Children.Edges[0].Node
			require.Equal(t, "LM"+tt.code, lmc.HardwareKeyCode)
			require.Equal(t, tt.systemType+" HQ_LMC", lmc.Name)
			require.Equal(t, "LMC", *lmc.ChildKind)
			require.Equal(t, "LMC", lmc.SystemType.Code)
			require.Equal(t, pbx.ID, lmc.Parent.ID)
			eulaFor(t, env, "eula@customerof"+slug(tt.systemType)+".example", tt.code)
			require.Equal(t, pbx, getLocation(t, env, lmstest.DealerY, pbx.ID))

			child := getLocation(t, env, lmstest.DealerY, lmc.ID)
			require.Equal(t, "DERIVED_FROM_PARENT", child.HardwareKeyCodeSource)
			require.Equal(t, pbx.ID, child.Parent.ID)
			require.Empty(t, child.Children.Edges)
			found := findByHWKC(t, env, lmstest.DealerY, "LM"+tt.code)
			require.NotNil(t, found)
			require.Equal(t, lmc.ID, found.ID)

			_, errs := createChild(t, env, lmstest.DealerY, map[string]any{"parentId": pbx.ID, "kind": "LMC"})
			requireOnlyError(t, errs, "ALREADY_EXISTS", "kind")
			_, errs = createLocation(t, env, lmstest.DealerY, map[string]any{
				"customerId": cust, "name": "LMC typed by hand", "systemType": "LMC", "hardwareKeyCode": "LM" + tt.code,
			})
			requireOnlyError(t, errs, "DUPLICATE_HARDWARE_KEYCODE", "hardwareKeyCode")
		})
	}

	t.Run("IS3000 MA4000 location entered by hand", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "MA4000 Customer")
		loc := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "MA4000 for iS3000", "systemType": "LMC", "hardwareKeyCode": "LMIS0014SA2792882418",
		})
		require.Equal(t, "LMC", loc.SystemType.Code)
		require.Equal(t, "LMIS0014SA2792882418", loc.HardwareKeyCode)
		require.Equal(t, "ENTERED", loc.HardwareKeyCodeSource)
		require.Nil(t, loc.Parent)
		require.Nil(t, loc.ChildKind)
		eulaFor(t, env, "eula@ma4000customer.example", "LMIS0014SA2792882418")
		require.Equal(t, loc, getLocation(t, env, lmstest.DealerY, loc.ID))
	})
}
