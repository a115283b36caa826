package license_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"lms/lmstest"
)

// BenchmarkAttach is a simple load loop: attachLicenses of quantity 1
// through the HTTP API from 32 parallel clients, each with a location of
// its own, taking from one bin line ("OneLine", the contended case: every
// request locks that line) or from a line of its own ("DistinctLines").
// `lms bench` measures the same against PostgreSQL's own speed; run this with
//
//	go test -run '^$' -bench BenchmarkAttach -benchtime 2000x ./license/
func BenchmarkAttach(b *testing.B) {
	env := lmstest.New(b, lmstest.Opts{NoSMTP: true})
	const clients = 32
	var lines []string
	for o := range clients / len(sv8100Parts) {
		var ls []line
		for _, p := range sv8100Parts {
			ls = append(ls, line{p, 1_000_000})
		}
		shipped := ship(b, env, lmstest.DealerY, fmt.Sprintf("SO-BENCH-%d", o), fmt.Sprintf("PO-BENCH-%d", o), ls...)
		for _, p := range sv8100Parts {
			lines = append(lines, shipped[p])
		}
	}
	locs := make([]string, clients)
	for i := range locs {
		locs[i] = createLocation(b, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)}).ID
	}
	for _, bc := range []struct {
		name string
		line func(client int64) string
	}{
		{"OneLine", func(int64) string { return lines[0] }},
		{"DistinctLines", func(c int64) string { return lines[c] }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			var next, statements atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				client := (next.Add(1) - 1) % clients
				for pb.Next() {
					resp, err := env.Post(lmstest.DealerY, attachOne, map[string]any{"loc": locs[client], "line": bc.line(client)})
					if err != nil || !strings.Contains(string(resp.Data), `"errors":[]`) {
						panic(fmt.Sprint(err, string(resp.Data))) // no *testing.B from RunParallel's goroutines
					}
					statements.Add(int64(resp.Statements()))
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "attaches/s")
			b.ReportMetric(float64(statements.Load())/float64(b.N), "statements/op")
		})
	}
}

// attachOne is the attach a front end sends: one unit of one line, the new
// license's code and part back.
const attachOne = `mutation($loc: ID!, $line: ID!) { attachLicenses(input: {locationId: $loc, lines: [{lineId: $line, quantity: 1}]}) {
  licenses { id softwareKeyCode part { number } } errors { code message field } } }`
