package location

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/hwkc"
)

// System is a location seen as part of a PBX system: the location, the
// root of its system (its parent, or the location itself when it has
// none) and its system type. It is the snapshot the per-system rules of
// licenses, SWA and hardware changes are checked against (LOC-5..11); the
// predicates below are the one place that tells the kinds of location
// apart.
type System struct {
	Location *db.Location
	Root     *db.Location
	Type     *catalog.SystemType
}

// lockSystemSQL locks a location ($1) and its parent, parent first (in the
// order of the rows: PostgreSQL locks above the sort). The subquery finds
// them, for the partner $2 (any when null), in the statement's snapshot;
// the rows returned are their latest versions, so a deletion committed
// while waiting for the lock is seen.
const lockSystemSQL = `SELECT l.* FROM locations AS l
WHERE l.id IN (SELECT unnest(array[c.id, c.parent_id]) FROM locations AS c
	WHERE c.id = $1 AND c.deleted_at IS NULL AND ($2::uuid IS NULL OR c.partner_id = $2))
ORDER BY l.parent_id IS NOT NULL
FOR UPDATE OF l`

// LockSystem locks a location and, first, its parent (so that requests on a
// PBX and on its children always lock in the same order and cannot
// deadlock), and reads its system type. While both are held, nothing
// changes what hangs off the system's root: its children, their licenses.
// Another partner's location answers NOT_FOUND on field (ACT-3).
func LockSystem(ctx context.Context, tx bun.Tx, a *actor.Actor, id uuid.UUID, field string) (*System, error) {
	var locs []*db.Location
	if err := db.Scan(ctx, tx, lockSystemSQL, []any{id, a.RestrictedTo()}, &locs); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("lock location %s: %w", id, err)
	}
	sys := new(System)
	for _, l := range locs {
		if l.ID == id {
			sys.Location = l
		} else {
			sys.Root = l
		}
	}
	if sys.Location == nil || sys.Location.DeletedAt != nil {
		return nil, apperr.NotFoundf("location").OnField(field)
	}
	if sys.Root == nil {
		if sys.Location.ParentID != nil {
			return nil, fmt.Errorf("lock location %s: parent %s not found", id, *sys.Location.ParentID)
		}
		sys.Root = sys.Location
	}
	var err error
	if sys.Type, err = systemType(ctx, tx, sys.Location.SystemType); err != nil {
		return nil, err
	}
	return sys, nil
}

// FindSystem reads a live location the actor may see as a System, without
// locking anything: uploads check their target with it before reading the
// file, and check again under LockSystem in their transaction. Another
// partner's location answers NOT_FOUND on field.
func FindSystem(ctx context.Context, idb bun.IDB, a *actor.Actor, id uuid.UUID, field string) (*System, error) {
	loc := new(db.Location)
	err := a.Restrict(idb.NewSelect().Model(loc), "l.partner_id").Where("l.id = ?", id).Where("l.deleted_at IS NULL").Scan(ctx)
	if isNoRows(err) {
		return nil, apperr.NotFoundf("location").OnField(field)
	}
	if err != nil {
		return nil, fmt.Errorf("find location %s: %w", id, err)
	}
	sys := &System{Location: loc, Root: loc}
	if loc.ParentID != nil {
		sys.Root = new(db.Location)
		if err := idb.NewSelect().Model(sys.Root).Where("l.id = ?", *loc.ParentID).Scan(ctx); err != nil {
			return nil, fmt.Errorf("find parent location %s: %w", *loc.ParentID, err)
		}
	}
	if sys.Type, err = systemType(ctx, idb, loc.SystemType); err != nil {
		return nil, err
	}
	return sys, nil
}

// Provisional reports whether the location's HWKC is a temp key that will
// be replaced (SV9500 Standard Server before "Create HKC", and its LMC
// child), as opposed to a temp key that is the system's identity for good
// (SR-MGC, whose only source is the temp key).
func (s *System) Provisional() bool {
	if !HasTemporaryKey(s.Location) {
		return false
	}
	return !(len(s.Type.HwkcSources) == 1 && s.Type.HasSource(catalog.SourceGeneratedTempKey))
}

// IsRedundantSecondary reports whether the location is the redundant
// secondary of a primary of its own system type (BX9000/OVOC): licenses go
// to the primary only (LOC-10).
func (s *System) IsRedundantSecondary() bool {
	return isRedundantChild(s.Location) && s.Root.SystemType == s.Location.SystemType
}

