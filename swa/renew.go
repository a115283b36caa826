package swa

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/idempotency"
	"lms/mail"
)

// RenewInput renews the agreements of a renewal quote (SWA-10).
type RenewInput struct {
	RenewalQuoteInput
	// ReferenceNote is the user's reference (an order number, a name).
	ReferenceNote string
	// AuthoriseUnits is the user's consent to take the units from the SWA
	// unit bin.
	AuthoriseUnits bool
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *RenewInput) Validate() error {
	var errs apperr.List
	in.validate(&errs)
	if !in.AuthoriseUnits {
		errs.Add(apperr.New(apperr.UnitsNotAuthorised, "authorise taking the SWA units from your SWA unit bin to renew Software Assurance").OnField("authoriseUnits"))
	}
	errs.Text("referenceNote", &in.ReferenceNote, false, maxNote)
	return errs.Err()
}

// Renewal is the answer of Renew: the quote as computed in its
// transaction, and the agreement versions it created, in the quote's order
// of the lines that renewed.
type Renewal struct {
	Quote      *RenewalQuote
	Agreements []db.SwaAgreement
}

// Renew renews a customer's or a location's agreements (SWA-10): the quote
// is computed again under the locations' locks (never trusted from the
// client); every line that does not fail renews — the same agreement
// number with the next suffix (R01, R02, …) and the quoted dates, at once,
// without a cooling-off period — while failing lines are left as they are;
// the total units are taken first-expiring-first, and the partner is
// emailed the renewed agreements, all in one transaction. Who may call it:
// a user with SWA_ADMIN of the partner, or the license desk. Errors:
// UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED, UNITS_NOT_AUTHORISED,
// NOT_FOUND (customer or location, also another partner's), QUOTE_FAILED
// (no line covers 12 months, or none renews), INSUFFICIENT_SWA_UNITS,
// IDEMPOTENCY_KEY_REUSED.
func (s *Service) Renew(ctx context.Context, in RenewInput) (*Renewal, error) {
	r, err := idempotency.Mutation(ctx, s.DB, "renewSwa", &in, in.IdempotencyKey, allowSwa, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*Renewal, error) {
		return s.renew(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("renew SWA: %w", err)
	}
	return r, nil
}

func (s *Service) renew(ctx context.Context, tx bun.Tx, a *actor.Actor, in RenewInput) (*Renewal, error) {
	q, err := s.renewalQuote(ctx, tx, a, in.RenewalQuoteInput, true)
	if err != nil {
		return nil, err
	}
	if q.Failure != "" {
		return nil, apperr.New(apperr.QuoteFailed, "%s", failures(q))
	}
	if q.Units > q.UnitsAvailable {
		return nil, apperr.New(apperr.InsufficientSwaUnits, "the renewal takes %d SWA units and %d are available in the SWA unit bin", q.Units, q.UnitsAvailable)
	}
	out := &Renewal{Quote: q}
	now := s.now()
	var objects []string
	for _, l := range q.Lines {
		if l.Failure != "" {
			continue
		}
		ag, orders, err := s.renewLine(ctx, tx, a, l, in.ReferenceNote, q.Today, now)
		if err != nil {
			return nil, err
		}
		out.Agreements = append(out.Agreements, *ag)
		objects = append(objects, audit.Ref("Location", l.Location.ID), audit.Ref("SwaAgreement", ag.ID))
		for _, o := range orders {
			objects = append(objects, audit.Ref("SwaUnitOrder", o))
		}
	}
	if len(out.Agreements) == 0 {
		return nil, apperr.New(apperr.QuoteFailed, "%s", failures(q))
	}
	if err := s.mailRenewed(ctx, tx, q, out.Agreements, in.ReferenceNote, now); err != nil {
		return nil, err
	}
	renewed := make([]string, len(out.Agreements))
	for i, ag := range out.Agreements {
		renewed[i] = ag.FullNumber()
	}
	return out, audit.Record(ctx, tx, audit.Event{
		Action: "swa.renew", PartnerIDs: []uuid.UUID{q.Lines[0].Location.PartnerID}, Objects: objects,
		Summary: map[string]any{
			"agreements": strings.Join(renewed, ", "), "endsOn": q.EndsOn.Format(time.DateOnly), "months": q.Months,
			"activationOn": q.ActivationOn.Format(time.DateOnly), "units": q.Units, "referenceNote": in.ReferenceNote,
		},
	})
}

// failures is why a renewal quote fails: the whole quote's reason, then
// each failing line's, named by location.
func failures(q *RenewalQuote) string {
	parts := []string{}
	if q.Failure != "" {
		parts = append(parts, q.Failure)
	}
	for _, l := range q.Lines {
		if l.Failure != "" {
			parts = append(parts, l.Location.Name+": "+l.Failure)
		}
	}
	if len(parts) == 0 {
		return "no agreement of this quote can be renewed"
	}
	return strings.Join(parts, "; ")
}

// renewLine renews one quoted line in tx: an activation of kind RENEWAL
// takes its units first-expiring-first and is consumed at once by the new
// version of the agreement. It returns the version and the unit orders the
// units came from.
func (s *Service) renewLine(ctx context.Context, tx bun.Tx, a *actor.Actor, l RenewalLine, note string, today, now time.Time) (*db.SwaAgreement, []uuid.UUID, error) {
	current := l.Application.Current()
	suffix, err := nextRenewalSuffix(l.Application.Agreements, current.Number)
	if err != nil {
		return nil, nil, err
	}
	act := &db.SwaActivation{
		ID: uuid.New(), Kind: db.SwaRenewal, PartnerID: l.Location.PartnerID, LocationID: l.Location.ID, Application: l.Application.Application.Code,
		TermMonths: l.Months, TermUnits: l.Units - l.ReinstatementUnits, LapsedMonths: l.LapsedMonths, ReinstatementUnits: l.ReinstatementUnits,
		ReferenceNote: note, QuotedOn: today, Status: db.SwaActivationActivated, RequestedBy: &a.User.ID, RequestedAt: now,
		DueAt: now, ResolvedBy: &a.User.ID, ResolvedAt: &now,
	}
	if _, err := tx.NewInsert().Model(act).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("record SWA renewal: %w", err)
	}
	allocs, err := allocate(ctx, tx, act.PartnerID, act.ID, act.Units(), today)
	if err != nil {
		return nil, nil, err
	}
	if err := settle(ctx, tx, act.ID, true); err != nil {
		return nil, nil, err
	}
	ag := &db.SwaAgreement{
		ID: uuid.New(), PartnerID: act.PartnerID, LocationID: act.LocationID, Application: act.Application,
		Number: current.Number, Suffix: suffix, StartsOn: l.StartsOn, EndsOn: l.EndsOn, TermMonths: l.Months,
		Units: l.Units, ReinstatementUnits: l.ReinstatementUnits, ReferenceNote: note, ActivationID: &act.ID, CreatedAt: now,
	}
	if _, err := tx.NewInsert().Model(ag).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("insert SWA agreement %s: %w", ag.FullNumber(), err)
	}
	orders := make([]uuid.UUID, len(allocs))
	for i, al := range allocs {
		orders[i] = al.UnitOrderID
	}
	return ag, orders, nil
}

