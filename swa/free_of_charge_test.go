package swa_test

// Free-of-charge licenses (SWA-12, issue 15 item 4): the rule of when a
// location may use them, and the user's flow through HTTP — listed and
// attached while SWA runs or the grace period does, refused otherwise,
// activated into the license file with PO/SO FOC-<yyyymmdd>, the bin
// untouched — with its tenant isolation and its statement counts.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/db"
	"lms/lmstest"
	"lms/swa"
)

// FreeOfChargeAllowed reads "while ACTIVE or in GRACE" as a user would: an
// agreement runs today or the grace period does. The status each case has
// (SWA-9) is shown beside it: RENEWABLE and PENDING count on one side of
// that line and not on the other.
func TestFreeOfChargeAllowed(t *testing.T) {
	t.Parallel()
	date := func(s string) *time.Time {
		d, err := time.Parse(time.DateOnly, s)
		require.NoError(t, err)
		return &d
	}
	today := *date("2030-08-01")
	for _, c := range []struct {
		name         string
		graceEnd     *time.Time
		agreementEnd *time.Time
		pending      bool
		status       swa.Status
		allowed      bool
	}{
		{name: "nothing activated", status: swa.StatusNone},
		{name: "grace period runs", graceEnd: date("2030-12-31"), status: swa.StatusGrace, allowed: true},
		{name: "last day of the grace period", graceEnd: date("2030-08-01"), status: swa.StatusGrace, allowed: true},
		{name: "grace period ended yesterday", graceEnd: date("2030-07-31"), status: swa.StatusNone},
		{name: "agreement runs", graceEnd: date("2029-12-31"), agreementEnd: date("2031-03-31"), status: swa.StatusActive, allowed: true},
		{name: "agreement ends within 90 days", graceEnd: date("2029-12-31"), agreementEnd: date("2030-09-30"), status: swa.StatusRenewable, allowed: true},
		{name: "last day of the agreement", graceEnd: date("2029-12-31"), agreementEnd: date("2030-08-01"), status: swa.StatusRenewable, allowed: true},
		{name: "agreement ended yesterday", graceEnd: date("2029-12-31"), agreementEnd: date("2030-07-31"), status: swa.StatusRenewable},
		{name: "agreement ended over a year ago", graceEnd: date("2028-06-30"), agreementEnd: date("2029-06-30"), status: swa.StatusExpired},
		{name: "assigned within the grace period, cooling off", graceEnd: date("2030-12-31"), pending: true, status: swa.StatusPending, allowed: true},
		{name: "assigned after the grace period, cooling off", graceEnd: date("2030-06-30"), pending: true, status: swa.StatusPending},
		{name: "reinstated after the agreement, cooling off", graceEnd: date("2028-06-30"), agreementEnd: date("2029-06-30"), pending: true, status: swa.StatusPending},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := &swa.Application{GraceEnd: c.graceEnd}
			if c.agreementEnd != nil {
				app.Agreements = []db.SwaAgreement{{EndsOn: *c.agreementEnd}}
			}
			if c.pending {
				app.Pending = &db.SwaActivation{}
			}
			require.Equal(t, c.status, swa.StatusOf(today, c.graceEnd, c.agreementEnd, c.pending))
			require.Equal(t, c.allowed, app.FreeOfChargeAllowed(today.Add(15*time.Hour)))
		})
	}
}

// focLicense is a FreeOfChargeLicense as focFields selects it.
type focLicense struct {
	Part        struct{ Number, Name string }
	Application struct{ Code, Name string }
	Status      string
	License     *focLic
}

// focLic is a license as focLicFields selects it.
type focLic struct {
	ID, SoftwareKeyCode, Status, PurchaseOrder, SalesOrder string
	Quantity                                               int
	OrderLine                                              *struct{ ID string }
}

