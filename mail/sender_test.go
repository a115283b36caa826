package mail_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
	"lms/mail/mailtest"
)

type senderBundle struct {
	server *mailtest.Server
	sender *mail.Sender
}

func setupSender(t *testing.T) senderBundle {
	t.Helper()
	server := mailtest.NewServer(t)
	sender, err := mail.NewSender(server.Config())
	require.NoError(t, err)
	return senderBundle{server: server, sender: sender}
}

func TestSender_Send(t *testing.T) {
	t.Parallel()

	ctx := context.Background()

	t.Run("RenderedEmailArrivesWithBothParts", func(t *testing.T) {
		t.Parallel()
		bundle := setupSender(t)

		rendered, err := mail.Render(mail.ShippingAllowanceGranted{
			RecipientName:   "Dana Dealer",
			DealerName:      "Müller & Söhne",
			DistributorName: "Distributor X",
			GrantedAt:       time.Date(2025, time.March, 14, 9, 0, 0, 0, time.UTC),
		})
		require.NoError(t, err)

		err = bundle.sender.Send(ctx, mail.Message{
			To:        "Dana Dealer <dana@dealer.example>",
			Subject:   rendered.Subject,
			Text:      rendered.Text,
			HTML:      rendered.HTML,
			MessageID: "notification-1@lms.example.test",
		})
		require.NoError(t, err)

		msgs := bundle.server.WaitForMessages(t, 1, 5*time.Second)
		require.Len(t, msgs, 1)
		got := msgs[0]
		require.Equal(t, mailtest.From, got.From)
		require.Equal(t, []string{"dana@dealer.example"}, got.To)
		require.Equal(t, rendered.Subject, got.Subject)
		require.Equal(t, "notification-1@lms.example.test", got.MessageID)
		require.Equal(t, rendered.Text, got.Text)
		require.Equal(t, rendered.HTML, got.HTML)
		require.Contains(t, string(got.Raw), "multipart/alternative")
		require.Contains(t, string(got.Raw), "Auto-Submitted: auto-generated")
		require.Equal(t, 1, bundle.server.Attempts())
	})

	t.Run("TextOnly", func(t *testing.T) {
		t.Parallel()
		bundle := setupSender(t)

		err := bundle.sender.Send(ctx, mail.Message{To: "dana@dealer.example", Subject: "Hello", Text: "Plain text.\n"})
		require.NoError(t, err)

		got := bundle.server.WaitForMessages(t, 1, 5*time.Second)[0]
		require.Equal(t, "Plain text.\n", got.Text)
		require.Empty(t, got.HTML)
		require.NotEmpty(t, got.MessageID, "go-mail generates a Message-ID when none is given")
		require.NotContains(t, string(got.Raw), "multipart/")
	})

	t.Run("RetryKeepsMessageID", func(t *testing.T) {
		t.Parallel()
		bundle := setupSender(t)
		bundle.server.FailNext(1, 451)

		msg := mail.Message{To: "dana@dealer.example", Subject: "Hello", Text: "Hi.\n", MessageID: "<job-7@lms.example.test>"}
		err := bundle.sender.Send(ctx, msg)
		require.Error(t, err)
		require.False(t, mail.IsPermanent(err))
		require.NoError(t, bundle.sender.Send(ctx, msg))

		msgs := bundle.server.Messages()
		require.Len(t, msgs, 1)
		require.Equal(t, "job-7@lms.example.test", msgs[0].MessageID)
		require.Equal(t, 2, bundle.server.Attempts())
	})

	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		bundle := setupSender(t)

		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs[i] = bundle.sender.Send(ctx, mail.Message{
					To: fmt.Sprintf("user%d@dealer.example", i), Subject: "Hello", Text: "Hi.\n",
				})
			})
		}
		wg.Wait()

		require.NoError(t, errors.Join(errs...))
		require.Len(t, bundle.server.WaitForMessages(t, n, 5*time.Second), n)
		require.Equal(t, n, bundle.server.Attempts())
	})

	t.Run("CanceledContext", func(t *testing.T) {
		t.Parallel()
		bundle := setupSender(t)

		canceled, cancel := context.WithCancel(ctx)
		cancel()
		err := bundle.sender.Send(canceled, mail.Message{To: "dana@dealer.example", Subject: "Hello", Text: "Hi.\n"})
		require.ErrorIs(t, err, context.Canceled)
		require.False(t, mail.IsPermanent(err))
	})
}

func TestSender_Send_InvalidMessage(t *testing.T) {
	t.Parallel()

	valid := mail.Message{To: "dana@dealer.example", Subject: "Hello", Text: "Hi.\n", HTML: "<p>Hi.</p>\n"}
	tests := []struct {
		name    string
		modify  func(*mail.Message)
		wantErr string
	}{
		{name: "NoRecipient", modify: func(m *mail.Message) { m.To = "" }, wantErr: `recipient ""`},
		{name: "BadRecipient", modify: func(m *mail.Message) { m.To = "dana at dealer" }, wantErr: `recipient "dana at dealer"`},
		{name: "EmptySubject", modify: func(m *mail.Message) { m.Subject = " " }, wantErr: "empty subject"},
		{name: "MultiLineSubject", modify: func(m *mail.Message) { m.Subject = "Hi\r\nBcc: eve@example.com" }, wantErr: "spans several lines"},
		{name: "EmptyText", modify: func(m *mail.Message) { m.Text = "\n" }, wantErr: "empty text body"},
		{name: "MessageIDWithoutAt", modify: func(m *mail.Message) { m.MessageID = "job-7" }, wantErr: `message ID "job-7"`},
		{name: "MessageIDWithSpace", modify: func(m *mail.Message) { m.MessageID = "job 7@lms" }, wantErr: `message ID "job 7@lms"`},
		{name: "MessageIDWithTwoAts", modify: func(m *mail.Message) { m.MessageID = "a@b@c" }, wantErr: `message ID "a@b@c"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bundle := setupSender(t)

			msg := valid
			tt.modify(&msg)
			err := bundle.sender.Send(context.Background(), msg)
			require.ErrorIs(t, err, mail.ErrInvalidMessage)
			require.ErrorContains(t, err, tt.wantErr)
			require.True(t, mail.IsPermanent(err))
			require.Zero(t, bundle.server.Attempts(), "an invalid message never reaches the server")
		})
	}
}
