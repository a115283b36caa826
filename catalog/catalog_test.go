package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/swa/quote"
)

func TestDefault(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)
	require.NoError(t, cat.Validate())
	require.GreaterOrEqual(t, cat.Version, 1)

	// Every system type of the CAT-1 table, no more, no less.
	var codes []string
	for _, st := range cat.SystemTypes {
		codes = append(codes, st.Code)
	}
	require.ElementsMatch(t, []string{
		"SL1000", "SL2100", "SV8100", "SV9100_CP10", "SV9100_CP20", "SV8300", "SV9300", "SV8500",
		"SR_MGC", "SV9500", "IS3000", "THREE_C", "THREE_C_CAT2", "IP_DECT", "DECT_NS", "LMC", "BCT",
		"BX_OVOC", "RCC", "UM4730", "EXPENSE_MGMT", "MOBICALL_MASTER", "MOBICALL_SUPERVISOR",
		"MOBIBOX",
	}, codes)

	// Each call hands out a catalog of its own.
	other, err := Default()
	require.NoError(t, err)
	other.Parts[0].Name = "changed"
	require.NotEqual(t, "changed", cat.Parts[0].Name)
}

func TestParse(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		data    string
		wantErr string
	}{
		{name: "NotJSON", data: `{`, wantErr: "parse catalog"},
		{name: "UnknownField", data: `{"version": 1, "sytemTypes": []}`, wantErr: `unknown field "sytemTypes"`},
		{name: "Invalid", data: `{"version": 0}`, wantErr: "version 0"},
		{name: "Empty", data: `{"version": 1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			cat, err := Parse([]byte(tt.data))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, cat.SystemTypes)
			require.NotNil(t, cat.Parts)
		})
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	st, ok := cat.SystemType("SV9500")
	require.True(t, ok)
	require.Equal(t, "SV9500", st.Code)
	_, ok = cat.SystemType("sv9500")
	require.False(t, ok)

	p, ok := cat.Part("BE114234")
	require.True(t, ok)
	require.Equal(t, "SV9500 Lic Virtualization Option", p.Name)
	_, ok = cat.Part("BE000000")
	require.False(t, ok)

	app, ok := cat.SwaApplication("SV8300")
	require.True(t, ok)
	require.Equal(t, "SV 8300", app.Name)
	require.Equal(t, "180", app.AgreementCode)
	_, ok = cat.SwaApplication("NONE")
	require.False(t, ok)

	f, ok := cat.TermFactor(24)
	require.True(t, ok)
	require.InDelta(t, 0.97, f, 1e-9)
	_, ok = cat.TermFactor(18)
	require.False(t, ok)
}

func TestPartsFor(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	numbers := func(parts []Part) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p.Number)
		}
		return out
	}
	require.Equal(t, []string{"EU910010"}, numbers(cat.PartsFor("DECT_NS")))
	require.ElementsMatch(t, []string{"EU900074", "EU900050"}, numbers(cat.PartsFor("SR_MGC")))
	require.ElementsMatch(t, []string{"ILL-MC-SERVER-M", "ILL-MC-USERS-10-M"}, numbers(cat.PartsFor("MOBICALL_SUPERVISOR")))
	require.Empty(t, cat.PartsFor("NO_SUCH_TYPE"))
	for _, p := range cat.PartsFor("MOBIBOX") {
		require.False(t, p.HasFlag(FlagMobicallSupervisor), p.Number)
	}
}

func TestApplicationOf(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	tests := []struct {
		part, systemType string
		wantApp          string // "" for none
	}{
		{part: "BE114063", systemType: "SV9100_CP20", wantApp: "SV9100"},
		{part: "BE114063", systemType: "SV9100_CP10", wantApp: "SV9100"},
		{part: "960026172000", systemType: "SV9100_CP20", wantApp: "BCT"}, // the part's own application wins
		{part: "960026172000", systemType: "LMC", wantApp: "BCT"},
		{part: "EU900050", systemType: "SR_MGC", wantApp: "SV8500"},
		{part: "EU917062", systemType: "IP_DECT", wantApp: "DECT"},
		{part: "EU920014", systemType: "IS3000", wantApp: "IS3000"},
		{part: "ILL-UMOB-USER", systemType: "SV8300", wantApp: "UMOBILITY"},
		{part: "391950", systemType: "LMC", wantApp: ""}, // MA4000 is not under SWA
		{part: "ILL-EM-BASE", systemType: "EXPENSE_MGMT", wantApp: ""},
		{part: "BE114063", systemType: "NO_SUCH_TYPE", wantApp: ""},
	}
	for _, tt := range tests {
		t.Run(tt.part+"_on_"+tt.systemType, func(t *testing.T) {
			t.Parallel()

			p, ok := cat.Part(tt.part)
			require.True(t, ok)
			app, ok := cat.ApplicationOf(p, tt.systemType)
			require.Equal(t, tt.wantApp != "", ok)
			require.Equal(t, tt.wantApp, app.Code)
		})
	}
}

func TestSwaApplications(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	// SWA-3: the agreement codes the guide shows (50180-RXJE47947-N, 50IS0-TMZK79764-N,
	// 503C0-ZRNL16308-R02 with AppID=3C).
	tests := []struct {
		code, name, agreementCode string
		maxTerm                   int
	}{
		{code: "SV8300", name: "SV 8300", agreementCode: "180", maxTerm: 36},
		{code: "IS3000", name: "iS3000", agreementCode: "IS0", maxTerm: 60},
		{code: "THREE_C", name: "3C", agreementCode: "3C0", maxTerm: 60},
		{code: "BCT", name: "BCT", agreementCode: "BC0", maxTerm: 60},
		{code: "DECT", name: "DECT", agreementCode: "DE0", maxTerm: 60},
		{code: "RCC", name: "RCC", agreementCode: "RC0", maxTerm: 60},
		{code: "UM4730", name: "UM4730", agreementCode: "UM0", maxTerm: 60},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()

			app, ok := cat.SwaApplication(tt.code)
			require.True(t, ok)
			require.Equal(t, tt.name, app.Name)
			require.Equal(t, tt.agreementCode, app.AgreementCode)
			require.Equal(t, tt.maxTerm, app.MaxTermMonths())
			require.True(t, app.AllowsTerm(12))
			require.False(t, app.AllowsTerm(18))
			require.Equal(t, 36, app.MaxRenewalMonths)
		})
	}

	// SWA-4 term factors.
	want := map[int]float64{12: 1.00, 24: 0.97, 36: 0.95, 48: 0.95, 60: 0.92}
	require.Len(t, cat.SwaTermFactors, len(want))
	for months, factor := range want {
		got, ok := cat.TermFactor(months)
		require.True(t, ok, months)
		require.InDelta(t, factor, got, 1e-9, months)
	}
}

// The seed weights of the iS3000 parts are fitted to the guide's reinstatement example: the
// location's six activated licenses weigh exactly 5.5 units a month, which with the SWA-4 term
// factors gives the guide's 66/129/189/251/304 units for 12…60 months and ceil(3 × 5.5) = 17
// units for 3 lapsed months.
func TestSwaWeightsFitGuideExample(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)

	activated := map[string]int{
		"960026138000": 1, "EU920000": 1, "960025871000": 4, "960026036000": 2, "EU920014": 40,
		"EU92067151": 1,
	}
	var lines []quote.Line
	for number, qty := range activated {
		p, ok := cat.Part(number)
		require.True(t, ok, number)
		app, ok := cat.ApplicationOf(p, "IS3000")
		require.True(t, ok, number)
		require.Equal(t, "IS3000", app.Code, number)
		lines = append(lines, quote.Line{Weight: p.SwaWeight, Quantity: qty})
	}
	rate := quote.RateOf(lines)
	require.Equal(t, quote.Rate(55000), rate, "rate %s", rate)

	app, ok := cat.SwaApplication("IS3000")
	require.True(t, ok)
	require.Equal(t, []int{12, 24, 36, 48, 60}, app.Terms)
	want := map[int]int{12: 66, 24: 129, 36: 189, 48: 251, 60: 304}
	for _, months := range app.Terms {
		f, ok := cat.TermFactor(months)
		require.True(t, ok, months)
		require.Equal(t, want[months], quote.Units(rate, months, quote.FactorOf(f)), months)
	}
	require.Equal(t, 17, quote.Reinstatement(rate, 3))
}

// The seed's one migration path is the guide's SV9100 CP10 → CP20 (MIG-1):
// every SV9100 part serves both boards, so no part is mapped and each
// license stays its part. Another path is a row of data (MIG-3).
func TestMigrationPaths(t *testing.T) {
	t.Parallel()
	cat, err := Default()
	require.NoError(t, err)

	require.Equal(t, []MigrationPath{{From: "SV9100_CP10", To: "SV9100_CP20", Parts: map[string]string{}}}, cat.MigrationPaths)
	require.Equal(t, cat.MigrationPaths, cat.MigrationPathsFrom("SV9100_CP10"))
	require.Empty(t, cat.MigrationPathsFrom("SV9100_CP20"), "CP20 migrates nowhere")
	for _, p := range cat.PartsFor("SV9100_CP10") {
		require.Equal(t, p.Number, cat.MigrationPaths[0].PartFor(p.Number))
	}

	// A pair with a part of the old type that the new one lacks is valid once the part is mapped.
	cat.Parts = append(cat.Parts, Part{Number: "ILL-CP10-ONLY", Name: "CP10 only", SystemTypes: []string{"SV9100_CP10"}, Stacking: StackingQuantity, Flags: []string{}})
	require.ErrorContains(t, cat.Validate(), "part ILL-CP10-ONLY has no place on SV9100_CP20")
	cat.MigrationPaths[0].Parts = map[string]string{"ILL-CP10-ONLY": "BE114063"}
	require.NoError(t, cat.Validate())
	require.Equal(t, "BE114063", cat.MigrationPaths[0].PartFor("ILL-CP10-ONLY"))
	require.Equal(t, "BE114065", cat.MigrationPaths[0].PartFor("BE114065"))
}
