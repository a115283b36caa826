package catalog

import (
	"regexp"
	"slices"
	"sync"

	"github.com/uptrace/bun"
)

// Flags of a system type (SystemType.Flags).
const (
	// FlagDemoLicenses: each location has SystemType.DemoLicenses demo licenses (LIC-10).
	FlagDemoLicenses = "DEMO_LICENSES"
	// FlagExternal: the license file comes from an external source (EXT-1..EXT-3).
	FlagExternal = "EXTERNAL"
	// FlagLmcChild: creating a location also creates its LMC child location (LOC-4).
	FlagLmcChild = "LMC_CHILD"
	// FlagSrMgcChildren: the location may have SR-MGC child locations (LOC-5).
	FlagSrMgcChildren = "SR_MGC_CHILDREN"
	// FlagChildOnly: a location of this type exists only as the child of another (SR-MGC).
	FlagChildOnly = "CHILD_ONLY"
	// FlagRedundantSecondary: the location may have a redundant secondary child (LOC-10).
	FlagRedundantSecondary = "REDUNDANT_SECONDARY"
	// FlagProductKey: the location has a product key besides its HWKC (BX/OVOC, LOC-10).
	FlagProductKey = "PRODUCT_KEY"
	// FlagSingleLicense: only one license may ever be attached, no expansion (DECT-2).
	FlagSingleLicense = "SINGLE_LICENSE"
	// FlagLicenseFileImport: an existing license file may be imported once (DECT-3).
	FlagLicenseFileImport = "LICENSE_FILE_IMPORT"
	// FlagProtectDat: the partner uploads the customer's protect.dat (EXT-4).
	FlagProtectDat = "PROTECT_DAT"
	// FlagLmcByHand: the user may add an LMC child location by hand (iS3000, LOC-4).
	FlagLmcByHand = "LMC_BY_HAND"
)

// Sources of a Hardware Key Code (SystemType.HwkcSources): how a location gets its HWKC.
const (
	// SourceEntered: the user types the HWKC.
	SourceEntered = "ENTERED"
	// SourceGeneratedTempKey: LMS generates a temporary key (SR-MGC, SV9500 Standard Server).
	SourceGeneratedTempKey = "GENERATED_TEMP_KEY"
	// SourceGeneratedFromIP: LMS derives the HWKC from the LAN1 IP address (LOC-6).
	SourceGeneratedFromIP = "GENERATED_FROM_IP"
	// SourceGeneratedFromMAC: LMS derives the HWKC from a MAC address (LOC-7).
	SourceGeneratedFromMAC = "GENERATED_FROM_MAC"
	// SourceGeneratedFromFCN: LMS generates a virtual HWKC for a Full Computer Name (LOC-8).
	SourceGeneratedFromFCN = "GENERATED_FROM_FCN"
	// SourceGeneratedFromDomain: LMS generates the HWKC for an entered domain name (LOC-9).
	SourceGeneratedFromDomain = "GENERATED_FROM_DOMAIN"
	// SourceDerivedFromParent: the HWKC is derived from the parent location's (LMC, LOC-4).
	SourceDerivedFromParent = "DERIVED_FROM_PARENT"
)

var (
	systemTypeFlags = []string{
		FlagDemoLicenses, FlagExternal, FlagLmcChild, FlagSrMgcChildren, FlagChildOnly,
		FlagRedundantSecondary, FlagProductKey, FlagSingleLicense, FlagLicenseFileImport,
		FlagProtectDat, FlagLmcByHand,
	}
	hwkcSources = []string{
		SourceEntered, SourceGeneratedTempKey, SourceGeneratedFromIP, SourceGeneratedFromMAC,
		SourceGeneratedFromFCN, SourceGeneratedFromDomain, SourceDerivedFromParent,
	}
)

