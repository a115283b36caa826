package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every part CAT-2 names is in the catalog with its system types, stacking kind and version.
func TestGuideParts(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	var (
		sv9100 = []string{"SV9100_CP10", "SV9100_CP20"}
		bct    = []string{"LMC", "SV8100", "SV9100_CP10", "SV9100_CP20", "THREE_C", "THREE_C_CAT2", "BCT"}
	)
	tests := []struct {
		systemTypes []string
		numbers     []string
	}{
		{[]string{"SV8100"}, []string{"BE107573", "BE107582", "BE107576", "BE107585"}},
		{[]string{"LMC"}, []string{"391950", "390908", "391955", "390924", "391998"}},
		{[]string{"SV8500"}, []string{"BE107635", "BE111937"}},
		{[]string{"SR_MGC"}, []string{"EU900074", "EU900050"}},
		{[]string{"SV9500"}, []string{"BE114234", "BE114511", "BE114263"}},
		{sv9100, []string{"BE114044", "BE114063", "BE114065", "BE114066", "BE114074", "BE114081", "BE116985", "EU000285", "EU901002"}},
		{[]string{"IS3000"}, []string{"EU920000", "960025871000", "960026036000", "960026138000", "EU92067151", "EU920014", "960026473134"}},
		{[]string{"IP_DECT"}, []string{"EU917062", "EU917017", "EU917027", "EU917028", "EU917029", "EU917005", "EU917006", "EU917012", "EU917022", "EU917023", "EU917024"}},
		{[]string{"DECT_NS"}, []string{"EU910010"}},
		{bct, []string{"960026172000", "960026178000", "960026180000", "960026187000", "960026428000", "960026431000", "960026489000", "EU910081", "EU910096"}},
		{[]string{}, []string{"BE112031"}},
	}
	for _, tt := range tests {
		for _, number := range tt.numbers {
			t.Run(number, func(t *testing.T) {
				t.Parallel()

				p, ok := cat.Part(number)
				require.True(t, ok)
				require.ElementsMatch(t, tt.systemTypes, p.SystemTypes)
			})
		}
	}

	versions := map[string]int{
		"390908": 10, "BE111937": 6, "EU900074": 6, "BE114511": 1, "BE114044": 2,
		"EU92067151": 20151, "960026473134": 20134,
	}
	for _, p := range cat.Parts {
		want, isVersion := versions[p.Number]
		if !isVersion {
			if strings.HasPrefix(p.Number, "ILL-") {
				continue
			}
			require.Equal(t, StackingQuantity, p.Stacking, p.Number)
			require.Nil(t, p.Version, p.Number)
			continue
		}
		require.Equal(t, StackingVersion, p.Stacking, p.Number)
		require.NotNil(t, p.Version, p.Number)
		require.Equal(t, want, *p.Version, p.Number)
	}
}

func TestPartFlags(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	withFlag := func(flag string) []string {
		var numbers []string
		for _, p := range cat.Parts {
			if p.HasFlag(flag) {
				numbers = append(numbers, p.Number)
			}
		}
		return numbers
	}
	tests := []struct {
		flag string
		want []string
	}{
		{FlagSrMgcOnly, []string{"EU900074", "EU900050"}},
		{FlagVirtualizationOption, []string{"BE114234"}},
		{FlagFreeOfChargeUpgrade, []string{"960026473134", "ILL-SV8300-SYS-R8"}},
		{FlagSwaUnit, []string{"BE112031"}},
		{FlagMobicallSupervisor, []string{"ILL-MC-SERVER-M", "ILL-MC-USERS-10-M"}},
		{FlagSeOnly, []string{"ILL-SV9500SE-SYS-V7", "ILL-SV9500SE-CLIENT"}},
		{FlagApCapacity, []string{"EU917062", "EU917017"}},
		{FlagRequiredForLicenseFile, []string{"EU917062"}},
		{FlagMessaging, []string{"EU917027"}},
		{FlagLocation, []string{"EU917028"}},
		{FlagUpgradeAllowance, []string{"EU917029", "EU92067151", "960026473134"}},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			t.Parallel()
			require.ElementsMatch(t, tt.want, withFlag(tt.flag))
		})
	}

	// LIC-11: one SV8500 ACD Agent option per SV8500; DECT-2: one EU910010.
	for _, number := range []string{"ILL-SV8500-ACD", "EU910010"} {
		p, ok := cat.Part(number)
		require.True(t, ok, number)
		require.NotNil(t, p.MaxPerSystem, number)
		require.Equal(t, 1, *p.MaxPerSystem, number)
	}
}

func TestPartAllowedOn(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	tests := []struct {
		part, systemType string
		want             bool
	}{
		{"EU900074", "SR_MGC", true},
		{"EU900074", "SV8500", false}, // LOC-5: never on the parent
		{"BE107635", "SV8500", true},
		{"391950", "LMC", true},
		{"391950", "IS3000", false},
		{"960026172000", "SV8100", true},
		{"960026172000", "THREE_C_CAT2", true},
		{"960026172000", "BCT", true},
		{"960026172000", "IS3000", false}, // BCT on an iS3000 goes through its LMC
		{"EU910010", "DECT_NS", true},
		{"EU910010", "IP_DECT", false},
		{"EU917062", "DECT_NS", false},
		{"ILL-MC-SERVER", "MOBIBOX", true},
		{"ILL-MC-ESPA", "MOBIBOX", false},
		{"ILL-MC-SERVER-M", "MOBICALL_MASTER", false}, // LOC-11
		{"ILL-MC-SERVER-M", "MOBICALL_SUPERVISOR", true},
		{"ILL-MC-SERVER", "MOBICALL_SUPERVISOR", false},
		{"BE112031", "SV8100", false}, // SWA units are never attached
		{"BE114044", "SV9100_CP10", true},
		{"BE114044", "SV9100_CP20", true},
	}
	for _, tt := range tests {
		t.Run(tt.part+"_on_"+tt.systemType, func(t *testing.T) {
			t.Parallel()

			p, ok := cat.Part(tt.part)
			require.True(t, ok)
			require.Equal(t, tt.want, p.AllowedOn(tt.systemType))
		})
	}
}

// Parts the guide does not number carry clearly illustrative numbers.
func TestIllustrativeParts(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	for _, p := range cat.Parts {
		if strings.HasPrefix(p.Number, "ILL-") {
			require.Contains(t, p.Name, "(illustrative)", p.Number)
		}
	}
	// Every product the guide names without part numbers has at least one part.
	for _, systemType := range []string{"RCC", "UM4730", "EXPENSE_MGMT", "MOBICALL_MASTER", "MOBICALL_SUPERVISOR", "MOBIBOX", "BX_OVOC", "THREE_C", "SV8300"} {
		require.NotEmpty(t, cat.PartsFor(systemType), systemType)
	}
}
