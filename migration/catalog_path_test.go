package migration_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/catalog"
	"lms/licensefile/format"
	"lms/lmstest"
)

// TestMigrationPathIsData is MIG-3: another migration pair is catalog data,
// not code. The license desk syncs a catalog with a made-up SV9100 CP30
// board (its own HWKC format and prefix 54), a CP30 version license, and a
// path SV9100 CP10 → CP30 that maps the CP10's VERSION LIC (R2) to it and
// keeps the other parts. Once the running server has reloaded the catalog,
// a CP10 offers two targets (migrateSystem asks which), and migrating to
// the CP30 maps the part, gives Software Key Codes with the prefix 54 and
// writes a CP30 file — with no line of code about a CP30.
func TestMigrationPathIsData(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	const user = lmstest.DealerY

	cat, err := catalog.Default()
	require.NoError(t, err)
	cat.Version++
	cat.SystemTypes = append(cat.SystemTypes, catalog.SystemType{
		Code: "SV9100_CP30", Name: "SV9100 CP30", HwkcFormat: "^54[0-9A-F]{10}$", HwkcExamples: []string{"540000000001"},
		HwkcPrefix: "54", HwkcSources: []string{catalog.SourceEntered}, Flags: []string{}, SwaApplication: "SV9100",
	})
	for i := range cat.SwaApplications {
		if cat.SwaApplications[i].Code == "SV9100" {
			cat.SwaApplications[i].SystemTypes = append(cat.SwaApplications[i].SystemTypes, "SV9100_CP30")
		}
	}
	for i, p := range cat.Parts {
		if p.AllowedOn("SV9100_CP10") && p.Number != "BE114044" {
			cat.Parts[i].SystemTypes = append(cat.Parts[i].SystemTypes, "SV9100_CP30")
		}
	}
	three := 3
	cat.Parts = append(cat.Parts, catalog.Part{
		Number: "ILL-CP30-VERSION", Name: "SV9100 CP30 VERSION LIC (R3)", SystemTypes: []string{"SV9100_CP30"},
		Stacking: catalog.StackingVersion, Version: &three, SwaWeight: 1, Flags: []string{},
	})
	cat.MigrationPaths = append(cat.MigrationPaths, catalog.MigrationPath{
		From: "SV9100_CP10", To: "SV9100_CP30", Parts: map[string]string{"BE114044": "ILL-CP30-VERSION"},
	})
	require.NoError(t, catalog.Sync(t.Context(), env.DB.Bun, cat))
	type systemType struct {
		Code       string
		MigratesTo []struct{ Code string }
	}
	lmstest.Eventually(t, 10*time.Second, func() bool {
		var got struct {
			Catalog struct{ SystemTypes []systemType }
		}
		env.Query(t, user, `{ catalog { systemTypes { code migratesTo { code } } } }`, nil).Decode(t, &got)
		i := slices.IndexFunc(got.Catalog.SystemTypes, func(st systemType) bool { return st.Code == "SV9100_CP10" })
		return i >= 0 && len(got.Catalog.SystemTypes[i].MigratesTo) == 2
	}, "the server serves the synced catalog: a CP10 migrates to CP20 or CP30")

	loc := activatedLocation(t, env, user, "SV9100_CP10", "To the CP30", "34"+randomHex(10), "SO-CP30", part{"BE114044", 1}, part{"BE114063", 8})
	code := "54" + randomHex(10)
	which := migrate(t, env, user, loc, code, nil)
	e := requireError(t, which.Errors, "VALIDATION_FAILED")
	require.Equal(t, []string{"input", "newSystemType"}, e.Field)
	require.Contains(t, e.Message, "SV9100_CP20 or SV9100_CP30")

	got := migrate(t, env, user, loc, code, map[string]any{"newSystemType": "SV9100_CP30"})
	require.Empty(t, got.Errors)
	require.Equal(t, "SV9100_CP30", got.Migration.ToSystemType.Code)
	p := page(t, env, user, loc)
	require.Equal(t, "SV9100_CP30", p.SystemType.Code)
	require.Equal(t, code, p.HardwareKeyCode)
	parts := map[string]string{}
	for _, e := range p.ActivatedLicenses.Edges {
		require.Regexp(t, `^[0-9A-Z]{2}54[0-9A-Z]{16}$`, e.Node.SoftwareKeyCode)
		require.Equal(t, "SO-CP30", *e.Node.NecPurchaseOrder)
		parts[e.Node.Part.Number] = e.Node.Part.Name
	}
	require.Equal(t, map[string]string{"ILL-CP30-VERSION": "SV9100 CP30 VERSION LIC (R3)", "BE114063": "SV9100 INMAIL INT-01 LIC"}, parts)
	var was []string
	for _, l := range got.Migration.History.Licenses {
		was = append(was, l.PartNumber)
	}
	require.ElementsMatch(t, []string{"BE114044", "BE114063"}, was, "the history keeps the CP10's parts")

	f := waitFile(t, env, user, got.Migration.LicenseFile.ID)
	v, err := format.Verify(download(t, env, user, f), keys(env))
	require.NoError(t, err)
	require.Equal(t, "SV9100_CP30", v.Payloads[0].SystemType)
	require.Equal(t, code, v.Payloads[0].HardwareKeyCode)
	granted := map[string]int{}
	for _, x := range v.Payloads[0].Features {
		granted[x.PartNumber] = max(x.Quantity, x.Version)
	}
	require.Equal(t, map[string]int{"ILL-CP30-VERSION": 3, "BE114063": 8}, granted)
}
