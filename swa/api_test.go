package swa_test

// Roles, tenant isolation and idempotent retries of the SWA API (issue 13
// item 8, SPEC §8 and §12), through HTTP.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

const (
	binQuery         = `query($p: ID) { swaUnitBin(partnerId: $p) { unAllocated allocated available orders(first: 50) { totalCount edges { node { id salesOrder partner { name } } } } } }`
	prospectiveQuery = `query($s: String) { prospectiveSwaLocations(search: $s, first: 50) { totalCount edges { node { id name } } } }`
	quoteQuery       = `query($id: ID!) { swaQuote(locationId: $id) { monthlyRate status unitsAvailable } }`
	locationSwaQuery = `query($id: ID!) { node(id: $id) { ... on Location { name swa { status agreement { number } pendingActivation { id } } } } }`
)

// swaNodeSelection asks every SWA type for its fields and relations.
const swaNodeSelection = `__typename
  ... on SwaUnitOrder { id salesOrder quantity available partner { name } part { number } }
  ... on SwaActivation { id status units timeLeft location { name } application { code } agreement { number } }
  ... on SwaAgreement { id number startsOn endsOn location { name } application { code } }`

// The SWA_ADMIN role guards every SWA query and mutation (SPEC §8): yuri,
// a user of Dealer Y without it, gets FORBIDDEN — top-level for queries, in
// the payload for mutations — changes nothing, and sees Location.swa as
// null; only the license desk ships units.
func TestSwaNeedsTheSwaAdminRole(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	sites := sv8100Sites(t, env, lmstest.DealerY, "Role", 3)
	order := shipUnits(t, env, lmstest.DealerY, "SO-ROLE", 100, "2031-12-31")
	pending, errs := assign(t, env, lmstest.DealerY, sites[0].ID, 12, "")
	require.Empty(t, errs)
	other, errs := assign(t, env, lmstest.DealerY, sites[1].ID, 12, "")
	require.Empty(t, errs)
	ag, errs := processNow(t, env, lmstest.DealerY, other.ID)
	require.Empty(t, errs)
	before := bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{76, 24, 52}, []int{before.UnAllocated, before.Allocated, before.Available})

	t.Run("queries are FORBIDDEN", func(t *testing.T) {
		for name, q := range map[string]struct {
			query string
			vars  map[string]any
		}{
			"swaUnitBin":              {binQuery, nil},
			"swaUnitBin of a partner": {binQuery, map[string]any{"p": lmstest.PartnerID(t, env, lmstest.DealerY)}},
			"prospectiveSwaLocations": {prospectiveQuery, nil},
			"swaQuote":                {quoteQuery, map[string]any{"id": sites[2].ID}},
		} {
			codes, _ := topLevel(t, env, lmstest.DealerY2, q.query, q.vars)
			require.Equal(t, []string{"FORBIDDEN"}, codes, name)
			codes, _ = topLevel(t, env, "", q.query, q.vars)
			require.Equal(t, []string{"UNAUTHENTICATED"}, codes, name+" without a token")
		}
	})

	t.Run("mutations are FORBIDDEN", func(t *testing.T) {
		_, errs := assign(t, env, lmstest.DealerY2, sites[2].ID, 12, "")
		require.Equal(t, []string{"FORBIDDEN"}, codes(errs), "assignSwa")
		_, errs = assign(t, env, lmstest.DealerY2, sites[2].ID, 12, "yuri-key")
		require.Equal(t, []string{"FORBIDDEN"}, codes(errs), "assignSwa with an idempotency key")
		_, errs = processNow(t, env, lmstest.DealerY2, pending.ID)
		require.Equal(t, []string{"FORBIDDEN"}, codes(errs), "processSwaImmediately")
		_, errs = cancel(t, env, lmstest.DealerY2, pending.ID)
		require.Equal(t, []string{"FORBIDDEN"}, codes(errs), "cancelSwaActivation")
	})

	t.Run("only the license desk ships units", func(t *testing.T) {
		for _, user := range []string{lmstest.DealerY2, lmstest.DealerY, lmstest.DealerZ, lmstest.Distributor} {
			p := lmstest.Mutate[struct {
				Order  *struct{ ID string }
				Errors []userError
			}](t, env, user, "shipSwaUnits", "order { id }", map[string]any{
				"partnerId": lmstest.PartnerID(t, env, lmstest.DealerY), "salesOrder": "SO-SELF-" + user, "purchaseOrder": "PO-SELF",
				"quantity": 1000, "expiresOn": "2031-12-31",
			})
			require.Nil(t, p.Order, user)
			require.Equal(t, []string{"FORBIDDEN"}, codes(p.Errors), user)
		}
	})

	t.Run("Location.swa is null without the role", func(t *testing.T) {
		type answer struct {
			Node struct {
				Name string
				Swa  *[]struct {
					Status            string
					Agreement         *struct{ Number string }
					PendingActivation *struct{ ID string }
				}
			}
		}
		var yuri, yara answer
		env.Query(t, lmstest.DealerY2, locationSwaQuery, map[string]any{"id": sites[1].ID}).Decode(t, &yuri)
		require.Equal(t, sites[1].Name, yuri.Node.Name, "yuri sees the location")
		require.Nil(t, yuri.Node.Swa, "but not its SWA")
		env.Query(t, lmstest.DealerY, locationSwaQuery, map[string]any{"id": sites[1].ID}).Decode(t, &yara)
		require.NotNil(t, yara.Node.Swa)
		require.Len(t, *yara.Node.Swa, 1)
		require.Equal(t, ag.Number, (*yara.Node.Swa)[0].Agreement.Number)

		// In a list too, where it is prefetched for every location.
		const list = `{ locations(first: 50) { edges { node { name swa { status } } } } }`
		var yuriList, yaraList struct {
			Locations struct {
				Edges []struct {
					Node struct {
						Name string
						Swa  *[]struct{ Status string }
					}
				}
			}
		}
		env.Query(t, lmstest.DealerY2, list, nil).Decode(t, &yuriList)
		require.Len(t, yuriList.Locations.Edges, 3)
		for _, e := range yuriList.Locations.Edges {
			require.Nil(t, e.Node.Swa, e.Node.Name)
		}
		env.Query(t, lmstest.DealerY, list, nil).Decode(t, &yaraList)
		var statuses []string
		for _, e := range yaraList.Locations.Edges {
			require.NotNil(t, e.Node.Swa, e.Node.Name)
			statuses = append(statuses, (*e.Node.Swa)[0].Status)
		}
		require.Equal(t, []string{"PENDING", "ACTIVE", "GRACE"}, statuses)
	})

	t.Run("SWA objects by id are null without the role", func(t *testing.T) {
		// Beside a location yuri may see, which still answers.
		ids := []string{sites[1].ID, order, pending.ID, ag.ID, missingID("SwaAgreement")}
		var got struct{ Nodes []map[string]any }
		env.Query(t, lmstest.DealerY2, `query($ids: [ID!]!) { nodes(ids: $ids) { `+swaNodeSelection+` ... on Location { name } } }`,
			map[string]any{"ids": ids}).Decode(t, &got)
		require.Equal(t, []map[string]any{{"__typename": "Location", "name": sites[1].Name}, nil, nil, nil, nil}, got.Nodes)
		var one struct{ Node map[string]any }
		env.Query(t, lmstest.DealerY2, `query($id: ID!) { node(id: $id) { `+swaNodeSelection+` } }`, map[string]any{"id": ag.ID}).Decode(t, &one)
		require.Nil(t, one.Node)

		// yara, who has the role, sees them.
		env.Query(t, lmstest.DealerY, `query($ids: [ID!]!) { nodes(ids: $ids) { `+swaNodeSelection+` ... on Location { name } } }`,
			map[string]any{"ids": ids}).Decode(t, &got)
		require.Equal(t, []any{"Location", "SwaUnitOrder", "SwaActivation", "SwaAgreement"},
			[]any{got.Nodes[0]["__typename"], got.Nodes[1]["__typename"], got.Nodes[2]["__typename"], got.Nodes[3]["__typename"]})
		require.Nil(t, got.Nodes[4])
	})

	// Nothing yuri tried changed anything.
	require.Equal(t, before, bin(t, env, lmstest.DealerY))
}

