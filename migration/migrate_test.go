package migration_test

import (
	"context"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
	"lms/lmstest"
)

// guideOrder is one of the orders behind the guide's SV9100-4 location:
// its purchase and sales order (the NEC PO and NEC SO after the
// migration), the day its licenses were activated, and its parts.
type guideOrder struct {
	PO, SO, Activated string
	Parts             []part
}

// sv91004 are the licenses the guide's SV9100-4 shows on its license page
// and in its history ("SV9100 CP10 to CP20 Migration").
var sv91004 = []guideOrder{
	{"SV91-4 Lics", "SV91-4 Lics", "2016-08-23", []part{
		{"960026180000", 1}, {"BE114063", 8}, {"BE114044", 1}, {"960026187000", 5}, {"960026428000", 10}, {"BE114074", 1}, {"960026178000", 50},
	}},
	{"SV9100-4lics", "SV91-4 lics", "2016-08-23", []part{{"960026489000", 10}, {"EU910081", 1}, {"960026172000", 6}, {"960026431000", 1}}},
	{"BCT Load Testing", "BCT Load Testing", "2016-11-30", []part{{"BE114065", 60}, {"EU901002", 300}}},
	{"ChKr16022017", "ChKr16022017", "2017-02-16", []part{{"EU910096", 1}}},
	{"ChKr add lics for In Apps", "ChKr add lics for In Apps", "2018-07-03", []part{{"EU000285", 1}, {"BE114066", 4}, {"BE116985", 1}, {"BE114081", 1}}},
}

