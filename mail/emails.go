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

// LicenseShipment tells a partner's user that licenses were shipped into the
// partner's license bin (LIC-1): the vendor's sales order and the partner's
// purchase order, with their part lines, are now available to attach to a
// customer location (LIC-3).
type LicenseShipment struct {
	// RecipientName is the partner user's display name; the greeting omits
	// it when empty.
	RecipientName string
	// PartnerName is the dealer or distributor whose license bin received
	// the licenses.
	PartnerName   string
	SalesOrder    string
	PurchaseOrder string
	Lines         []ShipmentLine
	// SwaDurationMonths is the requested SWA duration for the PO, 0 when
	// none was given.
	SwaDurationMonths int
	// SwaNote is free text about SWA for the PO; may be empty.
	SwaNote string
	// ShippedAt is when the licenses landed in the bin; it is shown as a UTC
	// date.
	ShippedAt time.Time
	// BinURL is where the partner's license bin is; the email leaves the
	// sentence pointing to it out when it is empty.
	BinURL string
}

// ShipmentLine is one part line of a shipment.
type ShipmentLine struct {
	PartNumber string
	PartName   string
	Quantity   int
}

// Template returns "license_shipment".
func (LicenseShipment) Template() string { return "license_shipment" }

// LicenseFileReady tells the user who activated licenses (and the location's
// dealer email) that the license file of a location is ready, with its
// activation code (LIC-6). The file stacks all licenses activated on the
// location (LIC-9) and is bound to its Hardware Key Code.
type LicenseFileReady struct {
	// RecipientName is the activating user's display name; the greeting
	// omits it when empty (e.g. for the dealer email).
	RecipientName string
	CustomerName  string
	LocationName  string
	// LocationID is the location's UUID, shown to users as "Location Id".
	LocationID string
	// SystemTypeName is the catalog name of the location's system type,
	// e.g. "SV9500 Appliance / Standard Server / Small Enterprise".
	SystemTypeName  string
	HardwareKeyCode string
	// ActivationCode is the file's 16-digit activation code, e.g.
	// "3407-7473-3325-4604".
	ActivationCode string
	// FileName is the name of the file as downloaded, e.g.
	// "190400324412-svi.zip".
	FileName string
	// Version is the generation number of the file (1, 2, ...).
	Version int
	// DownloadURL is the file's signed download link: it works without
	// signing in until LinkExpiresAt, for this version of the file only.
	DownloadURL string
	// LinkExpiresAt is when DownloadURL stops working; the mail says so,
	// and that the file stays available to a signed-in user.
	LinkExpiresAt time.Time
	Features      []FileFeature
	// IssuedAt is when the file was generated; it is shown as a UTC date
	// and time.
	IssuedAt time.Time
	// ExpiresAt is set for a demo license file (LIC-10): the file opens
	// every feature of the system type until then, and the mail says so.
	// Nil for a regular file, which never expires.
	ExpiresAt *time.Time
}

// FileFeature is one stacked entitlement in a license file.
type FileFeature struct {
	PartNumber string
	Name       string
	// Amount is the quantity ("120") or the version ("V6") as shown to
	// users.
	Amount string
}

// Template returns "license_file_ready".
func (LicenseFileReady) Template() string { return "license_file_ready" }

// ExternalLicenseFileAvailable tells the users who activated an external
// product's licenses (and the location's dealer email) that the license
// desk has uploaded the license file for their sales order (EXT-3): "your
// License file for Sales Order <SO> is available". LMS did not generate the
// file, so it has no activation code.
type ExternalLicenseFileAvailable struct {
	// RecipientName is the activating user's display name; the greeting
	// omits it when empty (e.g. for the dealer email).
	RecipientName string
	CustomerName  string
	LocationName  string
	// LocationID is the location's UUID, shown to users as "Location Id".
	LocationID string
	// SystemTypeName is the catalog name of the location's system type,
	// e.g. "UM4730".
	SystemTypeName  string
	HardwareKeyCode string
	SalesOrder      string
	// FileName is the name of the file as downloaded.
	FileName string
	// Version is the generation number of the location's file (1, 2, ...).
	Version int
	// DownloadURL is the file's signed download link: it works without
	// signing in until LinkExpiresAt, for this version of the file only.
	DownloadURL string
	// LinkExpiresAt is when DownloadURL stops working; the mail says so,
	// and that the file stays available to a signed-in user.
	LinkExpiresAt time.Time
	// AvailableAt is when the file was uploaded; it is shown as a UTC date
	// and time.
	AvailableAt time.Time
}

// Template returns "external_license_file_available".
func (ExternalLicenseFileAvailable) Template() string { return "external_license_file_available" }
