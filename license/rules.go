package license

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/location"
)

// system is a location with what the per-system rules need: its system type
// and the root of its system (the PBX; the location itself when it has no
// parent), both locked for the rest of the transaction.
type system struct {
	loc  *db.Location
	root *db.Location
	st   *catalog.SystemType
}

// provisional reports whether the location's HWKC is a temp key that will
// be replaced (SV9500 Standard Server before "Create HKC", and its LMC
// child), as opposed to a temp key that is the system's identity for good
// (SR-MGC, whose only source is the temp key).
func (s *system) provisional() bool {
	if !location.HasTemporaryKey(s.loc) {
		return false
	}
	return !(len(s.st.HwkcSources) == 1 && s.st.HasSource(catalog.SourceGeneratedTempKey))
}

// redundantSecondary reports whether the location is the redundant
// secondary of a primary of its own system type (BX9000/OVOC): licenses go
// to the primary only (LOC-10). A MobiCall supervisor is a redundant child
// of another type and takes its own "-M" parts (LOC-11).
func (s *system) redundantSecondary() bool {
	return s.loc.ChildKind != nil && *s.loc.ChildKind == db.ChildRedundant && s.root.SystemType == s.loc.SystemType
}

// checkPart applies the rules of LIC-3 that depend on the part and the
// location only (LOC-5, LOC-6, LOC-7, LOC-10, LOC-11, DECT-2).
func (s *system) checkPart(p *catalog.Part) *apperr.Error {
	st := s.st
	switch {
	case p.HasFlag(catalog.FlagSwaUnit):
		return apperr.New(apperr.PartNotAllowed, "%s (%s) is an SWA unit; SWA units are assigned through Software Assurance, not attached", p.Name, p.Number)
	case p.HasFlag(catalog.FlagSrMgcOnly) && !p.AllowedOn(st.Code):
		return apperr.New(apperr.WrongLocationForPart, "%s (%s) is an SR-MGC license: attach it to a designated SR-MGC child location of the SV8500, not to %s", p.Name, p.Number, s.loc.Name)
	case s.redundantSecondary():
		return apperr.New(apperr.WrongLocationForPart, "%s is the redundant secondary of %s: attach and activate licenses on the primary location only", s.loc.Name, s.root.Name)
	case !p.AllowedOn(st.Code):
		if e := s.wrongMobiCallLocation(p); e != nil {
			return e
		}
		if p.HasFlag(catalog.FlagMobicallSupervisor) {
			return apperr.New(apperr.PartNotAllowed, "%s (%s) cannot be attached to a %s location: parts ending -M go to a MobiCall Supervisor location only", p.Name, p.Number, st.Name)
		}
		return apperr.New(apperr.PartNotAllowed, "%s (%s) cannot be attached to a %s location", p.Name, p.Number, st.Name)
	case s.provisional() && !p.HasFlag(catalog.FlagVirtualizationOption):
		return apperr.New(apperr.PartNotAllowed, "%s still has its temp key %s: only the Virtualization Option may be attached until the Hardware Key Code is created from the IP address", s.loc.Name, s.loc.HardwareKeyCode)
	case p.HasFlag(catalog.FlagVirtualizationOption) && !s.provisional():
		return apperr.New(apperr.PartNotAllowed, "%s (%s) is for an SV9500 Standard Server that still has its temp key; %s has Hardware Key Code %s", p.Name, p.Number, s.loc.Name, s.loc.HardwareKeyCode)
	case s.loc.SmallEnterprise && !p.HasFlag(catalog.FlagSeOnly):
		return apperr.New(apperr.PartNotAllowed, "%s is an SV9500 Small Enterprise: it accepts only SE (V7) parts, not %s (%s)", s.loc.Name, p.Name, p.Number)
	case !s.loc.SmallEnterprise && p.HasFlag(catalog.FlagSeOnly):
		return apperr.New(apperr.PartNotAllowed, "%s (%s) is for SV9500 Small Enterprise locations only", p.Name, p.Number)
	}
	return nil
}

// lockSystem locks the location and the root of its system
// (location.LockSystem): rules that count over the PBX and its children
// (LIC-11, LOC-10) then see every license and child of the system, with no
// other request changing them. Another partner's location answers NOT_FOUND
// on field.
func lockSystem(ctx context.Context, tx bun.Tx, a *actor.Actor, id uuid.UUID, field string) (*system, error) {
	loc, root, err := location.LockSystem(ctx, tx, a, id, field)
	if err != nil {
		return nil, err
	}
	sts, err := catalog.FindSystemTypes(ctx, tx, []string{loc.SystemType})
	if err != nil {
		return nil, err
	}
	return &system{loc: loc, root: root, st: sts[0]}, nil
}

// usage is what a system already holds, attached plus activated: the
// quantity per part over the root and its children (a deleted child holds
// no licenses), and the total on the location itself.
type usage struct {
	system map[string]int
	total  int
}

func (s *system) usage(ctx context.Context, tx bun.IDB) (*usage, error) {
	var rows []struct {
		LocationID uuid.UUID `bun:"location_id"`
		PartNumber string    `bun:"part_number"`
		Quantity   int       `bun:"quantity"`
	}
	err := tx.NewSelect().TableExpr("licenses AS lic").
		ColumnExpr("lic.location_id, lic.part_number, sum(lic.quantity)::int AS quantity").
		Join("JOIN locations AS l ON l.id = lic.location_id").
		Where("l.id = ? OR l.parent_id = ?", s.root.ID, s.root.ID).
		GroupExpr("lic.location_id, lic.part_number").Scan(ctx, &rows)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("count licenses of system %s: %w", s.root.ID, err)
	}
	u := &usage{system: map[string]int{}}
	for _, r := range rows {
		u.system[r.PartNumber] += r.Quantity
		if r.LocationID == s.loc.ID {
			u.total += r.Quantity
		}
	}
	return u, nil
}

// checkLimits applies LIC-11 (maxPerSystem over the PBX and its children)
// and DECT-2 (a single-license system type takes one license, no
// expansion) to the quantities about to be attached, per part.
func (s *system) checkLimits(u *usage, adding map[string]int, parts map[string]*catalog.Part) *apperr.Error {
	total := u.total
	for _, n := range adding {
		total += n
	}
	if s.st.HasFlag(catalog.FlagSingleLicense) && total > 1 {
		return apperr.New(apperr.LimitExceeded, "a %s location takes exactly one license and cannot be expanded; %s already has %d", s.st.Name, s.loc.Name, u.total)
	}
	for number, n := range adding {
		p := parts[number]
		if p.MaxPerSystem != nil && u.system[number]+n > *p.MaxPerSystem {
			return apperr.New(apperr.LimitExceeded, "only %d × %s (%s) is supported per %s system (the PBX and its child locations); it already has %d",
				*p.MaxPerSystem, p.Name, p.Number, s.root.SystemType, u.system[number])
		}
	}
	return nil
}
