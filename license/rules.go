package license

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/location"
)

// The per-system rules of attaching a part (LIC-3, LIC-11, LOC-5..7,
// LOC-10, LOC-11, DECT-2): pure functions over a snapshot of the system
// (location.System) and what it holds (Usage), so that they read like the
// guide and are table-tested without a database. The services load and
// lock the snapshot (location.LockSystem, usageOf) before calling them.

// CheckPart applies the rules of LIC-3 that depend on the part and the
// location only (LOC-5, LOC-6, LOC-7, LOC-10, LOC-11, DECT-2): nil when p may
// be attached to the system's location, else PART_NOT_ALLOWED or
// WRONG_LOCATION_FOR_PART with a message saying where it goes.
func CheckPart(sys *location.System, p *catalog.Part) *apperr.Error {
	st, loc := sys.Type, sys.Location
	switch {
	case p.HasFlag(catalog.FlagSwaUnit):
		return apperr.New(apperr.PartNotAllowed, "%s (%s) is an SWA unit; SWA units are assigned through Software Assurance, not attached", p.Name, p.Number)
	case p.HasFlag(catalog.FlagSrMgcOnly) && !p.AllowedOn(st.Code):
		return apperr.New(apperr.WrongLocationForPart, "%s (%s) is an SR-MGC license: attach it to a designated SR-MGC child location of the SV8500, not to %s", p.Name, p.Number, loc.Name)
	case sys.IsRedundantSecondary():
		return apperr.New(apperr.WrongLocationForPart, "%s is the redundant secondary of %s: attach and activate licenses on the primary location only", loc.Name, sys.Root.Name)
	case !p.AllowedOn(st.Code):
		if e := wrongMobiCallLocation(sys, p); e != nil {
			return e
		}
		if p.HasFlag(catalog.FlagMobicallSupervisor) {
			return apperr.New(apperr.PartNotAllowed, "%s (%s) cannot be attached to a %s location: parts ending -M go to a MobiCall Supervisor location only", p.Name, p.Number, st.Name)
		}
		return apperr.New(apperr.PartNotAllowed, "%s (%s) cannot be attached to a %s location", p.Name, p.Number, st.Name)
	case sys.Provisional() && !p.HasFlag(catalog.FlagVirtualizationOption):
		return apperr.New(apperr.PartNotAllowed, "%s still has its temp key %s: only the Virtualization Option may be attached until the Hardware Key Code is created from the IP address", loc.Name, loc.HardwareKeyCode)
	case p.HasFlag(catalog.FlagVirtualizationOption) && !sys.Provisional():
		return apperr.New(apperr.PartNotAllowed, "%s (%s) is for an SV9500 Standard Server that still has its temp key; %s has Hardware Key Code %s", p.Name, p.Number, loc.Name, loc.HardwareKeyCode)
	case loc.SmallEnterprise && !p.HasFlag(catalog.FlagSeOnly):
		return apperr.New(apperr.PartNotAllowed, "%s is an SV9500 Small Enterprise: it accepts only SE (V7) parts, not %s (%s)", loc.Name, p.Name, p.Number)
	case !loc.SmallEnterprise && p.HasFlag(catalog.FlagSeOnly):
		return apperr.New(apperr.PartNotAllowed, "%s (%s) is for SV9500 Small Enterprise locations only", p.Name, p.Number)
	}
	return nil
}

// wrongMobiCallLocation explains a part refused on a location when it
// belongs on the other location of the same MobiCall system (LOC-11): an -M
// part on the master goes to its supervisor (the master type's redundant
// secondary takes it), a master part on the supervisor (a redundant child
// of another type) goes to the master. Anywhere else a refused part, -M or
// not (a MobiBox takes master parts only), is simply not allowed: it returns
// nil and CheckPart answers PART_NOT_ALLOWED.
func wrongMobiCallLocation(sys *location.System, p *catalog.Part) *apperr.Error {
	switch {
	case p.HasFlag(catalog.FlagMobicallSupervisor):
		if sec, ok := sys.Type.Secondary(); ok && p.AllowedOn(sec) {
			return apperr.New(apperr.WrongLocationForPart, "%s (%s) is a MobiCall Supervisor license: parts ending -M go to the MobiCall Supervisor location, the redundant child of %s; the master takes the parts without -M",
				p.Name, p.Number, sys.Location.Name)
		}
	case sys.IsMobiCallSupervisor() && p.AllowedOn(sys.Root.SystemType):
		return apperr.New(apperr.WrongLocationForPart, "%s is the %s of %s and takes parts ending -M only: %s (%s) goes to the master location %s",
			sys.Location.Name, sys.Type.Name, sys.Root.Name, p.Name, p.Number, sys.Root.Name)
	}
	return nil
}