// maxRenewals is the last renewal suffix, R99.
const maxRenewals = 99

// nextRenewalSuffix is the suffix of the next renewal of agreement number:
// R01 after N or W, then one more than the highest renewal among its
// versions.
func nextRenewalSuffix(versions []db.SwaAgreement, number string) (string, error) {
	last := 0
	for _, v := range versions {
		if v.Number != number || !strings.HasPrefix(v.Suffix, "R") {
			continue
		}
		if n, err := strconv.Atoi(v.Suffix[1:]); err == nil {
			last = max(last, n)
		}
	}
	if last >= maxRenewals {
		return "", apperr.New(apperr.NotApplicable, "agreement %s has been renewed %d times, the most one number can carry; ask the license desk", number, maxRenewals)
	}
	return fmt.Sprintf("R%02d", last+1), nil
}

// mailRenewed tells the partner which agreements were renewed (SWA-10).
func (s *Service) mailRenewed(ctx context.Context, tx bun.Tx, q *RenewalQuote, renewed []db.SwaAgreement, note string, now time.Time) error {
	p, cust, to, err := mailingOf(ctx, tx, q.Lines[0].Location)
	if err != nil {
		return err
	}
	e := mail.SwaRenewed{
		PartnerName: p.Name, CustomerName: cust.Name, EndsOn: q.EndsOn, Months: q.Months, Units: q.Units,
		ReferenceNote: note, RenewedAt: now,
	}
	i := 0
	for _, l := range q.Lines {
		if l.Failure != "" {
			continue
		}
		ag := renewed[i]
		i++
		link := s.emailedCertificateLink(ag.ID)
		e.CertificateLinksExpireAt = link.Expires
		e.Agreements = append(e.Agreements, mail.SwaRenewedAgreement{
			LocationName: l.Location.Name, HardwareKeyCode: l.Location.HardwareKeyCode, ApplicationName: l.Application.Application.Name,
			AgreementNumber: ag.FullNumber(), PreviousEndsOn: l.Application.Current().EndsOn, StartsOn: ag.StartsOn, EndsOn: ag.EndsOn,
			Months: ag.TermMonths, Units: ag.Units, ReinstatementUnits: ag.ReinstatementUnits, LapsedMonths: l.LapsedMonths,
			CertificateURL: link.URL,
		})
	}
	for _, r := range to {
		e.RecipientName = r.Name
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return fmt.Errorf("enqueue SWA renewed mail: %w", err)
		}
	}
	return nil
}
