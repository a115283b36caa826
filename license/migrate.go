package license

// The licenses of a location migrated to another system type (MIG-1). When
// a location may migrate, and along which catalog path, is package
// migration's question; what a license becomes, and which licenses stand in
// the way, are this package's.

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/location"
)

// MigratingLicenses returns the activated licenses of the location of sys
// (locked by location.LockSystem in tx) that a migration along path moves,
// ordered by part number and Software Key Code, after the rules of MIG-1: a
// license attached but not activated blocks the migration (NOT_APPLICABLE,
// naming them: activate or detach them first), so does a location without
// activated licenses, and a part that has no place on the new system type
// (NOT_APPLICABLE: the catalog file maps every part, a part an operator
// added may lack a mapping). Package migration calls it before it changes
// anything. Errors concern field.
func MigratingLicenses(ctx context.Context, tx bun.Tx, sys *location.System, path catalog.MigrationPath, field string) ([]db.License, error) {
	var lics []db.License
	if err := licenseQuery(tx, &lics).Where("lic.location_id = ?", sys.Location.ID).
		OrderExpr("lic.part_number, lic.software_key_code").Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("read the licenses of location %s: %w", sys.Location.ID, err)
	}
	var attached, numbers []string
	var activated []db.License
	for _, l := range lics {
		if l.Status == db.LicenseAttached {
			attached = append(attached, fmt.Sprintf("%s (%s × %d)", l.SoftwareKeyCode, l.PartNumber, l.Quantity))
			continue
		}
		activated = append(activated, l)
		numbers = append(numbers, path.PartFor(l.PartNumber))
	}
	loc := sys.Location
	if len(attached) > 0 {
		return nil, apperr.New(apperr.NotApplicable, "%s has licenses attached but not activated: %s. Activate or detach them before migrating the system",
			loc.Name, strings.Join(attached, ", ")).OnField(field)
	}
	if len(activated) == 0 {
		return nil, apperr.New(apperr.NotApplicable, "%s has no activated licenses: there is nothing to migrate", loc.Name).OnField(field)
	}
	parts, err := catalog.FindParts(ctx, tx, numbers)
	if err != nil {
		return nil, err
	}
	var homeless []string
	for i, p := range parts {
		if p == nil || !p.AllowedOn(path.To) {
			homeless = append(homeless, numbers[i])
		}
	}
	if len(homeless) > 0 {
		return nil, apperr.New(apperr.NotApplicable, "the catalog's migration from %s to %s has no %s part for %s; ask the license desk",
			path.From, path.To, path.To, strings.Join(homeless, ", ")).OnField(field)
	}
	return activated, nil
}

// MigrateLicenses moves licenses (MigratingLicenses' answer) to the new
// system type of their location, in one statement: each becomes the part
// path maps it to and gets a new Software Key Code with the new type's
// prefix (LIC-3: the old code stays in the location's history), and
// belongs to the migration m, whose order number is from now on its
// purchase and sales order while the numbers it had stay readable as its
// NEC PO and SO (db.LicenseNecPurchaseOrder). Bin lines, quantities,
// activation dates and file versions do not change, so the bin's ledger
// (LIC-15) holds and the next license file holds them all. It returns the
// licenses as they are now, in the same order.
func MigrateLicenses(ctx context.Context, tx bun.Tx, licenses []db.License, path catalog.MigrationPath, prefix string, m *db.SystemMigration) ([]*db.License, error) {
	type moved struct {
		ID              uuid.UUID `bun:"id,type:uuid"`
		SoftwareKeyCode string    `bun:"software_key_code"`
		PartNumber      string    `bun:"part_number"`
	}
	rows := make([]moved, len(licenses))
	ids := make([]uuid.UUID, len(licenses))
	for i, l := range licenses {
		code, err := newSoftwareKeyCode(prefix)
		if err != nil {
			return nil, err
		}
		rows[i] = moved{ID: l.ID, SoftwareKeyCode: code, PartNumber: path.PartFor(l.PartNumber)}
		ids[i] = l.ID
	}
	// A new code that happens to exist already fails the unique index and
	// the migration with it, to be retried: 93 random bits make it a
	// theoretical case (newSoftwareKeyCode).
	if _, err := tx.NewUpdate().With("moved", tx.NewValues(&rows)).TableExpr("licenses AS lic").TableExpr("moved").
		Set("software_key_code = moved.software_key_code").Set("part_number = moved.part_number").
		Set("migration_id = ?", m.ID).Where("lic.id = moved.id::uuid").Where("lic.status = ?", db.LicenseActivated).
		Exec(ctx); err != nil {
		return nil, fmt.Errorf("move licenses to migration %s: %w", m.OrderNumber, err)
	}
	var out []db.License
	if err := licenseQuery(tx, &out).Where("lic.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read migrated licenses: %w", err)
	}
	return db.InOrder(ids, out, func(l *db.License) uuid.UUID { return l.ID }), nil
}