// belongsOnOtherLocation reports whether a part goes to the other location
// of this MobiCall system: an -M part on the master, a master part on the
// supervisor (wrongMobiCallLocation answers for it here). Whether that
// location exists is location.System.HasOtherMobiCallLocation's question.
func belongsOnOtherLocation(sys *location.System, p *catalog.Part) bool {
	return p != nil && !p.AllowedOn(sys.Type.Code) && wrongMobiCallLocation(sys, p) != nil
}

// Usage is what a system already holds, attached plus activated: the
// quantity per part over the root and its children (a deleted child holds
// no licenses), and on the location itself the total and the quantity per
// part.
type Usage struct {
	System        map[string]int
	Location      int
	LocationParts map[string]int
}

// usageOf loads the Usage of a system locked by location.LockSystem.
func usageOf(ctx context.Context, idb bun.IDB, sys *location.System) (*Usage, error) {
	var rows []struct {
		LocationID uuid.UUID `bun:"location_id"`
		PartNumber string    `bun:"part_number"`
		Quantity   int       `bun:"quantity"`
	}
	// Per location of the system (a union, not "id = root OR parent_id =
	// root"), its licenses through a lateral join: each step an index scan
	// whatever the statistics say, even none (issue 14: without them the
	// planner scanned every license).
	err := db.Scan(ctx, idb, `SELECT s.id AS location_id, u.part_number, u.quantity
		FROM (SELECT l.id FROM locations AS l WHERE l.id = $1
			UNION ALL SELECT l.id FROM locations AS l WHERE l.parent_id = $1) AS s
		CROSS JOIN LATERAL (SELECT lic.part_number, sum(lic.quantity)::int AS quantity
			FROM licenses AS lic WHERE lic.location_id = s.id GROUP BY lic.part_number) AS u`, []any{sys.Root.ID}, &rows)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("count licenses of system %s: %w", sys.Root.ID, err)
	}
	u := &Usage{System: map[string]int{}, LocationParts: map[string]int{}}
	for _, r := range rows {
		u.System[r.PartNumber] += r.Quantity
		if r.LocationID == sys.Location.ID {
			u.Location += r.Quantity
			u.LocationParts[r.PartNumber] += r.Quantity
		}
	}
	return u, nil
}

// CheckLimits applies LIC-11 (maxPerSystem over the PBX and its children)
// and DECT-2 (a single-license system type takes one license, no
// expansion) to the quantities about to be attached, per part number, given
// what the system holds: nil, or LIMIT_EXCEEDED.
func CheckLimits(sys *location.System, u *Usage, adding map[string]int, parts map[string]*catalog.Part) *apperr.Error {
	total := u.Location
	for _, n := range adding {
		total += n
	}
	if sys.Type.HasFlag(catalog.FlagSingleLicense) && total > 1 {
		return apperr.New(apperr.LimitExceeded, "a %s location takes exactly one license and cannot be expanded; %s already has %d", sys.Type.Name, sys.Location.Name, u.Location)
	}
	for number, n := range adding {
		p := parts[number]
		if p.MaxPerSystem != nil && u.System[number]+n > *p.MaxPerSystem {
			return apperr.New(apperr.LimitExceeded, "only %d × %s (%s) is supported per %s system (the PBX and its child locations); it already has %d",
				*p.MaxPerSystem, p.Name, p.Number, sys.Root.SystemType, u.System[number])
		}
	}
	return nil
}
