package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every example of every system type is accepted by its own format and refused by at least one
// other system type's, so a format can never be "anything goes".
func TestSystemTypeExamples(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	for _, st := range cat.SystemTypes {
		require.NotEmpty(t, st.HwkcExamples, st.Code)
		for _, ex := range st.HwkcExamples {
			t.Run(st.Code+"/"+ex, func(t *testing.T) {
				t.Parallel()

				require.True(t, st.ValidHardwareKeyCode(ex))
				var refusedBy []string
				for _, other := range cat.SystemTypes {
					if other.Code != st.Code && !other.ValidHardwareKeyCode(ex) {
						refusedBy = append(refusedBy, other.Code)
					}
				}
				require.NotEmpty(t, refusedBy, "no other system type refuses %q", ex)
			})
		}
	}
}

func TestValidHardwareKeyCode(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	tests := []struct {
		systemType, hwkc string
		want             bool
	}{
		{"SL1000", "280001451316", true},
		{"SL1000", "28000145131", false}, // 11 characters
		{"SV8100", "190400324412", true},
		{"SV8100", "19040032441a", false}, // lower-case hex
		{"SV8100", "190400324412 ", false},
		{"SV8100", "290400324412", false},
		{"SV9100_CP10", "441018029547", false}, // a CP20 key
		{"SV9100_CP20", "441018029547", true},
		{"SV8300", "18CYG-IPS-00000000BJZ02319QK", true},
		{"SV8300", "18CYG-IPS-00000000BJZ02319Q", false},
		{"SV9300", "36LYRAABK000000000CP10A087H-", false},
		{"SV8500", "22-121126064636-613-TEMP-KEY", false}, // the SR-MGC temp key
		{"SR_MGC", "22-121126064636-613-TEMP-KEY", true},
		{"SR_MGC", "22-12112606463-613-TEMP-KEY", false},
		{"SV9500", "3565A9C3084267EF2E44A4736DI2", true},
		{"SV9500", "A_3565-A9C3-0842-67EF-2E44-A473-6DI2", false}, // normalised by the caller (LOC-2)
		{"SV9500", "35-150601035832-610-TEMP-KEY", false},         // a temp key is not an HWKC
		{"IS3000", "aa0016HN242703562600AA", true},
		{"IS3000", "aa0014SA2792883418aa", false},
		{"IS3000", "aa0014SA279288AA", false}, // too short
		{"THREE_C", "3CB6CE81EECE", true},
		{"THREE_C", "3cb6ce81eece", false},
		{"IP_DECT", "1FFFFFF9", true},
		{"IP_DECT", "2FFFFFF9", false},
		{"DECT_NS", "1009fffe", false},
		{"LMC", "LMIS0014SA2792885418", true},
		{"LMC", "LM123", false},
		{"BX_OVOC", "23345678901234", true},
		{"BX_OVOC", "123456", false},
		{"BX_OVOC", "123456789", false},
		{"BX_OVOC", "1234567890123", false},
		{"BX_OVOC", "66e55234a97a", false},
		{"UM4730", "1110465697", false},
		{"EXPENSE_MGMT", "6604512", false},
		{"MOBICALL_MASTER", "1a2f", false},
		{"MOBIBOX", "1A2F3", false},
		{"RCC", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.systemType+"/"+tt.hwkc, func(t *testing.T) {
			t.Parallel()

			st, ok := cat.SystemType(tt.systemType)
			require.True(t, ok)
			require.Equal(t, tt.want, st.ValidHardwareKeyCode(tt.hwkc))
		})
	}
}

func TestValidHardwareKeyCodeBadFormat(t *testing.T) {
	t.Parallel()

	st := SystemType{Code: "BROKEN", HwkcFormat: "^[$"}
	require.False(t, st.ValidHardwareKeyCode("["))
	require.False(t, st.ValidHardwareKeyCode("[")) // cached as not compiling
}

func TestValidTempKey(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	tests := []struct {
		systemType, key string
		want            bool
	}{
		{"SV9500", "35-150601035832-610-TEMP-KEY", true}, // LOC-6
		{"SV9500", "22-150601035832-610-TEMP-KEY", false},
		{"SR_MGC", "22-130320025726-607-TEMP-KEY", true}, // LOC-5
		{"SV8500", "22-130320025726-607-TEMP-KEY", false},
		{"SV8100", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.systemType+"/"+tt.key, func(t *testing.T) {
			t.Parallel()

			st, ok := cat.SystemType(tt.systemType)
			require.True(t, ok)
			require.Equal(t, tt.want, st.ValidTempKey(tt.key))
		})
	}
}

