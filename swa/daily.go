package swa

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/db"
	"lms/mail"
	"lms/partner"
	"lms/swa/quote"
)

// Reminder horizons (SWA-9).
const (
	graceReminderDays     = 30
	agreementReminderDays = 60
)

// DailyArgs is the periodic River job of SWA-9. River's leader enqueues
// periodic jobs, so one runs however many worker processes there are; a
// second run on the same day sends nothing twice.
type DailyArgs struct{}

// Kind implements river.JobArgs.
func (DailyArgs) Kind() string { return "swa_daily" }

// Daily sends the SWA-9 reminders due on today, each at most once per
// subject: a grace period ending within 30 days on an application without
// SWA, and an agreement ending within 60 days that has no successor.
// Statuses themselves are computed from the dates whenever they are read
// (StatusOf), so nothing else needs moving. It returns how many reminders
// it sent. The daily job calls it.
func (s *Service) Daily(ctx context.Context) (int, error) {
	today := quote.Day(s.now())
	sent := 0
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := s.remindGrace(ctx, tx, today)
		if err != nil {
			return err
		}
		m, err := s.remindAgreements(ctx, tx, today)
		sent = n + m
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("SWA daily reminders: %w", err)
	}
	return sent, nil
}

// reminderSubject is what one reminder is about.
type reminderSubject struct {
	LocationID  uuid.UUID `bun:"location_id"`
	Application string    `bun:"application"`
	Date        time.Time `bun:"date"`
	Agreement   string    `bun:"agreement"`
}

func (s *Service) remindGrace(ctx context.Context, tx bun.Tx, today time.Time) (int, error) {
	var due []reminderSubject
	err := inGraceWithoutSwa(tx, today, today.AddDate(0, 0, graceReminderDays)).Scan(ctx, &due)
	if err != nil && !isNoRows(err) {
		return 0, fmt.Errorf("find grace periods ending: %w", err)
	}
	return s.remind(ctx, tx, "GRACE_ENDING", due)
}

func (s *Service) remindAgreements(ctx context.Context, tx bun.Tx, today time.Time) (int, error) {
	var due []reminderSubject
	err := tx.NewRaw(`
		SELECT sag.location_id, sag.application, sag.ends_on AS date, sag.number || '-' || sag.suffix AS agreement
		FROM swa_agreements AS sag
		JOIN locations AS l ON l.id = sag.location_id AND l.deleted_at IS NULL
		WHERE sag.ends_on BETWEEN ? AND ?
		  AND NOT EXISTS (SELECT 1 FROM swa_agreements AS later WHERE later.location_id = sag.location_id
		                  AND later.application = sag.application AND later.ends_on > sag.ends_on)`,
		today.Format(time.DateOnly), today.AddDate(0, 0, agreementReminderDays).Format(time.DateOnly)).Scan(ctx, &due)
	if err != nil && !isNoRows(err) {
		return 0, fmt.Errorf("find agreements ending: %w", err)
	}
	return s.remind(ctx, tx, "AGREEMENT_ENDING", due)
}

// remind sends the reminders of kind not sent before (swa_reminders).
func (s *Service) remind(ctx context.Context, tx bun.Tx, kind string, due []reminderSubject) (int, error) {
	sent := 0
	for _, d := range due {
		subject := d.Date.Format(time.DateOnly)
		if d.Agreement != "" {
			subject = d.Agreement
		}
		res, err := tx.NewInsert().Model(&db.SwaReminder{Kind: kind, LocationID: d.LocationID, Application: d.Application, Subject: subject}).
			On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return sent, fmt.Errorf("record reminder: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		if err := s.mailReminder(ctx, tx, kind, d); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

func (s *Service) mailReminder(ctx context.Context, tx bun.Tx, kind string, d reminderSubject) error {
	var row struct {
		db.Location `bun:",extend"`
		Customer    string `bun:"customer"`
		AppName     string `bun:"app_name"`
	}
	if err := tx.NewSelect().Model(&row).ColumnExpr("l.*, c.name AS customer, sa.name AS app_name").
		Join("JOIN customers AS c ON c.id = l.customer_id").Join("JOIN swa_applications AS sa ON sa.code = ?", d.Application).
		Where("l.id = ?", d.LocationID).Scan(ctx); err != nil {
		return fmt.Errorf("load location of reminder: %w", err)
	}
	p := new(db.Partner)
	if err := tx.NewSelect().Model(p).Where("id = ?", row.PartnerID).Scan(ctx); err != nil {
		return fmt.Errorf("load partner of reminder: %w", err)
	}
	to, err := partner.Recipients(ctx, tx, p)
	if err != nil {
		return err
	}
	for _, r := range to {
		var e mail.Email
		if kind == "GRACE_ENDING" {
			e = mail.SwaGraceEnding{RecipientName: r.Name, PartnerName: p.Name, CustomerName: row.Customer, LocationName: row.Name,
				HardwareKeyCode: row.HardwareKeyCode, ApplicationName: row.AppName, GraceEndsOn: d.Date}
		} else {
			e = mail.SwaAgreementEnding{RecipientName: r.Name, PartnerName: p.Name, CustomerName: row.Customer, LocationName: row.Name,
				HardwareKeyCode: row.HardwareKeyCode, ApplicationName: row.AppName, AgreementNumber: d.Agreement, EndsOn: d.Date}
		}
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return fmt.Errorf("enqueue SWA reminder: %w", err)
		}
	}
	return nil
}
