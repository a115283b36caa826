// Package notify is LMS's outbox for email (SPEC §9): a change renders its
// emails and enqueues their delivery in its own transaction, so a rolled-back
// change sends nothing and a committed one loses nothing; a River job then
// delivers each email, retrying temporary SMTP failures with backoff, and the
// record of every email (recipient, template, status, attempts, sent time)
// stays for the partner to list.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/db"
	"lms/mail"
	"lms/page"
)

// JobInserter inserts River jobs inside a database/sql transaction; a
// river.Client[*sql.Tx] over riverdatabasesql is one.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Sender delivers one message; *mail.Sender is one.
type Sender interface {
	Send(ctx context.Context, m mail.Message) error
}

// SendEmailArgs is the River job that delivers one recorded email.
type SendEmailArgs struct {
	EmailID uuid.UUID `json:"email_id"`
}

// Kind implements river.JobArgs.
func (SendEmailArgs) Kind() string { return "send_email" }

// InsertOpts implements river.JobArgsWithInsertOpts: mail has its own queue so
// a slow SMTP server never holds up other work.
func (SendEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: MaxAttempts}
}

// Queue is the River queue of email delivery.
const Queue = "mail"

// MaxAttempts bounds delivery attempts of one email; with the worker's
// exponential backoff they span about a day.
const MaxAttempts = 12

// Service records and delivers email.
type Service struct {
	DB   *bun.DB
	Jobs JobInserter
	// Sender is nil when no SMTP server is configured: emails are then
	// recorded with status RECORDED and not sent.
	Sender Sender
}

// Recipient is who an email goes to.
type Recipient struct {
	Email string
	// Name is how the email greets the recipient; may be empty.
	Name string
	// PartnerID is the partner whose email list shows it.
	PartnerID *uuid.UUID
}

// Enqueue renders e for to and, inside tx, records it and inserts the job
// that will deliver it. It must be called with the transaction of the change
// that causes the email.
func (s *Service) Enqueue(ctx context.Context, tx bun.Tx, to Recipient, e mail.Email) (*db.Email, error) {
	r, err := mail.Render(e)
	if err != nil {
		return nil, fmt.Errorf("render %s email: %w", e.Template(), err)
	}
	row := &db.Email{
		PartnerID: to.PartnerID,
		Recipient: strings.TrimSpace(to.Email),
		Template:  e.Template(),
		Subject:   r.Subject,
		TextBody:  r.Text,
		HTMLBody:  r.HTML,
		Status:    db.EmailQueued,
	}
	if _, err := tx.NewInsert().Model(row).Returning("*").Exec(ctx); err != nil {
		return nil, fmt.Errorf("record %s email: %w", e.Template(), err)
	}
	if _, err := s.Jobs.InsertTx(ctx, tx.Tx, SendEmailArgs{EmailID: row.ID}, nil); err != nil {
		return nil, fmt.Errorf("enqueue %s email: %w", e.Template(), err)
	}
	return row, nil
}

// Deliver sends a recorded email once; the River worker calls it for every
// attempt. It returns nil when the email was sent (or had been already), was
// recorded without sending, or failed permanently (recorded as FAILED, and
// wrapped in river.JobCancel so River stops); it returns the error of a
// temporary failure so River retries. final says this is the last attempt:
// a temporary failure then is recorded as FAILED too.
func (s *Service) Deliver(ctx context.Context, emailID uuid.UUID, final bool) error {
	e := new(db.Email)
	if err := s.DB.NewSelect().Model(e).Where("id = ?", emailID).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return river.JobCancel(fmt.Errorf("email %s does not exist", emailID))
		}
		return fmt.Errorf("load email %s: %w", emailID, err)
	}
	if e.Status != db.EmailQueued {
		return nil
	}
	if s.Sender == nil {
		_, err := s.DB.NewUpdate().Model(e).Set("status = ?", db.EmailRecorded).Set("updated_at = now()").WherePK().Exec(ctx)
		return err
	}
	sendErr := s.Sender.Send(ctx, mail.Message{
		To:        e.Recipient,
		Subject:   e.Subject,
		Text:      e.TextBody,
		HTML:      e.HTMLBody,
		MessageID: e.ID.String() + "@lms",
	})
	q := s.DB.NewUpdate().Model(e).Set("attempts = attempts + 1").Set("updated_at = now()").WherePK()
	switch {
	case sendErr == nil:
		q = q.Set("status = ?", db.EmailSent).Set("sent_at = now()").Set("last_error = ''")
	case mail.IsPermanent(sendErr) || final:
		q = q.Set("status = ?", db.EmailFailed).Set("last_error = ?", truncate(sendErr.Error(), 1000))
	default:
		q = q.Set("last_error = ?", truncate(sendErr.Error(), 1000))
	}
	if _, err := q.Exec(ctx); err != nil {
		return errors.Join(sendErr, fmt.Errorf("record delivery of email %s: %w", emailID, err))
	}
	if sendErr != nil && mail.IsPermanent(sendErr) {
		return river.JobCancel(fmt.Errorf("deliver email %s: permanent failure: %w", emailID, sendErr))
	}
	if sendErr != nil {
		return fmt.Errorf("deliver email %s: %w", emailID, sendErr)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// List returns the emails sent to the caller's partner, newest first; an
// admin sees every email. Errors: UNAUTHENTICATED, VALIDATION_FAILED.
func (s *Service) List(ctx context.Context, args page.Args) (*page.Page[db.Email], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := s.DB.NewSelect().Model((*db.Email)(nil))
	if !a.IsAdmin() {
		q = q.Where("partner_id = ?", a.Partner.ID)
	}
	return page.NewestFirst(ctx, q, args, a.Scope(), "created_at", "id", func(e *db.Email) (time.Time, uuid.UUID) {
		return e.CreatedAt, e.ID
	})
}

// FindEmails returns the emails with the given ids in order, nil where an
// email does not exist or the caller may not see it (see List). node and
// nodes call it with all the ids of a request. Errors: UNAUTHENTICATED.
func (s *Service) FindEmails(ctx context.Context, ids []uuid.UUID) ([]*db.Email, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.Email
	q := s.DB.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids))
	if !a.IsAdmin() {
		q = q.Where("partner_id = ?", a.Partner.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("find emails: %w", err)
	}
	return db.InOrder(ids, rows, func(e *db.Email) uuid.UUID { return e.ID }), nil
}
