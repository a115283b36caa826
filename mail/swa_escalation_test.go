package mail_test

import (
	"html"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

// swaEscalation is the guide's Ed Distributor X escalating a reservation
// of Dealer Y: SV 8300 at "SV8300 system Home" for 12 months, 264 units.
func swaEscalation() mail.SwaEscalation {
	// 00:30 in Berlin is still the previous day in UTC, the zone emails show
	// moments in.
	cet := time.FixedZone("CET", 3600)
	return mail.SwaEscalation{
		RecipientName: "Ada Admin", PartnerName: "Dealer Y",
		EscalatedBy: "Ed Distributor", EscalatedByEmail: "ed@distributor-x.example", EscalatingPartnerName: "Distributor X",
		Reason:       "The customer's purchase order names 24 months, not 12",
		CustomerName: "Tons Business", LocationName: "SV8300 system Home", LocationID: "53dc7a98-2f86-4eb0-bb5d-0caecf3a5bdc",
		HardwareKeyCode: "18CYG-IPS-000000008J300643e", ApplicationName: "SV 8300", TermMonths: 12, Units: 264,
		RequestedBy: "Yara Dealer",
		RequestedAt: time.Date(2016, time.December, 29, 0, 30, 0, 0, cet),
		DueAt:       time.Date(2016, time.December, 30, 0, 30, 0, 0, cet),
		EscalatedAt: time.Date(2016, time.December, 29, 9, 15, 0, 0, cet),
		TimeLeft:    "15:15",
	}
}

func TestRenderSwaEscalation(t *testing.T) {
	t.Parallel()

	const evil = `Müller & Söhne <Telecom>`
	escaping := swaEscalation()
	escaping.RecipientName, escaping.PartnerName, escaping.EscalatingPartnerName = "<b>Eve</b>", evil, `"Best" <Distribution>`
	escaping.EscalatedBy, escaping.EscalatedByEmail = `Ed <i>"the"</i> Distributor`, `ed+"x"@distributor.example`
	escaping.Reason, escaping.ReferenceNote = `<script>alert("why")</script> & more`, `PO <4711> & "B"`
	escaping.CustomerName, escaping.LocationName, escaping.HardwareKeyCode = evil, `Büro "Nord" <2>`, `<b>HWKC</b>&'1'`
	escaping.ApplicationName, escaping.RequestedBy, escaping.TermMonths = `SV <8300> & "Co"`, "", 1
	for _, tt := range []struct {
		name  string
		email mail.SwaEscalation
	}{
		{name: "swa_escalation", email: swaEscalation()},
		{name: "swa_escalation_escaping", email: escaping},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			requireRendered(t, tt.name, tt.email)
		})
	}
}

// The escalation tells the license desk, in both parts, who escalated
// whose assignment and why, what it reserves and when it activates.
func TestSwaEscalationTextAndHTMLSayTheSame(t *testing.T) {
	t.Parallel()

	got, err := mail.Render(swaEscalation())
	require.NoError(t, err)
	require.Equal(t, "SWA escalation: SV 8300 at SV8300 system Home of Dealer Y, activates in 15:15", got.Subject)
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(got.HTML, ""))
	for _, part := range []string{got.Text, text} {
		for _, s := range []string{
			"Ed Distributor of Distributor X has escalated an SWA assignment of Dealer Y",
			"The customer's purchase order names 24 months, not 12", "Tons Business", "53dc7a98-2f86-4eb0-bb5d-0caecf3a5bdc",
			"18CYG-IPS-000000008J300643e", "12 months", "264", "28 December 2016, 23:30 UTC by Yara Dealer",
			"activates on 29 December 2016, 23:30 UTC (15:15 from the escalation)", "29 December 2016, 08:15 UTC by Ed Distributor",
			"cancel the assignment", "ed@distributor-x.example",
		} {
			require.Contains(t, part, s)
		}
		require.NotContains(t, part, "Reference note")
	}
}