// TestMigrateGuideSV9100 is the guide's "SV9100 CP10 to CP20 Migration":
// Ed Distributor's SV9100-4 (CP10, HWKC 341006761783) with its licenses
// from five orders activated between 2016 and 2018 and an SV9100 SWA
// agreement is migrated on 17 July 2019 to a CP20 board, 441018029547. The
// location becomes an SV9100 CP20 with the new code; every license moves
// over with a new Software Key Code (prefix 44) and MIGSU_2019071701 as PO
// and SO, keeps its activation date and shows its original PO and SO as
// NEC PO and NEC SO; the history holds the CP10 with its licenses as they
// were; a new license file for the CP20 is READY and verifies with `lms
// verify`; the partner is emailed; the SWA agreement carries on; the bin's
// ledger does not move (MIG-1, MIG-2, LIC-15).
func TestMigrateGuideSV9100(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	clk := newClock(env, "2016-08-23")
	const user, oldCode, newCode = lmstest.Distributor, "341006761783", "441018029547"

	loc := newLocation(t, env, user, "SV9100_CP10", "SV9100-4", oldCode)
	type original struct{ PO, SO, Activated string }
	byPart := map[string]original{}
	quantities := map[string]int{}
	for i, o := range sv91004 {
		clk.set(o.Activated)
		lines := ship(t, env, user, o.SO, o.PO, o.Parts...)
		waitFile(t, env, user, activate(t, env, user, loc, attach(t, env, user, loc, false, lines...)...))
		for _, p := range o.Parts {
			byPart[p.Number] = original{o.PO, o.SO, o.Activated}
			quantities[p.Number] += p.Qty
		}
		if i == 1 {
			// Within the grace period: SV9100 SWA for 36 months from 1 January 2017.
			clk.set("2016-09-01")
			shipSwaUnits(t, env, user)
			assignSwa(t, env, user, loc)
		}
	}
	before := page(t, env, user, loc)
	require.Equal(t, "SV9100_CP10", before.SystemType.Code)
	require.Equal(t, []struct{ Code string }{{"SV9100_CP20"}}, before.SystemType.MigratesTo, "the SV9000 Migration button")
	require.Len(t, before.ActivatedLicenses.Edges, 18)
	oldCodes := map[string]bool{}
	for _, e := range before.ActivatedLicenses.Edges {
		require.Nil(t, e.Node.NecPurchaseOrder, "no NEC PO before a migration")
		require.Nil(t, e.Node.Migration)
		oldCodes[e.Node.SoftwareKeyCode] = true
	}
	clk.set("2019-07-17")
	swaBefore := locationSwa(t, env, user, loc)
	require.Equal(t, "ACTIVE", swaBefore.Status)
	require.Equal(t, "2019-12-31", swaBefore.Agreement.EndsOn)
	ledger := lineBalances(t, env)

	mig := migrate(t, env, user, loc, newCode, nil)
	require.Empty(t, mig.Errors)
	m := mig.Migration
	require.NotNil(t, m)
	require.Equal(t, "MIGSU_2019071701", m.OrderNumber, "the day's first migration")
	require.Equal(t, loc, m.Location.ID)
	require.Equal(t, "SV9100_CP10", m.FromSystemType.Code)
	require.Equal(t, "SV9100_CP20", m.ToSystemType.Code)
	require.Equal(t, lmstest.Distributor, m.MigratedBy.Email)
	require.NotNil(t, m.LicenseFile)

	// The license page of the migrated system.
	after := page(t, env, user, loc)
	require.Equal(t, newCode, after.HardwareKeyCode)
	require.Equal(t, "SV9100_CP20", after.SystemType.Code)
	require.Empty(t, after.SystemType.MigratesTo)
	require.Zero(t, after.AttachedLicenses.TotalCount)
	require.Equal(t, 18, after.ActivatedLicenses.TotalCount)
	skc := regexp.MustCompile(`^[0-9A-Z]{2}44[0-9A-Z]{16}$`)
	moved := map[string]int{}
	for _, e := range after.ActivatedLicenses.Edges {
		l, want := e.Node, byPart[e.Node.Part.Number]
		require.Regexp(t, skc, l.SoftwareKeyCode, "characters 3-4 are the CP20's prefix")
		require.False(t, oldCodes[l.SoftwareKeyCode], "a new Software Key Code")
		require.Equal(t, "ACTIVATED", l.Status)
		require.Equal(t, "MIGSU_2019071701", l.PurchaseOrder)
		require.Equal(t, "MIGSU_2019071701", l.SalesOrder)
		require.Equal(t, want.PO, *l.NecPurchaseOrder, "NEC PO of %s", l.Part.Number)
		require.Equal(t, want.SO, *l.NecSalesOrder, "NEC SO of %s", l.Part.Number)
		require.Equal(t, want.Activated, l.ActivatedAt.UTC().Format(time.DateOnly), "activation date of %s", l.Part.Number)
		require.Equal(t, m.ID, l.Migration.ID)
		require.Equal(t, "MIGSU_2019071701", l.Migration.OrderNumber)
		require.NotNil(t, l.OrderLine, "the license keeps its bin line")
		moved[l.Part.Number] += l.Quantity
	}
	require.Equal(t, quantities, moved, "every license moved, as its own part")

	// The history: the CP10 as it was, read-only (MIG-2), also from the migration.
	require.Equal(t, 1, after.History.TotalCount)
	h := after.History.Edges[0].Node
	require.Equal(t, m.History.ID, h.ID)
	require.Equal(t, "MIGRATED", h.Kind)
	require.Equal(t, "SV9100_CP10", h.SystemType.Code)
	require.Equal(t, oldCode, h.HardwareKeyCode)
	require.Equal(t, "SV9100_CP20", h.NewSystemType.Code)
	require.Equal(t, newCode, h.NewHardwareKeyCode)
	require.Len(t, h.Licenses, 18)
	for _, l := range h.Licenses {
		want := byPart[l.PartNumber]
		require.True(t, oldCodes[l.SoftwareKeyCode], "the original Software Key Code %s", l.SoftwareKeyCode)
		require.Equal(t, "ACTIVATED", l.Status)
		require.Equal(t, want.PO, l.PurchaseOrder)
		require.Equal(t, want.SO, l.SalesOrder)
		require.Equal(t, want.Activated, l.ActivatedAt.UTC().Format(time.DateOnly))
		require.NotEmpty(t, l.PartName)
	}

	// A new license file for the CP20, with every license, signed.
	f := waitFile(t, env, user, m.LicenseFile.ID)
	require.Equal(t, "REGENERATION", f.Reason)
	require.Equal(t, 6, f.Version, "after the five activations")
	require.Equal(t, newCode+"-svi.zip", *f.FileName)
	require.Equal(t, f.ID, page(t, env, user, loc).CurrentLicenseFile.ID)
	zip := download(t, env, user, f)
	v, err := format.Verify(zip, keys(env))
	require.NoError(t, err)
	require.Equal(t, *f.ActivationCode, v.ActivationCode)
	require.Equal(t, newCode, v.Payloads[0].HardwareKeyCode)
	require.Equal(t, "SV9100_CP20", v.Payloads[0].SystemType)
	granted := map[string]int{}
	for _, x := range v.Payloads[0].Features {
		granted[x.PartNumber] = max(x.Quantity, x.Version)
	}
	quantities["BE114044"] = 2 // the VERSION LIC (R2) grants version 2
	require.Equal(t, quantities, granted)
	out, err := lmstest.Verify(t, env, zip, *f.FileName)
	require.NoError(t, err, out)
	require.Contains(t, out, newCode)
	require.Contains(t, out, "SV9100_CP20")

	// The partner is told, with the order number and each license's NEC PO; the file's mail follows.
	mail := lmstest.MailTo(t, env, lmstest.Distributor, "SV9100-4 migrated from SV9100 CP10 to SV9100 CP20", "MIGSU_2019071701")
	require.Contains(t, mail.Text, "341006761783 → 441018029547")
	require.Contains(t, mail.Text, "ChKr add lics for In Apps")
	lmstest.MailTo(t, env, lmstest.Distributor, *f.ActivationCode)

	// SWA stays with the location: the same agreement, still active.
	require.Equal(t, swaBefore, locationSwa(t, env, user, loc))
	// The bin never saw the migration (LIC-15); the audit trail did.
	require.Equal(t, ledger, lineBalances(t, env))
	var action string
	require.NoError(t, env.DB.Bun.NewRaw(`SELECT action FROM audit_events WHERE ? = ANY(object_ids)`, "SystemMigration:"+lmstest.UUIDOf(t, m.ID).String()).Scan(context.Background(), &action))
	require.Equal(t, "location.migrate", action)

	// A lookup by the new Software Key Code shows both orders.
	var byCode struct{ LicenseBySoftwareKeyCode *apiLicense }
	env.Query(t, user, `query($c: String!) { licenseBySoftwareKeyCode(softwareKeyCode: $c) { `+licenseFields+` } }`,
		map[string]any{"c": after.ActivatedLicenses.Edges[0].Node.SoftwareKeyCode}).Decode(t, &byCode)
	require.Equal(t, "MIGSU_2019071701", byCode.LicenseBySoftwareKeyCode.PurchaseOrder)
	require.NotNil(t, byCode.LicenseBySoftwareKeyCode.NecPurchaseOrder)

	// A CP20 migrates nowhere.
	again := migrate(t, env, user, loc, "4410011575A6", nil)
	requireError(t, again.Errors, "NOT_APPLICABLE")
}

