package db

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// LicenseOrder is an order shipped into a partner's license bin (LIC-1):
// a sales order / purchase order with its part lines.
type LicenseOrder struct {
	bun.BaseModel `bun:"table:license_orders,alias:o"`

	ID            uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	PartnerID     uuid.UUID `bun:"partner_id,type:uuid,notnull"`
	SalesOrder    string    `bun:"sales_order,notnull"`
	PurchaseOrder string    `bun:"purchase_order,notnull"`
	// SwaDurationMonths is the SWA duration requested for the PO, if any.
	SwaDurationMonths *int       `bun:"swa_duration_months"`
	SwaNote           string     `bun:"swa_note,notnull"`
	ShippedBy         *uuid.UUID `bun:"shipped_by,type:uuid"`
	// ReshippedFrom is the distributor that reshipped the order from its own
	// bin (LIC-12); nil for orders the vendor shipped.
	ReshippedFrom *uuid.UUID `bun:"reshipped_from,type:uuid"`
	CreatedAt     time.Time  `bun:"created_at,nullzero,notnull,default:clock_timestamp()"`
}

// OrderLine is one part line of a shipped order. Available is what is still
// in the bin; the licenses made from the line, Reshipped and Returned hold
// the rest (LIC-15).
type OrderLine struct {
	bun.BaseModel `bun:"table:order_lines,alias:ol"`

	ID         uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	OrderID    uuid.UUID `bun:"order_id,type:uuid,notnull"`
	PartnerID  uuid.UUID `bun:"partner_id,type:uuid,notnull"`
	LineNo     int       `bun:"line_no,notnull"`
	PartNumber string    `bun:"part_number,notnull"`
	Shipped    int       `bun:"shipped,notnull"`
	Available  int       `bun:"available,notnull"`
	// SourceLineID is the distributor's line a reshipped line came from.
	SourceLineID *uuid.UUID `bun:"source_line_id,type:uuid"`
	// Reshipped is what the line passed on to dealers and did not get back
	// (LIC-12); Returned is what its holder returned to the distributor
	// (LIC-13).
	Reshipped int       `bun:"reshipped,notnull"`
	Returned  int       `bun:"returned,notnull"`
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:clock_timestamp()"`
}

// LicenseReturn is a quantity a dealer returned from a reshipped bin line to
// the distributor's line it came from (LIC-13).
type LicenseReturn struct {
	bun.BaseModel `bun:"table:license_returns,alias:lr"`

	ID            uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	DealerID      uuid.UUID  `bun:"dealer_id,type:uuid,notnull"`
	DistributorID uuid.UUID  `bun:"distributor_id,type:uuid,notnull"`
	OrderLineID   uuid.UUID  `bun:"order_line_id,type:uuid,notnull"`
	SourceLineID  uuid.UUID  `bun:"source_line_id,type:uuid,notnull"`
	PartNumber    string     `bun:"part_number,notnull"`
	Quantity      int        `bun:"quantity,notnull"`
	Reason        string     `bun:"reason,notnull"`
	ReturnedBy    *uuid.UUID `bun:"returned_by,type:uuid"`
	ReturnedAt    time.Time  `bun:"returned_at,nullzero,notnull,default:clock_timestamp()"`
}

// LicenseStatus is where a license is in its life (LIC-3, LIC-5).
type LicenseStatus string

// License statuses.
const (
	// LicenseAttached: reserved for a location, may still be detached (LIC-4).
	LicenseAttached LicenseStatus = "ATTACHED"
	// LicenseActivated: permanently bound to the location's HWKC (LIC-5).
	LicenseActivated LicenseStatus = "ACTIVATED"
)

