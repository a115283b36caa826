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

// LocationUpdate changes the fields that are set; nil leaves a field as it
// is. The HWKC is not among them: it changes only through hardware
// replacement, migration or LOC-6 (LOC-12).
type LocationUpdate struct {
	Name *string
	AddressUpdate
	HardwareVersion *string
	SoftwareVersion *string
	CustomerEmail   *string
	DealerEmail     *string
	ReferenceNote   *string
	Vertical        *db.Vertical
	// FullComputerName edits the FCN of an iS3000 whose HWKC was generated
	// from one; the HWKC stays as it is (LOC-8).
	FullComputerName *string
}

// UpdateLocation edits a live location of the caller's partner (LOC-12).
// Errors: UNAUTHENTICATED, NOT_FOUND, VALIDATION_FAILED.
func (s *Service) UpdateLocation(ctx context.Context, id uuid.UUID, u LocationUpdate) (*db.Location, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var loc *db.Location
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if loc, err = lockLocation(ctx, tx, a, id, "id"); err != nil {
			return err
		}
		before := *loc
		f := LocationFields{
			Name: loc.Name, Address: loc.Address, HardwareVersion: loc.HardwareVersion,
			SoftwareVersion: loc.SoftwareVersion, CustomerEmail: loc.CustomerEmail,
			DealerEmail: loc.DealerEmail, ReferenceNote: loc.ReferenceNote, Vertical: loc.Vertical,
		}
		set(&f.Name, u.Name)
		u.AddressUpdate.apply(&f.Address)
		set(&f.HardwareVersion, u.HardwareVersion)
		set(&f.SoftwareVersion, u.SoftwareVersion)
		set(&f.CustomerEmail, u.CustomerEmail)
		set(&f.DealerEmail, u.DealerEmail)
		set(&f.ReferenceNote, u.ReferenceNote)
		if u.Vertical != nil {
			f.Vertical = *u.Vertical
		}
		var errs apperr.List
		f.validate(&errs)
		if f.CustomerEmail == "" {
			errs.Add(apperr.Invalid("customerEmail", "a location needs the customer email that receives the EULA"))
		}
		if u.FullComputerName != nil {
			fcn, ok := hwkc.NormalizeFullComputerName(*u.FullComputerName)
			switch {
			case loc.HwkcSource != catalog.SourceGeneratedFromFCN:
				errs.Add(apperr.Invalid("fullComputerName", "only an iS3000 registered by its Full Computer Name has one"))
			case !ok:
				errs.Add(apperr.Invalid("fullComputerName", "%q is not a Full Computer Name (host name such as pbx01.example.local)", *u.FullComputerName))
			default:
				loc.FullComputerName = &fcn
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		loc.Name, loc.Address, loc.HardwareVersion, loc.SoftwareVersion = f.Name, f.Address, f.HardwareVersion, f.SoftwareVersion
		loc.CustomerEmail, loc.DealerEmail, loc.ReferenceNote, loc.Vertical = f.CustomerEmail, f.DealerEmail, f.ReferenceNote, f.Vertical
		changes := changedFields(before, *loc)
		if len(changes) == 0 {
			return nil
		}
		loc.UpdatedAt = s.now()
		if _, err := tx.NewUpdate().Model(loc).WherePK().
			Column("name", "street", "city", "state", "country", "zip", "hardware_version", "software_version",
				"customer_email", "dealer_email", "reference_note", "vertical", "full_computer_name", "updated_at").
			Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "location.update",
			PartnerIDs: []uuid.UUID{loc.PartnerID},
			Objects:    []string{audit.Ref("Location", loc.ID)},
			Summary:    map[string]any{"changed": changes},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("update location %s: %w", id, err)
	}
	return loc, nil
}
