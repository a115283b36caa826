package license

import (
	"cmp"
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/location"
)

// ActivateInput selects attached licenses of one location to activate
// (LIC-5).
type ActivateInput struct {
	LocationID uuid.UUID
	LicenseIDs []uuid.UUID
	// AcceptAgreement is the user's explicit acceptance of the license
	// agreement: activation cannot be undone.
	AcceptAgreement bool
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *ActivateInput) Validate() error {
	if !in.AcceptAgreement {
		return apperr.New(apperr.AgreementNotAccepted, "licenses once activated cannot be deactivated or returned: accept the terms of the license agreement to activate").OnField("acceptAgreement")
	}
	return validateSelection(in.LicenseIDs)
}

// Activation is the answer of Activate: the activated licenses and the
// license file generation they started; for an external product, whose file
// comes from elsewhere, the (first) PENDING file waiting for the license
// desk's upload (EXT-1).
type Activation struct {
	Licenses []db.License
	File     *db.LicenseFile
}

// Activate makes attached licenses of a location permanent and requests a
// new license file, which a worker generates (LIC-5, LIC-6); it answers at
// once. Errors: UNAUTHENTICATED, AGREEMENT_NOT_ACCEPTED, VALIDATION_FAILED,
// NOT_FOUND (location, or a license not attached to it), ALREADY_ACTIVATED,
// NOT_APPLICABLE (temp key not yet replaced; redundancy without its
// secondary), INVALID_FEATURE_CODE_STRING (IP DECT without an AP capacity
// license, DECT-1), PO_CANNOT_BE_SPLIT (external products: part of a
// purchase order's attached licenses, EXT-2), IDEMPOTENCY_KEY_REUSED.
func (s *Service) Activate(ctx context.Context, in ActivateInput) (*Activation, error) {
	out, err := inventoryChange(ctx, s, "activateLicenses", &in, in.IdempotencyKey, nil, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*Activation, error) {
		sys, err := lockSystem(ctx, tx, a, in.LocationID, "locationId")
		if err != nil {
			return nil, err
		}
		if sys.provisional() {
			return nil, apperr.New(apperr.NotApplicable, "%s still has its temp key %s: create the Hardware Key Code from the IP address first (it activates the Virtualization Option)", sys.loc.Name, sys.loc.HardwareKeyCode).OnField("locationId")
		}
		return s.activate(ctx, tx, a, sys, in.LicenseIDs, db.FileForActivation)
	})
	if err != nil {
		return nil, fmt.Errorf("activate licenses on location %s: %w", in.LocationID, err)
	}
	return out, nil
}

// activate activates licenses of the locked system's location and requests
// the file; CreateVirtualHardwareKeyCode shares it.
func (s *Service) activate(ctx context.Context, tx bun.Tx, a *actor.Actor, sys *system, ids []uuid.UUID, reason db.LicenseFileReason) (*Activation, error) {
	licenses, err := lockLicenses(ctx, tx, sys.loc.ID, ids)
	if err != nil {
		return nil, err
	}
	if err := requireAttached(licenses, "license %s is already activated"); err != nil {
		return nil, err
	}
	if err := checkWholeOrderActivation(ctx, tx, sys, licenses); err != nil {
		return nil, err
	}
	if err := s.checkActivation(ctx, tx, sys, licenses); err != nil {
		return nil, err
	}
	if err := s.fillProductKeys(ctx, tx, sys); err != nil {
		return nil, err
	}

	var file *db.LicenseFile
	version := 0
	if !sys.st.HasFlag(catalog.FlagExternal) {
		if file, err = s.requestFile(ctx, tx, a, sys.loc, reason); err != nil {
			return nil, err
		}
		version = file.Version
	} else if file, err = s.awaitExternalFiles(ctx, tx, a, sys.loc, licenses); err != nil {
		return nil, err
	}
	now := s.now()
	// External licenses already carry the version of their sales order's
	// file (awaitExternalFiles).
	if _, err := tx.NewUpdate().Model((*db.License)(nil)).
		Set("status = ?", db.LicenseActivated).Set("activated_at = ?", now).Set("activated_by = ?", a.User.ID).
		Set("file_version = coalesce(file_version, ?)", version).Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
		return nil, fmt.Errorf("activate licenses: %w", err)
	}
	out := &Activation{File: file}
	objects := []string{audit.Ref("Location", sys.loc.ID)}
	summary := map[string]any{"location": sys.loc.Name, "hardwareKeyCode": sys.loc.HardwareKeyCode}
	for _, l := range licenses {
		l.Status, l.ActivatedAt, l.ActivatedBy, l.FileVersion = db.LicenseActivated, &now, &a.User.ID, cmp.Or(l.FileVersion, &version)
		out.Licenses = append(out.Licenses, *l)
		objects = append(objects, audit.Ref("License", l.ID))
		summary[l.SoftwareKeyCode] = fmt.Sprintf("%s × %d", l.PartNumber, l.Quantity)
	}
	if file != nil {
		objects = append(objects, audit.Ref("LicenseFile", file.ID))
		summary["fileVersion"] = file.Version
	}
	if err := audit.Record(ctx, tx, audit.Event{Action: "license.activate", PartnerIDs: []uuid.UUID{sys.loc.PartnerID}, Objects: objects, Summary: summary}); err != nil {
		return nil, err
	}
	return out, nil
}

