package mail

import "time"

// SystemMigrated tells the partner that a customer location was migrated to
// another system type (MIG-1), e.g. an SV9100 from its CP10 to a CP20 CPU
// board: the location has a new Hardware Key Code, its activated licenses
// moved over with the migration's order number as purchase and sales order
// (the original numbers stay on each license as NEC PO and NEC SO), and a
// new license file is being generated, which a "license file ready" mail
// announces with its activation code.
type SystemMigrated struct {
	// RecipientName is the partner user's display name; the greeting omits
	// it when empty.
	RecipientName string
	PartnerName   string
	CustomerName  string
	LocationName  string
	// LocationID is the location's UUID, shown to users as "Location Id".
	LocationID string
	// FromSystemName and ToSystemName are the catalog names of the old and
	// the new system type, e.g. "SV9100 CP10" and "SV9100 CP20".
	FromSystemName, ToSystemName string
	OldHardwareKeyCode           string
	NewHardwareKeyCode           string
	// OrderNumber is the migration's MIGSU_<yyyymmdd><nn>.
	OrderNumber string
	// Licenses are the moved licenses as they are now, by part number.
	Licenses []MigratedLicense
	// MigratedAt is when the migration was made; it is shown as a UTC date.
	MigratedAt time.Time
}

// MigratedLicense is one license SystemMigrated lists.
type MigratedLicense struct {
	// SoftwareKeyCode is the license's new code (its characters 3-4 are the
	// new system type's prefix).
	SoftwareKeyCode string
	PartNumber      string
	PartName        string
	Quantity        int
	// NecPurchaseOrder and NecSalesOrder are the numbers the license had
	// before the migration.
	NecPurchaseOrder, NecSalesOrder string
}

// Template returns "system_migrated".
func (SystemMigrated) Template() string { return "system_migrated" }