const (
	focLicFields = `id softwareKeyCode status purchaseOrder salesOrder quantity orderLine { id }`
	focFields    = `part { number name } application { code name } status license { ` + focLicFields + ` }`
	focQuery     = `query($id: ID!) { node(id: $id) { ... on Location { name swa { application { code } status }
  attachedLicenses { totalCount } freeOfChargeLicenses { ` + focFields + ` } } } }`
)

// focLocation is a location as focQuery selects it.
type focLocation struct {
	Name string
	Swa  *[]struct {
		Application struct{ Code string }
		Status      string
	}
	AttachedLicenses struct{ TotalCount int }
	// FreeOfChargeLicenses is nil when the answer is null.
	FreeOfChargeLicenses *[]focLicense
}

// freeOfCharge reads a location's free-of-charge licenses as user; nil
// when user cannot see the location.
func freeOfCharge(t *testing.T, env *lmstest.Env, user, locationID string) *focLocation {
	t.Helper()
	var got struct{ Node *focLocation }
	env.Query(t, user, focQuery, map[string]any{"id": locationID}).Decode(t, &got)
	return got.Node
}

// attachFOC attaches a free-of-charge part to a location as user (with an
// idempotency key unless key is "").
func attachFOC(t *testing.T, env *lmstest.Env, user, locationID, partNumber, key string) (*focLic, []userError) {
	t.Helper()
	in := map[string]any{"locationId": locationID, "partNumber": partNumber}
	if key != "" {
		in["idempotencyKey"] = key
	}
	p := lmstest.Mutate[struct {
		License  *focLic
		Location *struct{ ID string }
		Errors   []userError
	}](t, env, user, "attachFreeOfChargeLicense", "license { "+focLicFields+" } location { id }", in)
	if p.License != nil {
		require.Equal(t, locationID, p.Location.ID)
	}
	return p.License, p.Errors
}

// is3000Site is an iS3000 location of user with one activated Lic 001 (SWA
// weight 1.5); the license clock is its first activation.
func is3000Site(t *testing.T, env *lmstest.Env, user, name string) string {
	t.Helper()
	return activatedLocation(t, env, user, "IS3000", name, "aa"+randomHex(8)+"AA", part{"EU920000", 1})
}

// sv8300Site is an SV8300 location of user with 10 activated IP ports.
func sv8300Site(t *testing.T, env *lmstest.Env, user, name string) string {
	t.Helper()
	return activatedLocation(t, env, user, "SV8300", name, "18"+randomHex(13), part{"ILL-SV8300-IP-PORT", 10})
}

// swaAgreement assigns SWA to a location for 12 months and activates it at
// once.
func swaAgreement(t *testing.T, env *lmstest.Env, user, locationID string) *agreement {
	t.Helper()
	act, errs := assign(t, env, user, locationID, 12, "")
	require.Empty(t, errs)
	ag, errs := processNow(t, env, user, act.ID)
	require.Empty(t, errs)
	return ag
}

const (
	lic078 = "960026473134" // iS3000 Lic 078 - SWA Upgrade Q4-2013
	sysR8  = "ILL-SV8300-SYS-R8"
)

