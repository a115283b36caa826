package location

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"lms/apperr"
	"lms/catalog"
	"lms/db"
)

// Hardware replacement (HWR-1): a location's entered HWKC gives way to the
// code of its new CPU or dongle, of the same system type. These are the
// location's rules of it; the replacement package runs the change.

// generatedBy says, per HWKC source other than an entered code, why such a
// location has no hardware to replace.
var generatedBy = map[string]string{
	catalog.SourceGeneratedFromFCN:    "a virtual Hardware Key Code generated from its Full Computer Name: it never needs a hardware replacement; edit the Full Computer Name instead",
	catalog.SourceGeneratedFromIP:     "a virtual Hardware Key Code derived from its LAN1 (ACT) IP address: it never needs a hardware replacement",
	catalog.SourceGeneratedFromMAC:    "a Hardware Key Code generated from the MAC address of its Small Enterprise server, not one of a CPU or dongle",
	catalog.SourceGeneratedFromDomain: "a Hardware Key Code generated from its domain name, not one of a CPU or dongle",
	catalog.SourceGeneratedTempKey:    "a generated temp key, not the Hardware Key Code of a CPU or dongle",
	catalog.SourceDerivedFromParent:   "a Hardware Key Code derived from its parent location's: replace the parent's hardware and it follows",
}

// ReplacementCode checks that the system's hardware may be replaced (HWR-1)
// by the HWKC input names, and returns input in its stored form: validated
// and normalised by the system type's format like an entered code at
// creation (LOC-2), not the current code, and not registered for any live
// location. Only an entered code of a location that carries its own
// licenses and license file is replaced: generated codes (LOC-6..9, the
// LMC's) are refused, as are external products (their files come from
// elsewhere), a redundant secondary (its licenses and file are its
// primary's) and BX hardware products (a new unit has a new delivery
// serial too). The new code is claimed only by ReplaceHardwareKeyCode.
// Errors: NOT_APPLICABLE (on locationField), INVALID_HARDWARE_KEYCODE and
// DUPLICATE_HARDWARE_KEYCODE (on field).
func (s *System) ReplacementCode(ctx context.Context, idb bun.IDB, input, locationField, field string) (string, error) {
	loc, st := s.Location, s.Type
	notApplicable := func(format string, args ...any) (string, error) {
		return "", apperr.New(apperr.NotApplicable, format, args...).OnField(locationField)
	}
	switch {
	case loc.HwkcSource != catalog.SourceEntered:
		why, ok := generatedBy[loc.HwkcSource]
		if !ok {
			why = "a Hardware Key Code LMS generated"
		}
		return notApplicable("%s has %s", loc.Name, why)
	case st.HasFlag(catalog.FlagExternal):
		return notApplicable("the license files of a %s come from an external source: its hardware is replaced there, not in LMS", st.Name)
	case s.IsRedundantSecondary():
		return notApplicable("%s is a redundant secondary: its licenses and license file are its primary's", loc.Name)
	case st.RequiresProductKey(loc.HardwareKeyCode):
		return notApplicable("%s is a hardware product: a new unit comes with its own delivery serial (product key); register it as a new location", loc.Name)
	}
	code, e := enteredCode(*st, input, field)
	if e != nil {
		return "", e
	}
	if code == loc.HardwareKeyCode {
		return "", apperr.New(apperr.InvalidHardwareKeyCode, "%s is already the Hardware Key Code of %s: enter the code of the new CPU or dongle", code, loc.Name).OnField(field)
	}
	taken, err := idb.NewSelect().Model((*db.HardwareKeyCode)(nil)).Where("code = ?", code).Exists(ctx)
	if err != nil {
		return "", fmt.Errorf("look up hardware key code %s: %w", code, err)
	}
	if taken {
		return "", apperr.New(apperr.DuplicateHardwareKeyCode, "Hardware Key Code %s is already registered for a location", code).OnField(field)
	}
	return code, nil
}

// ReplaceHardwareKeyCode gives the system, locked by the caller in tx
// (LockSystem) and checked by ReplacementCode, its new entered HWKC code
// (HWR-1) through ChangeHardwareKeyCode: the old code is released, the new
// one claimed, and an LMC child derived from it follows. Licenses, files
// and SWA hang off the location's id and stay. Errors:
// DUPLICATE_HARDWARE_KEYCODE (on field: a location registered the code
// since ReplacementCode looked).
func (s *System) ReplaceHardwareKeyCode(ctx context.Context, tx bun.Tx, code, field string) error {
	err := ChangeHardwareKeyCode(ctx, tx, s.Location, code, catalog.SourceEntered)
	if e, ok := apperr.As(err); ok && e.Code == apperr.DuplicateHardwareKeyCode {
		return e.OnField(field)
	}
	return err
}
