package mail_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	gomail "github.com/wneessen/go-mail"

	"lms/mail"
)

func TestIsPermanent(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "Nil", err: nil, want: false},
		{name: "InvalidMessage", err: fmt.Errorf("send: %w", mail.ErrInvalidMessage), want: true},
		{name: "Reply535WhileConnecting", err: fmt.Errorf("dial failed: SMTP AUTH failed: %w", &textproto.Error{Code: 535, Msg: "5.7.8 bad credentials"}), want: true},
		{name: "Reply554Greeting", err: &textproto.Error{Code: 554, Msg: "no service"}, want: true},
		{name: "Reply421Greeting", err: &textproto.Error{Code: 421, Msg: "try later"}, want: false},
		{name: "Timeout", err: fmt.Errorf("dial failed: %w", context.DeadlineExceeded), want: false},
		{name: "NetworkError", err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, want: false},
		{name: "TextLooksLikeCode", err: errors.New("550 but not a reply"), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, mail.IsPermanent(tt.err))
		})
	}
}

func TestIsPermanent_ServerReply(t *testing.T) {
	t.Parallel()

	tests := []struct {
		code int
		want bool
	}{
		{code: 550, want: true},
		{code: 554, want: true},
		{code: 451, want: false},
		{code: 421, want: false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			t.Parallel()
			bundle := setupSender(t)
			bundle.server.FailNext(1, tt.code)

			err := bundle.sender.Send(context.Background(), mail.Message{To: "dana@dealer.example", Subject: "Hello", Text: "Hi.\n"})
			require.Error(t, err)
			require.Equal(t, tt.want, mail.IsPermanent(err), "error: %v", err)

			sendErr, ok := errors.AsType[*gomail.SendError](err)
			require.True(t, ok, "want a *mail.SendError in %v", err)
			require.Equal(t, tt.code, sendErr.ErrorCode())
			require.Equal(t, 1, bundle.server.Attempts())
			require.Empty(t, bundle.server.Messages())
		})
	}
}

func TestIsPermanent_NothingListening(t *testing.T) {
	t.Parallel()

	// Take a free port and release it, so that connecting is refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())

	sender, err := mail.NewSender(mail.Config{
		Host: "127.0.0.1", Port: port, TLSPolicy: mail.TLSNone, From: "lms@example.test", Timeout: 2 * time.Second,
	})
	require.NoError(t, err)

	err = sender.Send(context.Background(), mail.Message{To: "dana@dealer.example", Subject: "Hello", Text: "Hi.\n"})
	require.Error(t, err)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr)
	require.False(t, mail.IsPermanent(err))
}