// checkActivation applies the rules that look at what the location will
// hold once the selection is active: DECT-1 (an IP DECT file needs an AP
// capacity license) and LOC-10 (redundancy needs its secondary).
func (s *Service) checkActivation(ctx context.Context, tx bun.Tx, sys *system, selected []*db.License) error {
	var active []string
	if err := tx.NewSelect().Model((*db.License)(nil)).ColumnExpr("DISTINCT part_number").
		Where("location_id = ?", sys.loc.ID).Where("status = ?", db.LicenseActivated).Scan(ctx, &active); err != nil && !isNoRows(err) {
		return fmt.Errorf("read active parts: %w", err)
	}
	numbers := active
	for _, l := range selected {
		numbers = append(numbers, l.PartNumber)
	}
	parts, err := partsByNumber(ctx, tx, numbers)
	if err != nil {
		return err
	}
	required, err := catalog.PartsWithFlag(ctx, tx, sys.st.Code, catalog.FlagRequiredForLicenseFile)
	if err != nil {
		return err
	}
	if len(required) > 0 && !anyFlag(parts, catalog.FlagRequiredForLicenseFile) {
		return apperr.New(apperr.InvalidFeatureCodeString, "a %s license file needs at least one %s (%s) among the selected or already active licenses",
			sys.st.Name, required[0].Name, required[0].Number).OnField("licenseIds")
	}
	if anyFlag(parts, catalog.FlagHighAvailability) {
		sec, err := location.RedundantSecondary(ctx, tx, sys.loc)
		if err != nil {
			return err
		}
		if sec == nil {
			return apperr.New(apperr.NotApplicable, "%s is redundant: create its secondary as a child location before activating", sys.loc.Name).OnField("locationId")
		}
	}
	return nil
}

func anyFlag(parts map[string]*catalog.Part, f string) bool {
	for _, p := range parts {
		if p.HasFlag(f) {
			return true
		}
	}
	return false
}

// fillProductKeys gives a BX/OVOC software product (and its redundant
// secondary) its product key at the first activation (LOC-10); hardware
// products were created with theirs.
func (s *Service) fillProductKeys(ctx context.Context, tx bun.Tx, sys *system) error {
	if !sys.st.HasFlag(catalog.FlagProductKey) {
		return nil
	}
	var locs []db.Location
	if err := tx.NewSelect().Model(&locs).Where("(l.id = ? OR (l.parent_id = ? AND l.child_kind = ?))", sys.loc.ID, sys.loc.ID, db.ChildRedundant).
		Where("l.deleted_at IS NULL").Where("l.product_key IS NULL").OrderExpr("l.parent_id NULLS FIRST").For("UPDATE").Scan(ctx); err != nil && !isNoRows(err) {
		return fmt.Errorf("lock locations without product key: %w", err)
	}
	for i := range locs {
		key, err := newProductKey()
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(&locs[i]).Set("product_key = ?", key).Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("fill product key of %s: %w", locs[i].ID, err)
		}
		if locs[i].ID == sys.loc.ID {
			sys.loc.ProductKey = &key
		}
	}
	return nil
}