// partnerObjects are one partner's SWA objects: a location in its grace
// period, one with a pending assignment, one with an agreement, and a unit
// order.
type partnerObjects struct {
	grace, pendingSite, activeSite site
	order                          string
	pending                        *activation
	agreement                      *agreement
}

func partnerSwa(t *testing.T, env *lmstest.Env, user, name string) partnerObjects {
	t.Helper()
	sites := sv8100Sites(t, env, user, name, 3)
	o := partnerObjects{grace: sites[0], pendingSite: sites[1], activeSite: sites[2]}
	o.order = shipUnits(t, env, user, "SO-"+name, 100, "2031-12-31")
	var errs []userError
	o.pending, errs = assign(t, env, user, o.pendingSite.ID, 12, "")
	require.Empty(t, errs)
	act, errs := assign(t, env, user, o.activeSite.ID, 12, "")
	require.Empty(t, errs)
	o.agreement, errs = processNow(t, env, user, act.ID)
	require.Empty(t, errs)
	return o
}

// Every SWA Node type and query is tenant-isolated (issue 13 item 8): a
// dealer's id of another partner's object answers exactly like a missing
// one, the unit bin and the prospective locations list only the caller's,
// and the license desk sees every partner's bin or the one it names.
func TestSwaTenantIsolation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	y := partnerSwa(t, env, lmstest.DealerY, "Yara site")
	z := partnerSwa(t, env, lmstest.DealerZ, "Zoe site")
	zoeBin := bin(t, env, lmstest.DealerZ)

	t.Run("node and nodes", func(t *testing.T) {
		for _, tc := range []struct{ typ, own, foreign string }{
			{"SwaUnitOrder", y.order, z.order},
			{"SwaActivation", y.pending.ID, z.pending.ID},
			{"SwaAgreement", y.agreement.ID, z.agreement.ID},
		} {
			q := `query($id: ID!) { node(id: $id) { ` + swaNodeSelection + ` } }`
			var own, foreign, missing struct{ Node map[string]any }
			env.Query(t, lmstest.DealerY, q, map[string]any{"id": tc.own}).Decode(t, &own)
			require.Equal(t, tc.typ, own.Node["__typename"])
			require.Equal(t, tc.own, own.Node["id"])
			rf := env.Query(t, lmstest.DealerY, q, map[string]any{"id": tc.foreign})
			rf.Decode(t, &foreign)
			rm := env.Query(t, lmstest.DealerY, q, map[string]any{"id": missingID(tc.typ)})
			rm.Decode(t, &missing)
			require.Nil(t, foreign.Node, tc.typ)
			require.Equal(t, string(rm.Data), string(rf.Data), "%s: another partner's answers like a missing one", tc.typ)

			// Zoe sees hers.
			env.Query(t, lmstest.DealerZ, q, map[string]any{"id": tc.foreign}).Decode(t, &foreign)
			require.Equal(t, tc.foreign, foreign.Node["id"])

			var many struct{ Nodes []map[string]any }
			env.Query(t, lmstest.DealerY, `query($ids: [ID!]!) { nodes(ids: $ids) { `+swaNodeSelection+` } }`,
				map[string]any{"ids": []string{tc.foreign, tc.own, missingID(tc.typ), tc.foreign}}).Decode(t, &many)
			require.Len(t, many.Nodes, 4)
			require.Nil(t, many.Nodes[0], tc.typ)
			require.Equal(t, tc.own, many.Nodes[1]["id"])
			require.Nil(t, many.Nodes[2], tc.typ)
			require.Nil(t, many.Nodes[3], tc.typ)
		}
	})

	t.Run("swaQuote", func(t *testing.T) {
		fc, fm := topLevel(t, env, lmstest.DealerY, quoteQuery, map[string]any{"id": z.grace.ID})
		mc, mm := topLevel(t, env, lmstest.DealerY, quoteQuery, map[string]any{"id": missingID("Location")})
		require.Equal(t, []string{"NOT_FOUND"}, fc)
		require.Equal(t, mc, fc)
		require.Equal(t, mm, fm, "another partner's location answers like a missing one")
		var got struct{ SwaQuote struct{ UnitsAvailable int } }
		env.Query(t, lmstest.DealerZ, quoteQuery, map[string]any{"id": z.grace.ID}).Decode(t, &got)
		require.Equal(t, zoeBin.Available, got.SwaQuote.UnitsAvailable)
	})

	t.Run("swaUnitBin", func(t *testing.T) {
		type answer struct {
			SwaUnitBin struct {
				UnAllocated, Allocated, Available int
				Orders                            struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							ID, SalesOrder string
							Partner        struct{ Name string }
						}
					}
				}
			}
		}
		read := func(user string, partnerID any) (ids []string, partners []string, totals []int) {
			var got answer
			env.Query(t, user, binQuery, map[string]any{"p": partnerID}).Decode(t, &got)
			b := got.SwaUnitBin
			require.Equal(t, len(b.Orders.Edges), b.Orders.TotalCount)
			for _, e := range b.Orders.Edges {
				ids = append(ids, e.Node.ID)
				partners = append(partners, e.Node.Partner.Name)
			}
			return ids, partners, []int{b.UnAllocated, b.Allocated, b.Available}
		}
		zoePartner := lmstest.PartnerID(t, env, lmstest.DealerZ)

		ids, partners, totals := read(lmstest.DealerY, nil)
		require.Equal(t, []string{y.order}, ids)
		require.Equal(t, []string{"Dealer Y"}, partners)
		require.Equal(t, []int{76, 24, 52}, totals)
		// A dealer naming another partner still sees its own bin.
		ids2, _, totals2 := read(lmstest.DealerY, zoePartner)
		require.Equal(t, ids, ids2)
		require.Equal(t, totals, totals2)

		ids, partners, totals = read(lmstest.DealerZ, nil)
		require.Equal(t, []string{z.order}, ids)
		require.Equal(t, []string{"Dealer Z"}, partners)
		require.Equal(t, []int{76, 24, 52}, totals)

		ids, _, totals = read(lmstest.Admin, nil)
		require.ElementsMatch(t, []string{y.order, z.order}, ids, "the license desk sees every partner's")
		require.Equal(t, []int{152, 48, 104}, totals)
		ids, partners, totals = read(lmstest.Admin, zoePartner)
		require.Equal(t, []string{z.order}, ids, "or the partner it names")
		require.Equal(t, []string{"Dealer Z"}, partners)
		require.Equal(t, []int{76, 24, 52}, totals)
	})

	t.Run("prospectiveSwaLocations", func(t *testing.T) {
		names := func(user string, search any) []string {
			var got struct {
				ProspectiveSwaLocations struct {
					TotalCount int
					Edges      []struct{ Node struct{ ID, Name string } }
				}
			}
			env.Query(t, user, prospectiveQuery, map[string]any{"s": search}).Decode(t, &got)
			out := []string{}
			for _, e := range got.ProspectiveSwaLocations.Edges {
				out = append(out, e.Node.Name)
			}
			require.Len(t, out, got.ProspectiveSwaLocations.TotalCount)
			return out
		}
		require.Equal(t, []string{y.grace.Name}, names(lmstest.DealerY, nil))
		require.Equal(t, []string{z.grace.Name}, names(lmstest.DealerZ, nil))
		require.Empty(t, names(lmstest.DealerY, z.grace.Name), "another partner's location is not found by name")
		require.Empty(t, names(lmstest.DealerY, z.grace.HardwareKeyCode), "nor by HWKC")
		require.ElementsMatch(t, []string{y.grace.Name, z.grace.Name}, names(lmstest.Admin, nil))
	})

	t.Run("mutations on another partner's objects", func(t *testing.T) {
		for name, try := range map[string]func(id string) []userError{
			"processSwaImmediately": func(id string) []userError { _, errs := processNow(t, env, lmstest.DealerY, id); return errs },
			"cancelSwaActivation":   func(id string) []userError { _, errs := cancel(t, env, lmstest.DealerY, id); return errs },
		} {
			foreign, missing := try(z.pending.ID), try(missingID("SwaActivation"))
			require.Equal(t, []string{"NOT_FOUND"}, codes(foreign), name)
			require.Equal(t, missing, foreign, "%s: another partner's activation answers like a missing one", name)
		}
		_, foreign := assign(t, env, lmstest.DealerY, z.grace.ID, 12, "")
		_, missing := assign(t, env, lmstest.DealerY, missingID("Location"), 12, "")
		require.Equal(t, []string{"NOT_FOUND"}, codes(foreign), "assignSwa")
		require.Equal(t, missing, foreign, "assignSwa: another partner's location answers like a missing one")

		// Zoe's assignment is still pending, her bin unchanged.
		var got struct{ Node struct{ Status string } }
		env.Query(t, lmstest.DealerZ, `query($id: ID!) { node(id: $id) { ... on SwaActivation { status } } }`,
			map[string]any{"id": z.pending.ID}).Decode(t, &got)
		require.Equal(t, "PENDING", got.Node.Status)
		require.Equal(t, zoeBin, bin(t, env, lmstest.DealerZ))
	})
}

