package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidate(t *testing.T) {
	t.Parallel()

	ptr := func(i int) *int { return &i }
	tests := []struct {
		name    string
		mutate  func(c *Catalog)
		wantErr string
	}{
		{"Version", func(c *Catalog) { c.Version = 0 }, "version 0"},
		{"DuplicateSystemType", func(c *Catalog) { c.SystemTypes = append(c.SystemTypes, c.SystemTypes[0]) }, "system type SL1000: duplicate code"},
		{"BadCode", func(c *Catalog) { c.SystemTypes[0].Code = "sl 1000" }, "code must match"},
		{"EmptyName", func(c *Catalog) { c.SystemTypes[0].Name = " " }, "name is empty"},
		{"FormatDoesNotCompile", func(c *Catalog) { c.SystemTypes[0].HwkcFormat = "^28[0-9A-F$" }, "hwkcFormat: error parsing regexp"},
		{"FormatNotAnchoredAtStart", func(c *Catalog) { c.SystemTypes[0].HwkcFormat = "28[0-9A-F]{10}$" }, "not anchored"},
		{"FormatNotAnchoredAtEnd", func(c *Catalog) { c.SystemTypes[0].HwkcFormat = "^28[0-9A-F]{10}" }, "not anchored"},
		{"FormatAlternationNotAnchored", func(c *Catalog) { c.SystemTypes[0].HwkcFormat = "^280001451316|x$" }, "not anchored"},
		{"ExampleDoesNotMatch", func(c *Catalog) { c.SystemTypes[0].HwkcExamples = []string{"190400324412"} }, `example "190400324412" does not match`},
		{"NoExamples", func(c *Catalog) { c.SystemTypes[0].HwkcExamples = nil }, "no hwkcExamples"},
		{"TempKeyFormatNotAnchored", func(c *Catalog) { mustSystemType(c, "SR_MGC").TempKeyFormat = "22-" }, "tempKeyFormat"},
		{"TempKeyWithoutSource", func(c *Catalog) { mustSystemType(c, "SV8100").TempKeyFormat = "^19-\\d{12}$" }, "tempKeyFormat without source"},
		{"Prefix", func(c *Catalog) { c.SystemTypes[0].HwkcPrefix = "2" }, "hwkcPrefix"},
		{"NoSources", func(c *Catalog) { c.SystemTypes[0].HwkcSources = nil }, "no hwkcSources"},
		{"UnknownSource", func(c *Catalog) { c.SystemTypes[0].HwkcSources = []string{"TYPED"} }, `unknown hwkc source "TYPED"`},
		{"UnknownFlag", func(c *Catalog) { c.SystemTypes[0].Flags = []string{"DEMO"} }, `unknown flag "DEMO"`},
		{"RepeatedFlag", func(c *Catalog) { c.SystemTypes[0].Flags = []string{FlagExternal, FlagExternal} }, "repeated flag"},
		{"PartFlagOnSystemType", func(c *Catalog) { c.SystemTypes[0].Flags = []string{FlagSeOnly} }, `unknown flag "SE_ONLY"`},
		{"DemoWithoutCount", func(c *Catalog) { mustSystemType(c, "SV8100").DemoLicenses = 0 }, "flag DEMO_LICENSES needs"},
		{"CountWithoutDemo", func(c *Catalog) { c.SystemTypes[0].DemoLicenses, c.SystemTypes[0].DemoLicenseDays = 2, 30 }, "flag DEMO_LICENSES needs"},
		{"ProductKeyFlagWithoutFormat", func(c *Catalog) { mustSystemType(c, "BX_OVOC").ProductKeyFormat = "" }, "flag PRODUCT_KEY needs productKeyFormat"},
		{"ProductKeyFormatWithoutFlag", func(c *Catalog) { mustSystemType(c, "SV8100").ProductKeyFormat = "^DT\\d+$" }, "flag PRODUCT_KEY needs productKeyFormat"},
		{"ProductKeyRequiredWithoutFlag", func(c *Catalog) { mustSystemType(c, "SV8100").ProductKeyRequiredFor = "^\\d{7}$" }, "productKeyRequiredFor without flag PRODUCT_KEY"},
		{"ProductKeyFormatNotAnchored", func(c *Catalog) { mustSystemType(c, "BX_OVOC").ProductKeyFormat = "DT\\d+" }, "product key format"},
		{"SecondaryTypeUnknown", func(c *Catalog) { mustSystemType(c, "MOBICALL_MASTER").SecondaryType = "MOBICALL_X" }, `secondaryType "MOBICALL_X"`},
		{"SecondaryTypeWithoutFlag", func(c *Catalog) { mustSystemType(c, "SV8100").SecondaryType = "SV8100" }, `secondaryType "SV8100" needs flag REDUNDANT_SECONDARY`},
		{"MigrationToUnknownType", func(c *Catalog) { c.MigrationPaths[0].To = "SV9100_CP30" }, "migration path SV9100_CP10 → SV9100_CP30: from and to must be two existing system types"},
		{"MigrationToItself", func(c *Catalog) { c.MigrationPaths[0].To = "SV9100_CP10" }, "from and to must be two existing system types"},
		{"DuplicateMigrationPath", func(c *Catalog) { c.MigrationPaths = append(c.MigrationPaths, c.MigrationPaths[0]) }, "migration path SV9100_CP10 → SV9100_CP20: duplicate"},
		{"MigrationToGeneratedHWKC", func(c *Catalog) { c.MigrationPaths[0].To = "THREE_C" }, "the Hardware Key Code of THREE_C is not entered"},
		{"MigrationChangesApplication", func(c *Catalog) { c.MigrationPaths[0].To = "SV9500" }, `the SWA application changes ("SV9100" → "SV9500")`},
		{"MigrationMapsForeignPart", func(c *Catalog) { c.MigrationPaths[0].Parts = map[string]string{"BE107573": "BE114063"} }, "part BE107573 is not a part of SV9100_CP10"},
		{"MigrationMapsToForeignPart", func(c *Catalog) { c.MigrationPaths[0].Parts = map[string]string{"BE114063": "BE107573"} }, "part BE107573 is not a part of SV9100_CP20"},
		{"MigrationLeavesPartBehind", func(c *Catalog) { mustPart(c, "BE114063").SystemTypes = []string{"SV9100_CP10"} }, "part BE114063 has no place on SV9100_CP20"},
		{"SystemTypeUnknownApplication", func(c *Catalog) { mustSystemType(c, "SL1000").SwaApplication = "SL" }, `unknown swaApplication "SL"`},
		{"ApplicationDoesNotListSystemType", func(c *Catalog) { mustSystemType(c, "SL1000").SwaApplication = "SV8100" }, "system type SL1000: SWA application SV8100 does not list it"},
		{"DuplicatePart", func(c *Catalog) { c.Parts = append(c.Parts, c.Parts[0]) }, "part BE107573: duplicate number"},
		{"EmptyPartNumber", func(c *Catalog) { c.Parts[0].Number = "" }, "number is empty"},
		{"PartUnknownSystemType", func(c *Catalog) { c.Parts[0].SystemTypes = []string{"SV8200"} }, `unknown system type "SV8200"`},
		{"PartNoSystemTypes", func(c *Catalog) { c.Parts[0].SystemTypes = nil }, "part BE107573: no systemTypes"},
		{"Stacking", func(c *Catalog) { c.Parts[0].Stacking = "SUM" }, `stacking "SUM"`},
		{"VersionPartWithoutVersion", func(c *Catalog) { mustPart(c, "390908").Version = nil }, "needs a version"},
		{"VersionPartZero", func(c *Catalog) { mustPart(c, "390908").Version = ptr(0) }, "needs a version"},
		{"QuantityPartWithVersion", func(c *Catalog) { c.Parts[0].Version = ptr(3) }, "QUANTITY part has no version"},
		{"NegativeWeight", func(c *Catalog) { c.Parts[0].SwaWeight = -1 }, "negative swaWeight"},
		{"MaxPerSystemZero", func(c *Catalog) { c.Parts[0].MaxPerSystem = ptr(0) }, "maxPerSystem"},
		{"UnknownPartFlag", func(c *Catalog) { c.Parts[0].Flags = []string{"FREE"} }, `unknown flag "FREE"`},
		{"SupervisorPartWithoutFlag", func(c *Catalog) { mustPart(c, "ILL-MC-SERVER-M").Flags = nil }, "ends in -M"},
		{"SupervisorFlagWithoutSuffix", func(c *Catalog) { mustPart(c, "ILL-MC-SERVER").Flags = []string{FlagMobicallSupervisor} }, "ends in -M"},
		{"PartUnknownApplication", func(c *Catalog) { mustPart(c, "960026172000").SwaApplication = "BTC" }, `unknown swaApplication "BTC"`},
		{"DuplicateApplication", func(c *Catalog) { c.SwaApplications = append(c.SwaApplications, c.SwaApplications[0]) }, "SWA application SV8100: duplicate code"},
		{"AgreementCode", func(c *Catalog) { mustApplication(c, "SV8300").AgreementCode = "18" }, `agreementCode "18"`},
		{"DuplicateAgreementCode", func(c *Catalog) { mustApplication(c, "SV8300").AgreementCode = "IS0" }, `duplicate agreementCode "IS0"`},
		{"NoTerms", func(c *Catalog) { mustApplication(c, "SV8300").Terms = nil }, "no terms"},
		{"TermsUnsorted", func(c *Catalog) { mustApplication(c, "SV8300").Terms = []int{24, 12} }, "ascending"},
		{"TermWithoutFactor", func(c *Catalog) { mustApplication(c, "SV8300").Terms = []int{12, 18} }, "term of 18 months has no term factor"},
		{"MaxRenewal", func(c *Catalog) { mustApplication(c, "SV8300").MaxRenewalMonths = 0 }, "maxRenewalMonths"},
		{"ApplicationUnknownSystemType", func(c *Catalog) {
			a := mustApplication(c, "SV8300")
			a.SystemTypes = append(a.SystemTypes, "SV8400")
		}, `unknown system type "SV8400"`},
		{"ApplicationListsForeignSystemType", func(c *Catalog) {
			a := mustApplication(c, "SV8300")
			a.SystemTypes = append(a.SystemTypes, "SL1000")
		}, "lists system type SL1000"},
		{"DuplicateTermFactor", func(c *Catalog) { c.SwaTermFactors = append(c.SwaTermFactors, c.SwaTermFactors[0]) }, "duplicate"},
		{"TermFactorAboveOne", func(c *Catalog) { c.SwaTermFactors[0].Factor = 1.1 }, "must be in (0, 1]"},
		{"TermFactorMonths", func(c *Catalog) { c.SwaTermFactors = append(c.SwaTermFactors, SwaTermFactor{Months: 0, Factor: 1}) }, "months must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			cat, err := Default()
			require.NoError(t, err)
			tt.mutate(cat)
			require.ErrorContains(t, cat.Validate(), tt.wantErr)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()

	cat, err := Default()
	require.NoError(t, err)
	cat.SystemTypes[0].HwkcPrefix = ""
	cat.Parts[0].Stacking = ""
	err = cat.Validate()
	require.ErrorContains(t, err, "system type SL1000: hwkcPrefix")
	require.ErrorContains(t, err, "part BE107573: stacking")
}

func mustSystemType(c *Catalog, code string) *SystemType {
	for i := range c.SystemTypes {
		if c.SystemTypes[i].Code == code {
			return &c.SystemTypes[i]
		}
	}
	panic("no system type " + code)
}

func mustPart(c *Catalog, number string) *Part {
	for i := range c.Parts {
		if c.Parts[i].Number == number {
			return &c.Parts[i]
		}
	}
	panic("no part " + number)
}

func mustApplication(c *Catalog, code string) *SwaApplication {
	for i := range c.SwaApplications {
		if c.SwaApplications[i].Code == code {
			return &c.SwaApplications[i]
		}
	}
	panic("no SWA application " + code)
}
