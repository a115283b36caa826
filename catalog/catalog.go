// Package catalog holds the product catalog of SPEC.md §2 (CAT-1..CAT-3): the system types a
// customer location can have, the license parts that can be shipped and attached to them, and
// the Software Assurance applications with their term factors.
//
// The catalog is data, not code. Its seed is catalog.json, embedded in the binary and read by
// Default; Sync writes it into the database and Load reads it back, so that an admin can add
// system types and parts without a release. Other packages ask the catalog (a flag, a format, a
// stacking kind) instead of switching on system-type codes or part numbers.
//
// Notes on the data. The user guide gives no SWA weights (SWA-4); the weights in catalog.json
// are chosen to reproduce the guide's quotes, and most are illustrative. The six licenses
// activated on the guide's iS3000 example location ("SIP@Net Server", reinstatement chapter),
// 960026138000 ×1 at 0.5, EU920000 ×1 at 1.5, 960025871000 ×4 at 0.25, 960026036000 ×2 at 0.3,
// EU920014 ×40 at 0.04 and EU92067151 ×1 at 0.3, weigh exactly r = 5.5 units a month, which
// with the term factors 1, 0.97, 0.95, 0.95 and 0.92 gives the guide's 66/129/189/251/304
// units for 12…60 months and 17 units of reinstatement for 3 lapsed months
// (TestSwaWeightsFitGuideExample holds the catalog to it). The guide shows its SV8300 quote
// (264/513/753 units at r = 22) without the location's licenses, so no SV8300 weight is
// fitted to it. Catalog version 4 set f(24) to 0.97 (was 0.975) and EU92067151 to 0.3 (was
// 0.315, which made the rate 5.515). Version 5 turned a system type's migratesTo into
// migrationPaths, each with its part mapping (MIG-3).
package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

//go:embed catalog.json
var defaultJSON []byte

// Catalog is the whole product catalog: everything LMS needs to know about the vendor's
// products that is not a partner's own data.
type Catalog struct {
	// Version is the version of the catalog file; Sync refuses to overwrite a database holding a
	// newer one.
	Version int `json:"version"`
	// SystemTypes are the kinds of system a location can be (CAT-1).
	SystemTypes []SystemType `json:"systemTypes"`
	// Parts are the license parts (CAT-2), including the SWA unit part.
	Parts []Part `json:"parts"`
	// SwaApplications are the applications Software Assurance is held for (SWA-3).
	SwaApplications []SwaApplication `json:"swaApplications"`
	// MigrationPaths are the system type pairs a location can be migrated along, with their part
	// mappings (MIG-1, MIG-3).
	MigrationPaths []MigrationPath `json:"migrationPaths"`
	// SwaTermFactors are the discount factors of SWA quotes per term length (SWA-4).
	SwaTermFactors []SwaTermFactor `json:"swaTermFactors"`
}

// Default parses and validates the catalog file embedded in the binary. Each call returns a new
// Catalog that the caller may change. An error means the shipped file is broken, which is a
// programming error (a test guards against it).
func Default() (*Catalog, error) {
	c, err := Parse(defaultJSON)
	if err != nil {
		return nil, fmt.Errorf("embedded catalog.json: %w", err)
	}
	return c, nil
}

// Parse reads a catalog file in the format of catalog.json and validates it. Unknown fields are
// an error so that a misspelt key does not silently drop a rule.
func Parse(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	c.normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// SystemType returns the system type with the given code.
func (c *Catalog) SystemType(code string) (SystemType, bool) {
	i := slices.IndexFunc(c.SystemTypes, func(st SystemType) bool { return st.Code == code })
	if i < 0 {
		return SystemType{}, false
	}
	return c.SystemTypes[i], true
}

// Part returns the part with the given part number.
func (c *Catalog) Part(number string) (Part, bool) {
	i := slices.IndexFunc(c.Parts, func(p Part) bool { return p.Number == number })
	if i < 0 {
		return Part{}, false
	}
	return c.Parts[i], true
}

// SwaApplication returns the SWA application with the given code.
func (c *Catalog) SwaApplication(code string) (SwaApplication, bool) {
	i := slices.IndexFunc(c.SwaApplications, func(a SwaApplication) bool { return a.Code == code })
	if i < 0 {
		return SwaApplication{}, false
	}
	return c.SwaApplications[i], true
}

// TermFactor returns the SWA-4 factor f(months) for a term of the given length.
func (c *Catalog) TermFactor(months int) (float64, bool) {
	i := slices.IndexFunc(c.SwaTermFactors, func(f SwaTermFactor) bool { return f.Months == months })
	if i < 0 {
		return 0, false
	}
	return c.SwaTermFactors[i].Factor, true
}

// PartsFor returns the parts that may be attached to a location of the given system type, in
// catalog order.
func (c *Catalog) PartsFor(systemType string) []Part {
	var parts []Part
	for _, p := range c.Parts {
		if p.AllowedOn(systemType) {
			parts = append(parts, p)
		}
	}
	return parts
}

// ApplicationOf returns the SWA application that licenses of part p count towards on a location
// of the given system type: the part's own application when it names one (BCT licenses on an
// SV9100 count for BCT), otherwise the system type's. ok is false when neither has one (the
// license is not under Software Assurance).
func (c *Catalog) ApplicationOf(p Part, systemType string) (app SwaApplication, ok bool) {
	st, _ := c.SystemType(systemType)
	code := p.ApplicationCode(st)
	if code == "" {
		return SwaApplication{}, false
	}
	return c.SwaApplication(code)
}

// ApplicationCode is the code of the SWA application licenses of p count
// towards on a location of type st (ApplicationOf; swa's
// licenseApplication in SQL): p's own when it names one, otherwise st's;
// "" when neither has one.
func (p Part) ApplicationCode(st SystemType) string {
	if p.SwaApplication != "" {
		return p.SwaApplication
	}
	return st.SwaApplication
}

// normalize replaces absent lists by empty ones, so that a catalog read from the file, from the
// database or built in code compares equal and serialises lists as [] rather than null.
func (c *Catalog) normalize() {
	for i := range c.SystemTypes {
		c.SystemTypes[i] = c.SystemTypes[i].normalized()
	}
	for i := range c.Parts {
		c.Parts[i] = c.Parts[i].normalized()
	}
	for i := range c.SwaApplications {
		c.SwaApplications[i] = c.SwaApplications[i].normalized()
	}
	for i := range c.MigrationPaths {
		c.MigrationPaths[i] = c.MigrationPaths[i].normalized()
	}
	if c.SystemTypes == nil {
		c.SystemTypes = []SystemType{}
	}
	if c.Parts == nil {
		c.Parts = []Part{}
	}
	if c.SwaApplications == nil {
		c.SwaApplications = []SwaApplication{}
	}
	if c.MigrationPaths == nil {
		c.MigrationPaths = []MigrationPath{}
	}
	if c.SwaTermFactors == nil {
		c.SwaTermFactors = []SwaTermFactor{}
	}
}

// emptyIfNil returns s, or an empty slice when s is nil.
func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
