package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

const (
	assignSwaMutation  = `mutation($in: AssignSwaInput!) { assignSwa(input: $in) { activation { id status dueAt } errors { code message } } }`
	processSwaMutation = `mutation($in: ProcessSwaImmediatelyInput!) { processSwaImmediately(input: $in) { agreement { number } activation { status } errors { code message } } }`
	swaStatusQuery     = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on SwaActivation { id status dueAt resolvedAt } } }`
)

// Paces of P5's client: assignments are made swaPace apart, so that their
// due moments fall on every phase of the workers' polling, and the client
// looks for activated ones every swaPoll.
const (
	swaPace = 100 * time.Millisecond
	swaPoll = 25 * time.Millisecond
)

// swaDueWait bounds the wait for the due assignments of a round.
const swaDueWait = time.Minute

// swa is P5, as swa/bench_test.go's BenchmarkCoolingOff measures it but
// over the child server: Scale.SwaAssignments assignments of 12 months of
// SWA made swaPace apart, each timed from its due moment (dueAt, the end of
// Opts.CoolingOff) to its activation by the River job, as the server
// recorded it (resolvedAt) and as a client polling every swaPoll first saw
// it ACTIVATED; then as many assignments processed at once
// ("processSwaImmediately"), each timed from the request to its answer.
func (r *run) swa(ctx context.Context) ([]Result, error) {
	f, k := r.fixture, r.opts.Scale.SwaAssignments
	token := f.user(0).Token
	m := newSeries()
	for round := range r.opts.Rounds {
		locs := f.Swa[2*round*k : 2*(round+1)*k]
		recorded, seen, err := r.swaDue(ctx, token, locs[:k])
		if err != nil {
			return nil, fmt.Errorf("cooling-off: %w", err)
		}
		var took []time.Duration
		for _, loc := range locs[k:] {
			act, err := r.assignSwa(ctx, token, loc)
			if err != nil {
				return nil, err
			}
			sent := time.Now()
			var p struct {
				Agreement  *struct{ Number string }
				Activation struct{ Status string }
			}
			if _, err := r.client.mutate(ctx, token, request(processSwaMutation, map[string]any{"in": map[string]any{"activationId": act, "reason": "lms bench"}}), "processSwaImmediately", &p); err != nil {
				return nil, err
			}
			took = append(took, time.Since(sent))
			if p.Agreement == nil || p.Activation.Status != "ACTIVATED" {
				return nil, fmt.Errorf("processSwaImmediately answered %+v", p)
			}
		}
		slices.Sort(recorded)
		slices.Sort(seen)
		slices.Sort(took)
		due, dueSeen, now := sample{latencies: recorded}, sample{latencies: seen}, sample{latencies: took}
		m.add("due → ACTIVE p50 (server)", due.percentile(50))
		m.add("due → ACTIVE p99 (server)", due.percentile(99))
		m.add("due → ACTIVE p99 (seen)", dueSeen.percentile(99))
		m.add("process now p50", now.percentile(50))
		m.add("process now p99", now.percentile(99))
		r.progress("P5 round %d/%d: due → ACTIVE p50 %.0f ms, p99 %.0f ms (seen p99 %.0f ms); process now p50 %.1f ms, p99 %.1f ms",
			round+1, r.opts.Rounds, due.percentile(50), due.percentile(99), dueSeen.percentile(99), now.percentile(50), now.percentile(99))
	}
	const sc = "P5 SWA"
	return []Result{
		measure(sc, "due → ACTIVE p50 (server)", unitMs, m["due → ACTIVE p50 (server)"], noGoal),
		measure(sc, "due → ACTIVE p99 (server)", unitMs, m["due → ACTIVE p99 (server)"], noGoal),
		measure(sc, "due → ACTIVE p99 (seen)", unitMs, m["due → ACTIVE p99 (seen)"], atMost(5000)),
		measure(sc, "process now p50", unitMs, m["process now p50"], noGoal),
		measure(sc, "process now p99", unitMs, m["process now p99"], atMost(1000)),
	}, nil
}

// assignSwa assigns 12 months of SWA to a location, taking the units, and
// returns the pending activation's id.
func (r *run) assignSwa(ctx context.Context, token string, loc uuid.UUID) (string, error) {
	var p struct{ Activation struct{ ID, Status string } }
	_, err := r.client.mutate(ctx, token, request(assignSwaMutation, map[string]any{"in": map[string]any{
		"locationId": globalID("Location", loc), "termMonths": 12, "authoriseUnits": true,
	}}), "assignSwa", &p)
	if err != nil {
		return "", err
	}
	if p.Activation.Status != "PENDING" {
		return "", fmt.Errorf("assignSwa made a %s activation", p.Activation.Status)
	}
	return p.Activation.ID, nil
}

// swaDue assigns SWA to locs swaPace apart and, polling, waits until every
// assignment is activated; it returns for each how long after its due
// moment it was activated, as recorded and as seen.
func (r *run) swaDue(ctx context.Context, token string, locs []uuid.UUID) (recorded, seen []time.Duration, err error) {
	ids := make(chan string, len(locs))
	failed := make(chan error, 1)
	go func() {
		pace := time.NewTicker(swaPace)
		defer pace.Stop()
		for _, loc := range locs {
			<-pace.C
			act, err := r.assignSwa(ctx, token, loc)
			if err != nil {
				failed <- err
				return
			}
			ids <- act
		}
	}()
	deadline := time.Now().Add(r.opts.CoolingOff + swaDueWait)
	var pending []string
	for len(recorded) < len(locs) {
		select {
		case err := <-failed:
			return nil, nil, err
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(swaPoll): // the client's poll interval
		}
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("%d of %d assignments not activated within %s of their due moment", len(locs)-len(recorded), len(locs), swaDueWait)
		}
	drain:
		for {
			select {
			case id := <-ids:
				pending = append(pending, id)
			default:
				break drain
			}
		}
		if len(pending) == 0 {
			continue
		}
		resp, err := r.client.post(ctx, token, request(swaStatusQuery, map[string]any{"ids": pending}))
		if err != nil {
			return nil, nil, err
		}
		now := time.Now()
		var got struct {
			Nodes []struct {
				ID, Status        string
				DueAt, ResolvedAt *time.Time
			}
		}
		if err := json.Unmarshal(resp.Data, &got); err != nil {
			return nil, nil, err
		}
		pending = pending[:0]
		for _, n := range got.Nodes {
			if n.Status != "ACTIVATED" {
				pending = append(pending, n.ID)
				continue
			}
			recorded = append(recorded, n.ResolvedAt.Sub(*n.DueAt))
			seen = append(seen, now.Sub(*n.DueAt))
		}
	}
	return recorded, seen, nil
}
