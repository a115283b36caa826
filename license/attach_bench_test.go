package license_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"lms/lmstest"
)

// BenchmarkAttach is a simple load loop: attachLicenses of quantity 1
// through the HTTP API, from parallel clients, spread over 8 locations of
// one dealer and taking from one bin line (the contended case: every
// request locks that line). Run with
//
//	go test -run '^$' -bench BenchmarkAttach -benchtime 2000x ./license/
func BenchmarkAttach(b *testing.B) {
	env := lmstest.New(b, lmstest.Opts{NoSMTP: true})
	lines := ship(b, env, lmstest.DealerY, "SO-BENCH", "PO-BENCH", line{"BE107585", 1_000_000})
	locs := make([]string, 8)
	for i := range locs {
		locs[i] = createLocation(b, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)}).ID
	}
	b.SetParallelism(4)
	b.ResetTimer()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			loc := locs[n.Add(1)%int64(len(locs))]
			p, err := postAttach(env, lmstest.DealerY, loc, "", sel{Line: lines["BE107585"], Qty: qty(1)})
			if err != nil || len(p.Errors) > 0 {
				panic(fmt.Sprint(err, p.Errors)) // no *testing.B from RunParallel's goroutines
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "attaches/s")
}
