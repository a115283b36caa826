package inventory

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/db"
	"lms/idempotency"
)

// ReturnInput selects unattached quantities of reshipped bin lines to return
// to the distributor that shipped them (LIC-13).
type ReturnInput struct {
	Lines []LineSelection
	// Reason is an optional note for the distributor.
	Reason string
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *ReturnInput) Validate() error {
	var errs apperr.List
	ValidateLines(&errs, in.Lines)
	errs.Text("reason", &in.Reason, false, maxNote)
	return errs.Err()
}

// Return gives bin quantities of reshipped lines back to the distributor
// lines they came from, in one transaction (LIC-13): the dealer's lines
// lose them (counted as returned), the distributor's lines have them
// available again, and each return is recorded for both. Only what is in
// the bin can be returned: attached and activated licenses stay. Errors:
// UNAUTHENTICATED, VALIDATION_FAILED, NOT_FOUND (bin line),
// NOT_APPLICABLE (a line the vendor shipped, not a distributor),
// INSUFFICIENT_QUANTITY, INVALID_FEATURE_QUANTITY, IDEMPOTENCY_KEY_REUSED.
func (s *Service) Return(ctx context.Context, in ReturnInput) ([]db.LicenseReturn, error) {
	out, err := idempotency.Mutation(ctx, s.DB, "returnLicenses", &in, in.IdempotencyKey, nil, func(ctx context.Context, tx bun.Tx, a *actor.Actor) ([]db.LicenseReturn, error) {
		return s.giveBack(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("return licenses: %w", err)
	}
	return out, nil
}

func (s *Service) giveBack(ctx context.Context, tx bun.Tx, a *actor.Actor, in ReturnInput) ([]db.LicenseReturn, error) {
	lines, err := Lock(ctx, tx, a.Partner.ID, LineIDs(in.Lines))
	if err != nil {
		return nil, err
	}
	var errs apperr.List
	var sources []uuid.UUID
	for i, l := range lines {
		if l != nil && l.SourceLineID == nil {
			errs.Add(apperr.New(apperr.NotApplicable, "%s of PO %s was shipped by the vendor; only licenses a distributor reshipped can be returned to it", l.PartNumber, l.PurchaseOrder).OnField("lines." + strconv.Itoa(i) + ".lineId"))
		} else if l != nil {
			sources = append(sources, *l.SourceLineID)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	qty, _, err := take(ctx, tx, in.Lines, lines)
	if err != nil {
		return nil, err
	}
	// The distributor's lines are locked after the dealer's: nothing locks
	// them the other way round (a reship creates the dealer's lines), so
	// this cannot deadlock.
	var src []db.OrderLine
	if err := tx.NewSelect().Model(&src).Where("ol.id IN (?)", bun.In(sources)).OrderExpr("ol.id").For("UPDATE").Scan(ctx); err != nil {
		return nil, fmt.Errorf("lock distributor lines: %w", err)
	}
	now := s.now()
	var returns []db.LicenseReturn
	partners := []uuid.UUID{a.Partner.ID}
	objects := []string{}
	summary := map[string]any{}
	if in.Reason != "" {
		summary["reason"] = in.Reason
	}
	for i, l := range lines {
		if qty[i] == 0 {
			continue
		}
		j := slices.IndexFunc(src, func(o db.OrderLine) bool { return o.ID == *l.SourceLineID })
		if _, err := tx.NewUpdate().Model((*db.OrderLine)(nil)).
			Set("available = available - ?", qty[i]).Set("returned = returned + ?", qty[i]).
			Where("id = ?", l.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("return %d from bin line %s: %w", qty[i], l.ID, err)
		}
		if _, err := tx.NewUpdate().Model((*db.OrderLine)(nil)).
			Set("available = available + ?", qty[i]).Set("reshipped = reshipped - ?", qty[i]).
			Where("id = ?", src[j].ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("give %d back to bin line %s: %w", qty[i], src[j].ID, err)
		}
		returns = append(returns, db.LicenseReturn{
			ID: uuid.New(), DealerID: l.PartnerID, DistributorID: src[j].PartnerID, OrderLineID: l.ID,
			SourceLineID: src[j].ID, PartNumber: l.PartNumber, Quantity: qty[i], Reason: in.Reason,
			ReturnedBy: &a.User.ID, ReturnedAt: now,
		})
		r := returns[len(returns)-1]
		partners = append(partners, r.DistributorID)
		objects = append(objects, audit.Ref("LicenseReturn", r.ID), audit.Ref("OrderLine", l.ID))
		summary[fmt.Sprintf("PO %s line %d (%s)", l.PurchaseOrder, l.LineNo, l.PartNumber)] = qty[i]
	}
	if _, err := tx.NewInsert().Model(&returns).Exec(ctx); err != nil {
		return nil, fmt.Errorf("record returns: %w", err)
	}
	if err := audit.Record(ctx, tx, audit.Event{Action: "license.return", PartnerIDs: partners, Objects: objects, Summary: summary}); err != nil {
		return nil, err
	}
	return returns, nil
}
