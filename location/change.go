package location

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/catalog"
	"lms/db"
	"lms/hwkc"
)

// LockSystem locks a location and, first, its parent (so that requests on a
// PBX and on its children always lock in the same order and cannot
// deadlock); root is the parent, or the location itself when it has none.
// While both are held, nothing changes what hangs off the system's root:
// its children, their licenses. Another partner's location answers
// NOT_FOUND on field (ACT-3).
func LockSystem(ctx context.Context, tx bun.Tx, a *actor.Actor, id uuid.UUID, field string) (loc, root *db.Location, err error) {
	var parentID *uuid.UUID
	q := a.Restrict(tx.NewSelect().Model((*db.Location)(nil)), "l.partner_id").Column("parent_id").
		Where("l.id = ?", id).Where("l.deleted_at IS NULL")
	if err := q.Scan(ctx, &parentID); err != nil && !isNoRows(err) {
		return nil, nil, fmt.Errorf("find parent of location %s: %w", id, err)
	}
	if parentID != nil {
		root = new(db.Location)
		if err := tx.NewSelect().Model(root).Where("l.id = ?", *parentID).For("UPDATE").Scan(ctx); err != nil {
			return nil, nil, fmt.Errorf("lock parent location %s: %w", *parentID, err)
		}
	}
	if loc, err = lockLocation(ctx, tx, a, id, field); err != nil {
		return nil, nil, err
	}
	if root == nil {
		root = loc
	}
	return loc, root, nil
}

// RedundantSecondary returns the live redundant secondary of loc of its own
// system type (a BX9000/OVOC pair, LOC-10), nil when it has none; a MobiCall
// supervisor, of another type, is not one.
func RedundantSecondary(ctx context.Context, idb bun.IDB, loc *db.Location) (*db.Location, error) {
	sec := new(db.Location)
	err := idb.NewSelect().Model(sec).Where("l.parent_id = ?", loc.ID).Where("l.child_kind = ?", db.ChildRedundant).
		Where("l.system_type = ?", loc.SystemType).Where("l.deleted_at IS NULL").Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find redundant secondary of %s: %w", loc.ID, err)
	}
	return sec, nil
}

// LockLocation reads a live location of the actor's partner (any, for an
// admin) and locks it for update until tx ends; another partner's location
// answers NOT_FOUND on field, exactly like a missing one (ACT-3). Services
// that change what hangs off a location (its licenses) take this lock first,
// so that per-location rules are checked one request at a time.
func LockLocation(ctx context.Context, tx bun.Tx, a *actor.Actor, id uuid.UUID, field string) (*db.Location, error) {
	return lockLocation(ctx, tx, a, id, field)
}

// ChangeHardwareKeyCode gives loc, locked by the caller in tx, a new primary
// Hardware Key Code obtained from source (a catalog.Source*): the new code is
// claimed (DUPLICATE_HARDWARE_KEYCODE when another live location holds it),
// the old one released, and the automatically derived LMC child follows with
// LM + the new code (LOC-4). The HWKC changes only this way (LOC-6, later HWR
// and MIG), never by an edit (LOC-12). loc is updated in place.
func ChangeHardwareKeyCode(ctx context.Context, tx bun.Tx, loc *db.Location, code, source string) error {
	if err := swapCode(ctx, tx, loc, code); err != nil {
		return err
	}
	if _, err := tx.NewUpdate().Model(loc).Set("hardware_key_code = ?", code).Set("hwkc_source = ?", source).
		Set("updated_at = now()").WherePK().Returning("*").Exec(ctx); err != nil {
		return fmt.Errorf("change hardware key code of %s: %w", loc.ID, err)
	}
	var lmc db.Location
	err := tx.NewSelect().Model(&lmc).Where("l.parent_id = ?", loc.ID).Where("l.child_kind = ?", db.ChildLMC).
		Where("l.hwkc_source = ?", catalog.SourceDerivedFromParent).Where("l.deleted_at IS NULL").For("UPDATE").Scan(ctx)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lock LMC child of %s: %w", loc.ID, err)
	}
	lmcCode := hwkc.LMC(code)
	if err := swapCode(ctx, tx, &lmc, lmcCode); err != nil {
		return err
	}
	if _, err := tx.NewUpdate().Model(&lmc).Set("hardware_key_code = ?", lmcCode).Set("updated_at = now()").
		WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("change hardware key code of LMC child %s: %w", lmc.ID, err)
	}
	return nil
}

// swapCode releases l's current primary code and claims code instead (a
// location holds one primary code; a code another location holds fails the
// claim, and the caller's transaction rolls the release back).
func swapCode(ctx context.Context, tx bun.Tx, l *db.Location, code string) error {
	if _, err := tx.NewDelete().Model((*db.HardwareKeyCode)(nil)).Where("code = ?", l.HardwareKeyCode).
		Where("location_id = ?", l.ID).Exec(ctx); err != nil {
		return fmt.Errorf("release hardware key code %s: %w", l.HardwareKeyCode, err)
	}
	return reserve(ctx, tx, []db.HardwareKeyCode{{Code: code, LocationID: l.ID, Role: db.HwkcPrimary}})
}