// SystemType is one kind of system a location can be (CAT-1). It is also the bun model of the
// system_types table.
type SystemType struct {
	bun.BaseModel `bun:"table:system_types,alias:st" json:"-"`

	// Code identifies the system type, e.g. "SV9500".
	Code string `bun:"code,pk" json:"code"`
	// Name is the name the user guide uses.
	Name string `bun:"name,notnull" json:"name"`
	// HwkcFormat is an anchored regular expression every HWKC of this type matches (LOC-2).
	HwkcFormat string `bun:"hwkc_format,notnull" json:"hwkcFormat"`
	// HwkcExamples are valid HWKCs, shown to users who entered a wrong one.
	HwkcExamples []string `bun:"hwkc_examples,array" json:"hwkcExamples"`
	// HwkcPrefix is what characters 3-4 of a Software Key Code are for this type (LIC-3).
	HwkcPrefix string `bun:"hwkc_prefix,notnull" json:"hwkcPrefix"`
	// HwkcSources say how a location of this type gets its HWKC (Source* constants).
	HwkcSources []string `bun:"hwkc_sources,array" json:"hwkcSources"`
	// TempKeyFormat, when set, is the format of the temporary key a location holds until it
	// has a real HWKC (SR-MGC, SV9500 Standard Server, LOC-5/LOC-6).
	TempKeyFormat string `bun:"temp_key_format,nullzero" json:"tempKeyFormat,omitempty"`
	// Flags switch per-type rules on (Flag* constants).
	Flags []string `bun:"flags,array" json:"flags"`
	// SwaApplication is the code of the SWA application the type's licenses count towards,
	// empty when the type is not under Software Assurance.
	SwaApplication string `bun:"swa_application,nullzero" json:"swaApplication,omitempty"`
	// DemoLicenses is how many demo licenses each location gets (LIC-10).
	DemoLicenses int `bun:"demo_licenses,notnull" json:"demoLicenses,omitempty"`
	// DemoLicenseDays is how long a demo license file is valid (LIC-10).
	DemoLicenseDays int `bun:"demo_license_days,notnull" json:"demoLicenseDays,omitempty"`
	// SecondaryType is the system type of the redundant secondary child when it differs from
	// the type itself (a MobiCall Master's secondary is a MobiCall Supervisor, LOC-11); empty
	// means the secondary has the same type (BX9000/OVOC, LOC-10).
	SecondaryType string `bun:"secondary_type,nullzero" json:"secondaryType,omitempty"`
	// ProductKeyFormat is the format of the product key of a PRODUCT_KEY type (LOC-10).
	ProductKeyFormat string `bun:"product_key_format,nullzero" json:"productKeyFormat,omitempty"`
	// ProductKeyRequiredFor is a format of HWKCs whose locations must be created with a product
	// key (BX hardware serial numbers); the others get theirs at first activation (LOC-10).
	ProductKeyRequiredFor string `bun:"product_key_required_for,nullzero" json:"productKeyRequiredFor,omitempty"`
}

// HasFlag reports whether the system type has flag f (one of the Flag* constants).
func (st SystemType) HasFlag(f string) bool { return slices.Contains(st.Flags, f) }

// HasSource reports whether a location of this type may get its HWKC from src (one of the
// Source* constants).
func (st SystemType) HasSource(src string) bool { return slices.Contains(st.HwkcSources, src) }

// ValidHardwareKeyCode reports whether s is a well-formed HWKC of this system type (LOC-2). It
// does not normalise s: callers strip QR prefixes or lower-case an FCN first.
func (st SystemType) ValidHardwareKeyCode(s string) bool { return matches(st.HwkcFormat, s) }

// ValidProductKey reports whether s is a well-formed product key of this system type.
func (st SystemType) ValidProductKey(s string) bool {
	return st.ProductKeyFormat != "" && matches(st.ProductKeyFormat, s)
}

// RequiresProductKey reports whether a location of this type with HWKC hwkc must be created
// with a product key (LOC-10: BX hardware products).
func (st SystemType) RequiresProductKey(hwkc string) bool {
	return st.ProductKeyRequiredFor != "" && matches(st.ProductKeyRequiredFor, hwkc)
}

// Secondary returns the system type of a redundant secondary of this type: SecondaryType, or
// the type itself when that is empty. ok is false for types without FlagRedundantSecondary.
func (st SystemType) Secondary() (code string, ok bool) {
	if !st.HasFlag(FlagRedundantSecondary) {
		return "", false
	}
	if st.SecondaryType != "" {
		return st.SecondaryType, true
	}
	return st.Code, true
}

// ValidTempKey reports whether s is a well-formed temporary key of this system type; it is
// always false for types without one.
func (st SystemType) ValidTempKey(s string) bool {
	return st.TempKeyFormat != "" && matches(st.TempKeyFormat, s)
}

func (st SystemType) normalized() SystemType {
	st.HwkcExamples = emptyIfNil(st.HwkcExamples)
	st.HwkcSources = emptyIfNil(st.HwkcSources)
	st.Flags = emptyIfNil(st.Flags)
	return st
}

// compiled caches compiled formats by their source text, so that a format is compiled once per
// process however the SystemType value was obtained (file, database, copy). A format that does
// not compile is cached as nil and matches nothing; Validate reports it.
var compiled sync.Map // string → *regexp.Regexp

func matches(format, s string) bool {
	v, ok := compiled.Load(format)
	if !ok {
		re, err := regexp.Compile(format)
		if err != nil {
			re = nil
		}
		v, _ = compiled.LoadOrStore(format, re)
	}
	re := v.(*regexp.Regexp)
	return re != nil && re.MatchString(s)
}
