package mailtest_test

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"lms/mail/mailtest"
)

// send transmits raw (LF line endings) with a plain SMTP client, so that
// these tests do not depend on package mail's sender.
func send(t *testing.T, server *mailtest.Server, from string, to []string, raw string) error {
	t.Helper()
	// smtp.SendMail insists on STARTTLS, which the server does not offer.
	c, err := smtp.Dial(net.JoinHostPort(server.Host(), strconv.Itoa(server.Port())))
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, strings.NewReader(strings.ReplaceAll(raw, "\n", "\r\n"))); err != nil {
		return err
	}
	return c.Quit()
}

const multipartMessage = `From: LMS <lms@example.test>
To: dana@dealer.example
Subject: =?UTF-8?q?M=C3=BCller_&_S=C3=B6hne?= ready
Message-ID: <abc-1@lms.example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Hello M=C3=BCller, this line is long enough to need a soft line break so th=
at it stays under 76 characters.
Second line.
--inner
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: base64

PHA+SGVsbG8gTcO8bGxlcjwv
cD4K
--inner--
--outer
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

Not the body.
--outer--
`

func TestServer_ParsesMessages(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		raw  string
		want mailtest.Received
	}{
		{
			name: "NestedMultipart",
			raw:  multipartMessage,
			want: mailtest.Received{
				Subject:   "Müller & Söhne ready",
				MessageID: "abc-1@lms.example.test",
				Text:      "Hello Müller, this line is long enough to need a soft line break so that it stays under 76 characters.\nSecond line.",
				HTML:      "<p>Hello Müller</p>\n",
			},
		},
		{
			name: "SinglePartWithoutMIMEHeaders",
			raw:  "Subject: Plain\n\nJust text.\n",
			want: mailtest.Received{Subject: "Plain", Text: "Just text.\n"},
		},
		{
			name: "SinglePartHTML",
			raw:  "Subject: Web\nContent-Type: text/html; charset=UTF-8\n\n<p>Hi</p>\n",
			want: mailtest.Received{Subject: "Web", HTML: "<p>Hi</p>\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			server := mailtest.NewServer(t)

			require.NoError(t, send(t, server, "lms@example.test", []string{"dana@dealer.example", "ed@dealer.example"}, tt.raw))

			got := server.WaitForMessages(t, 1, 5*time.Second)[0]
			require.Equal(t, strings.ReplaceAll(tt.raw, "\n", "\r\n"), string(got.Raw))
			got.Raw = nil
			tt.want.From = "lms@example.test"
			tt.want.To = []string{"dana@dealer.example", "ed@dealer.example"}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestServer_FailNext(t *testing.T) {
	t.Parallel()

	tests := []struct {
		code         int
		wantEnhanced smtp.EnhancedCode
	}{
		{code: 451, wantEnhanced: smtp.EnhancedCode{4, 3, 0}},
		{code: 550, wantEnhanced: smtp.EnhancedCode{5, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			t.Parallel()
			server := mailtest.NewServer(t)
			server.FailNext(2, tt.code)

			for range 2 {
				err := send(t, server, "lms@example.test", []string{"dana@dealer.example"}, "Subject: Hi\n\nHi.\n")
				smtpErr, ok := errors.AsType[*smtp.SMTPError](err)
				require.True(t, ok, "want *smtp.SMTPError, got %v", err)
				require.Equal(t, tt.code, smtpErr.Code)
				require.Equal(t, tt.wantEnhanced, smtpErr.EnhancedCode)
			}
			require.Empty(t, server.Messages(), "failed transactions are not recorded")

			require.NoError(t, send(t, server, "lms@example.test", []string{"dana@dealer.example"}, "Subject: Hi\n\nHi.\n"))
			require.Len(t, server.Messages(), 1)
			require.Equal(t, 3, server.Attempts())
		})
	}
}

func TestServer_HoldNext(t *testing.T) {
	t.Parallel()
	server := mailtest.NewServer(t)
	server.HoldNext(1)

	c, err := smtp.Dial(net.JoinHostPort(server.Host(), strconv.Itoa(server.Port())))
	require.NoError(t, err)
	defer c.Close()
	// The server never answers the held DATA: the client gives up waiting.
	c.SubmissionTimeout = 100 * time.Millisecond
	err = c.SendMail("lms@example.test", []string{"dana@dealer.example"}, strings.NewReader("Subject: Hi\r\n\r\nHi.\r\n"))
	netErr, ok := errors.AsType[net.Error](err)
	require.True(t, ok && netErr.Timeout(), "want a timeout waiting for the reply, got %v", err)
	require.Len(t, server.Messages(), 1, "the held message was received")

	require.NoError(t, send(t, server, "lms@example.test", []string{"dana@dealer.example"}, "Subject: Hi\n\nHi.\n"))
	require.Len(t, server.Messages(), 2, "only the next transaction is held")
	require.Equal(t, 2, server.Attempts())
}

func TestServer_FailNext_RejectsSuccessCode(t *testing.T) {
	t.Parallel()
	server := mailtest.NewServer(t)

	require.Panics(t, func() { server.FailNext(1, 250) })
}

func TestServer_MessagesReturnsCopy(t *testing.T) {
	t.Parallel()
	server := mailtest.NewServer(t)
	require.NoError(t, send(t, server, "lms@example.test", []string{"dana@dealer.example"}, "Subject: Hi\n\nHi.\n"))

	first := server.WaitForMessages(t, 1, 5*time.Second)
	first[0].To[0] = "eve@example.com"
	first[0].Raw[0] = 'X'
	first[0].Subject = "changed"

	again := server.Messages()
	require.Equal(t, []string{"dana@dealer.example"}, again[0].To)
	require.Equal(t, "Hi", again[0].Subject)
	require.True(t, strings.HasPrefix(string(again[0].Raw), "Subject:"))

	// Messages hands out copies too.
	again[0].To[0] = "eve@example.com"
	again[0].Raw[0] = 'X'
	again[0].Subject = "changed"
	third := server.Messages()
	require.Equal(t, []string{"dana@dealer.example"}, third[0].To)
	require.Equal(t, "Hi", third[0].Subject)
	require.True(t, strings.HasPrefix(string(third[0].Raw), "Subject:"))
}

func TestServer_ConcurrentUse(t *testing.T) {
	t.Parallel()
	server := mailtest.NewServer(t)

	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = send(t, server, "lms@example.test", []string{fmt.Sprintf("user%d@dealer.example", i)}, "Subject: Hi\n\nHi.\n")
		})
		wg.Go(func() { _ = server.Messages(); _ = server.Attempts() })
	}
	wg.Wait()

	require.NoError(t, errors.Join(errs...))
	msgs := server.WaitForMessages(t, n, 5*time.Second)
	require.Len(t, msgs, n)
	require.Equal(t, n, server.Attempts())
}

// fatalRecorder stands in for t where a helper is expected to fail the test.
type fatalRecorder struct {
	testing.TB
	mu    sync.Mutex
	fatal string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fatal = fmt.Sprintf(format, args...)
}

func TestServer_WaitForMessages_Timeout(t *testing.T) {
	t.Parallel()
	server := mailtest.NewServer(t)
	require.NoError(t, send(t, server, "lms@example.test", []string{"dana@dealer.example"}, "Subject: Hi\n\nHi.\n"))

	rec := &fatalRecorder{TB: t}
	got := server.WaitForMessages(rec, 2, 50*time.Millisecond)
	require.Nil(t, got)
	require.Equal(t, "mailtest: got 1 messages within 50ms, want at least 2", rec.fatal)
}

func TestServer_Config(t *testing.T) {
	t.Parallel()
	server := mailtest.NewServer(t)

	cfg := server.Config()
	require.True(t, cfg.Enabled())
	require.NoError(t, cfg.Validate())
	require.Equal(t, "127.0.0.1", cfg.Host)
	require.Equal(t, server.Port(), cfg.Port)
	require.Equal(t, "none", cfg.TLSPolicy)
	require.Equal(t, mailtest.From, cfg.From)
}
