package license_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// Helpers that goroutines may call. env.Query calls require (t.FailNow) on a
// transport failure, which must only run on the test's goroutine; these take
// no *testing.T and report every failure as an error, which the test
// goroutine asserts on after the race. The idempotency tests share them.

// licensesPayload is the payload of attachLicenses and detachLicenses.
type licensesPayload struct {
	Licenses []apiLicense
	Errors   []userError
}

// postAttach is attachWithKey for goroutines ("" for no key).
func postAttach(env *lmstest.Env, user, locationID, key string, sels ...sel) (licensesPayload, error) {
	lines := make([]map[string]any, len(sels))
	for i, s := range sels {
		lines[i] = map[string]any{"lineId": s.Line}
		if s.Qty != nil {
			lines[i]["quantity"] = *s.Qty
		}
	}
	in := map[string]any{"locationId": locationID, "lines": lines}
	if key != "" {
		in["idempotencyKey"] = key
	}
	return lmstest.PostMutation[licensesPayload](env, user, "attachLicenses", "licenses { "+licenseFields+" }", in)
}

// postActivate activates licenses (agreement accepted) for goroutines, with
// an idempotency key unless key is "".
func postActivate(env *lmstest.Env, user, locationID, key string, licenseIDs ...string) (activationPayload, error) {
	in := map[string]any{"locationId": locationID, "licenseIds": licenseIDs, "acceptAgreement": true}
	if key != "" {
		in["idempotencyKey"] = key
	}
	return lmstest.PostMutation[activationPayload](env, user, "activateLicenses", "licenses { "+licenseFields+" } licenseFile { id version status }", in)
}

// binLineState is a bin line as the API shows it.
type binLineState struct {
	PurchaseOrder      string
	Part               struct{ Number string }
	Shipped, Available int
}

// orderLineState reads a bin line through the API.
func orderLineState(t testing.TB, env *lmstest.Env, user, lineID string) binLineState {
	t.Helper()
	var got struct{ Node *binLineState }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on OrderLine { purchaseOrder part { number } shipped available } } }`,
		map[string]any{"id": lineID}).Decode(t, &got)
	require.NotNil(t, got.Node, "bin line %s", lineID)
	return *got.Node
}

// lineBalance is one order line as the tables hold it, with the quantity of
// the licenses made from it and of what moved between bins: its counters,
// and the same computed from the reshipped lines and the returns.
type lineBalance struct {
	ID            string `bun:"id"`
	PurchaseOrder string `bun:"purchase_order"`
	PartNumber    string `bun:"part_number"`
	Shipped       int    `bun:"shipped"`
	Available     int    `bun:"available"`
	Attached      int    `bun:"attached"`
	Activated     int    `bun:"activated"`
	Licenses      int    `bun:"licenses"`
	Reshipped     int    `bun:"reshipped"`
	Returned      int    `bun:"returned"`
	// ReshippedOut is what dealer lines made from this line hold as shipped,
	// minus what came back from them; ReturnedOut is what the line's
	// returns moved back to the distributor.
	ReshippedOut int `bun:"reshipped_out"`
	ReturnedOut  int `bun:"returned_out"`
}

// lineBalances reads every order line of the database (each test has its
// own) straight from the tables, with the licenses, reshipped lines and
// returns that hold its quantity.
func lineBalances(t testing.TB, env *lmstest.Env) []lineBalance {
	t.Helper()
	var rows []lineBalance
	err := env.DB.Bun.NewRaw(`
SELECT ol.id::text AS id, o.purchase_order, ol.part_number, ol.shipped, ol.available, ol.reshipped, ol.returned,
       coalesce(lic.attached, 0) AS attached, coalesce(lic.activated, 0) AS activated, coalesce(lic.n, 0) AS licenses,
       coalesce(child.shipped, 0) - coalesce(back.quantity, 0) AS reshipped_out,
       coalesce(ret.quantity, 0) AS returned_out
FROM order_lines AS ol
JOIN license_orders AS o ON o.id = ol.order_id
LEFT JOIN (SELECT order_line_id,
                  sum(quantity) FILTER (WHERE status = 'ATTACHED') AS attached,
                  sum(quantity) FILTER (WHERE status = 'ACTIVATED') AS activated, count(*) AS n
           FROM licenses GROUP BY order_line_id) AS lic ON lic.order_line_id = ol.id
LEFT JOIN (SELECT source_line_id, sum(shipped) AS shipped FROM order_lines GROUP BY source_line_id) AS child
       ON child.source_line_id = ol.id
LEFT JOIN (SELECT source_line_id, sum(quantity) AS quantity FROM license_returns GROUP BY source_line_id) AS back
       ON back.source_line_id = ol.id