// License is a quantity of one part taken from a bin line and attached to,
// then activated on, a location; a free-of-charge license (SWA-12) comes
// from no bin line (OrderLineID is uuid.Nil, NULL in the table) and has a
// purchase and sales order of its own. Its Software Key Code identifies it.
type License struct {
	bun.BaseModel `bun:"table:licenses,alias:lic"`

	ID              uuid.UUID     `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	SoftwareKeyCode string        `bun:"software_key_code,notnull"`
	PartnerID       uuid.UUID     `bun:"partner_id,type:uuid,notnull"`
	LocationID      uuid.UUID     `bun:"location_id,type:uuid,notnull"`
	OrderLineID     uuid.UUID     `bun:"order_line_id,type:uuid,nullzero"`
	PartNumber      string        `bun:"part_number,notnull"`
	Quantity        int           `bun:"quantity,notnull"`
	Status          LicenseStatus `bun:"status,notnull"`
	AttachedAt      time.Time     `bun:"attached_at,notnull"`
	AttachedBy      *uuid.UUID    `bun:"attached_by,type:uuid"`
	ActivatedAt     *time.Time    `bun:"activated_at"`
	ActivatedBy     *uuid.UUID    `bun:"activated_by,type:uuid"`
	// FileVersion is the license file generation whose request activated it.
	FileVersion *int `bun:"file_version"`
	// MigrationID is the migration that last moved the license to another
	// system type (MIG-1); uuid.Nil for one never migrated.
	MigrationID uuid.UUID `bun:"migration_id,type:uuid,nullzero"`

	// PurchaseOrder and SalesOrder are read with the license (LicenseOrderJoin,
	// LicensePurchaseOrder, LicenseSalesOrder): its migration's, its bin
	// line's order's, or its own. OrderID is the bin line's order, uuid.Nil
	// for a license without a bin line.
	PurchaseOrder string    `bun:"purchase_order,scanonly"`
	SalesOrder    string    `bun:"sales_order,scanonly"`
	OrderID       uuid.UUID `bun:"order_id,scanonly,type:uuid"`
	// NecPurchaseOrder and NecSalesOrder are, for a migrated license, the
	// purchase and sales order it had before its migration gave it
	// MIGSU_… ("NEC PO", "NEC SO"); nil otherwise (LicenseNecPurchaseOrder).
	NecPurchaseOrder *string `bun:"nec_purchase_order,scanonly"`
	NecSalesOrder    *string `bun:"nec_sales_order,scanonly"`
}

// FromBin reports whether the license was taken from a bin line; a
// free-of-charge license (SWA-12) was not.
func (l *License) FromBin() bool { return l.OrderLineID != uuid.Nil }

// Where a license's purchase and sales order come from, the one place that
// says it: joined to licenses AS lic, LicenseOrderJoin brings the bin line
// (ol) and its order (o), which a license without a bin line lacks, and the
// migration (mig) that moved it, if any. Over it LicensePurchaseOrder and
// LicenseSalesOrder are the migration's MIGSU_<yyyymmdd><nn> (MIG-1), else
// the order's numbers, else the license's own (SWA-12: FOC-<yyyymmdd>);
// LicenseNecPurchaseOrder and LicenseNecSalesOrder are, for a migrated
// license, the numbers the migration replaced ("NEC PO", "NEC SO"), and
// NULL for the others. A migrated license keeps its bin line, so the bin's
// ledger (LIC-15) never sees a migration.
const (
	LicenseOrderJoin = "LEFT JOIN order_lines AS ol ON ol.id = lic.order_line_id " +
		"LEFT JOIN license_orders AS o ON o.id = ol.order_id " +
		"LEFT JOIN system_migrations AS mig ON mig.id = lic.migration_id"
	LicensePurchaseOrder    = "coalesce(mig.order_number, o.purchase_order, lic.purchase_order)"
	LicenseSalesOrder       = "coalesce(mig.order_number, o.sales_order, lic.sales_order)"
	LicenseNecPurchaseOrder = "CASE WHEN lic.migration_id IS NOT NULL THEN coalesce(o.purchase_order, lic.purchase_order) END"
	LicenseNecSalesOrder    = "CASE WHEN lic.migration_id IS NOT NULL THEN coalesce(o.sales_order, lic.sales_order) END"
)

// LicenseFileStatus is where the generation of a license file is.
type LicenseFileStatus string

// License file statuses.
const (
	LicenseFilePending LicenseFileStatus = "PENDING"
	LicenseFileReady   LicenseFileStatus = "READY"
	LicenseFileFailed  LicenseFileStatus = "FAILED"
)

// LicenseFileReason is why a license file generation was requested.
type LicenseFileReason string

// License file reasons.
const (
	FileForActivation      LicenseFileReason = "ACTIVATION"
	FileForRegeneration    LicenseFileReason = "REGENERATION"
	FileForVirtualHardware LicenseFileReason = "VIRTUAL_HARDWARE_KEY_CODE"
	// FileForDemo: a time-limited file opening every feature (LIC-10).
	FileForDemo LicenseFileReason = "DEMO"
	// FileFromExternalSource: an external product's file for a sales order,
	// uploaded by the license desk (EXT-1, EXT-3).
	FileFromExternalSource LicenseFileReason = "EXTERNAL"
	// FileForEmergency: a time-limited file for the new hardware of a
	// pending hardware replacement request (HWR-2), bound to the request's
	// new HWKC (HardwareKeyCode) instead of the location's.
	FileForEmergency LicenseFileReason = "EMERGENCY"
	// FileForHardwareReplacement: the permanent file for a location's new
	// HWKC after a hardware replacement (HWR-1).
	FileForHardwareReplacement LicenseFileReason = "HARDWARE_REPLACEMENT"
)

// LicenseFile is one generation of a location's signed license file
// (LIC-6, LIC-7). Content is loaded only for downloads.
type LicenseFile struct {
	bun.BaseModel `bun:"table:license_files,alias:lf"`

	ID             uuid.UUID         `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	LocationID     uuid.UUID         `bun:"location_id,type:uuid,notnull"`
	PartnerID      uuid.UUID         `bun:"partner_id,type:uuid,notnull"`
	Version        int               `bun:"version,notnull"`
	Reason         LicenseFileReason `bun:"reason,notnull"`
	Status         LicenseFileStatus `bun:"status,notnull"`
	RequestedBy    *uuid.UUID        `bun:"requested_by,type:uuid"`
	RequestedAt    time.Time         `bun:"requested_at,nullzero,notnull,default:clock_timestamp()"`
	ReadyAt        *time.Time        `bun:"ready_at"`
	FileName       *string           `bun:"file_name"`
	Content        []byte            `bun:"content"`
	SHA256         *string           `bun:"sha256"`
	ActivationCode *string           `bun:"activation_code"`
	KeyID          *string           `bun:"key_id"`
	// Features is the stacked content the file grants, as JSON; omitted when
	// empty, so that a file remembered as JSON (idempotency keys) reads back
	// with nil, not the JSON null.
	Features json.RawMessage `bun:"features,type:jsonb" json:",omitempty"`
	Error    string          `bun:"error,notnull"`
	// ExpiresAt is when a demo or emergency file stops working (LIC-10,
	// HWR-2).
	ExpiresAt *time.Time `bun:"expires_at"`
	// HardwareKeyCode is the HWKC an emergency file is bound to, the new
	// hardware of its request; nil for the others, bound to their
	// location's when built.
	HardwareKeyCode *string `bun:"hardware_key_code"`
	// SalesOrder is the sales order an external file is for (EXT-3).
	SalesOrder *string `bun:"sales_order"`
	// UploadedBy is the license desk user who uploaded an external file.
	UploadedBy *uuid.UUID `bun:"uploaded_by,type:uuid"`
}

// LicenseFileColumns are the columns of license_files without the content,
// for lists.
var LicenseFileColumns = []string{
	"id", "location_id", "partner_id", "version", "reason", "status", "requested_by", "requested_at",
	"ready_at", "file_name", "sha256", "activation_code", "key_id", "features", "error",
	"expires_at", "sales_order", "uploaded_by", "hardware_key_code",
}

// IdempotencyKey remembers the first answer of an inventory mutation sent
// with a client's key (SPEC §12).
type IdempotencyKey struct {
	bun.BaseModel `bun:"table:idempotency_keys,alias:ik"`

	PartnerID   uuid.UUID       `bun:"partner_id,pk,type:uuid"`
	Key         string          `bun:"key,pk"`
	Operation   string          `bun:"operation,notnull"`
	RequestHash []byte          `bun:"request_hash,notnull"`
	Response    json.RawMessage `bun:"response,type:jsonb"`
	UserID      *uuid.UUID      `bun:"user_id,type:uuid"`
	CreatedAt   time.Time       `bun:"created_at,nullzero,notnull,default:clock_timestamp()"`
}
