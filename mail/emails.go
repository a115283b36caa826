package mail

import "time"

// ShippingAllowanceGranted tells a dealer's user that an admin has granted
// a distributor a shipping allowance for the dealer (ACT-4): from now on the
// distributor may reship licenses (LIC-12) and SWA units (SWA-11) to the
// dealer and may act on behalf of its users (impersonation, ACT-5).
type ShippingAllowanceGranted struct {
	// RecipientName is the dealer user's display name; the greeting omits
	// it when empty.
	RecipientName   string
	DealerName      string
	DistributorName string
	// GrantedAt is when the allowance took effect; it is shown as a UTC date.
	GrantedAt time.Time
}

// Template returns "shipping_allowance_granted".
func (ShippingAllowanceGranted) Template() string { return "shipping_allowance_granted" }
