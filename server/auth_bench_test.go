package server_test

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// BenchmarkAuthentication compares a signed-in `{ viewer { user { email } } }`
// with an anonymous `{ __typename }`: the difference is what authenticating
// a request costs (issue 14's goal: the viewer at ≥ 0.5× the anonymous
// rate). It reports the SQL statements the signed-in request spends on
// authentication (none once its token is in memory).
//
//	go test -run '^$' -bench Authentication -benchtime 2000x ./server/
func BenchmarkAuthentication(b *testing.B) {
	env := lmstest.New(b, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	for _, c := range []struct{ name, user, query string }{
		{"anonymous __typename", "", `{ __typename }`},
		{"viewer", lmstest.DealerY, `{ viewer { user { email } } }`},
	} {
		b.Run(c.name, func(b *testing.B) {
			_, err := env.Post(c.user, c.query, nil)
			require.NoError(b, err)
			b.SetParallelism(8)
			b.ResetTimer()
			var statements atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := env.Post(c.user, c.query, nil)
					if err != nil {
						b.Error(err)
						return
					}
					statements.Add(int64(resp.AuthStatements() + resp.Statements()))
				}
			})
			b.ReportMetric(float64(statements.Load())/float64(b.N), "statements/req")
		})
	}
}