LEFT JOIN (SELECT order_line_id, sum(quantity) AS quantity FROM license_returns GROUP BY order_line_id) AS ret
       ON ret.order_line_id = ol.id
ORDER BY o.purchase_order, ol.line_no`).Scan(context.Background(), &rows)
	require.NoError(t, err)
	return rows
}

// requireConserved checks LIC-15 on the tables: for every order line,
// shipped = available + attached + activated + reshipped + returned, where
// reshipped and returned are computed from the dealers' lines and the
// returns (and the line's own counters must agree with them).
func requireConserved(t testing.TB, env *lmstest.Env) []lineBalance {
	t.Helper()
	rows := lineBalances(t, env)
	require.NotEmpty(t, rows)
	for _, r := range rows {
		require.GreaterOrEqual(t, r.Available, 0, "%+v", r)
		require.Equal(t, r.ReshippedOut, r.Reshipped, "reshipped counter of line %s of PO %s: %+v", r.PartNumber, r.PurchaseOrder, r)
		require.Equal(t, r.ReturnedOut, r.Returned, "returned counter of line %s of PO %s: %+v", r.PartNumber, r.PurchaseOrder, r)
		require.Equal(t, r.Shipped, r.Available+r.Attached+r.Activated+r.ReshippedOut+r.ReturnedOut,
			"LIC-15: shipped = available + attached + activated + reshipped + returned for line %s of PO %s: %+v", r.PartNumber, r.PurchaseOrder, r)
	}
	return rows
}

// fileRow is a license_files row's state.
type fileRow struct {
	Status string `bun:"status"`
	Error  string `bun:"error"`
}

// waitAllFiles waits until no license file of the database is PENDING and
// returns them all.
func waitAllFiles(t testing.TB, env *lmstest.Env) []fileRow {
	t.Helper()
	var files []fileRow
	lmstest.Eventually(t, 20*time.Second, func() bool {
		files = nil
		require.NoError(t, env.DB.Bun.NewRaw(`SELECT status, error FROM license_files`).Scan(context.Background(), &files))
		return !slices.ContainsFunc(files, func(f fileRow) bool { return f.Status == "PENDING" })
	}, "license files generated")
	return files
}

// binByPart reads user's bin by part through the API: part → available.
func binByPart(t testing.TB, env *lmstest.Env, user string) map[string]int {
	t.Helper()
	var got struct {
		LicenseBin struct {
			Parts struct {
				Edges []struct {
					Node struct {
						Part      struct{ Number string }
						Available int
					}
				}
			}
		}
	}
	env.Query(t, user, `{ licenseBin { parts(first: 250) { edges { node { part { number } available } } } } }`, nil).Decode(t, &got)
	out := map[string]int{}
	for _, e := range got.LicenseBin.Parts.Edges {
		out[e.Node.Part.Number] = e.Node.Available
	}
	return out
}

// TestAttachNeverOversells races 50 attach requests of one unit each for a
// line of 20 (LIC-3): exactly 20 win, the other 30 are told
// INSUFFICIENT_QUANTITY as data, and the tables hold 20 licenses of one unit
// and an empty line.
func TestAttachNeverOversells(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	const shipped, racers = 20, 50
	const po = "PO-RACE-20"
	lineID := ship(t, env, lmstest.DealerY, "SO-RACE-20", po, line{"BE107585", shipped})["BE107585"]
	// A few locations, so the requests queue on the bin line and not only on
	// the location.
	locs := make([]apiLocation, 3)
	for i := range locs {
		locs[i] = createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	}

	start := time.Now()
	results := lmstest.Together(racers, func(i int) struct {
		P   licensesPayload
		Err error
	} {
		p, err := postAttach(env, lmstest.DealerY, locs[i%len(locs)].ID, "", sel{Line: lineID, Qty: qty(1)})
		return struct {
			P   licensesPayload
			Err error
		}{p, err}
	})
	t.Logf("%d concurrent attach requests answered in %s", racers, time.Since(start))

	won, refused := 0, 0
	skcs := map[string]bool{}
	for i, r := range results {
		require.NoError(t, r.Err, "request %d", i)
		if len(r.P.Errors) == 0 {
			won++
			require.Len(t, r.P.Licenses, 1, "request %d", i)
			l := r.P.Licenses[0]
			require.Equal(t, 1, l.Quantity)
			require.Equal(t, "BE107585", l.Part.Number)
			require.Equal(t, "ATTACHED", l.Status)
			require.False(t, skcs[l.SoftwareKeyCode], "SKC %s given twice", l.SoftwareKeyCode)
			skcs[l.SoftwareKeyCode] = true
			continue
		}
		refused++
		require.Equal(t, []string{"INSUFFICIENT_QUANTITY"}, codes(r.P.Errors), "request %d: %+v", i, r.P.Errors)
		require.Equal(t, "input.lines.0.quantity", strings.Join(r.P.Errors[0].Field, "."), "request %d", i)
		require.Empty(t, r.P.Licenses, "request %d", i)
	}
	require.Equal(t, shipped, won, "exactly the shipped quantity is attached")
	require.Equal(t, racers-shipped, refused)

	st := orderLineState(t, env, lmstest.DealerY, lineID)
	require.Equal(t, shipped, st.Shipped)
	require.Zero(t, st.Available)

	// The tables agree: 20 licenses of one unit, all made from the line.
	var rows []struct {
		SoftwareKeyCode string `bun:"software_key_code"`
		Quantity        int    `bun:"quantity"`
		Status          string `bun:"status"`
	}
	require.NoError(t, env.DB.Bun.NewRaw(`SELECT lic.software_key_code, lic.quantity, lic.status FROM licenses AS lic