// apiSwa is a location's SWA of one application.
type apiSwa struct {
	Status    string
	Agreement *struct{ Number, StartsOn, EndsOn string }
}

// locationSwa reads a location's SV9100 Software Assurance.
func locationSwa(t testing.TB, env *lmstest.Env, user, locationID string) apiSwa {
	t.Helper()
	var got struct {
		Node struct {
			Swa []struct {
				Application struct{ Code string }
				apiSwa
			}
		}
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { swa { application { code } status agreement { number startsOn endsOn } } } } }`,
		map[string]any{"id": locationID}).Decode(t, &got)
	for _, s := range got.Node.Swa {
		if s.Application.Code == "SV9100" {
			return s.apiSwa
		}
	}
	t.Fatalf("no SV9100 SWA on location %s", locationID)
	return apiSwa{}
}

// shipSwaUnits ships 500 SWA units to user's partner.
func shipSwaUnits(t testing.TB, env *lmstest.Env, user string) {
	t.Helper()
	p := lmstest.Mutate[struct{ Errors []userError }](t, env, lmstest.Admin, "shipSwaUnits", "order { id }", map[string]any{
		"partnerId": lmstest.PartnerID(t, env, user), "salesOrder": "SWA-SV9100-4", "purchaseOrder": "PO-SWA-SV9100-4",
		"quantity": 500, "expiresOn": "2030-12-31",
	})
	require.Empty(t, p.Errors)
}

// assignSwa gives the location 36 months of SV9100 SWA at once.
func assignSwa(t testing.TB, env *lmstest.Env, user, locationID string) {
	t.Helper()
	a := lmstest.Mutate[struct {
		Activation *struct{ ID string }
		Errors     []userError
	}](t, env, user, "assignSwa", "activation { id }", map[string]any{
		"locationId": locationID, "application": "SV9100", "termMonths": 36, "authoriseUnits": true,
	})
	require.Empty(t, a.Errors)
	p := lmstest.Mutate[struct{ Errors []userError }](t, env, user, "processSwaImmediately", "agreement { number }",
		map[string]any{"activationId": a.Activation.ID, "reason": "customer asked to start today"})
	require.Empty(t, p.Errors)
}

// lineBalance is a bin line with what its licenses hold.
type lineBalance struct {
	ID        string `bun:"id"`
	Shipped   int    `bun:"shipped"`
	Available int    `bun:"available"`
	Licensed  int    `bun:"licensed"`
}

// lineBalances reads every bin line and checks LIC-15 on it: shipped =
// available + what its licenses hold (nothing is reshipped or returned in
// these tests).
func lineBalances(t testing.TB, env *lmstest.Env) []lineBalance {
	t.Helper()
	var rows []lineBalance
	require.NoError(t, env.DB.Bun.NewRaw(`SELECT ol.id::text AS id, ol.shipped, ol.available,
		coalesce((SELECT sum(quantity) FROM licenses WHERE order_line_id = ol.id), 0) AS licensed
		FROM order_lines AS ol ORDER BY ol.id`).Scan(context.Background(), &rows))
	for _, r := range rows {
		require.Equal(t, r.Shipped, r.Available+r.Licensed, "LIC-15 on line %s", r.ID)
	}
	return rows
}

// TestMain removes the lms command lmstest.Verify built, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	lmstest.RemoveBuiltCommand()
	os.Exit(code)
}
