package location

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"lms/apperr"
	"lms/catalog"
)

// Migrate makes the location of s, locked by LockSystem in tx, a location of
// system type to with the Hardware Key Code the user entered for the new
// system (MIG-1): the code must be one of to's, in any form Normalize
// accepts (INVALID_HARDWARE_KEYCODE), and no other live location's
// (DUPLICATE_HARDWARE_KEYCODE); the old code is released with
// ChangeHardwareKeyCode, the only way a HWKC changes. Package migration
// calls it once the catalog allowed the path and the licenses, and records
// the history and moves the licenses around it; s is updated in place.
// Errors concern the input field field.
func (s *System) Migrate(ctx context.Context, tx bun.Tx, to *catalog.SystemType, code, field string) error {
	loc := s.Location
	normalized, e := enteredCode(*to, code, field)
	if e != nil {
		return e
	}
	if err := ChangeHardwareKeyCode(ctx, tx, loc, normalized, catalog.SourceEntered); err != nil {
		if e, ok := apperr.As(err); ok {
			return e.OnField(field)
		}
		return err
	}
	if _, err := tx.NewUpdate().Model(loc).Set("system_type = ?", to.Code).Set("updated_at = now()").
		WherePK().Returning("system_type, updated_at").Exec(ctx); err != nil {
		return fmt.Errorf("migrate location %s to %s: %w", loc.ID, to.Code, err)
	}
	s.Type = to
	return nil
}
