package location

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
)

// DeleteLocation removes a location registered by mistake (a mistyped HWKC
// cannot be edited, LOC-12) together with its automatically created LMC
// child. The rows are kept, marked deleted, for the audit trail; their
// Hardware Key Codes are released so another location may use them (LOC-2
// counts only live locations). A location with other children (SR-MGC,
// redundant secondary, a hand-made LMC) is refused until they are deleted,
// and so is one holding licenses (attached: detach them first; activated:
// never). Errors: UNAUTHENTICATED, NOT_FOUND, NOT_APPLICABLE.
func (s *Service) DeleteLocation(ctx context.Context, id uuid.UUID) (*db.Location, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var loc *db.Location
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys, err := LockSystem(ctx, tx, a, id, "id")
		if err != nil {
			return err
		}
		loc = sys.Location
		root, st := sys.Root, sys.Type
		// A pair's license file is bound to both units (LOC-10): once the
		// primary has activated licenses, its secondary stays.
		if sec, err := RedundantSecondary(ctx, tx, root); err != nil {
			return err
		} else if sec != nil && sec.ID == loc.ID {
			activated, err := tx.NewSelect().Model((*db.License)(nil)).Where("location_id = ?", root.ID).
				Where("status = ?", db.LicenseActivated).Exists(ctx)
			if err != nil {
				return err
			}
			if activated {
				return apperr.New(apperr.NotApplicable, "%s is the redundant secondary of %s, whose activated licenses are bound to both units; it cannot be deleted", loc.Name, root.Name).OnField("id")
			}
		}
		var children []db.Location
		if err := tx.NewSelect().Model(&children).Where("l.parent_id = ?", loc.ID).Where("l.deleted_at IS NULL").
			For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		ids := []uuid.UUID{loc.ID}
		for _, c := range children {
			// Only the LMC child the PBX got automatically goes with it.
			if c.HwkcSource != catalog.SourceDerivedFromParent || !st.HasFlag(catalog.FlagLmcChild) {
				return apperr.New(apperr.NotApplicable, "%s has child location %s; delete the child locations first", loc.Name, c.Name).OnField("id")
			}
			ids = append(ids, c.ID)
		}
		// Licenses hold the location: attached ones go back to the bin by
		// detaching them; activated ones are bound to it for good (LIC-5).
		held, err := tx.NewSelect().Model((*db.License)(nil)).Where("location_id IN (?)", bun.In(ids)).Count(ctx)
		if err != nil {
			return fmt.Errorf("count licenses: %w", err)
		}
		if held > 0 {
			return apperr.New(apperr.NotApplicable, "%s holds licenses: detach the attached ones first; a location with activated licenses cannot be deleted", loc.Name).OnField("id")
		}
		now := s.now()
		if _, err := tx.NewUpdate().Model((*db.Location)(nil)).Set("deleted_at = ?", now).Set("updated_at = ?", now).
			Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*db.HardwareKeyCode)(nil)).Where("location_id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
			return err
		}
		loc.DeletedAt = &now
		objects := make([]string, len(ids))
		for i, id := range ids {
			objects[i] = audit.Ref("Location", id)
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "location.delete",
			PartnerIDs: []uuid.UUID{loc.PartnerID},
			Objects:    objects,
			Summary:    summary(loc),
		})
	})
	if err != nil {
		return nil, fmt.Errorf("delete location %s: %w", id, err)
	}
	return loc, nil
}
