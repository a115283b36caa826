package licensefile

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
	"lms/location"
)

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

// Request records a pending generation of the license file of a location,
// locked by the caller, and enqueues the job that builds it, in tx (LIC-6,
// LIC-7): activation, the virtual HWKC and demo licenses call it.
func (s *Service) Request(ctx context.Context, tx bun.Tx, a *actor.Actor, loc *db.Location, reason db.LicenseFileReason) (*db.LicenseFile, error) {
	return s.request(ctx, tx, a, loc, reason, nil)
}

// request is Request for a file bound to code instead of the location's
// HWKC when code is set (an emergency file, HWR-2).
func (s *Service) request(ctx context.Context, tx bun.Tx, a *actor.Actor, loc *db.Location, reason db.LicenseFileReason, code *string) (*db.LicenseFile, error) {
	v, err := nextVersion(ctx, tx, loc.ID)
	if err != nil {
		return nil, err
	}
	// requested_at comes from the database's clock, so that generations
	// requested through different API processes order like their versions
	// (the newest is current).
	f := &db.LicenseFile{
		ID: uuid.New(), LocationID: loc.ID, PartnerID: loc.PartnerID, Version: v, Reason: reason,
		Status: db.LicenseFilePending, RequestedBy: &a.User.ID, HardwareKeyCode: code,
	}
	if _, err := tx.NewInsert().Model(f).Column("id", "location_id", "partner_id", "version", "reason", "status", "requested_by", "hardware_key_code").
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
		sys, err := location.LockSystem(ctx, tx, a, locationID, "locationId")
		if err != nil {
			return err
		}
		if sys.Type.HasFlag(catalog.FlagExternal) {
			return apperr.New(apperr.NotApplicable, "the license file of a %s comes from an external source; LMS does not generate it", sys.Type.Name).OnField("locationId")
		}
		n, err := tx.NewSelect().Model((*db.License)(nil)).Where("location_id = ?", sys.Location.ID).Where("status = ?", db.LicenseActivated).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotApplicable, "%s has no activated licenses: activate licenses first", sys.Location.Name).OnField("locationId")
		}
		if f, err = s.Request(ctx, tx, a, sys.Location, db.FileForRegeneration); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: "license.regenerate_file", PartnerIDs: []uuid.UUID{sys.Location.PartnerID},
			Objects: []string{audit.Ref("Location", sys.Location.ID), audit.Ref("LicenseFile", f.ID)},
			Summary: map[string]any{"location": sys.Location.Name, "fileVersion": f.Version},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("regenerate license file of location %s: %w", locationID, err)
	}
	return f, nil
}