// newProductKey returns a 16-character product key in the shape of the
// guide's software products (V1D50EAF7FF016S3): capitals and digits.
func newProductKey() (string, error) { return randomCode(16) }

// nextVersion is the next file generation number of a location, whose row
// the caller has locked.
func nextVersion(ctx context.Context, tx bun.Tx, locationID uuid.UUID) (int, error) {
	var v int
	if err := tx.NewSelect().Model((*db.LicenseFile)(nil)).ColumnExpr("coalesce(max(version), 0) + 1").
		Where("location_id = ?", locationID).Scan(ctx, &v); err != nil {
		return 0, fmt.Errorf("next file version: %w", err)
	}
	return v, nil
}

// requestFile records a pending generation of the location's license file
// and enqueues the job that builds it, in tx (LIC-6, LIC-7).
func (s *Service) requestFile(ctx context.Context, tx bun.Tx, a *actor.Actor, loc *db.Location, reason db.LicenseFileReason) (*db.LicenseFile, error) {
	v, err := nextVersion(ctx, tx, loc.ID)
	if err != nil {
		return nil, err
	}
	// requested_at comes from the database's clock, so that generations
	// requested through different API processes order like their versions
	// (the newest is current).
	f := &db.LicenseFile{
		ID: uuid.New(), LocationID: loc.ID, PartnerID: loc.PartnerID, Version: v, Reason: reason,
		Status: db.LicenseFilePending, RequestedBy: &a.User.ID,
	}
	if _, err := tx.NewInsert().Model(f).Column("id", "location_id", "partner_id", "version", "reason", "status", "requested_by").
		Returning("requested_at").Exec(ctx); err != nil {
		return nil, fmt.Errorf("record file request: %w", err)
	}
	if _, err := s.Jobs.InsertTx(ctx, tx.Tx, GenerateFileArgs{FileID: f.ID}, nil); err != nil {
		return nil, fmt.Errorf("enqueue file generation: %w", err)
	}
	return f, nil
}

// Regenerate requests a new generation of a location's license file from
// the licenses activated on it (LIC-7). Errors: UNAUTHENTICATED, NOT_FOUND,
// NOT_APPLICABLE (nothing activated yet, or an external product).
func (s *Service) Regenerate(ctx context.Context, locationID uuid.UUID) (*db.LicenseFile, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var f *db.LicenseFile
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys, err := lockSystem(ctx, tx, a, locationID, "locationId")
		if err != nil {
			return err
		}
		if sys.st.HasFlag(catalog.FlagExternal) {
			return apperr.New(apperr.NotApplicable, "the license file of a %s comes from an external source; LMS does not generate it", sys.st.Name).OnField("locationId")
		}
		n, err := tx.NewSelect().Model((*db.License)(nil)).Where("location_id = ?", sys.loc.ID).Where("status = ?", db.LicenseActivated).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotApplicable, "%s has no activated licenses: activate licenses first", sys.loc.Name).OnField("locationId")
		}
		if f, err = s.requestFile(ctx, tx, a, sys.loc, db.FileForRegeneration); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: "license.regenerate_file", PartnerIDs: []uuid.UUID{sys.loc.PartnerID},
			Objects: []string{audit.Ref("Location", sys.loc.ID), audit.Ref("LicenseFile", f.ID)},
			Summary: map[string]any{"location": sys.loc.Name, "fileVersion": f.Version},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("regenerate license file of location %s: %w", locationID, err)
	}
	return f, nil
}

var _ river.JobArgs = GenerateFileArgs{}