// SWA-12 through the API on 2030-08-01, with a location in each status:
// GRACE (iS3000 and SV8300) and ACTIVE list their free-of-charge part and
// attach it with PO/SO FOC-20300801; NONE and EXPIRED list nothing and
// refuse with NOT_APPLICABLE, saying why; a part twice is ALREADY_EXISTS,
// a part that is not free of charge NOT_APPLICABLE; another partner's
// location is NOT_FOUND and a user without SWA_ADMIN sees null.
func TestFreeOfChargeLicensesWhileSwaRunsOrInGrace(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	clock := newClock(env, "2028-01-10")
	shipUnits(t, env, lmstest.DealerY, "SO-FOC-UNITS", 1000, "2032-12-31")
	expired := is3000Site(t, env, lmstest.DealerY, "FOC expired") // grace until 2028-06-30
	none := is3000Site(t, env, lmstest.DealerY, "FOC none")
	require.Equal(t, "2029-06-30", swaAgreement(t, env, lmstest.DealerY, expired).EndsOn)
	clock.set("2029-10-10")
	active := is3000Site(t, env, lmstest.DealerY, "FOC active") // grace until 2030-03-31
	require.Equal(t, "2031-03-31", swaAgreement(t, env, lmstest.DealerY, active).EndsOn)
	clock.set("2030-08-01")
	grace := is3000Site(t, env, lmstest.DealerY, "FOC grace") // until 2030-12-31
	r8 := sv8300Site(t, env, lmstest.DealerY, "FOC R8")

	t.Run("listed while ACTIVE or GRACE, not in NONE or EXPIRED", func(t *testing.T) {
		for _, c := range []struct {
			id, app, status, part string
		}{
			{grace, "IS3000", "GRACE", lic078},
			{active, "IS3000", "ACTIVE", lic078},
			{r8, "SV8300", "GRACE", sysR8},
			{none, "IS3000", "NONE", ""},
			{expired, "IS3000", "EXPIRED", ""},
		} {
			loc := freeOfCharge(t, env, lmstest.DealerY, c.id)
			require.NotNil(t, loc.Swa, loc.Name)
			require.Len(t, *loc.Swa, 1, loc.Name)
			require.Equal(t, c.status, (*loc.Swa)[0].Status, loc.Name)
			require.NotNil(t, loc.FreeOfChargeLicenses, loc.Name)
			if c.part == "" {
				require.Empty(t, *loc.FreeOfChargeLicenses, loc.Name)
				continue
			}
			require.Len(t, *loc.FreeOfChargeLicenses, 1, loc.Name)
			f := (*loc.FreeOfChargeLicenses)[0]
			require.Equal(t, c.part, f.Part.Number, loc.Name)
			require.Equal(t, c.app, f.Application.Code, loc.Name)
			require.Equal(t, c.status, f.Status, loc.Name)
			require.Nil(t, f.License, loc.Name)
		}
	})

	t.Run("attached while GRACE and while ACTIVE", func(t *testing.T) {
		for _, c := range []struct{ id, part, prefix string }{{grace, lic078, "IS"}, {active, lic078, "IS"}, {r8, sysR8, "18"}} {
			lic, errs := attachFOC(t, env, lmstest.DealerY, c.id, c.part, "")
			require.Empty(t, errs)
			require.Equal(t, focLic{ID: lic.ID, SoftwareKeyCode: lic.SoftwareKeyCode, Status: "ATTACHED", PurchaseOrder: "FOC-20300801", SalesOrder: "FOC-20300801", Quantity: 1}, *lic)
			require.Len(t, lic.SoftwareKeyCode, 20)
			require.Equal(t, c.prefix, lic.SoftwareKeyCode[2:4])
			loc := freeOfCharge(t, env, lmstest.DealerY, c.id)
			require.Len(t, *loc.FreeOfChargeLicenses, 1)
			require.Equal(t, lic, (*loc.FreeOfChargeLicenses)[0].License, "listed with the license it holds now")
			require.Equal(t, 1, loc.AttachedLicenses.TotalCount, "in the location's attached licenses")

			var audit struct {
				AuditEvents struct {
					Edges []struct {
						Node struct {
							ObjectIds []string
							Summary   map[string]any
						}
					}
				}
			}
			env.Query(t, lmstest.DealerY, `query($id: ID) { auditEvents(first: 5, filter: {action: "swa.attach_free_of_charge", objectId: $id}) { edges { node { objectIds summary } } } }`,
				map[string]any{"id": lic.ID}).Decode(t, &audit)
			require.Len(t, audit.AuditEvents.Edges, 1, "one audit event")
			ev := audit.AuditEvents.Edges[0].Node
			require.ElementsMatch(t, []string{c.id, lic.ID}, ev.ObjectIds)
			require.Equal(t, fmt.Sprintf("%s × 1 (PO FOC-20300801, free of charge)", c.part), ev.Summary[lic.SoftwareKeyCode])
		}
	})

	t.Run("refused in NONE and EXPIRED", func(t *testing.T) {
		for id, says := range map[string]string{
			none:    "FOC none: its grace period for iS3000 ended on 2028-06-30 and it has no SWA agreement; free-of-charge licenses are for locations whose Software Assurance is active or in its grace period",
			expired: "FOC expired: its SWA agreement 50IS0-",
		} {
			lic, errs := attachFOC(t, env, lmstest.DealerY, id, lic078, "")
			require.Nil(t, lic)
			require.Equal(t, []string{"NOT_APPLICABLE"}, codes(errs))
			require.Contains(t, errs[0].Message, says)
			require.Equal(t, 0, freeOfCharge(t, env, lmstest.DealerY, id).AttachedLicenses.TotalCount)
		}
		_, errs := attachFOC(t, env, lmstest.DealerY, expired, lic078, "")
		require.Contains(t, errs[0].Message, "for iS3000 ended on 2029-06-30; free-of-charge licenses are for locations whose Software Assurance is active or in its grace period: renew it first")
	})

	t.Run("a second attach of the part is refused", func(t *testing.T) {
		_, errs := attachFOC(t, env, lmstest.DealerY, grace, lic078, "")
		require.Equal(t, []string{"ALREADY_EXISTS"}, codes(errs))
		require.Contains(t, errs[0].Message, "FOC grace already holds Lic 078 - SWA Upgrade Q4-2013 (960026473134)")
		require.Equal(t, 1, freeOfCharge(t, env, lmstest.DealerY, grace).AttachedLicenses.TotalCount)
	})

	t.Run("a location holding the part from the bin is refused", func(t *testing.T) {
		paid := activatedLocation(t, env, lmstest.DealerY, "IS3000", "FOC paid", "aa"+randomHex(8)+"AA", part{"EU920000", 1}, part{lic078, 1})
		loc := freeOfCharge(t, env, lmstest.DealerY, paid)
		held := (*loc.FreeOfChargeLicenses)[0].License
		require.NotNil(t, held, "listed with the license it bought")
		require.True(t, strings.HasPrefix(held.PurchaseOrder, "PO-SO-"), held.PurchaseOrder)
		require.NotNil(t, held.OrderLine)
		_, errs := attachFOC(t, env, lmstest.DealerY, paid, lic078, "")
		require.Equal(t, []string{"ALREADY_EXISTS"}, codes(errs))
	})

	t.Run("only the system type's free-of-charge parts", func(t *testing.T) {
		for part, says := range map[string]string{
			"EU92067151": "EU92067151 is not a free-of-charge license of iS3000 / SIP@Net Server locations; they offer 960026473134 (Lic 078 - SWA Upgrade Q4-2013)",
			sysR8:        "ILL-SV8300-SYS-R8 is not a free-of-charge license of iS3000",
			"NO-SUCH":    "NO-SUCH is not a free-of-charge license",
		} {
			_, errs := attachFOC(t, env, lmstest.DealerY, active, part, "")
			require.Equal(t, []string{"NOT_APPLICABLE"}, codes(errs), part)
			require.Contains(t, errs[0].Message, says)
		}
		_, errs := attachFOC(t, env, lmstest.DealerY, active, " ", "")
		require.Equal(t, []string{"VALIDATION_FAILED"}, codes(errs))
	})

	t.Run("detached, it goes and may be attached again", func(t *testing.T) {
		loc := freeOfCharge(t, env, lmstest.DealerY, r8)
		held := (*loc.FreeOfChargeLicenses)[0].License
		p := lmstest.Mutate[struct {
			Licenses []struct{ ID string }
			Errors   []userError
		}](t, env, lmstest.DealerY, "detachLicenses", "licenses { id }", map[string]any{"locationId": r8, "licenseIds": []string{held.ID}})
		require.Empty(t, p.Errors)
		loc = freeOfCharge(t, env, lmstest.DealerY, r8)
		require.Equal(t, 0, loc.AttachedLicenses.TotalCount)
		require.Nil(t, (*loc.FreeOfChargeLicenses)[0].License)
		again, errs := attachFOC(t, env, lmstest.DealerY, r8, sysR8, "")
		require.Empty(t, errs)
		require.NotEqual(t, held.ID, again.ID)
	})

	t.Run("a retry with the idempotency key answers the first attach", func(t *testing.T) {
		site := sv8300Site(t, env, lmstest.DealerY, "FOC retried")
		first, errs := attachFOC(t, env, lmstest.DealerY, site, sysR8, "foc-retry")
		require.Empty(t, errs)
		second, errs := attachFOC(t, env, lmstest.DealerY, site, sysR8, "foc-retry")
		require.Empty(t, errs)
		require.Equal(t, first, second)
		require.Equal(t, 1, freeOfCharge(t, env, lmstest.DealerY, site).AttachedLicenses.TotalCount)
	})

	t.Run("another partner's location is NOT_FOUND", func(t *testing.T) {
		fresh := is3000Site(t, env, lmstest.DealerY, "FOC fresh")
		require.Nil(t, freeOfCharge(t, env, lmstest.DealerZ, fresh), "zoe cannot see it")
		for _, id := range []string{fresh, missingID("Location")} {
			_, errs := attachFOC(t, env, lmstest.DealerZ, id, lic078, "")
			require.Equal(t, []string{"NOT_FOUND"}, codes(errs))
		}
		_, errs := attachFOC(t, env, lmstest.DealerZ, fresh, lic078, "zoe-key")
		require.Equal(t, []string{"NOT_FOUND"}, codes(errs), "with an idempotency key")
		loc := freeOfCharge(t, env, lmstest.DealerY, fresh)
		require.Equal(t, 0, loc.AttachedLicenses.TotalCount)
		require.Nil(t, (*loc.FreeOfChargeLicenses)[0].License)
	})

	t.Run("without SWA_ADMIN: null and FORBIDDEN", func(t *testing.T) {
		loc := freeOfCharge(t, env, lmstest.DealerY2, active)
		require.Equal(t, "FOC active", loc.Name, "yuri sees the location")
		require.Nil(t, loc.FreeOfChargeLicenses, "but not its free-of-charge licenses")
		_, errs := attachFOC(t, env, lmstest.DealerY2, none, lic078, "")
		require.Equal(t, []string{"FORBIDDEN"}, codes(errs))
	})
}

