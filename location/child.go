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
	"lms/hwkc"
)

// System types that child locations are created with.
const (
	lmcType   = "LMC"
	srMgcType = "SR_MGC"
)

// insertLMC creates the License Manager Client child of parent (LOC-4): system
// LMC, named <parent>_LMC unless name is set, with the parent's HWKC behind LM
// (LMIS for an iS3000 code, without its aa/AA).
func (s *Service) insertLMC(ctx context.Context, tx bun.Tx, parent *db.Location, name string) (*db.Location, error) {
	code := hwkc.LMC(parent.HardwareKeyCode)
	st, err := systemType(ctx, tx, lmcType)
	if err != nil {
		return nil, err
	}
	if !st.ValidHardwareKeyCode(code) {
		return nil, apperr.New(apperr.InvalidHardwareKeyCode, "the LMC code %s derived from %s does not match %s", code, parent.HardwareKeyCode, hwkc.FormatHint(*st))
	}
	if name == "" {
		name = parent.Name + "_LMC"
	}
	child := newChild(parent, db.ChildLMC, lmcType, name)
	child.HwkcSource = catalog.SourceDerivedFromParent
	if err := s.insert(ctx, tx, child, &codes{primary: code}); err != nil {
		return nil, err
	}
	return child, nil
}

func newChild(parent *db.Location, kind db.ChildKind, systemType, name string) *db.Location {
	return &db.Location{
		ID: uuid.New(), PartnerID: parent.PartnerID, CustomerID: parent.CustomerID,
		ParentID: &parent.ID, ChildKind: &kind, SystemType: systemType, Name: name,
		Address: parent.Address, CustomerEmail: parent.CustomerEmail, DealerEmail: parent.DealerEmail,
		Vertical: parent.Vertical,
	}
}

// CreateChildLocationInput is the input of CreateChildLocation.
type CreateChildLocationInput struct {
	ParentID uuid.UUID
	Kind     db.ChildKind
	// Name is required for SR-MGC and redundant children; an LMC child is
	// named <parent>_LMC when it is empty.
	Name string
	// HardwareKeyCode is the secondary's code of a REDUNDANT child; the
	// others' codes are generated or derived.
	HardwareKeyCode string
	// Confirmed is the user's explicit authorisation to create an SR-MGC or
	// redundant child under the parent (LOC-5, LOC-10).
	Confirmed bool
}

// Validate checks the input on its own.
func (in *CreateChildLocationInput) Validate() error {
	trim(&in.Name, &in.HardwareKeyCode)
	var errs apperr.List
	switch in.Kind {
	case db.ChildLMC:
		if in.HardwareKeyCode != "" {
			errs.Add(apperr.Invalid("hardwareKeyCode", "the Hardware Key Code of an LMC location is derived from its parent; leave it empty"))
		}
	case db.ChildSrMgc, db.ChildRedundant:
		if in.Name == "" {
			errs.Add(apperr.Invalid("name", "enter a name for the child location"))
		}
		if !in.Confirmed {
			errs.Add(apperr.Invalid("confirmed", "confirm that the location is to be created as a child location of the parent"))
		}
		if in.Kind == db.ChildSrMgc && in.HardwareKeyCode != "" {
			errs.Add(apperr.Invalid("hardwareKeyCode", "an SR-MGC location gets a generated temp key; leave it empty"))
		}
		if in.Kind == db.ChildRedundant && in.HardwareKeyCode == "" {
			errs.Add(apperr.New(apperr.InvalidHardwareKeyCode, "enter the Hardware Key Code of the secondary system").OnField("hardwareKeyCode"))
		}
	default:
		errs.Add(apperr.Invalid("kind", "unknown child kind %q", in.Kind))
	}
	errs.Add(checkLength("name", in.Name, maxName))
	return errs.Err()
}