// IsMobiCallSupervisor reports whether the location is a redundant child of
// another type than its root: a MobiCall Supervisor under its master
// (LOC-11), which takes its own "-M" parts.
func (s *System) IsMobiCallSupervisor() bool {
	return isRedundantChild(s.Location) && s.Root.SystemType != s.Location.SystemType
}

func isRedundantChild(l *db.Location) bool {
	return l.ChildKind != nil && *l.ChildKind == db.ChildRedundant
}

// HasOtherMobiCallLocation reports whether the location has the other
// location of a redundant MobiCall system (LOC-11): a supervisor always has
// its master, the root; a master has one when a live redundant child of its
// type's secondary type hangs off it (RedundantSecondary looks for a
// secondary of the primary's own type only). The root's lock (LockSystem)
// keeps the answer until the transaction ends: creating a child locks its
// parent, deleting one locks its system's root.
func (s *System) HasOtherMobiCallLocation(ctx context.Context, idb bun.IDB) (bool, error) {
	if s.IsMobiCallSupervisor() {
		return true, nil
	}
	sec, ok := s.Type.Secondary()
	if !ok || sec == s.Type.Code || s.Location.ID != s.Root.ID {
		return false, nil
	}
	exists, err := idb.NewSelect().Model((*db.Location)(nil)).Where("parent_id = ?", s.Root.ID).
		Where("child_kind = ?", db.ChildRedundant).Where("system_type = ?", sec).Where("deleted_at IS NULL").Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("find the %s location of %s: %w", sec, s.Root.ID, err)
	}
	return exists, nil
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

// FillProductKeys gives a BX/OVOC software product (and its redundant
// secondary) its product key at the first activation (LOC-10); hardware
// products were created with theirs, and other system types have none.
// The system must be locked (LockSystem); its location is updated in place.
func (s *System) FillProductKeys(ctx context.Context, tx bun.Tx) error {
	if !s.Type.HasFlag(catalog.FlagProductKey) {
		return nil
	}
	loc := s.Location
	var locs []db.Location
	if err := tx.NewSelect().Model(&locs).Where("l.id IN (SELECT ?::uuid UNION ALL SELECT id FROM locations WHERE parent_id = ? AND child_kind = ?)", loc.ID, loc.ID, db.ChildRedundant).
		Where("l.deleted_at IS NULL").Where("l.product_key IS NULL").OrderExpr("l.parent_id NULLS FIRST").For("UPDATE").Scan(ctx); err != nil && !isNoRows(err) {
		return fmt.Errorf("lock locations without product key: %w", err)
	}
	for i := range locs {
		key, err := hwkc.NewProductKey()
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(&locs[i]).Set("product_key = ?", key).Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("fill product key of %s: %w", locs[i].ID, err)
		}
		if locs[i].ID == loc.ID {
			loc.ProductKey = &key
		}
	}
	return nil
}

// CreateHardwareKeyCodeFromIP gives an SV9500 Standard Server, locked by
// the caller, the HWKC derived from its LAN1 (ACT) address and records the
// address (LOC-6): the temp key gives way, the LMC child follows
// (ChangeHardwareKeyCode). It returns the new code. Errors:
// DUPLICATE_HARDWARE_KEYCODE.
func (s *System) CreateHardwareKeyCodeFromIP(ctx context.Context, tx bun.Tx, ip netip.Addr) (string, error) {
	loc := s.Location
	code := hwkc.FromIP(ip, loc.ID)
	if err := ChangeHardwareKeyCode(ctx, tx, loc, code, catalog.SourceGeneratedFromIP); err != nil {
		return "", err
	}
	addr := ip.String()
	loc.IPAddress = &addr
	if _, err := tx.NewUpdate().Model(loc).Set("ip_address = ?", addr).WherePK().Exec(ctx); err != nil {
		return "", fmt.Errorf("record IP address: %w", err)
	}
	return code, nil
}

// LockLocation reads a live location of the actor's partner (any, for an
// admin) and locks it for update until tx ends; another partner's location
// answers NOT_FOUND on field, exactly like a missing one (ACT-3). Services
// that change what hangs off a location (its licenses) take this lock first,
// so that per-location rules are checked one request at a time.
func LockLocation(ctx context.Context, tx bun.Tx, a *actor.Actor, id uuid.UUID, field string) (*db.Location, error) {
	return lockLocation(ctx, tx, a, id, field)
}