// inventoryRow is one part of partsInventory.
type inventoryRow struct {
	Shipped, Available, Attached, Activated, Reshipped, Returned int
}

// partsInventory is user's parts inventory by part number.
func partsInventory(t *testing.T, env *lmstest.Env, user string) map[string]inventoryRow {
	t.Helper()
	var got struct {
		PartsInventory struct {
			Edges []struct {
				Node struct {
					Part struct{ Number string }
					inventoryRow
				}
			}
		}
	}
	env.Query(t, user, `{ partsInventory(first: 100) { edges { node { part { number } shipped available attached activated reshipped returned } } } }`, nil).Decode(t, &got)
	out := map[string]inventoryRow{}
	for _, e := range got.PartsInventory.Edges {
		out[e.Node.Part.Number] = e.Node.inventoryRow
	}
	return out
}

// An attached free-of-charge license is activated like any license: the
// worker builds a READY file granting it, the location lists it activated
// with PO/SO FOC-<yyyymmdd> and no bin line, and the bin — which holds a
// paid line of the same part — is as it was.
func TestFreeOfChargeLicenseIsActivatedIntoTheFile(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	newClock(env, "2030-08-01")
	site := is3000Site(t, env, lmstest.DealerY, "FOC file")
	paid := lmstest.Mutate[struct{ Errors []userError }](t, env, lmstest.Admin, "shipLicenseOrder", "order { id }", map[string]any{
		"partnerId": lmstest.PartnerID(t, env, lmstest.DealerY), "salesOrder": "SO-LIC078", "purchaseOrder": "PO-LIC078",
		"lines": []map[string]any{{"partNumber": lic078, "quantity": 2}},
	})
	require.Empty(t, paid.Errors)
	before := partsInventory(t, env, lmstest.DealerY)
	require.Equal(t, inventoryRow{Shipped: 2, Available: 2}, before[lic078])
	require.Equal(t, inventoryRow{Shipped: 1, Activated: 1}, before["EU920000"])

	lic, errs := attachFOC(t, env, lmstest.DealerY, site, lic078, "")
	require.Empty(t, errs)
	act := lmstest.Mutate[struct {
		Licenses    []focLic
		LicenseFile *struct{ ID string }
		Errors      []userError
	}](t, env, lmstest.DealerY, "activateLicenses", "licenses { "+focLicFields+" } licenseFile { id }",
		map[string]any{"locationId": site, "licenseIds": []string{lic.ID}, "acceptAgreement": true})
	require.Empty(t, act.Errors)
	require.Len(t, act.Licenses, 1)
	require.Equal(t, "ACTIVATED", act.Licenses[0].Status)
	require.Equal(t, "FOC-20300801", act.Licenses[0].PurchaseOrder)

	type file struct {
		Status   string
		Version  int
		Features []struct {
			Part   struct{ Number string }
			Amount string
		}
	}
	var f file
	lmstest.Eventually(t, 20*time.Second, func() bool {
		var got struct{ Node *file }
		env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on LicenseFile { status version features { part { number } amount } } } }`,
			map[string]any{"id": act.LicenseFile.ID}).Decode(t, &got)
		require.NotNil(t, got.Node)
		f = *got.Node
		require.NotEqual(t, "FAILED", f.Status)
		return f.Status == "READY"
	}, "license file ready")
	var granted []string
	for _, x := range f.Features {
		granted = append(granted, x.Part.Number+" "+x.Amount)
	}
	require.Equal(t, []string{"960026473134 V20134", "EU920000 1"}, granted)

	var page struct {
		Node struct {
			ActivatedLicenses struct {
				Edges []struct{ Node focLic }
			}
			FreeOfChargeLicenses []focLicense
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location {
  activatedLicenses(first: 10) { edges { node { `+focLicFields+` } } } freeOfChargeLicenses { `+focFields+` } } } }`,
		map[string]any{"id": site}).Decode(t, &page)
	var listed *focLic
	for _, e := range page.Node.ActivatedLicenses.Edges {
		if e.Node.ID == lic.ID {
			listed = &e.Node
		}
	}
	require.NotNil(t, listed, "among the location's activated licenses")
	require.Equal(t, focLic{ID: lic.ID, SoftwareKeyCode: lic.SoftwareKeyCode, Status: "ACTIVATED", PurchaseOrder: "FOC-20300801", SalesOrder: "FOC-20300801", Quantity: 1}, *listed)
	require.Equal(t, listed, page.Node.FreeOfChargeLicenses[0].License)

	require.Equal(t, before, partsInventory(t, env, lmstest.DealerY), "the bin is unchanged")
}

