package mail

import "time"

// The mails of a hardware replacement (HWR-1, HWR-2): the license desk
// hears of a partner's request, the requester gets the emergency license
// file for its new hardware at once, and the partner hears that the
// license desk replaced the hardware or rejected the request.

// HardwareReplacementRequested asks the license desk to replace the
// hardware of a partner's location (HWR-2): which location, the Hardware
// Key Code to be replaced and the new one, why, and whether the partner
// got an emergency license file to bridge the wait.
type HardwareReplacementRequested struct {
	// RecipientName is the license desk user's display name; the greeting
	// omits it when empty (the desk's contact address).
	RecipientName string
	// PartnerName is the partner whose location it is, who filed the request.
	PartnerName string
	// RequestedBy and RequestedByEmail name the requesting user.
	RequestedBy, RequestedByEmail string
	CustomerName                  string
	LocationName                  string
	// LocationID is the UUID "Location Id" users quote.
	LocationID         string
	SystemTypeName     string
	OldHardwareKeyCode string
	NewHardwareKeyCode string
	// Reason is why, in the requesting user's words.
	Reason      string
	RequestedAt time.Time
	// EmergencyExpiresAt is when the emergency license file the request
	// yielded stops working; nil when it yielded none (EmergencyRefusal
	// says why).
	EmergencyExpiresAt *time.Time
	EmergencyRefusal   string
}

// Template returns "hardware_replacement_requested".
func (HardwareReplacementRequested) Template() string { return "hardware_replacement_requested" }

// EmergencyLicenseFileReady sends the user who requested a hardware
// replacement the emergency license file for the new hardware (HWR-2): the
// location's activated features, bound to the new Hardware Key Code, valid
// until ExpiresAt, so that a site with a dead CPU works while the license
// desk handles the request.
type EmergencyLicenseFileReady struct {
	// RecipientName is the requesting user's display name; the greeting
	// omits it when empty (e.g. for the dealer email).
	RecipientName  string
	CustomerName   string
	LocationName   string
	LocationID     string
	SystemTypeName string
	// HardwareKeyCode is the location's code, of the hardware to be
	// replaced; NewHardwareKeyCode the one the file is bound to.
	HardwareKeyCode    string
	NewHardwareKeyCode string
	ActivationCode     string
	FileName           string
	Version            int
	// DownloadURL is the file's signed download link, working without
	// signing in until LinkExpiresAt.
	DownloadURL   string
	LinkExpiresAt time.Time
	Features      []FileFeature
	IssuedAt      time.Time
	// ExpiresAt is when the emergency file stops working.
	ExpiresAt time.Time
}

// Template returns "emergency_license_file_ready".
func (EmergencyLicenseFileReady) Template() string { return "emergency_license_file_ready" }

// HardwareReplaced tells a partner's user that the license desk replaced
// the hardware of one of its locations (HWR-1): the licenses (and the SWA
// agreement) stay with the location, now bound to the new Hardware Key
// Code, and a new license file is generated for it.
type HardwareReplaced struct {
	// RecipientName is the partner user's display name; the greeting omits
	// it when empty.
	RecipientName      string
	PartnerName        string
	CustomerName       string
	LocationName       string
	LocationID         string
	SystemTypeName     string
	OldHardwareKeyCode string
	NewHardwareKeyCode string
	// Reason is the request's reason, or the license desk's when it
	// replaced the hardware without one.
	Reason     string
	ReplacedAt time.Time
	// RequestedAt is when the partner asked for it; nil when the license
	// desk replaced the hardware on its own.
	RequestedAt *time.Time
	// ActivatedLicenses counts the activated licenses the new file holds.
	ActivatedLicenses int
	// FileVersion, DownloadURL and LinkExpiresAt are the new license file
	// and its signed link; FileVersion is 0 when nothing is activated and
	// no file was generated.
	FileVersion   int
	DownloadURL   string
	LinkExpiresAt time.Time
	// EmergencyExpiresAt is when the request's emergency file stops
	// working, nil without one: the permanent file replaces it.
	EmergencyExpiresAt *time.Time
}

// Template returns "hardware_replaced".
func (HardwareReplaced) Template() string { return "hardware_replaced" }

// HardwareReplacementRejected tells a partner's user that the license
// desk rejected its hardware replacement request (HWR-2), and why: the
// location keeps its Hardware Key Code and license file.
type HardwareReplacementRejected struct {
	RecipientName      string
	PartnerName        string
	CustomerName       string
	LocationName       string
	LocationID         string
	OldHardwareKeyCode string
	NewHardwareKeyCode string
	// Reason is the request's; Rejection the license desk's.
	Reason      string
	Rejection   string
	RequestedAt time.Time
	RejectedAt  time.Time
	// EmergencyExpiresAt is when the request's emergency file stops
	// working (it is not withdrawn; it runs out); nil without one.
	EmergencyExpiresAt *time.Time
}

// Template returns "hardware_replacement_rejected".
func (HardwareReplacementRejected) Template() string { return "hardware_replacement_rejected" }
