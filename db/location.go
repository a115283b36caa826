package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ChildKind is how a child location relates to its parent (LOC-13).
type ChildKind string

// Child kinds.
const (
	// ChildLMC is the License Manager Client location of a PBX (LOC-4).
	ChildLMC ChildKind = "LMC"
	// ChildSrMgc is an SR-MGC under an SV8500 (LOC-5).
	ChildSrMgc ChildKind = "SR_MGC"
	// ChildRedundant is the redundant secondary of a BX9000/OVOC or the
	// supervisor of a MobiCall master (LOC-10, LOC-11).
	ChildRedundant ChildKind = "REDUNDANT"
)

// Vertical is the market a location serves (LOC-1).
type Vertical string

// Verticals.
const (
	VerticalNone           Vertical = "NONE"
	VerticalEducation      Vertical = "EDUCATION"
	VerticalHealthcare     Vertical = "HEALTHCARE"
	VerticalHospitality    Vertical = "HOSPITALITY"
	VerticalGovernment     Vertical = "GOVERNMENT"
	VerticalFinance        Vertical = "FINANCE"
	VerticalRetail         Vertical = "RETAIL"
	VerticalManufacturing  Vertical = "MANUFACTURING"
	VerticalTransportation Vertical = "TRANSPORTATION"
	VerticalOther          Vertical = "OTHER"
)

// Verticals lists every vertical, in the order forms offer them.
var Verticals = []Vertical{
	VerticalNone, VerticalEducation, VerticalHealthcare, VerticalHospitality, VerticalGovernment,
	VerticalFinance, VerticalRetail, VerticalManufacturing, VerticalTransportation, VerticalOther,
}

// Location is a customer location (LOC-1): one system, identified by its
// Hardware Key Code, that licenses are attached to. Its ID is the "Location
// Id" users see.
type Location struct {
	bun.BaseModel `bun:"table:locations,alias:l"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	PartnerID  uuid.UUID  `bun:"partner_id,type:uuid,notnull"`
	CustomerID uuid.UUID  `bun:"customer_id,type:uuid,notnull"`
	ParentID   *uuid.UUID `bun:"parent_id,type:uuid"`
	ChildKind  *ChildKind `bun:"child_kind"`
	SystemType string     `bun:"system_type,notnull"`
	Name       string     `bun:"name,notnull"`
	Address    `bun:"embed:"`
	// HardwareKeyCode is the primary HWKC, or the temporary key of an SR-MGC
	// or an SV9500 Standard Server that has none yet (LOC-5, LOC-6).
	HardwareKeyCode          string  `bun:"hardware_key_code,notnull"`
	SecondaryHardwareKeyCode *string `bun:"secondary_hardware_key_code"`
	// HwkcSource says how the HWKC was obtained (catalog.Source*).
	HwkcSource       string  `bun:"hwkc_source,notnull"`
	FullComputerName *string `bun:"full_computer_name"`
	DomainName       *string `bun:"domain_name"`
	MacAddress       *string `bun:"mac_address"`
	SmallEnterprise  bool    `bun:"small_enterprise,notnull"`
	ProductKey       *string `bun:"product_key"`
	// IPAddress is the LAN1 (ACT) address an SV9500 Standard Server's HWKC
	// was derived from (LOC-6).
	IPAddress       *string `bun:"ip_address"`
	HardwareVersion string  `bun:"hardware_version,notnull"`
	SoftwareVersion string  `bun:"software_version,notnull"`
	// CustomerEmail receives the End User License Agreement (LOC-3).
	CustomerEmail string   `bun:"customer_email,notnull"`
	DealerEmail   string   `bun:"dealer_email,notnull"`
	ReferenceNote string   `bun:"reference_note,notnull"`
	Vertical      Vertical `bun:"vertical,notnull"`
	// SearchText is the lower-cased text the substring search runs over,
	// computed by the database.
	SearchText string     `bun:"search_text,scanonly" json:"-"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,notnull,default:clock_timestamp()"`
	UpdatedAt  time.Time  `bun:"updated_at,nullzero,notnull,default:clock_timestamp()"`
	DeletedAt  *time.Time `bun:"deleted_at"`
}

// HardwareKeyCodeRole says which of a location's codes a HardwareKeyCode row
// holds.
type HardwareKeyCodeRole string

// Hardware key code roles.
const (
	HwkcPrimary   HardwareKeyCodeRole = "PRIMARY"
	HwkcSecondary HardwareKeyCodeRole = "SECONDARY"
)

// HardwareKeyCode reserves one code for one live location; its primary key
// makes an HWKC unique among live locations (LOC-2).
type HardwareKeyCode struct {
	bun.BaseModel `bun:"table:hardware_key_codes,alias:hk"`

	Code       string              `bun:"code,pk"`
	LocationID uuid.UUID           `bun:"location_id,type:uuid,notnull"`
	Role       HardwareKeyCodeRole `bun:"role,notnull"`
	CreatedAt  time.Time           `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}