// count runs a counting query on env's database.
func count(t *testing.T, env *lmstest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, env.DB.Bun.NewRaw(query, args...).Scan(context.Background(), &n))
	return n
}

// concurrently runs a mutation n times at once as user and returns each
// payload, decoded into P.
func concurrently[P any](t *testing.T, env *lmstest.Env, n int, user, field, selection string, in map[string]any) []P {
	t.Helper()
	q := fmt.Sprintf(`mutation($in: %sInput!) { %s(input: $in) { %s errors { code message field } } }`,
		strings.ToUpper(field[:1])+field[1:], field, selection)
	type result struct {
		p   P
		err error
	}
	results := lmstest.Together(n, func(int) result {
		resp, err := env.Post(user, q, map[string]any{"in": in})
		if err != nil {
			return result{err: err}
		}
		var got map[string]P
		err = json.Unmarshal(resp.Data, &got)
		return result{p: got[field], err: err}
	})
	out := make([]P, n)
	for i, r := range results {
		require.NoError(t, r.err)
		out[i] = r.p
	}
	return out
}

// A retried shipSwaUnits with the same idempotency key and input answers
// the first order, alone or racing, and ships once (one order, one set of
// emails); the key with other input is refused (SPEC §12).
func TestShipSwaUnitsIdempotentRetry(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	yara := lmstest.PartnerID(t, env, lmstest.DealerY)
	in := map[string]any{"partnerId": yara, "salesOrder": "SO-IDEM", "purchaseOrder": "PO-IDEM", "quantity": 40,
		"expiresOn": "2031-12-31", "idempotencyKey": "ship-1"}
	type payload struct {
		Order  *struct{ ID string }
		Errors []userError
	}
	first := concurrently[payload](t, env, 6, lmstest.Admin, "shipSwaUnits", "order { id }", in)
	for _, p := range first {
		require.Empty(t, p.Errors)
		require.Equal(t, first[0].Order.ID, p.Order.ID, "racing retries answer the one order")
	}
	mails := count(t, env, `SELECT count(*) FROM emails WHERE template = 'swa_units_shipped'`)
	require.Positive(t, mails)
	again := lmstest.Mutate[payload](t, env, lmstest.Admin, "shipSwaUnits", "order { id }", in)
	require.Empty(t, again.Errors)
	require.Equal(t, first[0].Order.ID, again.Order.ID, "a later retry answers the first order")

	b := bin(t, env, lmstest.DealerY)
	require.Len(t, b.Orders.Edges, 1)
	require.Equal(t, first[0].Order.ID, b.Orders.Edges[0].Node.ID)
	require.Equal(t, 40, b.Orders.Edges[0].Node.Quantity)
	require.Equal(t, []int{40, 0, 40}, []int{b.UnAllocated, b.Allocated, b.Available})
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM swa_unit_orders`))
	require.Equal(t, mails, count(t, env, `SELECT count(*) FROM emails WHERE template = 'swa_units_shipped'`), "emailed once")
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM audit_events WHERE action = 'swa.ship_units'`))

	for name, change := range map[string]func(map[string]any){
		"quantity":       func(m map[string]any) { m["quantity"] = 41 },
		"partner":        func(m map[string]any) { m["partnerId"] = lmstest.PartnerID(t, env, lmstest.DealerZ) },
		"sales order":    func(m map[string]any) { m["salesOrder"] = "SO-IDEM-2" },
		"expiry date":    func(m map[string]any) { m["expiresOn"] = "2031-11-30" },
		"purchase order": func(m map[string]any) { m["purchaseOrder"] = "PO-IDEM-2" },
	} {
		other := map[string]any{}
		for k, v := range in {
			other[k] = v
		}
		change(other)
		p := lmstest.Mutate[payload](t, env, lmstest.Admin, "shipSwaUnits", "order { id }", other)
		require.Nil(t, p.Order, name)
		require.Equal(t, []string{"IDEMPOTENCY_KEY_REUSED"}, codes(p.Errors), name)
		require.Equal(t, []string{"input", "idempotencyKey"}, p.Errors[0].Field, name)
	}
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM swa_unit_orders`), "nothing shipped with a reused key")
}

// A retried assignSwa with the same idempotency key and input answers the
// first assignment, alone or racing, and has one effect: one pending
// activation, its units reserved once, one activation job. The key with
// other input is refused; another partner's same key is its own (SPEC §12).
func TestAssignSwaIdempotentRetry(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	newClock(env, "2030-02-15")
	sites := sv8100Sites(t, env, lmstest.DealerY, "Retry", 2)
	shipUnits(t, env, lmstest.DealerY, "SO-RETRY", 100, "2031-12-31")
	in := map[string]any{"locationId": sites[0].ID, "termMonths": 12, "authoriseUnits": true, "referenceNote": "PO 4711",
		"idempotencyKey": "assign-1"}
	type payload struct {
		Activation *activation
		Location   *struct{ ID string }
		Errors     []userError
	}
	const selection = "activation { " + activationFields + " } location { id }"
	first := concurrently[payload](t, env, 6, lmstest.DealerY, "assignSwa", selection, in)
	for _, p := range first {
		require.Empty(t, p.Errors)
		require.Equal(t, *first[0].Activation, *p.Activation, "racing retries answer the one assignment")
		require.Equal(t, sites[0].ID, p.Location.ID)
	}
	act := first[0].Activation
	require.Equal(t, "PENDING", act.Status)
	require.Equal(t, 24, act.Units)
	again := lmstest.Mutate[payload](t, env, lmstest.DealerY, "assignSwa", selection, in)
	require.Empty(t, again.Errors)
	require.Equal(t, act.ID, again.Activation.ID, "a later retry answers the first assignment")

	b := bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{100, 24, 76}, []int{b.UnAllocated, b.Allocated, b.Available}, "the units are reserved once")
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM swa_activations`))
	require.Equal(t, 24, count(t, env, `SELECT coalesce(sum(quantity), 0) FROM swa_allocations`))
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM river_job WHERE kind = 'swa_activate'`))
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM audit_events WHERE action = 'swa.assign'`))

	// Without the key the same request is a second assignment, refused.
	delete(in, "idempotencyKey")
	p := lmstest.Mutate[payload](t, env, lmstest.DealerY, "assignSwa", selection, in)
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(p.Errors))
	in["idempotencyKey"] = "assign-1"

	for name, change := range map[string]func(map[string]any){
		"term":           func(m map[string]any) { m["termMonths"] = 24 },
		"location":       func(m map[string]any) { m["locationId"] = sites[1].ID },
		"reference note": func(m map[string]any) { m["referenceNote"] = "PO 4712" },
	} {
		other := map[string]any{}
		for k, v := range in {
			other[k] = v
		}
		change(other)
		p := lmstest.Mutate[payload](t, env, lmstest.DealerY, "assignSwa", selection, other)
		require.Nil(t, p.Activation, name)
		require.Equal(t, []string{"IDEMPOTENCY_KEY_REUSED"}, codes(p.Errors), name)
		require.Equal(t, []string{"input", "idempotencyKey"}, p.Errors[0].Field, name)
	}
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM swa_activations`), "nothing assigned with a reused key")
	b = bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{100, 24, 76}, []int{b.UnAllocated, b.Allocated, b.Available})

	// Keys are a partner's own: Dealer Z's "assign-1" is a new request.
	zoe := sv8100Site(t, env, lmstest.DealerZ, "Zoe retry")
	shipUnits(t, env, lmstest.DealerZ, "SO-RETRY-Z", 30, "2031-12-31")
	pz := lmstest.Mutate[payload](t, env, lmstest.DealerZ, "assignSwa", selection, map[string]any{
		"locationId": zoe.ID, "termMonths": 12, "authoriseUnits": true, "referenceNote": "PO 4711", "idempotencyKey": "assign-1"})
	require.Empty(t, pz.Errors)
	require.NotEqual(t, act.ID, pz.Activation.ID)
}
