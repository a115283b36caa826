package location

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"lms/catalog"
	"lms/db"
	"lms/hwkc"
)

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
