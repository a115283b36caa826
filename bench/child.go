package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	smtp "github.com/emersion/go-smtp"

	"lms/licensefile/format"
)

// child is the server under test: `lms serve` (API and workers) in a
// process of its own, so that its memory and CPU are its own, with an SMTP
// sink in the bench's process that accepts every mail.
type child struct {
	cmd    *exec.Cmd
	url    string
	dir    string // the server's log and license signing key
	sink   *smtpSink
	exited chan struct{}
	err    error // how the process ended, once exited is closed
}

// readyTimeout bounds the server's start.
const readyTimeout = time.Minute

// startServer starts the server on the bench database at a free port and
// waits until /readyz answers. Stop it with stop.
func startServer(ctx context.Context, opts Opts, dbURL string) (*child, error) {
	dir, err := os.MkdirTemp("", "lms-bench-")
	if err != nil {
		return nil, err
	}
	c := &child{dir: dir, exited: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			c.stop()
		}
	}()
	if c.sink, err = startSMTPSink(); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	c.url = "http://" + addr
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()

	c.cmd = exec.Command(opts.Server.Path, opts.Server.Args...)
	c.cmd.Env = append(append(os.Environ(), opts.Server.Env...),
		"DATABASE_URL="+dbURL,
		"LMS_HTTP_ADDR="+addr,
		"LMS_ENV=development",
		"LMS_EXPOSE_SQL_COUNT=true",
		"LMS_RUN_API=true",
		"LMS_RUN_WORKERS=true",
		// The bench migrated the database; skipping it also lets the URL
		// carry pool settings (pool_max_conns), which the server's
		// create-if-missing step does not understand.
		"LMS_SKIP_MIGRATE=true",
		"LMS_SMTP_HOST=127.0.0.1",
		"LMS_SMTP_PORT="+strconv.Itoa(c.sink.port),
		"LMS_SMTP_TLS_POLICY=none",
		"LMS_SMTP_FROM=LMS Bench <lms@bench.example>",
		"LMS_SWA_COOLING_OFF="+opts.CoolingOff.String(),
		format.KeyFileEnv+"="+filepath.Join(dir, "license-key.pem"),
	)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	dieWithParent(c.cmd)
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server %s: %w", opts.Server.Path, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	if err := c.waitReady(ctx); err != nil {
		return nil, err
	}
	ok = true
	return c, nil
}

// waitReady polls /readyz until the server answers 200.
func (c *child) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-c.exited:
			return fmt.Errorf("the server exited before it was ready (%v):\n%s", c.err, c.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond): // polling an external process, which sends no signal
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server was not ready within %s:\n%s", readyTimeout, c.logTail())
		}
	}
}

// alive reports an error when the server has exited.
func (c *child) alive() error {
	select {
	case <-c.exited:
		return fmt.Errorf("the server exited (%v):\n%s", c.err, c.logTail())
	default:
		return nil
	}
}

// stop ends the server (SIGTERM, then SIGKILL after 10 s), the SMTP sink
// and the temporary directory.
func (c *child) stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
	}
	if c.sink != nil {
		c.sink.close()
	}
	_ = os.RemoveAll(c.dir)
}

// logTail is the end of the server's log, for errors.
func (c *child) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// memory returns the server's resident set now (VmRSS) and at its peak
// (VmHWM), in bytes, from /proc.
func (c *child) memory() (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read the server's memory: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	if peak == 0 {
		return 0, 0, errors.New("no VmHWM in /proc/<pid>/status")
	}
	return rss, peak, nil
}

// resetPeak starts the server's VmHWM over from its current resident set
// (Linux: "5" to /proc/<pid>/clear_refs).
func (c *child) resetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", c.cmd.Process.Pid), []byte("5"), 0)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// smtpSink is an SMTP server that accepts and drops every message, so that
// the server's mail jobs succeed at once.
type smtpSink struct {
	srv      *smtp.Server
	port     int
	received atomic.Int64
}

func startSMTPSink() (*smtpSink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("SMTP sink: %w", err)
	}
	s := &smtpSink{port: l.Addr().(*net.TCPAddr).Port}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return sinkSession{s}, nil }))
	s.srv.Domain = "bench.example"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *smtpSink) close() { _ = s.srv.Close() }

type sinkSession struct{ sink *smtpSink }

func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s sinkSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	s.sink.received.Add(1)
	return err
}
func (sinkSession) Reset()        {}
func (sinkSession) Logout() error { return nil }
