package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SwaUnitOrder is an order of SWA units shipped into a partner's SWA unit
// bin (SWA-1, SWA-2). Available + Allocated + Consumed + Reshipped =
// Shipped.
type SwaUnitOrder struct {
	bun.BaseModel `bun:"table:swa_unit_orders,alias:suo"`

	ID            uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	PartnerID     uuid.UUID `bun:"partner_id,type:uuid,notnull"`
	SalesOrder    string    `bun:"sales_order,notnull"`
	PurchaseOrder string    `bun:"purchase_order,notnull"`
	PartNumber    string    `bun:"part_number,notnull"`
	Shipped       int       `bun:"shipped,notnull"`
	Available     int       `bun:"available,notnull"`
	// Allocated is reserved by pending activations; Consumed taken by
	// activated agreements.
	Allocated int `bun:"allocated,notnull"`
	Consumed  int `bun:"consumed,notnull"`
	// Reshipped went on to dealers' bins (SWA-11).
	Reshipped int `bun:"reshipped,notnull"`
	// ExpiresOn is the last day the units may be used.
	ExpiresOn time.Time  `bun:"expires_on,type:date,notnull"`
	ShippedBy *uuid.UUID `bun:"shipped_by,type:uuid"`
	// ReshippedFrom is the distributor that reshipped the units from its
	// own bin (SWA-11); nil for units the license desk shipped.
	ReshippedFrom *uuid.UUID `bun:"reshipped_from,type:uuid"`
	CreatedAt     time.Time  `bun:"created_at,nullzero,notnull,default:clock_timestamp()"`
}

// SwaUnitOrderSource is how many units of a reshipped order came from one
// of the distributor's orders (SWA-11).
type SwaUnitOrderSource struct {
	bun.BaseModel `bun:"table:swa_unit_order_sources,alias:suos"`

	UnitOrderID   uuid.UUID `bun:"unit_order_id,pk,type:uuid"`
	SourceOrderID uuid.UUID `bun:"source_order_id,pk,type:uuid"`
	Quantity      int       `bun:"quantity,notnull"`
}

// SwaActivationStatus is where an assignment of SWA stands (SWA-8).
type SwaActivationStatus string

// Activation statuses.
const (
	SwaActivationPending   SwaActivationStatus = "PENDING"
	SwaActivationActivated SwaActivationStatus = "ACTIVATED"
	SwaActivationCancelled SwaActivationStatus = "CANCELLED"
)

// SwaActivationKind says what took an activation's units.
type SwaActivationKind string

// Activation kinds.
const (
	// SwaAssignment assigns SWA (SWA-7) and cools off (SWA-8).
	SwaAssignment SwaActivationKind = "ASSIGNMENT"
	// SwaRenewal renews an agreement (SWA-10); it is activated at once.
	SwaRenewal SwaActivationKind = "RENEWAL"
)

// SwaActivation is what takes SWA units for an agreement of a location's
// application: an assignment (SWA-7), pending during the cooling-off
// period and then activated or cancelled (SWA-8), or a renewal (SWA-10),
// activated at once.
type SwaActivation struct {
	bun.BaseModel `bun:"table:swa_activations,alias:sac"`

	ID                 uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	PartnerID          uuid.UUID `bun:"partner_id,type:uuid,notnull"`
	LocationID         uuid.UUID `bun:"location_id,type:uuid,notnull"`
	Application        string    `bun:"application,notnull"`
	TermMonths         int       `bun:"term_months,notnull"`
	TermUnits          int       `bun:"term_units,notnull"`
	LapsedMonths       int       `bun:"lapsed_months,notnull"`
	ReinstatementUnits int       `bun:"reinstatement_units,notnull"`
	ReferenceNote      string    `bun:"reference_note,notnull"`
	// QuotedOn is the day the quote was made; the agreement gets the dates
	// it quoted.
	QuotedOn    time.Time           `bun:"quoted_on,type:date,notnull"`
	Status      SwaActivationStatus `bun:"status,notnull"`
	RequestedBy *uuid.UUID          `bun:"requested_by,type:uuid"`
	RequestedAt time.Time           `bun:"requested_at,nullzero,notnull,default:clock_timestamp()"`
	DueAt       time.Time           `bun:"due_at,notnull"`
	ResolvedBy  *uuid.UUID          `bun:"resolved_by,type:uuid"`
	ResolvedAt  *time.Time          `bun:"resolved_at"`
	Reason      string              `bun:"reason,notnull"`

	// Kind is an assignment's or a renewal's.
	Kind SwaActivationKind `bun:"kind,notnull,default:'ASSIGNMENT'"`
}

// Units is everything the activation takes: the term's units and the
// reinstatement fee.
func (a *SwaActivation) Units() int { return a.TermUnits + a.ReinstatementUnits }

// SwaAllocation is what an activation holds of one unit order.
type SwaAllocation struct {
	bun.BaseModel `bun:"table:swa_allocations,alias:sal"`

	ActivationID uuid.UUID `bun:"activation_id,pk,type:uuid"`
	UnitOrderID  uuid.UUID `bun:"unit_order_id,pk,type:uuid"`
	Quantity     int       `bun:"quantity,notnull"`
}

// SwaAgreement is an agreement period of a location's application (SWA-3,
// SWA-6).
type SwaAgreement struct {
	bun.BaseModel `bun:"table:swa_agreements,alias:sag"`

	ID          uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	PartnerID   uuid.UUID `bun:"partner_id,type:uuid,notnull"`
	LocationID  uuid.UUID `bun:"location_id,type:uuid,notnull"`
	Application string    `bun:"application,notnull"`
	// Number is the agreement number without its suffix
	// (50180-EVGY45796); Suffix is N (new), W (reinstated) or R01, R02, …
	Number             string     `bun:"number,notnull"`
	Suffix             string     `bun:"suffix,notnull"`
	StartsOn           time.Time  `bun:"starts_on,type:date,notnull"`
	EndsOn             time.Time  `bun:"ends_on,type:date,notnull"`
	TermMonths         int        `bun:"term_months,notnull"`
	Units              int        `bun:"units,notnull"`
	ReinstatementUnits int        `bun:"reinstatement_units,notnull"`
	ReferenceNote      string     `bun:"reference_note,notnull"`
	ActivationID       *uuid.UUID `bun:"activation_id,type:uuid"`
	CreatedAt          time.Time  `bun:"created_at,nullzero,notnull,default:clock_timestamp()"`
}

// FullNumber is the agreement number as the guide writes it:
// 50180-EVGY45796-N.
func (a *SwaAgreement) FullNumber() string { return a.Number + "-" + a.Suffix }

// SwaReminder records a reminder sent (SWA-9), so each is sent once.
type SwaReminder struct {
	bun.BaseModel `bun:"table:swa_reminders,alias:srm"`

	Kind        string    `bun:"kind,pk"`
	LocationID  uuid.UUID `bun:"location_id,pk,type:uuid"`
	Application string    `bun:"application,pk"`
	Subject     string    `bun:"subject,pk"`
	SentAt      time.Time `bun:"sent_at,nullzero,notnull,default:clock_timestamp()"`
}
