package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// LocationHistoryKind is what changed a location's system.
type LocationHistoryKind string

// History kinds.
const (
	// HardwareReplaced: the HWKC was replaced by another of the same
	// system type (HWR-1).
	HardwareReplaced LocationHistoryKind = "HARDWARE_REPLACED"
	// SystemMigrated: the location became another system type (MIG-1).
	SystemMigrated LocationHistoryKind = "MIGRATED"
)

// LocationHistory is a read-only snapshot of a location's system before a
// change (HWR-1, MIG-2): its system type, HWKC and licenses as they were,
// and what the change made of them.
type LocationHistory struct {
	bun.BaseModel `bun:"table:location_history,alias:lh"`

	ID                 uuid.UUID           `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	LocationID         uuid.UUID           `bun:"location_id,type:uuid,notnull"`
	PartnerID          uuid.UUID           `bun:"partner_id,type:uuid,notnull"`
	Kind               LocationHistoryKind `bun:"kind,notnull"`
	SystemType         string              `bun:"system_type,notnull"`
	HardwareKeyCode    string              `bun:"hardware_key_code,notnull"`
	NewSystemType      string              `bun:"new_system_type,notnull"`
	NewHardwareKeyCode string              `bun:"new_hardware_key_code,notnull"`
	Reason             string              `bun:"reason,notnull"`
	Licenses           []HistoryLicense    `bun:"licenses,type:jsonb,notnull"`
	ChangedBy          *uuid.UUID          `bun:"changed_by,type:uuid"`
	ChangedAt          time.Time           `bun:"changed_at,nullzero,notnull,default:clock_timestamp()"`
}

// HistoryLicense is a license as a LocationHistory snapshot keeps it: with
// the purchase and sales order it had then.
type HistoryLicense struct {
	PartNumber      string        `json:"partNumber"`
	PartName        string        `json:"partName"`
	Quantity        int           `json:"quantity"`
	Status          LicenseStatus `json:"status"`
	SoftwareKeyCode string        `json:"softwareKeyCode"`
	PurchaseOrder   string        `json:"purchaseOrder"`
	SalesOrder      string        `json:"salesOrder"`
	AttachedAt      time.Time     `json:"attachedAt"`
	ActivatedAt     *time.Time    `json:"activatedAt,omitempty"`
}
