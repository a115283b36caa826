package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email to one recipient, usually built from a [Rendered].
type Message struct {
	// To is the recipient address, optionally with a display name.
	To      string
	Subject string
	Text    string
	// HTML is optional; when set, the message is multipart/alternative with
	// Text as the fallback part.
	HTML string
	// MessageID, when set, becomes the Message-ID header (given without
	// angle brackets, e.g. "notification-42@lms.example.com"). A job that
	// retries a delivery passes the same id on every attempt, so that a
	// message the server accepted but whose reply got lost is recognisable
	// as a duplicate. When empty, go-mail generates a random one.
	MessageID string
}

// ErrInvalidMessage is wrapped by the errors [Sender.Send] returns for a
// [Message] that can never be sent (bad address, empty or multi-line
// subject, empty text, malformed Message-ID). [IsPermanent] reports it as
// permanent.
var ErrInvalidMessage = errors.New("invalid mail message")

// Sender delivers messages to the SMTP server of a [Config]. It holds no
// connection: each Send dials, delivers and quits, so one Sender may be
// used by many goroutines.
type Sender struct {
	cfg  Config
	opts []gomail.Option
}

// NewSender returns a Sender for cfg. It returns cfg.Validate's error when
// cfg is invalid, including when mail is not enabled (no Host); callers
// check [Config.Enabled] first.
func NewSender(cfg Config) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	policy, err := cfg.tlsPolicy()
	if err != nil {
		return nil, err
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTLSPolicy(policy),
		gomail.WithTimeout(cfg.timeout()),
	}
	if cfg.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(cfg.Username),
			gomail.WithPassword(cfg.Password),
		)
	}
	// Build a client once so that an option go-mail rejects fails here,
	// at start-up, rather than on every Send.
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("mail config: %w", err)
	}
	return &Sender{cfg: cfg, opts: opts}, nil
}

// Send delivers m in one SMTP session bounded by ctx and the configured
// timeout. The error wraps [ErrInvalidMessage] when m itself is unusable,
// and otherwise go-mail's error (a *mail.SendError for a rejected
// transaction, a *textproto.Error or network error from connecting);
// [IsPermanent] tells which are worth retrying.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := s.newMsg(m)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return fmt.Errorf("send mail to %s: %w", m.To, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail to %s via %s:%d: %w", m.To, s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}

func (s *Sender) newMsg(m Message) (*gomail.Msg, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		return nil, invalid("empty subject")
	case strings.ContainsAny(m.Subject, "\r\n"):
		return nil, invalid("subject %q spans several lines", m.Subject)
	case strings.TrimSpace(m.Text) == "":
		return nil, invalid("empty text body")
	}

	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("set sender %q: %w", s.cfg.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, invalid("recipient %q: %v", m.To, err)
	}
	if m.MessageID != "" {
		id := strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")
		if !validMessageID(id) {
			return nil, invalid("message ID %q is not of the form local@domain", m.MessageID)
		}
		msg.SetMessageIDWithValue(id)
	}
	msg.Subject(m.Subject)
	msg.SetUserAgent("LMS License Management Server")
	// RFC 3834: tells auto-responders (out-of-office replies) not to answer.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// validMessageID accepts printable ASCII without spaces or angle brackets,
// with text on both sides of one "@".
func validMessageID(id string) bool {
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r >= 0x7f || r == '<' || r == '>' {
			return false
		}
	}
	return true
}
