package mail

import "time"

// DectDeactivationRequest asks the license desk to deactivate the PARI of
// a DECT system in the old (PBC) license generator, now that the system's
// licenses were imported into LMS from its DECT Manager's export (DECT-3):
// the guide makes that call mandatory for later expansion and Software
// Assurance; LMS sends it on the partner's behalf.
type DectDeactivationRequest struct {
	// RecipientName is the license desk user's display name; the greeting
	// omits it when empty (the desk's contact address).
	RecipientName string
	// PartnerName is the partner whose location it is.
	PartnerName string
	// ImportedBy and ImportedByEmail name the user who imported the file.
	ImportedBy, ImportedByEmail string
	CustomerName                string
	LocationName                string
	// LocationID is the UUID "Location Id" users quote.
	LocationID string
	// PARI is the DECT system's identity, the location's Hardware Key Code.
	PARI string
	// Release is the DECT release the export came from.
	Release int
	// ExportedAt is when the DECT Manager exported the file, ImportedAt
	// when its licenses were activated in LMS; shown in UTC.
	ExportedAt, ImportedAt time.Time
	// Order is the purchase and sales order the imported licenses carry,
	// M-1<yyyymmdd><nnn>.
	Order string
	Lines []DectLine
}

// DectLine is one imported part and its quantity.
type DectLine struct {
	PartNumber string
	Name       string
	Quantity   int
}

// Template returns "dect_deactivation_request".
func (DectDeactivationRequest) Template() string { return "dect_deactivation_request" }
