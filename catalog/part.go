package catalog

import (
	"slices"

	"github.com/uptrace/bun"
)

// Stacking kinds of a part (LIC-9).
const (
	// StackingQuantity: quantities of the part add up (5 × 20 seats + 20 seats = 120 seats).
	StackingQuantity = "QUANTITY"
	// StackingVersion: the highest Part.Version wins (V3 + V4 + V6 = V6).
	StackingVersion = "VERSION"
)

// Flags of a part (Part.Flags).
const (
	// FlagSrMgcOnly: attachable only to an SR-MGC child, never to the SV8500 parent (LOC-5).
	FlagSrMgcOnly = "SR_MGC_ONLY"
	// FlagVirtualizationOption: the one part an SV9500 Standard Server location may hold while
	// it still has a temp key; "Create HKC" activates it (LOC-6).
	FlagVirtualizationOption = "VIRTUALIZATION_OPTION"
	// FlagFreeOfChargeUpgrade: offered without a purchase order while SWA is active or in
	// grace (SWA-12).
	FlagFreeOfChargeUpgrade = "FREE_OF_CHARGE_UPGRADE"
	// FlagMobicallSupervisor: a MobiCall "-M" part, attachable only to a supervisor (LOC-11).
	FlagMobicallSupervisor = "MOBICALL_SUPERVISOR"
	// FlagSeOnly: an SV9500 SE (V7) part; SE locations accept only these (LOC-7).
	FlagSeOnly = "SE_ONLY"
	// FlagSwaUnit: the SWA unit part (SWA-1); shipped into SWA unit bins, never attached.
	FlagSwaUnit = "SWA_UNIT"
	// FlagApCapacity: a DECT access point (DAP) capacity license (DECT-4 counts).
	FlagApCapacity = "AP_CAPACITY"
	// FlagRequiredForLicenseFile: at least one is needed to generate a license file (DECT-1).
	FlagRequiredForLicenseFile = "REQUIRED_FOR_LICENSE_FILE"
	// FlagUpgradeAllowance: an upgrade allowance (DECT DSWU, iS3000 Lic 073/078).
	FlagUpgradeAllowance = "UPGRADE_ALLOWANCE"
	// FlagMessaging: a DECT messaging license (DECT-4 counts).
	FlagMessaging = "MESSAGING"
	// FlagLocation: a DECT location license (DECT-4 counts).
	FlagLocation = "LOCATION"
	// FlagHighAvailability: a redundancy license of a BX9000/OVOC; activating it needs the
	// redundant secondary child location to exist (LOC-10).
	FlagHighAvailability = "HIGH_AVAILABILITY"
)

var (
	partFlags = []string{
		FlagSrMgcOnly, FlagVirtualizationOption, FlagFreeOfChargeUpgrade, FlagMobicallSupervisor,
		FlagSeOnly, FlagSwaUnit, FlagApCapacity, FlagRequiredForLicenseFile,
		FlagUpgradeAllowance, FlagMessaging, FlagLocation, FlagHighAvailability,
	}
	stackingKinds = []string{StackingQuantity, StackingVersion}
)

// Part is a license part (CAT-2). It is also the bun model of the parts table.
type Part struct {
	bun.BaseModel `bun:"table:parts,alias:p" json:"-"`

	// Number is the vendor's part number; numbers starting "ILL-" are illustrative, for
	// products whose part numbers the user guide does not give.
	Number string `bun:"number,pk" json:"number"`
	// Name is the part name as the guide writes it.
	Name string `bun:"name,notnull" json:"name"`
	// SystemTypes are the codes of the system types the part may be attached to.
	SystemTypes []string `bun:"system_types,array" json:"systemTypes"`
	// Stacking is StackingQuantity or StackingVersion (LIC-9).
	Stacking string `bun:"stacking,notnull" json:"stacking"`
	// Version is the version a VERSION part grants; nil for QUANTITY parts.
	Version *int `bun:"version" json:"version,omitempty"`
	// SwaWeight is the monthly SWA unit weight of one license of the part (SWA-4).
	SwaWeight float64 `bun:"swa_weight,notnull" json:"swaWeight"`
	// MaxPerSystem, when set, limits the quantity per system, counting the PBX and its
	// children (LIC-11).
	MaxPerSystem *int `bun:"max_per_system" json:"maxPerSystem,omitempty"`
	// Flags switch per-part rules on (Flag* constants).
	Flags []string `bun:"flags,array" json:"flags"`
	// SwaApplication, when set, is the SWA application the part counts towards whatever system
	// it is attached to (see Catalog.ApplicationOf).
	SwaApplication string `bun:"swa_application,nullzero" json:"swaApplication,omitempty"`
}

// HasFlag reports whether the part has flag f (one of the Flag* constants).
func (p Part) HasFlag(f string) bool { return slices.Contains(p.Flags, f) }

// AllowedOn reports whether the part may be attached to a location of the given system type.
// Rules that depend on the location itself (SE flag, temp key, limits) are checked by the
// caller.
func (p Part) AllowedOn(systemType string) bool { return slices.Contains(p.SystemTypes, systemType) }

func (p Part) normalized() Part {
	p.SystemTypes = emptyIfNil(p.SystemTypes)
	p.Flags = emptyIfNil(p.Flags)
	return p
}
