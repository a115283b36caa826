package bench

import (
	"context"
	"time"

	"github.com/google/uuid"

	"lms/auth"
)

// attachMutation attaches quantity 1 of a line, as a front end does.
const attachMutation = `mutation($in: AttachLicensesInput!) { attachLicenses(input: $in) { licenses { id softwareKeyCode } errors { code message } } }`

// user is the user client i acts as.
func (f *Fixture) user(i int) User { return f.Users[i%len(f.Users)] }

// attachCase is one of P1's two cases: each client from its own line, or
// all from one.
type attachCase struct {
	name string
	line func(i int) uuid.UUID
}

func (r *run) attachCases() []attachCase {
	f := r.fixture
	return []attachCase{
		{"distinct lines", func(i int) uuid.UUID { return f.AttachLines[i%len(f.AttachLines)] }},
		{"one line", func(int) uuid.UUID { return f.SharedLine }},
	}
}

// serverAttach is an attach over HTTP by client i (modulo Scale.Clients):
// its user, to its location, from c's line.
func (r *run) serverAttach(c attachCase) opFunc {
	f, n := r.fixture, r.opts.Scale.Clients
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = request(attachMutation, map[string]any{"in": map[string]any{
			"locationId": globalID("Location", f.AttachLocations[i].ID),
			"lines":      []map[string]any{{"lineId": globalID("OrderLine", c.line(i)), "quantity": 1}},
		}})
	}
	return func(ctx context.Context, i int) (int, error) {
		resp, err := r.client.mutate(ctx, f.user(i%n).Token, bodies[i%n], "attachLicenses", nil)
		if err != nil {
			return 0, err
		}
		return resp.statements(), nil
	}
}

// attach is P1: attachLicenses of quantity 1 from Scale.Clients clients,
// each on its own location, from distinct lines and then all from one
// line, paired in every round with the same statements sent through pgx
// (rawAttach) and with the minimal transaction (minimalAttach); then,
// open-loop, attaches offered at half the raw rate of the round.
func (r *run) attach(ctx context.Context) ([]Result, error) {
	f, n, d := r.fixture, r.opts.Scale.Clients, r.opts.Duration
	cases := r.attachCases()
	hashes := make([][]byte, n)
	for i := range hashes {
		hashes[i] = auth.Hash(f.user(i).Token)
	}
	server := r.serverAttach
	raw := func(c attachCase, stmts []statement) opFunc {
		return func(ctx context.Context, i int) (int, error) {
			i %= n
			return notCounted, execute(ctx, r.pool, stmts, newAttachOp(f, f.user(i), f.AttachLocations[i], c.line(i), hashes[i]))
		}
	}

	warm := min(time.Second, d/4)
	for _, op := range []opFunc{server(cases[0]), raw(cases[0], rawAttach), raw(cases[0], minimalAttach)} {
		if err := closedLoop(ctx, n, warm, op).check("warm-up"); err != nil {
			return nil, err
		}
	}

	m := newSeries()
	for round := range r.opts.Rounds {
		var rawDistinct float64
		for ci, c := range cases {
			s := closedLoop(ctx, n, d, server(c))
			if err := s.check("server, " + c.name); err != nil {
				return nil, err
			}
			rw := closedLoop(ctx, n, d, raw(c, rawAttach))
			if err := rw.check("raw, " + c.name); err != nil {
				return nil, err
			}
			mn := closedLoop(ctx, n, d, raw(c, minimalAttach))
			if err := mn.check("minimal, " + c.name); err != nil {
				return nil, err
			}
			m.add("server, "+c.name, s.rate())
			m.add("raw SQL, "+c.name, rw.rate())
			m.add("minimal tx, "+c.name, mn.rate())
			m.add("server / raw, "+c.name, s.rate()/rw.rate())
			m.add("server / minimal, "+c.name, s.rate()/mn.rate())
			m.add("p50, "+c.name, s.percentile(50))
			m.add("p99, "+c.name, s.percentile(99))
			m.add("statements per attach, "+c.name, s.medianStatements())
			r.progress("P1 round %d/%d, %s: server %.0f req/s (p99 %.1f ms, %.0f statements), raw %.0f tx/s, minimal %.0f tx/s",
				round+1, r.opts.Rounds, c.name, s.rate(), s.percentile(99), s.medianStatements(), rw.rate(), mn.rate())
			if ci == 0 {
				rawDistinct = rw.rate()
			}
		}
		offered := rawDistinct / 2
		ol := openLoop(ctx, offered, d, server(cases[0]))
		if err := ol.check("open loop"); err != nil {
			return nil, err
		}
		m.add("open loop: offered (½ raw)", offered)
		m.add("open loop: p99", ol.percentile(99))
		r.progress("P1 round %d/%d, open loop at %.0f req/s: p50 %.1f ms, p99 %.1f ms", round+1, r.opts.Rounds, offered, ol.percentile(50), ol.percentile(99))
	}

	const sc = "P1 attach"
	var out []Result
	for _, c := range cases {
		ratioGoal, statementGoal := noGoal, noGoal
		if c.name == cases[0].name {
			ratioGoal, statementGoal = atLeast(0.8), atMost(8)
		}
		out = append(out,
			measure(sc, "server, "+c.name, unitRate, m["server, "+c.name], noGoal),
			measure(sc, "raw SQL, "+c.name, unitTxRate, m["raw SQL, "+c.name], noGoal),
			measure(sc, "minimal tx, "+c.name, unitTxRate, m["minimal tx, "+c.name], noGoal),
			measure(sc, "server / raw, "+c.name, unitRatio, m["server / raw, "+c.name], ratioGoal),
			measure(sc, "server / minimal, "+c.name, unitRatio, m["server / minimal, "+c.name], noGoal),
			measure(sc, "p50, "+c.name, unitMs, m["p50, "+c.name], noGoal),
			measure(sc, "p99, "+c.name, unitMs, m["p99, "+c.name], noGoal),
			measure(sc, "statements per attach, "+c.name, unitStatements, m["statements per attach, "+c.name], statementGoal),
		)
	}
	out = append(out,
		measure(sc, "open loop: offered (½ raw)", unitRate, m["open loop: offered (½ raw)"], noGoal),
		measure(sc, "open loop: p99", unitMs, m["open loop: p99"], atMost(50)),
	)
	return out, nil
}
