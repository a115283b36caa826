package license

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/idempotency"
	"lms/licensefile"
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
	out, err := idempotency.Mutation(ctx, s.DB, "activateLicenses", &in, in.IdempotencyKey, nil, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*Activation, error) {
		sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
		if err != nil {
			return nil, err
		}
		if sys.Provisional() {
			return nil, apperr.New(apperr.NotApplicable, "%s still has its temp key %s: create the Hardware Key Code from the IP address first (it activates the Virtualization Option)", sys.Location.Name, sys.Location.HardwareKeyCode).OnField("locationId")
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
func (s *Service) activate(ctx context.Context, tx bun.Tx, a *actor.Actor, sys *location.System, ids []uuid.UUID, reason db.LicenseFileReason) (*Activation, error) {
	licenses, err := lockLicenses(ctx, tx, sys.Location.ID, ids)
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
	if err := sys.FillProductKeys(ctx, tx); err != nil {
		return nil, err
	}

	var file *db.LicenseFile
	version := 0
	if !sys.Type.HasFlag(catalog.FlagExternal) {
		if file, err = s.Files.Request(ctx, tx, a, sys.Location, reason); err != nil {
			return nil, err
		}
		version = file.Version
	} else if file, err = awaitExternalFiles(ctx, tx, a, sys.Location, licenses); err != nil {
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
	objects := []string{audit.Ref("Location", sys.Location.ID)}
	summary := map[string]any{"location": sys.Location.Name, "hardwareKeyCode": sys.Location.HardwareKeyCode}
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
	if err := audit.Record(ctx, tx, audit.Event{Action: "license.activate", PartnerIDs: []uuid.UUID{sys.Location.PartnerID}, Objects: objects, Summary: summary}); err != nil {
		return nil, err
	}
	return out, nil
}

// checkActivation applies the rules that look at what the location will
// hold once the selection is active: DECT-1 (an IP DECT file needs an AP
// capacity license) and LOC-10 (redundancy needs its secondary).
func (s *Service) checkActivation(ctx context.Context, tx bun.Tx, sys *location.System, selected []*db.License) error {
	var active []string
	if err := tx.NewSelect().Model((*db.License)(nil)).ColumnExpr("DISTINCT part_number").
		Where("location_id = ?", sys.Location.ID).Where("status = ?", db.LicenseActivated).Scan(ctx, &active); err != nil && !isNoRows(err) {
		return fmt.Errorf("read active parts: %w", err)
	}
	numbers := active
	for _, l := range selected {
		numbers = append(numbers, l.PartNumber)
	}
	parts, err := catalog.PartsByNumber(ctx, tx, numbers)
	if err != nil {
		return err
	}
	required, err := catalog.PartsWithFlag(ctx, tx, sys.Type.Code, catalog.FlagRequiredForLicenseFile)
	if err != nil {
		return err
	}
	if len(required) > 0 && !anyFlag(parts, catalog.FlagRequiredForLicenseFile) {
		return apperr.New(apperr.InvalidFeatureCodeString, "a %s license file needs at least one %s (%s) among the selected or already active licenses",
			sys.Type.Name, required[0].Name, required[0].Number).OnField("licenseIds")
	}
	if anyFlag(parts, catalog.FlagHighAvailability) {
		sec, err := location.RedundantSecondary(ctx, tx, sys.Location)
		if err != nil {
			return err
		}
		if sec == nil {
			return apperr.New(apperr.NotApplicable, "%s is redundant: create its secondary as a child location before activating", sys.Location.Name).OnField("locationId")
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

// awaitExternalFiles gives each license being activated on an external
// product the version of its sales order's PENDING file, which the license
// desk will upload (licensefile.AwaitExternalFiles, EXT-1), and returns the
// first file, by sales order.
func awaitExternalFiles(ctx context.Context, tx bun.Tx, a *actor.Actor, loc *db.Location, licenses []*db.License) (*db.LicenseFile, error) {
	bySO := map[string][]*db.License{}
	for _, l := range licenses {
		bySO[l.SalesOrder] = append(bySO[l.SalesOrder], l)
	}
	salesOrders := slices.Sorted(maps.Keys(bySO))
	files, err := licensefile.AwaitExternalFiles(ctx, tx, a, loc, salesOrders)
	if err != nil {
		return nil, err
	}
	for i, so := range salesOrders {
		f := files[i]
		ids := make([]uuid.UUID, len(bySO[so]))
		for j, l := range bySO[so] {
			ids[j], l.FileVersion = l.ID, &f.Version
		}
		if _, err := tx.NewUpdate().Model((*db.License)(nil)).Set("file_version = ?", f.Version).Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
			return nil, fmt.Errorf("link licenses to the file of sales order %s: %w", so, err)
		}
	}
	if len(files) == 0 {
		return nil, nil
	}
	return files[0], nil
}
