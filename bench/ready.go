package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

const (
	fileReadySubscription = `subscription($loc: ID!, $file: ID) { licenseFileReady(locationId: $loc, fileId: $file) { id status } }`
	activateMutation      = `mutation($in: ActivateLicensesInput!) { activateLicenses(input: $in) { licenseFile { id } errors { code message } } }`
)

// readyWait bounds the wait for one file.
const readyWait = 30 * time.Second

// fileEvent is a licenseFileReady event.
type fileEvent struct {
	Data struct {
		LicenseFileReady struct{ ID, Status string }
	}
}

// subscriber is a client of P4: its location, its subscription to the
// location's files, and the next of its attached licenses to activate.
type subscriber struct {
	token    string
	location ReadyLocation
	events   <-chan event
	next     int
}

// waitFile waits for the event telling that file is READY and returns when
// it arrived.
func (s *subscriber) waitFile(ctx context.Context, file string) (time.Time, error) {
	timeout := time.NewTimer(readyWait)
	defer timeout.Stop()
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				return time.Time{}, fmt.Errorf("the subscription ended before file %s was ready", file)
			}
			var got fileEvent
			if err := json.Unmarshal(ev.data, &got); err != nil {
				return time.Time{}, fmt.Errorf("event %s: %w", ev.data, err)
			}
			if f := got.Data.LicenseFileReady; f.ID == file {
				if f.Status != "READY" {
					return time.Time{}, fmt.Errorf("file %s is %s", file, f.Status)
				}
				return ev.at, nil
			}
		case <-timeout.C:
			return time.Time{}, fmt.Errorf("file %s not ready within %s", file, readyWait)
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
	}
}

// ready is P4: Scale.Activations activations of one attached license
// (with acceptAgreement), from Scale.ActivationClients clients each
// subscribed over server-sent events to its location's license files,
// timed from sending the mutation to the event telling the new file is
// READY; alone, then while P1's distinct-lines load runs.
func (r *run) ready(ctx context.Context) ([]Result, error) {
	f := r.fixture
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	subs := make([]*subscriber, len(f.Ready))
	for i, loc := range f.Ready {
		s := &subscriber{token: f.user(i).Token, location: loc}
		// Subscribing with the READY first file makes the server send it at
		// once: its arrival proves the subscription is live before the
		// first activation.
		var err error
		first := globalID("LicenseFile", loc.File)
		s.events, err = r.client.subscribe(subCtx, s.token, request(fileReadySubscription, map[string]any{
			"loc": globalID("Location", loc.Location), "file": first,
		}))
		if err != nil {
			return nil, err
		}
		if _, err := s.waitFile(ctx, first); err != nil {
			return nil, fmt.Errorf("subscribe: %w", err)
		}
		subs[i] = s
	}
	per := (r.opts.Scale.Activations + len(subs) - 1) / len(subs)

	m := newSeries()
	for round := range r.opts.Rounds {
		alone := r.activations(ctx, subs, per)
		if err := alone.check("activations"); err != nil {
			return nil, err
		}
		loadCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		var load sample
		go func() {
			defer wg.Done()
			load = closedLoop(loadCtx, r.opts.Scale.Clients, time.Hour, r.serverAttach(r.attachCases()[0]))
		}()
		busy := r.activations(ctx, subs, per)
		stop()
		wg.Wait()
		if err := busy.check("activations while P1 runs"); err != nil {
			return nil, err
		}
		m.add("p50", alone.percentile(50))
		m.add("p99", alone.percentile(99))
		m.add("p50 while P1 runs", busy.percentile(50))
		m.add("p99 while P1 runs", busy.percentile(99))
		r.progress("P4 round %d/%d: %d activations, p50 %.1f ms, p99 %.1f ms; while P1 runs (%.0f attaches/s) p50 %.1f ms, p99 %.1f ms",
			round+1, r.opts.Rounds, alone.ops, alone.percentile(50), alone.percentile(99), load.rate(), busy.percentile(50), busy.percentile(99))
	}
	const sc = "P4 activation → READY"
	return []Result{
		measure(sc, "p50", unitMs, m["p50"], noGoal),
		measure(sc, "p99", unitMs, m["p99"], noGoal),
		measure(sc, "p50 while P1 runs", unitMs, m["p50 while P1 runs"], noGoal),
		measure(sc, "p99 while P1 runs", unitMs, m["p99 while P1 runs"], atMost(50)),
	}, nil
}

// activations has every subscriber activate per licenses, one after the
// other, and times each from the mutation's sending to its file's READY
// event.
func (r *run) activations(ctx context.Context, subs []*subscriber, per int) sample {
	var c collector
	var wg sync.WaitGroup
	start := time.Now()
	for _, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				if s.next == len(s.location.Attached) {
					c.add(0, 0, fmt.Errorf("location %s has no attached license left", s.location.Location))
					return
				}
				lic := s.location.Attached[s.next]
				s.next++
				body := request(activateMutation, map[string]any{"in": map[string]any{
					"locationId": globalID("Location", s.location.Location), "licenseIds": []string{globalID("License", lic)}, "acceptAgreement": true,
				}})
				sent := time.Now()
				var p struct{ LicenseFile struct{ ID string } }
				resp, err := r.client.mutate(ctx, s.token, body, "activateLicenses", &p)
				if err != nil {
					c.add(0, 0, err)
					continue
				}
				at, err := s.waitFile(ctx, p.LicenseFile.ID)
				c.add(at.Sub(sent), resp.statements(), err)
			}
		}()
	}
	wg.Wait()
	return c.done(time.Since(start))
}