// focSites creates n iS3000 locations of user, of one new customer, each
// with one activated Lic 001 from one order (so in their grace period on
// the license clock's day), and attaches Lic 078 free of charge to every
// other one; it returns the customer's id.
func focSites(t *testing.T, env *lmstest.Env, user, prefix string, n int) string {
	t.Helper()
	line := shipLines(t, env, user, "SO-"+randomHex(8), part{"EU920000", n})[0]
	custID := newCustomer(t, env, user, prefix+" customer")
	for i := range n {
		loc := lmstest.Mutate[struct {
			Location *struct{ ID string }
			Errors   []userError
		}](t, env, user, "createLocation", "location { id }", map[string]any{
			"customerId": custID, "name": fmt.Sprintf("%s %03d", prefix, i), "systemType": "IS3000",
			"hardwareKeyCode": "aa" + randomHex(8) + "AA", "dealerEmail": "desk@dealer.example",
		})
		require.Empty(t, loc.Errors)
		att := lmstest.Mutate[struct {
			Licenses []struct{ ID string }
			Errors   []userError
		}](t, env, user, "attachLicenses", "licenses { id }", map[string]any{
			"locationId": loc.Location.ID, "lines": []map[string]any{{"lineId": line, "quantity": 1}},
		})
		require.Empty(t, att.Errors)
		act := lmstest.Mutate[struct{ Errors []userError }](t, env, user, "activateLicenses", "licenses { id }",
			map[string]any{"locationId": loc.Location.ID, "licenseIds": []string{att.Licenses[0].ID}, "acceptAgreement": true})
		require.Empty(t, act.Errors)
		if i%2 == 0 {
			_, errs := attachFOC(t, env, user, loc.Location.ID, lic078, "")
			require.Empty(t, errs)
		}
	}
	return custID
}

