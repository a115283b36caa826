// Package mailtest runs an in-process SMTP server that records what it
// receives, for tests of code that sends mail through package mail.
package mailtest

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"

	"lms/mail"
)

// From is the sender address of the [mail.Config] that [Server.Config]
// returns.
const From = "lms@example.test"

// Server is an SMTP server on 127.0.0.1 that accepts every message (unless
// told to fail with [Server.FailNext]) and keeps it for inspection. All its
// methods are safe for concurrent use.
type Server struct {
	host string
	port int

	mu       sync.Mutex
	received []Received
	arrived  chan struct{} // closed and replaced whenever a message is received
	attempts int
	failLeft int
	failCode int
	holdLeft int
	stopping chan struct{} // closed when the test ends, to free held transactions
}

// NewServer starts a Server on a free port of 127.0.0.1 and stops it when
// the test ends. It fails the test if it cannot listen.
func NewServer(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	addr := l.Addr().(*net.TCPAddr)
	s := &Server{host: addr.IP.String(), port: addr.Port, arrived: make(chan struct{}), stopping: make(chan struct{})}

	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	srv.Domain = "mailtest.example.test"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 50
	// A test sees failures on the client side; a logger bound to t would
	// panic when a connection outlives the test.
	srv.ErrorLog = log.New(io.Discard, "", 0)

	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(l) // returns nil once closed
	}()
	t.Cleanup(func() {
		close(s.stopping)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
		// Shutdown only closes listeners Serve has registered; closing l
		// also ends a Serve that had not started yet.
		_ = l.Close()
		<-served
	})
	return s
}

// Host returns the address the server listens on, "127.0.0.1".
func (s *Server) Host() string { return s.host }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.port }

// Config returns a valid, enabled [mail.Config] for this server: no TLS, no
// authentication, sender [From], and a short timeout.
func (s *Server) Config() mail.Config {
	return mail.Config{
		Host:      s.host,
		Port:      s.port,
		TLSPolicy: mail.TLSNone,
		From:      From,
		Timeout:   5 * time.Second,
	}
}

// Messages returns a copy of the messages accepted so far, in arrival order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneReceived(s.received)
}

// WaitForMessages waits until at least n messages have been accepted and
// returns them all. It fails the test (with t.Fatalf, so call it from the
// test's goroutine) when timeout passes first.
func (s *Server) WaitForMessages(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.received) >= n {
			msgs := cloneReceived(s.received)
			s.mu.Unlock()
			return msgs
		}
		got, arrived := len(s.received), s.arrived
		s.mu.Unlock()

		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("mailtest: got %d messages within %s, want at least %d", got, timeout, n)
			return nil
		}
	}
}

// FailNext makes the next n transactions fail at the end of DATA with the
// SMTP reply code (e.g. 451 for a temporary failure, 550 for a permanent
// one), sent as an *smtp.SMTPError with enhanced status code 4.3.0 or 5.0.0.
// The failed messages count as attempts but are not recorded. A later call
// replaces an earlier one. It panics if code is not 4xx or 5xx.
func (s *Server) FailNext(n int, code int) {
	if code < 400 || code > 599 {
		panic(fmt.Sprintf("mailtest: FailNext code %d is not a 4xx or 5xx reply", code))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft, s.failCode = n, code
}

// HoldNext makes the next n transactions hang after their data: the message
// is recorded as accepted, but the reply to DATA never comes until the test
// ends, as from a server that took the message and then stalled. Clients
// see a message go out whose outcome they cannot know (a process killed
// then must send it again, with the same Message-ID). A later call
// replaces an earlier one.
func (s *Server) HoldNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holdLeft = n
}

// Attempts returns how many messages clients have transmitted with DATA,
// whether they were accepted or failed by [Server.FailNext].
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// deliver counts an attempt and either records raw or returns the failure
// FailNext asked for; a transaction HoldNext asked for is recorded and then
// held until the test ends.
func (s *Server) deliver(from string, to []string, raw []byte) error {
	hold, err := s.record(from, to, raw)
	if hold {
		<-s.stopping
	}
	return err
}

func (s *Server) record(from string, to []string, raw []byte) (hold bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.failLeft > 0 {
		s.failLeft--
		return false, failure(s.failCode)
	}
	s.received = append(s.received, parseReceived(from, to, raw))
	close(s.arrived)
	s.arrived = make(chan struct{})
	if s.holdLeft > 0 {
		s.holdLeft--
		return true, nil
	}
	return false, nil
}

func failure(code int) *smtp.SMTPError {
	if code/100 == 4 {
		return &smtp.SMTPError{
			Code:         code,
			EnhancedCode: smtp.EnhancedCode{4, 3, 0},
			Message:      "mailtest: temporary failure requested by FailNext",
		}
	}
	return &smtp.SMTPError{
		Code:         code,
		EnhancedCode: smtp.EnhancedCode{5, 0, 0},
		Message:      "mailtest: permanent failure requested by FailNext",
	}
}

// session collects one transaction's envelope and hands the data to the
// server.
type session struct {
	server *Server
	from   string
	to     []string
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp turns its own errors (message too large) into replies
	}
	return se.server.deliver(se.from, se.to, raw)
}

func (se *session) Reset() {
	se.from, se.to = "", nil
}

func (se *session) Logout() error { return nil }
