package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// opFunc does one operation as client i and returns the SQL statements the
// server reported for it (possibly none), or notCounted when it went
// straight to PostgreSQL.
type opFunc func(ctx context.Context, i int) (statements int, err error)

// notCounted is the statements of an operation no server counted.
const notCounted = -1

// sample is what one timed run measured.
type sample struct {
	ops, failed int
	firstErr    error
	elapsed     time.Duration
	latencies   []time.Duration // sorted
	statements  []int           // sorted, of the operations that reported any
}

// rate is operations per second.
func (s sample) rate() float64 { return float64(s.ops) / s.elapsed.Seconds() }

// percentile is the latency at p (0–100), in milliseconds.
func (s sample) percentile(p float64) float64 {
	if len(s.latencies) == 0 {
		return 0
	}
	return ms(s.latencies[int(float64(len(s.latencies)-1)*p/100)])
}

// medianStatements is the median of the statements reported.
func (s sample) medianStatements() float64 {
	if len(s.statements) == 0 {
		return 0
	}
	return float64(s.statements[len(s.statements)/2])
}

// check fails a run in which more than 1 % of the operations failed (or
// all did), naming the first failure.
func (s sample) check(what string) error {
	if s.failed > 0 && (s.ops == 0 || s.failed*100 > s.ops+s.failed) {
		return fmt.Errorf("%s: %d of %d operations failed, the first with: %w", what, s.failed, s.ops+s.failed, s.firstErr)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// collector gathers the operations' outcomes from many goroutines.
type collector struct {
	mu sync.Mutex
	s  sample
}

func (c *collector) add(took time.Duration, statements int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.s.failed++
		if c.s.firstErr == nil {
			c.s.firstErr = err
		}
		return
	}
	c.s.ops++
	c.s.latencies = append(c.s.latencies, took)
	if statements != notCounted {
		c.s.statements = append(c.s.statements, statements)
	}
}

func (c *collector) done(elapsed time.Duration) sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.elapsed = elapsed
	slices.Sort(c.s.latencies)
	slices.Sort(c.s.statements)
	return c.s
}

// closedLoop runs op from clients goroutines, each sending its next
// operation when the last one answered, for d; operations started before
// the end complete and count.
func closedLoop(ctx context.Context, clients int, d time.Duration, op opFunc) sample {
	var c collector
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(end) {
				began := time.Now()
				n, err := op(ctx, i)
				c.add(time.Since(began), n, err)
			}
		}()
	}
	wg.Wait()
	return c.done(time.Since(start))
}

// openLoop offers op at a constant rate for d, whatever the answers: each
// arrival runs in a goroutine of its own, and its latency counts from the
// moment it was scheduled, so that a server falling behind shows in the
// latencies instead of slowing the clients down.
func openLoop(ctx context.Context, rate float64, d time.Duration, op opFunc) sample {
	var c collector
	var wg sync.WaitGroup
	start := time.Now()
	arrivals := int(rate * d.Seconds())
	for i := range arrivals {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		time.Sleep(time.Until(at)) // the arrival schedule itself
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := op(ctx, i)
			c.add(time.Since(at), n, err)
		}()
	}
	wg.Wait()
	return c.done(time.Since(start))
}
