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

// EndUserLicenseAgreement sends a customer the End User License Agreement
// for the system at a location a partner has just created (LOC-3). It goes
// to the customer's EULA email address and identifies the system by its
// Hardware Key Code, because the licenses the agreement covers are bound to
// that code.
type EndUserLicenseAgreement struct {
	// RecipientName is the customer contact's name; the greeting omits it
	// when empty.
	RecipientName string
	// CustomerName is the customer's business name, the party that accepts
	// the agreement.
	CustomerName string
	LocationName string
	// LocationID is the location's UUID, shown to users as "Location Id".
	LocationID string
	// SystemTypeName is the catalog name of the location's system type,
	// e.g. "SV9500 Appliance / Standard Server / Small Enterprise".
	SystemTypeName  string
	HardwareKeyCode string
	// Address is the location's address on one line; the email leaves the
	// address line out when it is empty.
	Address string
	// PartnerName is the dealer or distributor that registered the location.
	PartnerName string
	// CreatedAt is when the location was created; it is shown as a UTC date.
	CreatedAt time.Time
}

// Template returns "end_user_license_agreement".
func (EndUserLicenseAgreement) Template() string { return "end_user_license_agreement" }
