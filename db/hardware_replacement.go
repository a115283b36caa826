package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// HardwareReplacementStatus is where a hardware replacement request stands
// (HWR-2).
type HardwareReplacementStatus string

// Hardware replacement request statuses.
const (
	// ReplacementPending: filed, waiting for the license desk.
	ReplacementPending HardwareReplacementStatus = "PENDING"
	// ReplacementCompleted: the license desk replaced the hardware.
	ReplacementCompleted HardwareReplacementStatus = "COMPLETED"
	// ReplacementRejected: the license desk refused it, with a reason.
	ReplacementRejected HardwareReplacementStatus = "REJECTED"
)

// HardwareReplacementRequest is a partner's request to move a location's
// licenses to a new Hardware Key Code (HWR-2), and what became of it: the
// emergency license file it yielded at once for the new code, and the
// license desk's decision.
type HardwareReplacementRequest struct {
	bun.BaseModel `bun:"table:hardware_replacement_requests,alias:hrr"`

	ID         uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	LocationID uuid.UUID `bun:"location_id,type:uuid,notnull"`
	// PartnerID is the location's partner, who filed the request.
	PartnerID          uuid.UUID                 `bun:"partner_id,type:uuid,notnull"`
	OldHardwareKeyCode string                    `bun:"old_hardware_key_code,notnull"`
	NewHardwareKeyCode string                    `bun:"new_hardware_key_code,notnull"`
	Reason             string                    `bun:"reason,notnull"`
	Status             HardwareReplacementStatus `bun:"status,notnull"`
	RequestedBy        *uuid.UUID                `bun:"requested_by,type:uuid"`
	// RequestedByLabel names the requesting user as named then.
	RequestedByLabel *Identity `bun:"requested_by_label,type:jsonb,notnull"`
	RequestedAt      time.Time `bun:"requested_at,nullzero,notnull,default:clock_timestamp()"`
	// EmergencyFileID is the emergency license file the request yielded.
	EmergencyFileID *uuid.UUID `bun:"emergency_file_id,type:uuid"`
	// EmergencyRefusal says why the request yielded no emergency file.
	EmergencyRefusal *Refusal   `bun:"emergency_refusal,type:jsonb"`
	ResolvedBy       *uuid.UUID `bun:"resolved_by,type:uuid"`
	ResolvedByLabel  *Identity  `bun:"resolved_by_label,type:jsonb"`
	ResolvedAt       *time.Time `bun:"resolved_at"`
	// Resolution is the license desk's reason for a rejection, or its note
	// on a completion.
	Resolution string `bun:"resolution,notnull"`
	// LicenseFileID is the permanent file for the new code, once completed.
	LicenseFileID *uuid.UUID `bun:"license_file_id,type:uuid"`
}

// Refusal is an expected failure kept as data: its code (SPEC §11) and the
// message the user saw.
type Refusal struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
