package mail

import (
	"errors"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"
)

// IsPermanent reports whether retrying the delivery that failed with err is
// pointless: the message is invalid ([ErrInvalidMessage]) or the SMTP server
// answered with a 5xx reply (e.g. 550 mailbox unavailable, 535 bad
// credentials). It returns false for 4xx replies, network errors, timeouts,
// cancellation and anything it does not recognise, which callers retry with
// backoff.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	// A rejected transaction (MAIL, RCPT, DATA) comes as a *SendError, which
	// carries the reply code but does not unwrap to the reply itself.
	if se, ok := errors.AsType[*gomail.SendError](err); ok && se.ErrorCode() != 0 {
		return isPermanentCode(se.ErrorCode())
	}
	// A reply while connecting (greeting, EHLO, STARTTLS, AUTH) comes as
	// the *textproto.Error of go-mail's smtp package.
	if te, ok := errors.AsType[*textproto.Error](err); ok {
		return isPermanentCode(te.Code)
	}
	return false
}

func isPermanentCode(code int) bool { return code >= 500 && code <= 599 }
