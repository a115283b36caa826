package mail

import "time"

// SwaRenewed tells the partner which Software Assurance agreements were
// renewed (SWA-10): co-termed to one end date, each keeping its agreement
// number with the next renewal suffix, the units taken from the SWA unit
// bin at once.
type SwaRenewed struct {
	// RecipientName is the partner user's display name; the greeting omits
	// it when empty.
	RecipientName, PartnerName, CustomerName string
	// EndsOn is the common end date of every renewed agreement; Months the
	// renewal's duration from its activation moment.
	EndsOn time.Time
	Months int
	// Units is the total taken, reinstatement fees included.
	Units int
	// ReferenceNote is the user's reference; the mail leaves it out when
	// empty.
	ReferenceNote string
	// RenewedAt is when the renewal was made; shown as a UTC date and time.
	RenewedAt  time.Time
	Agreements []SwaRenewedAgreement
	// CertificateLinksExpireAt is when the agreements' CertificateURLs stop
	// working without signing in; the mail says so.
	CertificateLinksExpireAt time.Time
}

// SwaRenewedAgreement is one renewed agreement of a SwaRenewed mail.
type SwaRenewedAgreement struct {
	LocationName, HardwareKeyCode, ApplicationName string
	// AgreementNumber is the new version's, e.g. "50180-EVGY45796-R01".
	AgreementNumber string
	// PreviousEndsOn is the last day of the version renewed; StartsOn and
	// EndsOn the renewal's first and last day (calendar dates, shown as
	// given).
	PreviousEndsOn, StartsOn, EndsOn time.Time
	Months                           int
	// Units includes ReinstatementUnits, the fee for LapsedMonths of an
	// agreement that had expired (SWA-7c); 0 when none was due.
	Units, ReinstatementUnits, LapsedMonths int
	// CertificateURL is the signed download link of the new version's SWA
	// certificate (PDF); the mail leaves it out when empty.
	CertificateURL string
}

// Template returns "swa_renewed".
func (SwaRenewed) Template() string { return "swa_renewed" }
