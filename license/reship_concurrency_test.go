package license_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// outcome is what one racing request answered.
type outcome struct {
	code string // "" when it succeeded
	err  error
}

func outcomeOf(errs []userError, err error) outcome {
	if err != nil {
		return outcome{err: err}
	}
	if len(errs) > 0 {
		return outcome{code: errs[0].Code}
	}
	return outcome{}
}

// TestReshipAttachAndReturnRace makes reships and attaches race for one
// distributor line (LIC-12, LIC-15): exactly what the line holds is taken,
// the rest is refused as INSUFFICIENT_QUANTITY. Then the dealer returns its
// reshipped units while the distributor attaches and reships from the same
// line again; afterwards every line balances.
func TestReshipAttachAndReturnRace(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	const stock, requests = 20, 40
	line := ship(t, env, lmstest.Distributor, "SO-RACE", "PO-RACE", line{"391950", stock})["391950"]
	lmc := createLocation(t, env, lmstest.Distributor, "LMC", map[string]any{"hardwareKeyCode": "LM" + randomHex(16)})
	one := []map[string]any{{"lineId": line, "quantity": 1}}

	// Round 1: 20 reships and 20 attaches of one unit each for 20 units.
	dealerLines := make([]string, requests)
	got := lmstest.Together(requests, func(i int) outcome {
		if i%2 == 0 {
			p, err := lmstest.PostMutation[reshipPayload](env, lmstest.Distributor, "reshipLicenses", "order { "+resoldOrderFields+" }", map[string]any{
				"dealerUserEmail": lmstest.DealerY, "salesOrder": fmt.Sprintf("SO-R1-%02d", i), "purchaseOrder": "PO-R1", "lines": one,
			})
			if err == nil && p.Order != nil {
				dealerLines[i] = p.Order.lineIDs()["391950"]
			}
			return outcomeOf(p.Errors, err)
		}
		p, err := postAttach(env, lmstest.Distributor, lmc.ID, "", sel{Line: line, Qty: qty(1)})
		return outcomeOf(p.Errors, err)
	})
	won := 0
	for i, o := range got {
		require.NoError(t, o.err, "request %d", i)
		switch o.code {
		case "":
			won++
		case "INSUFFICIENT_QUANTITY":
		default:
			t.Fatalf("request %d: unexpected %s", i, o.code)
		}
	}
	require.Equal(t, stock, won, "exactly the line's stock is taken")
	require.Zero(t, orderLineState(t, env, lmstest.Distributor, line).Available)
	requireConserved(t, env)

	// Round 2: the dealer returns every reshipped unit while the distributor
	// attaches and reships whatever comes back.
	var returned []string
	for _, id := range dealerLines {
		if id != "" {
			returned = append(returned, id)
		}
	}
	require.NotEmpty(t, returned)
	n := 2 * len(returned)
	got = lmstest.Together(n, func(i int) outcome {
		switch {
		case i < len(returned):
			p, err := lmstest.PostMutation[struct{ Errors []userError }](env, lmstest.DealerY, "returnLicenses", "returns { id }", map[string]any{
				"lines": []map[string]any{{"lineId": returned[i]}},
			})
			return outcomeOf(p.Errors, err)
		case i%2 == 0:
			p, err := postAttach(env, lmstest.Distributor, lmc.ID, "", sel{Line: line, Qty: qty(1)})
			return outcomeOf(p.Errors, err)
		default:
			p, err := lmstest.PostMutation[reshipPayload](env, lmstest.Distributor, "reshipLicenses", "order { id }", map[string]any{
				"dealerUserEmail": lmstest.DealerY, "salesOrder": fmt.Sprintf("SO-R2-%02d", i), "purchaseOrder": "PO-R2", "lines": one,
			})
			return outcomeOf(p.Errors, err)
		}
	})
	for i, o := range got {
		require.NoError(t, o.err, "request %d", i)
		if i < len(returned) {
			require.Empty(t, o.code, "return %d", i)
		} else {
			require.Contains(t, []string{"", "INSUFFICIENT_QUANTITY"}, o.code, "request %d", i)
		}
	}
	requireConserved(t, env)
	for _, id := range returned {
		require.Zero(t, orderLineState(t, env, lmstest.DealerY, id).Available, "every reshipped unit went back")
	}
}

// TestDealerAttachRacesReturn makes a dealer's attaches and returns race
// for one reshipped line (LIC-13, LIC-15): together they take exactly what
// the line holds, and every line balances.
func TestDealerAttachRacesReturn(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	const stock = 20
	source := ship(t, env, lmstest.Distributor, "SO-DR", "PO-DR", line{"391950", stock})["391950"]
	p := reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-DR-Y", "PO-DR-Y", reshipLine{Line: source})
	require.Empty(t, p.Errors)
	dealerLine := p.Order.lineIDs()["391950"]
	lmc := createLocation(t, env, lmstest.DealerY, "LMC", map[string]any{"hardwareKeyCode": "LM" + randomHex(16)})

	got := lmstest.Together(2*stock, func(i int) outcome {
		if i%2 == 0 {
			p, err := postAttach(env, lmstest.DealerY, lmc.ID, "", sel{Line: dealerLine, Qty: qty(1)})
			return outcomeOf(p.Errors, err)
		}
		p, err := lmstest.PostMutation[struct{ Errors []userError }](env, lmstest.DealerY, "returnLicenses", "returns { id }", map[string]any{
			"lines": []map[string]any{{"lineId": dealerLine, "quantity": 1}},
		})
		return outcomeOf(p.Errors, err)
	})
	won := 0
	for i, o := range got {
		require.NoError(t, o.err, "request %d", i)
		require.Contains(t, []string{"", "INSUFFICIENT_QUANTITY"}, o.code, "request %d", i)
		if o.code == "" {
			won++
		}
	}
	require.Equal(t, stock, won)
	require.Zero(t, orderLineState(t, env, lmstest.DealerY, dealerLine).Available)
	rows := requireConserved(t, env)
	i := slices.IndexFunc(rows, func(r lineBalance) bool { return r.ID == lmstest.UUIDOf(t, dealerLine).String() })
	require.GreaterOrEqual(t, i, 0)
	require.Equal(t, stock, rows[i].Attached+rows[i].Returned)
	require.Positive(t, rows[i].Returned, "some returns won")
	require.Positive(t, rows[i].Attached, "some attaches won")
}