JOIN order_lines AS ol ON ol.id = lic.order_line_id JOIN license_orders AS o ON o.id = ol.order_id
WHERE o.purchase_order = ?`, po).Scan(context.Background(), &rows))
	require.Len(t, rows, shipped)
	for _, r := range rows {
		require.Equal(t, 1, r.Quantity)
		require.Equal(t, "ATTACHED", r.Status)
		require.True(t, skcs[r.SoftwareKeyCode], "license %s in the table was not answered to any request", r.SoftwareKeyCode)
	}
	requireConserved(t, env)
	require.Empty(t, binByPart(t, env, lmstest.DealerY), "nothing is left in the bin")
}

// mixedOp is the outcome of one operation of the mixed load.
type mixedOp struct {
	Kind  string // attach, detach, activate, or skip (nothing attached to pick)
	Codes []string
	Err   error
}

// expectedCodes are the errors each operation may meet under the mixed
// load: a line emptied by others; a license another worker detached (gone)
// or activated in the meantime.
var expectedCodes = map[string][]string{
	"attach":   {"INSUFFICIENT_QUANTITY"},
	"detach":   {"NOT_FOUND", "ALREADY_ACTIVATED"},
	"activate": {"NOT_FOUND", "ALREADY_ACTIVATED"},
}

// TestQuantityConservedUnderMixedLoad runs a fixed number of random attach,
// detach and activate operations from several workers at once over a few
// bin lines and locations, then checks LIC-15 on the tables: for every
// shipped line, shipped = in bin + attached + activated; and that the API's
// bin agrees with the tables.
func TestQuantityConservedUnderMixedLoad(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	const workers, opsPerWorker = 8, 25

	a := ship(t, env, lmstest.DealerY, "SO-MIX-A", "PO-MIX-A", line{"BE107585", 60}, line{"BE107582", 45})
	b := ship(t, env, lmstest.DealerY, "SO-MIX-B", "PO-MIX-B", line{"BE107573", 30}, line{"BE107585", 40})
	lines := []string{a["BE107585"], a["BE107582"], b["BE107573"], b["BE107585"]}
	locs := make([]string, 4)
	for i := range locs {
		locs[i] = createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)}).ID
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)

	// attachedOf lists a location's attached licenses, as a user picks them.
	attachedOf := func(loc string) ([]string, error) {
		resp, err := env.Post(lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { attachedLicenses(first: 250) { edges { node { id } } } } } }`,
			map[string]any{"id": loc})
		if err != nil {
			return nil, err
		}
		var got struct {
			Node struct {
				AttachedLicenses struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		if err := json.Unmarshal(resp.Data, &got); err != nil {
			return nil, err
		}
		var out []string
		for _, e := range got.Node.AttachedLicenses.Edges {
			out = append(out, e.Node.ID)
		}
		return out, nil
	}
	// pick takes 1 or 2 distinct random elements of from.
	pick := func(rng *rand.Rand, from []string) []string {
		n := min(len(from), 1+rng.IntN(2))
		out := make([]string, 0, n)
		for _, i := range rng.Perm(len(from))[:n] {
			out = append(out, from[i])
		}
		return out
	}

	start := time.Now()
	results := lmstest.Together(workers, func(w int) []mixedOp {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		out := make([]mixedOp, 0, opsPerWorker)
		for range opsPerWorker {
			loc := locs[rng.IntN(len(locs))]
			var op mixedOp
			var errs []userError
			switch k := rng.IntN(10); {
			case k < 5:
				// One or two lines at once, so line locks are taken in
				// several orders.
				op.Kind = "attach"
				var sels []sel
				for _, l := range pick(rng, lines) {
					sels = append(sels, sel{Line: l, Qty: qty(1 + rng.IntN(5))})
				}
				var p licensesPayload
				p, op.Err = postAttach(env, lmstest.DealerY, loc, "", sels...)
				errs = p.Errors
			default:
				attached, err := attachedOf(loc)
				if err != nil {
					op.Kind, op.Err = "list", err
					break
				}
				if len(attached) == 0 {
					op.Kind = "skip"
					break
				}
				chosen := pick(rng, attached)
				if k < 8 {
					op.Kind = "detach"
					var p licensesPayload
					p, op.Err = lmstest.PostMutation[licensesPayload](env, lmstest.DealerY, "detachLicenses", "licenses { id quantity }",
						map[string]any{"locationId": loc, "licenseIds": chosen})
					errs = p.Errors
				} else {
					op.Kind = "activate"
					var p activationPayload
					p, op.Err = postActivate(env, lmstest.DealerY, loc, "", chosen...)
					errs = p.Errors
				}
			}
			op.Codes = codes(errs)
			out = append(out, op)
		}
		return out
	})
	elapsed := time.Since(start)

	done := map[string]int{}
	failed := map[string]int{}
	for w, ops := range results {
		require.Len(t, ops, opsPerWorker)
		for i, op := range ops {
			require.NoError(t, op.Err, "worker %d op %d (%s)", w, i, op.Kind)
			if len(op.Codes) == 0 {
				done[op.Kind]++
				continue
			}
			failed[op.Kind]++
			for _, c := range op.Codes {
				require.Contains(t, expectedCodes[op.Kind], c, "worker %d op %d (%s): %v", w, i, op.Kind, op.Codes)
			}
		}
	}
	t.Logf("%d operations from %d workers in %s: succeeded %v, refused as expected %v", workers*opsPerWorker, workers, elapsed, done, failed)
	for _, kind := range []string{"attach", "detach", "activate"} {
		require.Positive(t, done[kind], "no %s succeeded: the load did not exercise it", kind)
	}

	// Let the file generations the activations started finish, so the
	// server stops cleanly; none may fail.
	files := waitAllFiles(t, env)
	require.NotEmpty(t, files)
	for _, f := range files {
		require.Equal(t, "READY", f.Status, f.Error)
	}

	// LIC-15 on the tables, line by line.
	rows := requireConserved(t, env)
	require.Len(t, rows, len(lines))
	held := map[string]int{}
	inBin := map[string]int{}
	for _, r := range rows {
		t.Logf("PO %s %s: shipped %d = available %d + attached %d + activated %d (%d licenses)",
			r.PurchaseOrder, r.PartNumber, r.Shipped, r.Available, r.Attached, r.Activated, r.Licenses)
		held[r.PartNumber] += r.Attached + r.Activated
		if r.Available > 0 {
			inBin[r.PartNumber] += r.Available
		}
	}

	// The API's bin shows what the tables hold.
	require.Equal(t, inBin, binByPart(t, env, lmstest.DealerY), "licenseBin by part agrees with order_lines")
	for _, l := range lines {
		st := orderLineState(t, env, lmstest.DealerY, l)
		i := slices.IndexFunc(rows, func(r lineBalance) bool {
			return r.PurchaseOrder == st.PurchaseOrder && r.PartNumber == st.Part.Number
		})
		require.GreaterOrEqual(t, i, 0, "bin line %+v is not in the table", st)
		require.Equal(t, rows[i].Shipped, st.Shipped, "%+v", st)
		require.Equal(t, rows[i].Available, st.Available, "%+v", st)
	}

	// And the locations' license lists hold the rest.
	onLocations := map[string]int{}
	for _, loc := range locs {
		var got struct {
			Node struct {
				AttachedLicenses, ActivatedLicenses struct {
					Edges []struct{ Node apiLicense }
				}
			}
		}
		env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location {
  attachedLicenses(first: 250) { edges { node { `+licenseFields+` } } }
  activatedLicenses(first: 250) { edges { node { `+licenseFields+` } } } } } }`, map[string]any{"id": loc}).Decode(t, &got)
		for _, e := range got.Node.AttachedLicenses.Edges {
			require.Equal(t, "ATTACHED", e.Node.Status)
			onLocations[e.Node.Part.Number] += e.Node.Quantity
		}
		for _, e := range got.Node.ActivatedLicenses.Edges {
			require.Equal(t, "ACTIVATED", e.Node.Status)
			onLocations[e.Node.Part.Number] += e.Node.Quantity
		}
	}
	for part, n := range held {
		if n == 0 {
			delete(held, part)
		}
	}
	require.Equal(t, held, onLocations, "the locations' licenses hold what the bin lines miss")
}
