package catalog

import (
	"slices"

	"github.com/uptrace/bun"
)

// SwaApplication is an application Software Assurance is held for (SWA-3). It is also the bun
// model of the swa_applications table.
type SwaApplication struct {
	bun.BaseModel `bun:"table:swa_applications,alias:sa" json:"-"`

	// Code identifies the application, e.g. "SV8300".
	Code string `bun:"code,pk" json:"code"`
	// Name is the application name as the guide shows it, e.g. "SV 8300".
	Name string `bun:"name,notnull" json:"name"`
	// AgreementCode is the 3 characters after "50" in an agreement number
	// (50180-RXJE47947-N → "180").
	AgreementCode string `bun:"agreement_code,notnull" json:"agreementCode"`
	// SystemTypes are the system types whose licenses count towards the application.
	SystemTypes []string `bun:"system_types,array" json:"systemTypes"`
	// Terms are the term lengths in months a quote offers (SWA-4), ascending.
	Terms []int `bun:"terms,array" json:"terms"`
	// MaxRenewalMonths is the longest duration of a renewal (SWA-10).
	MaxRenewalMonths int `bun:"max_renewal_months,notnull" json:"maxRenewalMonths"`
}

// MaxTermMonths returns the longest term a quote for the application offers.
func (a SwaApplication) MaxTermMonths() int {
	if len(a.Terms) == 0 {
		return 0
	}
	return slices.Max(a.Terms)
}

// AllowsTerm reports whether a quote may offer a term of the given number of months.
func (a SwaApplication) AllowsTerm(months int) bool { return slices.Contains(a.Terms, months) }

func (a SwaApplication) normalized() SwaApplication {
	a.SystemTypes = emptyIfNil(a.SystemTypes)
	a.Terms = emptyIfNil(a.Terms)
	return a
}

// SwaTermFactor is the SWA-4 factor f(m) applied to a quote for a term of m months. It is also
// the bun model of the swa_term_factors table.
type SwaTermFactor struct {
	bun.BaseModel `bun:"table:swa_term_factors,alias:tf" json:"-"`

	// Months is the term length.
	Months int `bun:"months,pk" json:"months"`
	// Factor multiplies rate × months; 1 for 12 months, lower for longer terms.
	Factor float64 `bun:"factor,notnull" json:"factor"`
}
