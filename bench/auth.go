package bench

import "context"

const (
	viewerQuery   = `{ viewer { user { email } } }`
	typenameQuery = `{ __typename }`
)

// auth measures what authentication costs: Scale.Clients clients asking
// for the viewer with their tokens, against as many asking an
// unauthenticated `{ __typename }`, which touches no database.
func (r *run) auth(ctx context.Context) ([]Result, error) {
	f, n, d := r.fixture, r.opts.Scale.Clients, r.opts.Duration
	viewer, typename := request(viewerQuery, nil), request(typenameQuery, nil)
	query := func(body []byte, authenticated bool) opFunc {
		return func(ctx context.Context, i int) (int, error) {
			token := ""
			if authenticated {
				token = f.user(i).Token
			}
			resp, err := r.client.post(ctx, token, body)
			if err != nil {
				return 0, err
			}
			return resp.statements(), nil
		}
	}
	m := newSeries()
	for round := range r.opts.Rounds {
		v := closedLoop(ctx, n, d, query(viewer, true))
		if err := v.check("viewer"); err != nil {
			return nil, err
		}
		t := closedLoop(ctx, n, d, query(typename, false))
		if err := t.check("__typename"); err != nil {
			return nil, err
		}
		m.add("viewer", v.rate())
		m.add("__typename, unauthenticated", t.rate())
		m.add("viewer / __typename", v.rate()/t.rate())
		m.add("statements per viewer", v.medianStatements())
		r.progress("authentication round %d/%d: viewer %.0f req/s (%.0f statements), __typename %.0f req/s",
			round+1, r.opts.Rounds, v.rate(), v.medianStatements(), t.rate())
	}
	const sc = "authentication"
	return []Result{
		measure(sc, "viewer", unitRate, m["viewer"], noGoal),
		measure(sc, "__typename, unauthenticated", unitRate, m["__typename, unauthenticated"], noGoal),
		measure(sc, "viewer / __typename", unitRatio, m["viewer / __typename"], atLeast(0.5)),
		measure(sc, "statements per viewer", unitStatements, m["statements per viewer"], noGoal),
	}, nil
}
