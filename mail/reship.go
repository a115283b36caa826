package mail

import "time"

// LicensesReceived tells a dealer's user that a distributor reshipped
// licenses from its own bin into the dealer's license bin (LIC-12): a new
// sales order / purchase order with its part lines, ready to attach.
type LicensesReceived struct {
	RecipientName string
	// DealerName is the dealer whose bin received the licenses.
	DealerName string
	// DistributorName is the distributor that reshipped them.
	DistributorName string
	SalesOrder      string
	PurchaseOrder   string
	Lines           []ShipmentLine
	// ReceivedAt is when the licenses landed in the bin; shown as a UTC
	// date.
	ReceivedAt time.Time
}

// Template returns "licenses_received".
func (LicensesReceived) Template() string { return "licenses_received" }
