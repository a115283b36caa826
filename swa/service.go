// Package swa is Software Assurance (SWA-1..SWA-14): SWA units shipped into
// a partner's SWA unit bin and taken first-expiring-first, and reshipped by
// distributors to their dealers (SWA-11); the status of each application of
// a location (grace period, pending, active, expired, renewable); quotes;
// the assignment of SWA with its 24-hour cooling-off period and the
// activation that follows exactly once — by the due River job or by
// "Process immediately" — creating the agreement; the co-termed renewal of
// a customer's or a location's agreements as new versions R01, R02, …
// (SWA-10); free-of-charge upgrade licenses while SWA or the grace period
// runs (SWA-12); a distributor's view of its dealers' pending assignments,
// which it may cancel or escalate to the license desk (SWA-13); a PDF
// certificate of each agreement version (certificate.go, laid out by the
// pure sub-package certificate); and a daily job that sends the reminders.
//
// The calculations (rates, units, grace and term dates, reinstatement,
// renewal) are the pure sub-package quote; this package loads, locks and
// writes around them. Every operation needs the SWA_ADMIN role (the license
// desk may do everything) but the certificate download, which any user of
// the partner may make; the license desk ships units.
//
// Units are conserved: a unit order's available + allocated + consumed +
// reshipped = shipped, changed only under the order's row lock (units.go),
// in the transaction that creates, activates or cancels the activation
// holding them — an assignment, or a renewal, which is activated at once —
// or that reships them to a dealer (reship.go, SWA-11).
package swa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/db"
	"lms/downloadlink"
	"lms/notify"
	"lms/partner"
)

// DefaultCoolingOff is the cooling-off period of an assignment (SWA-8).
const DefaultCoolingOff = 24 * time.Hour

// Service ships SWA units, quotes, assigns and activates SWA.
type Service struct {
	DB     *bun.DB
	Notify *notify.Service
	// Jobs schedules the activation jobs inside the assigning transaction.
	Jobs notify.JobInserter
	// CoolingOff is how long an assignment stays pending before it is
	// activated (LMS_SWA_COOLING_OFF); DefaultCoolingOff when 0.
	CoolingOff time.Duration
	// Now returns the current time; tests may fix it. Only the activation
	// job's schedule follows the wall clock.
	Now func() time.Time
	// PublicURL is the base URL users reach the API at; the API and mails
	// link to agreement certificates under it (CertificatePath).
	PublicURL string
	// Links signs the certificate links in mails and checks them when they
	// are used (CertificateByLink); the server gives it the license files'
	// key, so that every emailed link follows one scheme.
	Links *downloadlink.Key
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) coolingOff() time.Duration {
	if s.CoolingOff > 0 {
		return s.CoolingOff
	}
	return DefaultCoolingOff
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// requireSwa returns the signed-in actor when it may work with SWA: a user
// with the SWA_ADMIN role, or the license desk. Errors: UNAUTHENTICATED,
// FORBIDDEN.
func requireSwa(ctx context.Context) (*actor.Actor, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := allowSwa(a); err != nil {
		return nil, err
	}
	return a, nil
}

// allowSwa is requireSwa's check of a signed-in actor.
func allowSwa(a *actor.Actor) error {
	if a.IsAdmin() || a.User.HasRole(db.RoleSwaAdmin) {
		return nil
	}
	return apperr.Forbiddenf("Software Assurance needs the SWA_ADMIN role")
}

// mailingOf loads what a mail to the partner of loc about it needs: the
// partner, the customer and the partner's recipients.
func mailingOf(ctx context.Context, tx bun.Tx, loc *db.Location) (*db.Partner, *db.Customer, []notify.Recipient, error) {
	p := new(db.Partner)
	if err := tx.NewSelect().Model(p).Where("id = ?", loc.PartnerID).Scan(ctx); err != nil {
		return nil, nil, nil, fmt.Errorf("load partner: %w", err)
	}
	cust := new(db.Customer)
	if err := tx.NewSelect().Model(cust).Column("name").Where("id = ?", loc.CustomerID).Scan(ctx); err != nil {
		return nil, nil, nil, fmt.Errorf("load customer: %w", err)
	}
	to, err := partner.Recipients(ctx, tx, p)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, cust, to, nil
}
