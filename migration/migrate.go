package migration

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/idempotency"
	"lms/license"
	"lms/location"
	"lms/mail"
	"lms/partner"
)

// MigrateInput migrates a location to another system type (MIG-1): the
// guide's "SV9000 Migration" dialog, the new CPU board's Hardware Key Code
// and the confirmation.
type MigrateInput struct {
	LocationID uuid.UUID
	// NewSystemType is the type to migrate to; it may be left empty when the
	// catalog has one path from the location's type (SV9100 CP10: CP20).
	NewSystemType string
	// NewHardwareKeyCode is the HWKC of the new system, in any form the
	// location's new type accepts (hwkc.Normalize).
	NewHardwareKeyCode string
	// Confirm is the user's "yes" to "proceed with migration": it cannot
	// be undone.
	Confirm bool
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *MigrateInput) Validate() error {
	in.NewSystemType = strings.TrimSpace(in.NewSystemType)
	var errs apperr.List
	if strings.TrimSpace(in.NewHardwareKeyCode) == "" {
		errs.Add(apperr.New(apperr.InvalidHardwareKeyCode, "enter the Hardware Key Code of the new system").OnField("newHardwareKeyCode"))
	}
	if !in.Confirm {
		errs.Add(apperr.Invalid("confirm", "a migration cannot be undone: confirm that you want to proceed with it"))
	}
	return errs.Err()
}

// Migrate migrates a location of the caller's partner (any, for the license
// desk) along a catalog migration path (MIG-1..MIG-3), in one transaction
// under the system's lock: the location's history keeps the system as it
// was (MIG-2), the location takes the new system type and Hardware Key
// Code, its activated licenses move over with a new Software Key Code and
// the migration's order number MIGSU_<yyyymmdd><nn> as purchase and sales
// order (the old numbers stay readable as NEC PO and SO), a license file is
// requested for the new code, the partner's users are emailed and the event
// audited. SWA agreements stay with the location. It answers at once; the
// file follows like an activation's. Errors: UNAUTHENTICATED,
// VALIDATION_FAILED (not confirmed; newSystemType needed), NOT_FOUND
// (another partner's location too), NOT_APPLICABLE (no migration path from
// the location's type, or not to newSystemType; a secondary HWKC; licenses
// attached but not activated, or none activated), INVALID_HARDWARE_KEYCODE,
// DUPLICATE_HARDWARE_KEYCODE, IDEMPOTENCY_KEY_REUSED.
func (s *Service) Migrate(ctx context.Context, in MigrateInput) (*db.SystemMigration, error) {
	m, err := idempotency.Mutation(ctx, s.DB, "migrateSystem", &in, in.IdempotencyKey, nil, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*db.SystemMigration, error) {
		return s.migrate(ctx, tx, a, in)
	})
	if err != nil {
		return nil, fmt.Errorf("migrate location %s: %w", in.LocationID, err)
	}
	return m, nil
}

func (s *Service) migrate(ctx context.Context, tx bun.Tx, a *actor.Actor, in MigrateInput) (*db.SystemMigration, error) {
	sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
	if err != nil {
		return nil, err
	}
	path, to, err := pathOf(ctx, tx, sys, in.NewSystemType)
	if err != nil {
		return nil, err
	}
	lics, err := license.MigratingLicenses(ctx, tx, sys, path, "locationId")
	if err != nil {
		return nil, err
	}
	snapshot, err := license.Snapshot(ctx, tx, sys.Location.ID)
	if err != nil {
		return nil, err
	}
	before := *sys.Location
	from := sys.Type
	if err := sys.Migrate(ctx, tx, to, in.NewHardwareKeyCode, "newHardwareKeyCode"); err != nil {
		return nil, err
	}
	loc := sys.Location
	h := &db.LocationHistory{
		LocationID: loc.ID, PartnerID: loc.PartnerID, Kind: db.SystemMigrated,
		SystemType: before.SystemType, HardwareKeyCode: before.HardwareKeyCode,
		NewSystemType: loc.SystemType, NewHardwareKeyCode: loc.HardwareKeyCode,
		Reason: fmt.Sprintf("migrated from %s to %s", from.Name, to.Name), Licenses: snapshot, ChangedBy: &a.User.ID,
	}
	if err := location.RecordHistory(ctx, tx, h); err != nil {
		return nil, err
	}
	file, err := s.Files.Request(ctx, tx, a, loc, db.FileForRegeneration)
	if err != nil {
		return nil, err
	}
	// Last: the day's order number serialises the day's migrations until
	// they commit.
	number, err := nextOrderNumber(ctx, tx, s.now())
	if err != nil {
		return nil, err
	}
	m := &db.SystemMigration{
		ID: uuid.New(), LocationID: loc.ID, PartnerID: loc.PartnerID, HistoryID: h.ID,
		FromSystemType: from.Code, ToSystemType: to.Code, OrderNumber: number,
		LicenseFileID: &file.ID, MigratedBy: &a.User.ID,
	}
	if _, err := tx.NewInsert().Model(m).Returning("migrated_at").Exec(ctx); err != nil {
		return nil, fmt.Errorf("record migration %s: %w", number, err)
	}
	moved, err := license.MigrateLicenses(ctx, tx, lics, path, to.HwkcPrefix, m)
	if err != nil {
		return nil, err
	}
	if err := record(ctx, tx, m, h, file, before, loc, lics, moved); err != nil {
		return nil, err
	}
	if err := s.mail(ctx, tx, m, before, loc, from, to, moved); err != nil {
		return nil, err
	}
	return m, nil
}

