package mail

import (
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS policies accepted in [Config.TLSPolicy].
const (
	// TLSMandatory requires STARTTLS; sending fails if the server does not
	// offer it. It is the default.
	TLSMandatory = "mandatory"
	// TLSOpportunistic uses STARTTLS when the server offers it.
	TLSOpportunistic = "opportunistic"
	// TLSNone never uses TLS (a local relay or a test server).
	TLSNone = "none"
)

// DefaultTimeout bounds one delivery when [Config.Timeout] is zero.
const DefaultTimeout = 30 * time.Second

// Config says how to reach the SMTP server. A zero Config means mail is
// switched off (see [Config.Enabled]).
type Config struct {
	Host string
	Port int
	// TLSPolicy is TLSMandatory ("mandatory", also when empty),
	// TLSOpportunistic ("opportunistic") or TLSNone ("none").
	TLSPolicy string
	// Username and Password, when set, authenticate with SMTP AUTH PLAIN,
	// which go-mail only allows over TLS or to a loopback host.
	Username string
	Password string
	// From is the sender address, optionally with a display name
	// ("LMS <lms@example.com>").
	From string
	// Timeout bounds connecting and each SMTP command; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

// Enabled reports whether mail is configured at all (Host is set). When it
// is not, callers skip sending instead of failing.
func (c Config) Enabled() bool { return c.Host != "" }

// Validate reports the first problem with an enabled Config: a missing Host
// or From, an invalid Port, From or TLSPolicy, a negative Timeout, a Username
// without a Password (or the reverse), or credentials that would travel in
// clear text (TLSPolicy "none" to a host other than localhost, 127.0.0.1 or ::1).
func (c Config) Validate() error {
	switch {
	case c.Host == "":
		return errors.New("mail config: host is required")
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("mail config: port %d is not between 1 and 65535", c.Port)
	case c.From == "":
		return errors.New("mail config: from address is required")
	case c.Timeout < 0:
		return fmt.Errorf("mail config: timeout %s is negative", c.Timeout)
	case (c.Username == "") != (c.Password == ""):
		return errors.New("mail config: username and password must be set together")
	}
	if _, err := netmail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("mail config: from address %q: %w", c.From, err)
	}
	policy, err := c.tlsPolicy()
	if err != nil {
		return err
	}
	if c.Username != "" && policy == gomail.NoTLS && !isLoopback(c.Host) {
		return fmt.Errorf("mail config: refusing to send credentials to %s without TLS; use TLS policy %q or %q",
			c.Host, TLSMandatory, TLSOpportunistic)
	}
	return nil
}

func (c Config) tlsPolicy() (gomail.TLSPolicy, error) {
	switch strings.ToLower(c.TLSPolicy) {
	case "", TLSMandatory:
		return gomail.TLSMandatory, nil
	case TLSOpportunistic:
		return gomail.TLSOpportunistic, nil
	case TLSNone:
		return gomail.NoTLS, nil
	default:
		return 0, fmt.Errorf("mail config: TLS policy %q is not %q, %q or %q",
			c.TLSPolicy, TLSMandatory, TLSOpportunistic, TLSNone)
	}
}

func (c Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// isLoopback matches the hosts to which go-mail's PLAIN auth agrees to send
// credentials without TLS.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
