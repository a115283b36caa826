package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// EmailStatus is where an email is in its delivery.
type EmailStatus string

// Email statuses. RECORDED means no SMTP server is configured: the email was
// kept but deliberately not sent.
const (
	EmailQueued   EmailStatus = "QUEUED"
	EmailSent     EmailStatus = "SENT"
	EmailRecorded EmailStatus = "RECORDED"
	EmailFailed   EmailStatus = "FAILED"
)

// Email is one notification to one recipient (§9), rendered when the change
// that caused it committed.
type Email struct {
	bun.BaseModel `bun:"table:emails"`

	ID        uuid.UUID   `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	PartnerID *uuid.UUID  `bun:"partner_id,type:uuid"`
	Recipient string      `bun:"recipient,notnull"`
	Template  string      `bun:"template,notnull"`
	Subject   string      `bun:"subject,notnull"`
	TextBody  string      `bun:"text_body,notnull"`
	HTMLBody  string      `bun:"html_body,notnull"`
	Status    EmailStatus `bun:"status,notnull"`
	Attempts  int         `bun:"attempts,notnull"`
	LastError string      `bun:"last_error,notnull"`
	CreatedAt time.Time   `bun:"created_at,nullzero,notnull,default:clock_timestamp()"`
	SentAt    *time.Time  `bun:"sent_at"`
	UpdatedAt time.Time   `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}