// pathOf finds the catalog's migration path from the system's type to code,
// or to the one type it leads to when code is empty, and that type.
func pathOf(ctx context.Context, tx bun.Tx, sys *location.System, code string) (catalog.MigrationPath, *catalog.SystemType, error) {
	paths, err := catalog.MigrationPathsFrom(ctx, tx, sys.Type.Code)
	if err != nil {
		return catalog.MigrationPath{}, nil, err
	}
	targets := make([]string, len(paths))
	for i, p := range paths {
		targets[i] = p.To
	}
	i := slices.Index(targets, code)
	switch {
	case len(paths) == 0:
		return catalog.MigrationPath{}, nil, apperr.New(apperr.NotApplicable, "%s: a location of system type %s cannot be migrated to another system type", sys.Location.Name, sys.Type.Name).OnField("locationId")
	case code == "" && len(paths) > 1:
		return catalog.MigrationPath{}, nil, apperr.Invalid("newSystemType", "a location of system type %s can be migrated to %s: choose one", sys.Type.Name, strings.Join(targets, " or "))
	case code == "":
		i = 0
	case i < 0:
		return catalog.MigrationPath{}, nil, apperr.New(apperr.NotApplicable, "a location of system type %s cannot be migrated to %s, only to %s", sys.Type.Name, code, strings.Join(targets, " or ")).OnField("newSystemType")
	}
	if sys.Location.SecondaryHardwareKeyCode != nil {
		return catalog.MigrationPath{}, nil, apperr.New(apperr.NotApplicable, "%s has a secondary Hardware Key Code; a redundant system is not migrated by LMS: ask the license desk", sys.Location.Name).OnField("locationId")
	}
	sts, err := catalog.FindSystemTypes(ctx, tx, []string{paths[i].To})
	if err != nil {
		return catalog.MigrationPath{}, nil, err
	}
	if sts[0] == nil {
		return catalog.MigrationPath{}, nil, fmt.Errorf("migration path %s → %s leads to no system type", paths[i].From, paths[i].To)
	}
	return paths[i], sts[0], nil
}

// record audits the migration: what changed, and each license's new and
// previous Software Key Code and part.
func record(ctx context.Context, tx bun.Tx, m *db.SystemMigration, h *db.LocationHistory, file *db.LicenseFile, before db.Location, loc *db.Location, was []db.License, moved []*db.License) error {
	objects := []string{
		audit.Ref("Location", loc.ID), audit.Ref("SystemMigration", m.ID), audit.Ref("LocationHistoryEntry", h.ID), audit.Ref("LicenseFile", file.ID),
	}
	licenses := make([]map[string]any, len(moved))
	for i, l := range moved {
		objects = append(objects, audit.Ref("License", l.ID))
		licenses[i] = map[string]any{
			"softwareKeyCode": l.SoftwareKeyCode, "partNumber": l.PartNumber, "quantity": l.Quantity,
			"previousSoftwareKeyCode": was[i].SoftwareKeyCode, "previousPartNumber": was[i].PartNumber,
		}
	}
	return audit.Record(ctx, tx, audit.Event{
		Action: "location.migrate", PartnerIDs: []uuid.UUID{loc.PartnerID}, Objects: objects,
		Summary: map[string]any{
			"location": loc.Name, "orderNumber": m.OrderNumber,
			"systemType": before.SystemType, "newSystemType": loc.SystemType,
			"hardwareKeyCode": before.HardwareKeyCode, "newHardwareKeyCode": loc.HardwareKeyCode,
			"licenses": licenses, "fileVersion": file.Version,
		},
	})
}

// mail tells the partner's users of the migration (the file's own mail
// follows when it is ready).
func (s *Service) mail(ctx context.Context, tx bun.Tx, m *db.SystemMigration, before db.Location, loc *db.Location, from, to *catalog.SystemType, moved []*db.License) error {
	p := new(db.Partner)
	if err := tx.NewSelect().Model(p).Where("id = ?", loc.PartnerID).Scan(ctx); err != nil {
		return fmt.Errorf("load partner: %w", err)
	}
	cust := new(db.Customer)
	if err := tx.NewSelect().Model(cust).Column("name").Where("id = ?", loc.CustomerID).Scan(ctx); err != nil {
		return fmt.Errorf("load customer: %w", err)
	}
	recipients, err := partner.Recipients(ctx, tx, p)
	if err != nil {
		return err
	}
	numbers := make([]string, len(moved))
	for i, l := range moved {
		numbers[i] = l.PartNumber
	}
	parts, err := catalog.PartsByNumber(ctx, tx, numbers)
	if err != nil {
		return err
	}
	e := mail.SystemMigrated{
		PartnerName: p.Name, CustomerName: cust.Name, LocationName: loc.Name, LocationID: loc.ID.String(),
		FromSystemName: from.Name, ToSystemName: to.Name,
		OldHardwareKeyCode: before.HardwareKeyCode, NewHardwareKeyCode: loc.HardwareKeyCode,
		OrderNumber: m.OrderNumber, MigratedAt: m.MigratedAt,
	}
	for _, l := range moved {
		e.Licenses = append(e.Licenses, mail.MigratedLicense{
			SoftwareKeyCode: l.SoftwareKeyCode, PartNumber: l.PartNumber, PartName: parts[l.PartNumber].Name, Quantity: l.Quantity,
			NecPurchaseOrder: deref(l.NecPurchaseOrder), NecSalesOrder: deref(l.NecSalesOrder),
		})
	}
	for _, r := range recipients {
		e.RecipientName = r.Name
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return fmt.Errorf("enqueue system migrated mail: %w", err)
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