// LIC-3: characters 3-4 of a Software Key Code are the system's HWKC prefix.
func TestSoftwareKeyCodePrefixes(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	for _, st := range cat.SystemTypes {
		require.Regexp(t, `^[0-9A-Z]{2}$`, st.HwkcPrefix, st.Code)
	}
	// The prefixes the spec and the guide's Software Key Codes show (8G199M9T5DJB7CPN47UJ on an
	// SV8100, 7P22M73PEV5WPNL67AW2 on an SR-MGC, 4AIS05XPJV4PVX8FG5CG on an iS3000, …).
	want := map[string]string{
		"SV8100": "19", "SV8500": "22", "SR_MGC": "22", "SV9500": "35", "IS3000": "IS",
		"IP_DECT": "DE", "DECT_NS": "DE", "SV9100_CP10": "34", "SV9100_CP20": "44",
	}
	for code, prefix := range want {
		st, ok := cat.SystemType(code)
		require.True(t, ok, code)
		require.Equal(t, prefix, st.HwkcPrefix, code)
	}
}

func TestSystemTypeFlags(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	withFlag := func(flag string) []string {
		var codes []string
		for _, st := range cat.SystemTypes {
			if st.HasFlag(flag) {
				codes = append(codes, st.Code)
			}
		}
		return codes
	}
	tests := []struct {
		flag string
		want []string
	}{
		{FlagDemoLicenses, []string{"SV8100", "IS3000"}},
		{FlagExternal, []string{"RCC", "UM4730", "EXPENSE_MGMT", "MOBICALL_MASTER", "MOBICALL_SUPERVISOR", "MOBIBOX"}},
		{FlagLmcChild, []string{"SV8300", "SV9300", "SV8500", "SV9500"}},
		{FlagSrMgcChildren, []string{"SV8500"}},
		{FlagChildOnly, []string{"SR_MGC", "MOBICALL_SUPERVISOR"}},
		{FlagRedundantSecondary, []string{"BX_OVOC", "MOBICALL_MASTER"}},
		{FlagProductKey, []string{"BX_OVOC"}},
		{FlagSingleLicense, []string{"DECT_NS"}},
		{FlagLicenseFileImport, []string{"IP_DECT"}},
		{FlagProtectDat, []string{"EXPENSE_MGMT"}},
		{FlagLmcByHand, []string{"IS3000"}},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			t.Parallel()
			require.ElementsMatch(t, tt.want, withFlag(tt.flag))
		})
	}

	sv8100, _ := cat.SystemType("SV8100")
	require.Equal(t, 2, sv8100.DemoLicenses)
	require.Equal(t, 30, sv8100.DemoLicenseDays)
}

func TestSystemTypeSources(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	tests := []struct {
		systemType string
		want       []string
	}{
		{"SV8100", []string{SourceEntered}},
		{"SR_MGC", []string{SourceGeneratedTempKey}},
		{"SV9500", []string{SourceEntered, SourceGeneratedTempKey, SourceGeneratedFromIP, SourceGeneratedFromMAC}},
		{"IS3000", []string{SourceEntered, SourceGeneratedFromFCN}},
		{"THREE_C", []string{SourceGeneratedFromDomain}},
		{"THREE_C_CAT2", []string{SourceGeneratedFromDomain}},
		{"LMC", []string{SourceEntered, SourceDerivedFromParent}},
	}
	for _, tt := range tests {
		t.Run(tt.systemType, func(t *testing.T) {
			t.Parallel()

			st, ok := cat.SystemType(tt.systemType)
			require.True(t, ok)
			require.ElementsMatch(t, tt.want, st.HwkcSources)
			for _, src := range tt.want {
				require.True(t, st.HasSource(src))
			}
			require.False(t, st.HasSource("NO_SUCH_SOURCE"))
		})
	}
}

func TestSystemTypeSecondary(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)
	for code, want := range map[string]string{"BX_OVOC": "BX_OVOC", "MOBICALL_MASTER": "MOBICALL_SUPERVISOR", "SV8500": "", "MOBIBOX": ""} {
		st, ok := cat.SystemType(code)
		require.True(t, ok, code)
		got, ok := st.Secondary()
		require.Equal(t, want != "", ok, code)
		require.Equal(t, want, got, code)
	}
}
