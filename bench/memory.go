package bench

import (
	"context"
	"fmt"
)

// memory is P6: the server's peak resident set (VmHWM, started over before
// each run) under Scale.MemoryClients clients, half of them attaching as
// P1's clients do, half reading P2's license pages.
func (r *run) memory(ctx context.Context) ([]Result, error) {
	f := r.fixture
	attach := r.serverAttach(r.attachCases()[0])
	pages := make([][]byte, len(f.Pages))
	for i, p := range f.Pages {
		pages[i] = request(licensePage, map[string]any{"id": globalID("Location", p.Location)})
	}
	mix := func(ctx context.Context, i int) (int, error) {
		if i%2 == 0 {
			return attach(ctx, i)
		}
		resp, err := r.client.post(ctx, f.user(i).Token, pages[i/2%len(pages)])
		if err != nil {
			return 0, err
		}
		return resp.statements(), nil
	}
	m := newSeries()
	for round := range r.opts.Rounds {
		for _, n := range r.opts.Scale.MemoryClients {
			if err := r.server.resetPeak(); err != nil {
				return nil, err
			}
			s := closedLoop(ctx, n, r.opts.Duration, mix)
			if err := s.check(fmt.Sprintf("%d clients", n)); err != nil {
				return nil, err
			}
			_, peak, err := r.server.memory()
			if err != nil {
				return nil, err
			}
			mb := float64(peak) / (1 << 20)
			m.add(fmt.Sprintf("peak RSS, %d clients", n), mb)
			m.add(fmt.Sprintf("requests, %d clients", n), s.rate())
			r.progress("P6 round %d/%d, %d clients: peak RSS %.1f MB at %.0f req/s (p99 %.1f ms)", round+1, r.opts.Rounds, n, mb, s.rate(), s.percentile(99))
		}
	}
	const sc = "P6 memory"
	var out []Result
	last := r.opts.Scale.MemoryClients[len(r.opts.Scale.MemoryClients)-1]
	for _, n := range r.opts.Scale.MemoryClients {
		g := noGoal
		if n == last {
			g = atMost(150)
		}
		out = append(out,
			measure(sc, fmt.Sprintf("peak RSS, %d clients", n), unitMB, m[fmt.Sprintf("peak RSS, %d clients", n)], g),
			measure(sc, fmt.Sprintf("requests, %d clients", n), unitRate, m[fmt.Sprintf("requests, %d clients", n)], noGoal),
		)
	}
	return out, nil
}
