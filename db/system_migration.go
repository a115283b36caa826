package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SystemMigration is a location migrated to another system type along a
// catalog migration path (MIG-1): the licenses it moved point at it and
// carry its OrderNumber as their purchase and sales order; the system as it
// was is the location history entry HistoryID (MIG-2).
type SystemMigration struct {
	bun.BaseModel `bun:"table:system_migrations,alias:sm"`

	ID             uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	LocationID     uuid.UUID `bun:"location_id,type:uuid,notnull"`
	PartnerID      uuid.UUID `bun:"partner_id,type:uuid,notnull"`
	HistoryID      uuid.UUID `bun:"history_id,type:uuid,notnull"`
	FromSystemType string    `bun:"from_system_type,notnull"`
	ToSystemType   string    `bun:"to_system_type,notnull"`
	// OrderNumber is MIGSU_<yyyymmdd><nn>, unique: the day of the migration
	// and its number that day.
	OrderNumber string `bun:"order_number,notnull"`
	// LicenseFileID is the license file generation requested for the new
	// Hardware Key Code.
	LicenseFileID *uuid.UUID `bun:"license_file_id,type:uuid"`
	MigratedBy    *uuid.UUID `bun:"migrated_by,type:uuid"`
	MigratedAt    time.Time  `bun:"migrated_at,nullzero,notnull,default:clock_timestamp()"`
}
