package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// BenchmarkHostileDocuments times the refusal of each hostile document,
// sent without a token and with one, seen for the first time (a fresh comment makes each one a new document,
// so no verdict is cached) and again (the verdict is cached). The goal is
// each refused within 100 ms.
//
//	go test -run '^$' -bench HostileDocuments -benchtime 20x ./server/
func BenchmarkHostileDocuments(b *testing.B) {
	env := lmstest.New(b, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	for _, h := range hostileDocuments() {
		for _, sender := range []string{"anonymous", lmstest.Distributor} {
			for _, fresh := range []bool{true, false} {
				name := h.name + "/" + sender + "/cached"
				if fresh {
					name = h.name + "/" + sender + "/first sight"
				}
				token := env.Tokens[sender]
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					for i := range b.N {
						query := h.query
						if fresh {
							query = fmt.Sprintf("%s\n# %d", query, i)
						}
						body := requestBody(b, query, h.vars)
						start := time.Now()
						status := postAs(b, env, body, token)
						b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms/refusal")
						if status == http.StatusOK && h.message == "" {
							b.Fatalf("%s: answered 200", h.name)
						}
					}
				})
			}
		}
	}
}

// BenchmarkViewerDuringHostileBurst measures a signed-in client's
// `{ viewer { user { email } } }` loop while bursts of 50 hostile documents
// (each new to the server), sent without a token and with one, arrive at
// once, and reports the loop's p50 and p99 latency per kind of document and
// the time the burst took to be refused. The goal is p99 ≤ 50 ms.
//
//	go test -run '^$' -bench ViewerDuringHostileBurst -benchtime 20x ./server/
func BenchmarkViewerDuringHostileBurst(b *testing.B) {
	env := lmstest.New(b, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	viewer := requestBody(b, `{ viewer { user { email } } }`, nil)
	for _, h := range hostileDocuments() {
		for _, sender := range []string{"anonymous", lmstest.Distributor} {
			token := env.Tokens[sender]
			b.Run(h.name+"/"+sender, func(b *testing.B) {
				sender := startSender(b, env, token, func(i int) []byte {
					return requestBody(b, fmt.Sprintf("%s\n# %d", h.query, i), h.vars)
				})
				stop := make(chan struct{})
				loop := make(chan []time.Duration)
				go func() {
					var ls []time.Duration
					for {
						select {
						case <-stop:
							loop <- ls
							return
						default:
						}
						start := time.Now()
						if status := postAs(b, env, viewer, env.Tokens[lmstest.DealerY]); status != http.StatusOK {
							panic(fmt.Sprintf("viewer answered %d", status))
						}
						ls = append(ls, time.Since(start))
					}
				}()
				var bursts time.Duration
				b.ResetTimer()
				for range b.N {
					start := time.Now()
					sender.burst(b)
					bursts += time.Since(start)
				}
				b.StopTimer()
				close(stop)
				latencies := <-loop
				require.NotEmpty(b, latencies)
				slices.Sort(latencies)
				pct := func(p float64) float64 {
					return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
				}
				b.ReportMetric(float64(bursts.Microseconds())/1000/float64(b.N), "burst-ms")
				b.ReportMetric(pct(0.50), "p50-ms")
				b.ReportMetric(pct(0.99), "p99-ms")
				b.ReportMetric(float64(len(latencies)), "viewer-requests")
			})
		}
	}
}

// burstSize is how many hostile requests arrive at once.
const burstSize = 50

// TestMain lets BenchmarkViewerDuringHostileBurst run its attacker as a
// process of its own (this test binary again), as a real one is: the
// attacker's CPU and goroutines are then not the server's.
func TestMain(m *testing.M) {
	if dir := os.Getenv("LMS_HOSTILE_SENDER"); dir != "" {
		os.Exit(sendBursts(dir, os.Getenv("LMS_HOSTILE_URL"), os.Getenv("LMS_HOSTILE_TOKEN")))
	}
	os.Exit(m.Run())
}

// sender is the attacker process: each line on its stdin fires the next
// burst of burstSize requests (the bodies in its directory, in order), and
// it answers a line when all were answered.
type sender struct {
	in  io.Writer
	out *bufio.Reader
}

func startSender(b *testing.B, env *lmstest.Env, token string, body func(i int) []byte) *sender {
	dir := b.TempDir()
	for i := range burstSize * b.N {
		require.NoError(b, os.WriteFile(filepath.Join(dir, strconv.Itoa(i)), body(i), 0o600))
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "LMS_HOSTILE_SENDER="+dir, "LMS_HOSTILE_URL="+env.URL, "LMS_HOSTILE_TOKEN="+token)
	in, err := cmd.StdinPipe()
	require.NoError(b, err)
	out, err := cmd.StdoutPipe()
	require.NoError(b, err)
	cmd.Stderr = os.Stderr
	require.NoError(b, cmd.Start())
	b.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Wait()
	})
	return &sender{in: in, out: bufio.NewReader(out)}
}

func (s *sender) burst(b *testing.B) {
	_, err := fmt.Fprintln(s.in, "go")
	require.NoError(b, err)
	line, err := s.out.ReadString('\n')
	require.NoError(b, err)
	require.Equal(b, "done\n", line)
}

func sendBursts(dir, url, token string) int {
	in := bufio.NewScanner(os.Stdin)
	for n := 0; in.Scan(); n++ {
		var wg sync.WaitGroup
		for i := range burstSize {
			body, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(n*burstSize+i)))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				if resp, err := http.DefaultClient.Do(req); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			})
		}
		wg.Wait()
		fmt.Println("done")
	}
	return 0
}

func requestBody(tb testing.TB, query string, vars map[string]any) []byte {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(tb, err)
	return body
}

// post sends an anonymous GraphQL request and returns the status.
func post(tb testing.TB, env *lmstest.Env, body []byte) int { return postAs(tb, env, body, "") }

func postAs(tb testing.TB, env *lmstest.Env, body []byte, token string) int {
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
