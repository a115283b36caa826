package swa_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/swa/certificate/certificatetest"
)

// renewal is renewSwa's payload as renewFields selects it.
type renewal struct {
	Quote *struct {
		EndsOn         string
		Units          int
		UnitsAvailable int
		Lines          []struct {
			Location           struct{ Name string }
			Months, Units      int
			ReinstatementUnits int
			StartsOn           *string
			Failure            *string
		}
	}
	Agreements []struct {
		ID, Number, StartsOn, EndsOn string
		Units, TermMonths            int
		Location                     struct{ Name string }
	}
	Errors []userError
}

const renewFields = `quote { endsOn units unitsAvailable lines { location { name } months units reinstatementUnits startsOn failure } }
  agreements { id number startsOn endsOn units termMonths location { name } }`

func renew(t *testing.T, env *lmstest.Env, user string, in map[string]any) renewal {
	t.Helper()
	in["authoriseUnits"] = true
	return lmstest.Mutate[renewal](t, env, user, "renewSwa", renewFields, in)
}

// history is the agreement numbers of a location's applications, newest
// first.
func history(t *testing.T, env *lmstest.Env, user, locationID string) []string {
	t.Helper()
	var got struct {
		Node struct {
			Swa []struct{ History []struct{ Number string } }
		}
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { swa { history { number } } } } }`, map[string]any{"id": locationID}).Decode(t, &got)
	var out []string
	for _, app := range got.Node.Swa {
		for _, h := range app.History {
			out = append(out, h.Number)
		}
	}
	return out
}

// The guide's renewal page (SWA-10): a customer with four locations of
// different applications — an SV9100 and an RCC whose agreements run, an
// UM4730 whose agreement has expired, and a 3C whose agreement runs past
// the desired end. Renewing the customer co-terms the three to one end
// (the expired one from the activation moment, with its reinstatement fee)
// as R01 versions of their agreements, and leaves the 3C with the guide's
// reason; a renewal covering less than 12 months fails, as does one
// running past 5 years (MAX SWA); renewing again makes R02. Units are taken
// once, the partner is emailed, a retry with the key answers the first
// renewal, and another partner sees nothing.
func TestRenewSwaGuideRenewalPage(t *testing.T) {
	t.Parallel()
	env := certificateEnv(t, lmstest.Opts{})
	clock := newClock(env, "2014-12-15")
	custID := newCustomer(t, env, lmstest.DealerY, "Renewal Customer")
	loc := func(systemType, name string, code map[string]any, parts ...part) string {
		fields := map[string]any{"systemType": systemType, "name": name}
		for k, v := range code {
			fields[k] = v
		}
		return activatedLocationOf(t, env, lmstest.DealerY, custID, fields, parts...)
	}
	sv9100 := loc("SV9100_CP10", "SV9100 1", map[string]any{"hardwareKeyCode": "340209224568"}, part{"BE114044", 1})
	um4730 := loc("UM4730", "UM4730 1", map[string]any{"hardwareKeyCode": "11-10465697"}, part{"ILL-UM4730-BASE", 1})
	threeC := loc("THREE_C", "3C 1", map[string]any{"domainName": "renewal.local"}, part{"ILL-3C-SYSTEM", 1})
	rcc := loc("RCC", "RCC 1", map[string]any{"hardwareKeyCode": "aa00145A2792654189AA"}, part{"ILL-RCC-BASE", 1})
	shipUnits(t, env, lmstest.DealerY, "SO-SWA-RENEWAL", 1000, "2022-12-31")

	// In the grace period (it ends 31-03-2015): every term starts on
	// 01-04-2015. The RCC is assigned after it, reinstated (suffix W).
	clock.set("2015-01-10")
	for _, a := range []struct {
		loc    string
		months int
	}{{sv9100, 24}, {um4730, 12}, {threeC, 60}} {
		act, errs := assign(t, env, lmstest.DealerY, a.loc, a.months, "")
		require.Empty(t, errs)
		_, errs = processNow(t, env, lmstest.DealerY, act.ID)
		require.Empty(t, errs)
	}
	clock.set("2015-06-15")
	act, errs := assign(t, env, lmstest.DealerY, rcc, 12, "")
	require.Empty(t, errs)
	rccAgreement, errs := processNow(t, env, lmstest.DealerY, act.ID)
	require.Empty(t, errs)
	require.Equal(t, "2016-06-30", rccAgreement.EndsOn)
	require.Regexp(t, `^50RC0-[A-Z]{4}[0-9]{5}-W$`, rccAgreement.Number)
	rccNumber := rccAgreement.Number[:len(rccAgreement.Number)-2]

	// 15-05-2016, 12 months: every renewal ends on 31-05-2017.
	clock.set("2016-05-15")
	before := bin(t, env, lmstest.DealerY).Available
	in := map[string]any{"customerId": custID, "referenceNote": "PO 4500991111", "idempotencyKey": "renew-2016"}
	r := renew(t, env, lmstest.DealerY, in)
	require.Empty(t, r.Errors)
	require.Equal(t, "2017-05-31", r.Quote.EndsOn)
	type line struct {
		months, units, reinstatement int
		startsOn, failure            string
	}
	got := map[string]line{}
	for _, l := range r.Quote.Lines {
		var g line
		g.months, g.units, g.reinstatement = l.Months, l.Units, l.ReinstatementUnits
		if l.StartsOn != nil {
			g.startsOn = *l.StartsOn
		}
		if l.Failure != nil {
			g.failure = *l.Failure
		}
		got[l.Location.Name] = g
	}
	require.Equal(t, map[string]line{
		// 2 months after its agreement ends on 31-03-2017, 1 unit a month.
		"SV9100 1": {months: 2, units: 2, startsOn: "2017-04-01"},
		// Expired on 31-03-2016: from the activation moment, 13 months
		// rounded up at 2 units, and 2 lapsed months' reinstatement.
		"UM4730 1": {months: 13, units: 26 + 4, reinstatement: 4, startsOn: "2016-05-15"},
		// Its agreement runs until 31-03-2020: the guide's failure.
		"3C 1": {startsOn: "2020-04-01", failure: "DesiredEndMonth is earlier than SWAStartDate: DesiredEndMonth=2017/05, SWAStartDate=2020-04-01"},
		// From the day after 30-06-2016: 11 months at 2 units.
		"RCC 1": {months: 11, units: 22, startsOn: "2016-07-01"},
	}, got)
	require.Equal(t, 2+30+22, r.Quote.Units)
	require.Len(t, r.Agreements, 3)
	renewed := map[string]string{}
	for _, ag := range r.Agreements {
		require.Equal(t, "2017-05-31", ag.EndsOn, "co-termed")
		require.Regexp(t, `-R01$`, ag.Number)
		renewed[ag.Location.Name] = ag.Number
	}
	require.Equal(t, rccNumber+"-R01", renewed["RCC 1"], "the same agreement number, the next suffix")
	require.Equal(t, before-54, bin(t, env, lmstest.DealerY).Available, "the renewal's units are taken at once")
	require.Equal(t, []string{rccNumber + "-R01", rccNumber + "-W"}, history(t, env, lmstest.DealerY, rcc))
	require.Len(t, history(t, env, lmstest.DealerY, threeC), 1, "the failing 3C is not renewed")
	m := lmstest.MailTo(t, env, lmstest.DealerY, "SWA renewed: 3 agreements of Renewal Customer, until 31 May 2017")
	for _, n := range renewed {
		require.Contains(t, m.Text, n)
	}
	require.Contains(t, m.Text, "PO 4500991111")
	require.NotContains(t, m.Text, "3C 1")

	// Each renewed version has its own certificate, linked from the mail.
	links := mailedCertificate.FindAllStringSubmatch(m.Text, -1)
	require.Len(t, links, 3)
	var rccCertificate *certificatetest.Document
	for _, l := range links {
		status, body, header := fetch(t, env, "", l[1])
		require.Equal(t, http.StatusOK, status, string(body))
		require.Equal(t, "application/pdf", header.Get("Content-Type"))
		doc, err := certificatetest.Read(body)
		require.NoError(t, err)
		if slices.Contains(doc.Rows(), "Agreement number|"+rccNumber+"-R01") {
			rccCertificate = doc
		}
	}
	require.NotNil(t, rccCertificate, "the RCC's R01 certificate is linked")
	for _, want := range []string{"Location|RCC 1", "Customer|Renewal Customer", "Start date|1 July 2016", "End date|31 May 2017", "Term|11 months", "SWA units|22"} {
		require.Contains(t, rccCertificate.Rows(), want)
	}

	// A retry with the key answers the first renewal and takes nothing.
	again := renew(t, env, lmstest.DealerY, in)
	require.Equal(t, r.Agreements, again.Agreements)
	require.Equal(t, before-54, bin(t, env, lmstest.DealerY).Available)
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM audit_events WHERE action = 'swa.renew'`))

	// 13 months from today end on 30-06-2017: the SV9100 alone would renew
	// for 1 month, less than the 12 one location must renew for.
	r = renew(t, env, lmstest.DealerY, map[string]any{"locationId": sv9100, "months": 13})
	require.Equal(t, []string{"QUOTE_FAILED"}, codes(r.Errors))
	require.Contains(t, r.Errors[0].Message, "at least one location must renew for 12 months or more; the longest renewal here covers 1")
	require.Empty(t, r.Agreements)

	// Activated on 01-06-2019 for 36 months the RCC would run until
	// 30-06-2022, more than 5 years from today: MAX SWA.
	r = renew(t, env, lmstest.DealerY, map[string]any{"locationId": rcc, "activationOn": "2019-06-01", "months": 36})
	require.Equal(t, []string{"QUOTE_FAILED"}, codes(r.Errors))
	require.Contains(t, r.Errors[0].Message, "RCC 1: MAX SWA exceeded: an agreement may not run past 2021-05-15 (5 years from today)")

	// Renewed again for 24 months: from 01-06-2017 to 31-05-2018, R02.
	r = renew(t, env, lmstest.DealerY, map[string]any{"locationId": rcc, "months": 24})
	require.Empty(t, r.Errors)
	require.Len(t, r.Agreements, 1)
	require.Equal(t, rccNumber+"-R02", r.Agreements[0].Number)
	require.Equal(t, "2017-06-01", r.Agreements[0].StartsOn)
	require.Equal(t, "2018-05-31", r.Agreements[0].EndsOn)
	require.Equal(t, 12, r.Agreements[0].TermMonths)
	require.Equal(t, 24, r.Agreements[0].Units)
	require.Equal(t, []string{rccNumber + "-R02", rccNumber + "-R01", rccNumber + "-W"}, history(t, env, lmstest.DealerY, rcc))

	// Without consent nothing is quoted or taken; another partner's
	// customer reads as missing.
	noConsent := lmstest.Mutate[renewal](t, env, lmstest.DealerY, "renewSwa", renewFields, map[string]any{"customerId": custID, "authoriseUnits": false})
	require.Equal(t, []string{"UNITS_NOT_AUTHORISED"}, codes(noConsent.Errors))
	r = renew(t, env, lmstest.DealerZ, map[string]any{"customerId": custID})
	require.Equal(t, []string{"NOT_FOUND"}, codes(r.Errors))
	require.Equal(t, before-54-24, bin(t, env, lmstest.DealerY).Available)
}