// CreateChildLocation adds a child location under a location of the
// caller's partner (LOC-13): an LMC child by hand where the parent type
// allows it (iS3000, LOC-4), an SR-MGC with a generated temp key under an
// SV8500 (LOC-5), or the redundant secondary of a BX9000/OVOC or the
// supervisor of a MobiCall master (LOC-10, LOC-11). The child belongs to the
// parent's customer and gets the parent's address and emails; the EULA is
// mailed for it as for any new location.
// Errors: UNAUTHENTICATED, NOT_FOUND (parent), VALIDATION_FAILED,
// NOT_APPLICABLE (the parent cannot have such a child), ALREADY_EXISTS (a
// second LMC or redundant child), INVALID_HARDWARE_KEYCODE,
// DUPLICATE_HARDWARE_KEYCODE.
func (s *Service) CreateChildLocation(ctx context.Context, in CreateChildLocationInput) (*db.Location, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var child *db.Location
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Locking the parent serialises child creation per parent, so the
		// one-LMC / one-secondary rule is checked before the unique index
		// would have to report it.
		parent, err := lockLocation(ctx, tx, a, in.ParentID, "parentId")
		if err != nil {
			return err
		}
		if parent.ParentID != nil {
			return apperr.New(apperr.NotApplicable, "%s is itself a child location; child locations have no children", parent.Name).OnField("parentId")
		}
		pst, err := systemType(ctx, tx, parent.SystemType)
		if err != nil {
			return err
		}
		if in.Kind != db.ChildSrMgc {
			exists, err := tx.NewSelect().Model((*db.Location)(nil)).Where("parent_id = ?", parent.ID).
				Where("child_kind = ?", in.Kind).Where("deleted_at IS NULL").Exists(ctx)
			if err != nil {
				return err
			}
			if exists {
				return apperr.New(apperr.AlreadyExists, "%s already has a %s child location", parent.Name, in.Kind).OnField("kind")
			}
		}
		switch in.Kind {
		case db.ChildLMC:
			if !pst.HasFlag(catalog.FlagLmcByHand) && !pst.HasFlag(catalog.FlagLmcChild) {
				return apperr.New(apperr.NotApplicable, "a %s location has no License Manager Client location", pst.Name).OnField("kind")
			}
			child, err = s.insertLMC(ctx, tx, parent, in.Name)
		case db.ChildSrMgc:
			if !pst.HasFlag(catalog.FlagSrMgcChildren) {
				return apperr.New(apperr.NotApplicable, "SR-MGC locations are children of an SV8500 location, not of a %s", pst.Name).OnField("kind")
			}
			st, serr := systemType(ctx, tx, srMgcType)
			if serr != nil {
				return serr
			}
			child = newChild(parent, db.ChildSrMgc, st.Code, in.Name)
			child.HwkcSource = catalog.SourceGeneratedTempKey
			err = s.insert(ctx, tx, child, &codes{generate: tempKeys(st.HwkcPrefix, s.now())})
		case db.ChildRedundant:
			child, err = s.insertSecondary(ctx, tx, parent, pst, in)
		}
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{
			Action:     "location.create_child",
			PartnerIDs: []uuid.UUID{child.PartnerID},
			Objects:    []string{audit.Ref("Location", child.ID), audit.Ref("Location", parent.ID)},
			Summary:    summary(child),
		}); err != nil {
			return err
		}
		cust := new(db.Customer)
		if err := tx.NewSelect().Model(cust).Where("c.id = ?", child.CustomerID).Scan(ctx); err != nil {
			return err
		}
		st, err := systemType(ctx, tx, child.SystemType)
		if err != nil {
			return err
		}
		return s.sendEULA(ctx, tx, cust, child, st)
	})
	if err != nil {
		return nil, fmt.Errorf("create %s child of location %s: %w", in.Kind, in.ParentID, err)
	}
	return child, nil
}

// insertSecondary creates the redundant secondary of parent (LOC-10, LOC-11).
func (s *Service) insertSecondary(ctx context.Context, tx bun.Tx, parent *db.Location, pst *catalog.SystemType, in CreateChildLocationInput) (*db.Location, error) {
	secondary, ok := pst.Secondary()
	if !ok {
		return nil, apperr.New(apperr.NotApplicable, "a %s location has no redundant secondary", pst.Name).OnField("kind")
	}
	if pst.RequiresProductKey(parent.HardwareKeyCode) {
		return nil, apperr.New(apperr.NotApplicable, "%s is a hardware product; only software products (BX9000, OVOC) have a redundant secondary", parent.Name).OnField("kind")
	}
	st, err := systemType(ctx, tx, secondary)
	if err != nil {
		return nil, err
	}
	code, ok := hwkc.Normalize(*st, in.HardwareKeyCode)
	if !ok {
		return nil, apperr.New(apperr.InvalidHardwareKeyCode, "%q is not a valid %s Hardware Key Code: %s", in.HardwareKeyCode, st.Name, hwkc.FormatHint(*st)).OnField("hardwareKeyCode")
	}
	if code == parent.HardwareKeyCode {
		return nil, apperr.New(apperr.DuplicateHardwareKeyCode, "the secondary needs its own Hardware Key Code, not the primary's").OnField("hardwareKeyCode")
	}
	child := newChild(parent, db.ChildRedundant, st.Code, in.Name)
	child.HwkcSource = catalog.SourceEntered
	if err := s.insert(ctx, tx, child, &codes{primary: code}); err != nil {
		return nil, err
	}
	return child, nil
}