// The N+1 guard of Location.freeOfChargeLicenses: 5 and 50 locations, in a
// locations list and in a customer's locations, each with its
// free-of-charge part, application and held license, are read with the
// same number of SQL statements.
func TestFreeOfChargeLicensesStatementsDoNotGrowWithLocations(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-08-01")
	start := time.Now()
	zoeCustomer := focSites(t, env, lmstest.DealerZ, "Zoe FOC", 5)
	yaraCustomer := focSites(t, env, lmstest.DealerY, "Yara FOC", 50)
	t.Logf("made 55 iS3000 locations through the API in %s", time.Since(start))

	const fields = `name freeOfChargeLicenses { ` + focFields + ` }`
	type node struct {
		Name                 string
		FreeOfChargeLicenses []focLicense
	}
	check := func(nodes []node, n int) {
		require.Len(t, nodes, n)
		held := 0
		for _, loc := range nodes {
			require.Len(t, loc.FreeOfChargeLicenses, 1, loc.Name)
			f := loc.FreeOfChargeLicenses[0]
			require.Equal(t, lic078, f.Part.Number)
			require.Equal(t, "Lic 078 - SWA Upgrade Q4-2013", f.Part.Name)
			require.Equal(t, "iS3000", f.Application.Name)
			require.Equal(t, "GRACE", f.Status)
			if f.License != nil {
				held++
				require.Equal(t, "FOC-20300801", f.License.SalesOrder)
				require.Nil(t, f.License.OrderLine)
			}
		}
		require.Equal(t, (n+1)/2, held)
	}
	list := func(user string, n int) int {
		resp := env.Query(t, user, `{ locations(first: 100) { edges { node { `+fields+` } } } }`, nil)
		var got struct {
			Locations struct{ Edges []struct{ Node node } }
		}
		resp.Decode(t, &got)
		var nodes []node
		for _, e := range got.Locations.Edges {
			nodes = append(nodes, e.Node)
		}
		check(nodes, n)
		return resp.Statements()
	}
	ofCustomer := func(user, customerID string, n int) int {
		resp := env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Customer { locations(first: 100) { edges { node { `+fields+` } } } } } }`,
			map[string]any{"id": customerID})
		var got struct {
			Node struct {
				Locations struct{ Edges []struct{ Node node } }
			}
		}
		resp.Decode(t, &got)
		var nodes []node
		for _, e := range got.Node.Locations.Edges {
			nodes = append(nodes, e.Node)
		}
		check(nodes, n)
		return resp.Statements()
	}
	small, large := list(lmstest.DealerZ, 5), list(lmstest.DealerY, 50)
	t.Logf("locations with freeOfChargeLicenses: %d statements for 5 locations, %d for 50", small, large)
	require.Positive(t, small)
	require.Equal(t, small, large, "statement count must not grow with the locations")
	small, large = ofCustomer(lmstest.DealerZ, zoeCustomer, 5), ofCustomer(lmstest.DealerY, yaraCustomer, 50)
	t.Logf("a customer's locations with freeOfChargeLicenses: %d statements for 5 locations, %d for 50", small, large)
	require.Equal(t, small, large, "statement count must not grow with the locations")
}