// Concurrent renewals of one customer renew it once: the second, computed
// again under the locations' locks, finds the agreements renewed to the
// desired end and fails; units are taken once (SWA-10, LIC-15).
func TestRenewSwaConcurrently(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	clock := newClock(env, "2024-01-10")
	sites := sv8100Sites(t, env, lmstest.DealerY, "RACE", 3)
	shipUnits(t, env, lmstest.DealerY, "SO-SWA-RACE", 1000, "2030-12-31")
	clock.set("2024-02-10")
	for _, s := range sites {
		act, errs := assign(t, env, lmstest.DealerY, s.ID, 12, "")
		require.Empty(t, errs)
		_, errs = processNow(t, env, lmstest.DealerY, act.ID)
		require.Empty(t, errs)
	}
	var got struct {
		Node struct{ Customer struct{ ID string } }
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { customer { id } } } }`, map[string]any{"id": sites[0].ID}).Decode(t, &got)
	clock.set("2025-02-10")
	before := bin(t, env, lmstest.DealerY).Available

	const n = 8
	results := concurrently[renewal](t, env, n, lmstest.DealerY, "renewSwa", renewFields,
		map[string]any{"customerId": got.Node.Customer.ID, "months": 24, "authoriseUnits": true})
	ok, units := 0, 0
	for _, r := range results {
		if len(r.Errors) == 0 {
			ok++
			units = r.Quote.Units
			require.Len(t, r.Agreements, 3)
			continue
		}
		require.Equal(t, []string{"QUOTE_FAILED"}, codes(r.Errors), "%+v", r.Errors)
	}
	require.Equal(t, 1, ok, "one renewal of %d", n)
	require.Positive(t, units)
	require.Equal(t, before-units, bin(t, env, lmstest.DealerY).Available)
	require.Equal(t, 3, count(t, env, `SELECT count(*) FROM swa_agreements WHERE suffix = 'R01'`))
	require.Equal(t, 3, count(t, env, `SELECT count(*) FROM swa_activations WHERE kind = 'RENEWAL' AND status = 'ACTIVATED'`))
}
