package mail

import "time"

// SwaUnitsReceived tells a dealer's user that a distributor reshipped
// Software Assurance units from its own SWA unit bin into the dealer's
// (SWA-11): new orders of part BE112031 under the purchase order and sales
// order the distributor gave, one order per expiry date, each unit keeping
// the expiry date it had in the distributor's bin.
type SwaUnitsReceived struct {
	// RecipientName is the dealer user's display name; the greeting omits
	// it when empty.
	RecipientName string
	// DealerName is the dealer whose SWA unit bin received the units.
	DealerName string
	// DistributorName is the distributor that reshipped them.
	DistributorName string
	PurchaseOrder   string
	// SalesOrder is the sales order the distributor gave; the orders are
	// numbered SalesOrder/1, /2, … when the units expire on several dates.
	SalesOrder string
	// PartNumber is the SWA unit's part number, "BE112031".
	PartNumber string
	// PartName is the part's catalog name, "SWA Unit".
	PartName string
	// Orders are the new orders, first-expiring first.
	Orders []ReceivedUnitOrder
	// ReceivedAt is when the units landed in the bin; it is shown as a UTC
	// date.
	ReceivedAt time.Time
}

// ReceivedUnitOrder is one new order of SwaUnitsReceived.
type ReceivedUnitOrder struct {
	SalesOrder string
	Quantity   int
	// ExpiresOn is the last day the units can be used; it is a calendar
	// date and is shown as given, not moved to UTC.
	ExpiresOn time.Time
}

// Template returns "swa_units_received".
func (SwaUnitsReceived) Template() string { return "swa_units_received" }

// Quantity is the units of every order together.
func (e SwaUnitsReceived) Quantity() int {
	n := 0
	for _, o := range e.Orders {
		n += o.Quantity
	}
	return n
}
