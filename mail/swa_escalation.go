package mail

import "time"

// SwaEscalation asks the license desk to look at an SWA assignment still
// in its 24-hour cooling-off period (SWA-8) that a distributor, or the
// dealer itself, escalated from the SWA reservations page (SWA-13): what
// is reserved where, for whom, why, and when it activates unless someone
// cancels or processes it first.
type SwaEscalation struct {
	// RecipientName is the license desk user's display name; the greeting
	// omits it when empty (the desk's contact address).
	RecipientName string
	// PartnerName is the partner whose assignment it is, usually a dealer.
	PartnerName string
	// EscalatedBy, EscalatedByEmail and EscalatingPartnerName name who
	// escalated: a user of the distributor that ships to PartnerName, or
	// of PartnerName itself.
	EscalatedBy, EscalatedByEmail, EscalatingPartnerName string
	// Reason is why, in the escalating user's words.
	Reason       string
	CustomerName string
	LocationName string
	// LocationID is the UUID "Location Id" users quote.
	LocationID      string
	HardwareKeyCode string
	ApplicationName string
	TermMonths      int
	// Units is everything the assignment reserved from the SWA unit bin,
	// the reinstatement fee included.
	Units         int
	ReferenceNote string
	// RequestedBy names the user who assigned SWA; empty when unknown.
	RequestedBy string
	// RequestedAt, DueAt and EscalatedAt are moments, shown in UTC. DueAt
	// is when the cooling-off period ends and the assignment activates;
	// TimeLeft is the time until then as LMS shows it (hh:mm).
	RequestedAt, DueAt, EscalatedAt time.Time
	TimeLeft                        string
}

// Template returns "swa_escalation".
func (SwaEscalation) Template() string { return "swa_escalation" }
