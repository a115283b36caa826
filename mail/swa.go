package mail

import "time"

// SwaUnitsShipped tells a partner's user that the license desk shipped
// Software Assurance units into the partner's SWA unit bin (SWA-1): one
// order of part BE112031 with its sales order, purchase order, quantity and
// expiry date, ready to be assigned to customer locations (SWA-7).
type SwaUnitsShipped struct {
	// RecipientName is the partner user's display name; the greeting omits
	// it when empty.
	RecipientName string
	// PartnerName is the dealer or distributor whose SWA unit bin received
	// the units.
	PartnerName   string
	SalesOrder    string
	PurchaseOrder string
	// PartNumber is the SWA unit's part number, "BE112031".
	PartNumber string
	// PartName is the part's catalog name, "SWA Unit".
	PartName string
	Quantity int
	// ExpiresOn is the last day the units can be used (SWA-1); it is a
	// calendar date and is shown as given, not moved to UTC.
	ExpiresOn time.Time
	// ShippedAt is when the units landed in the bin; it is shown as a UTC
	// date.
	ShippedAt time.Time
}

// Template returns "swa_units_shipped".
func (SwaUnitsShipped) Template() string { return "swa_units_shipped" }

// SwaActivated tells the partner that Software Assurance is active on an
// application of a location (SWA-8): the units reserved by an assignment
// were taken, when its cooling-off period ended or when a user pushed it
// with "Process immediately", and the agreement got its number and dates.
type SwaActivated struct {
	// RecipientName is the partner user's display name; the greeting omits
	// it when empty (e.g. for the dealer email).
	RecipientName   string
	PartnerName     string
	CustomerName    string
	LocationName    string
	HardwareKeyCode string
	// ApplicationName is the application the agreement covers, e.g.
	// "SV 8300" (SWA-3).
	ApplicationName string
	// AgreementNumber is e.g. "50180-EVGY45796-N"; it ends in -W when a
	// reinstatement fee was paid (SWA-3).
	AgreementNumber string
	// StartsOn and EndsOn are the agreement's first and last day (SWA-6);
	// they are calendar dates and are shown as given, not moved to UTC.
	StartsOn, EndsOn time.Time
	TermMonths       int
	// Units is the total taken from the SWA unit bin: the term's units plus
	// ReinstatementUnits.
	Units int
	// ReinstatementUnits is the reinstatement fee for LapsedMonths (SWA-7),
	// 0 when none was due; the mail shows the fee only when it is not 0.
	ReinstatementUnits int
	LapsedMonths       int
	// ReferenceNote is the reference the user gave with the assignment; the
	// mail leaves it out when empty.
	ReferenceNote string
	// ActivatedAt is when the agreement became active; it is shown as a UTC
	// date and time.
	ActivatedAt time.Time
	// ProcessedImmediately is set when a user pushed the activation with
	// "Process immediately" before the cooling-off period ended; Reason is
	// the reason they had to give.
	ProcessedImmediately bool
	Reason               string
	// CertificateURL is the signed download link of the agreement's PDF
	// certificate: it works without signing in until
	// CertificateLinkExpiresAt, which the mail says.
	CertificateURL           string
	CertificateLinkExpiresAt time.Time
}

// Template returns "swa_activated".
func (SwaActivated) Template() string { return "swa_activated" }

// TermUnits is the part of Units that pays for the term, without the
// reinstatement fee.
func (e SwaActivated) TermUnits() int { return e.Units - e.ReinstatementUnits }

// SwaGraceEnding reminds the partner that the grace period of an
// application of a location ends in 30 days while the location still has no
// Software Assurance for it (SWA-9): assigned before then, SWA costs no
// reinstatement fee (SWA-5, SWA-7).
type SwaGraceEnding struct {
	// RecipientName is the partner user's display name; the greeting omits
	// it when empty.
	RecipientName, PartnerName, CustomerName, LocationName, HardwareKeyCode, ApplicationName string
	// GraceEndsOn is the grace period's last day (SWA-5); it is a calendar
	// date and is shown as given, not moved to UTC.
	GraceEndsOn time.Time
}

// Template returns "swa_grace_ending".
func (SwaGraceEnding) Template() string { return "swa_grace_ending" }

// SwaAgreementEnding reminds the partner that a Software Assurance
// agreement ends in 60 days (SWA-9): renewed before then, the new term
// follows on without a reinstatement fee (SWA-10).
type SwaAgreementEnding struct {
	// RecipientName is the partner user's display name; the greeting omits
	// it when empty.
	RecipientName, PartnerName, CustomerName, LocationName, HardwareKeyCode, ApplicationName, AgreementNumber string
	// EndsOn is the agreement's last day (SWA-6); it is a calendar date and
	// is shown as given, not moved to UTC.
	EndsOn time.Time
}

// Template returns "swa_agreement_ending".
func (SwaAgreementEnding) Template() string { return "swa_agreement_ending" }
