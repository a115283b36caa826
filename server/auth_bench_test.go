package server_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// BenchmarkAuthentication compares a signed-in `{ viewer { user { email } } }`
// with an anonymous `{ __typename }`: the difference is what authenticating
// a request costs (issue 14's goal: the viewer at ≥ 0.5× the anonymous
// rate). It reports the SQL statements of the signed-in request.
//
//	go test -run '^$' -bench Authentication -benchtime 2000x ./server/
func BenchmarkAuthentication(b *testing.B) {
	env := lmstest.New(b, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	for _, c := range []struct{ name, user, query string }{
		{"anonymous __typename", "", `{ __typename }`},
		{"viewer", lmstest.DealerY, `{ viewer { user { email } } }`},
	} {
		b.Run(c.name, func(b *testing.B) {
			resp, err := env.Post(c.user, c.query, nil)
			require.NoError(b, err)
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := env.Post(c.user, c.query, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(resp.Statements()), "statements/req")
		})
	}
}
