package mail_test

import (
	"html"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

// The guide's examples: units order 1287838 / hvo07020003 of 648 units; SV 8300
// assigned for 12 months, agreement 50180-EVGY45796-N ending 30-06-2014; the
// iS3000 "SIP@Net Server" reinstated for 60 months with 304 + 17 units.
var (
	// 00:45 in Berlin is still the previous day in UTC, the zone emails show
	// moments in.
	swaShippedAt   = time.Date(2013, time.March, 1, 0, 45, 0, 0, time.FixedZone("CET", 3600))
	swaActivatedAt = time.Date(2013, time.March, 27, 0, 30, 0, 0, time.FixedZone("CET", 3600))
)

func swaUnitsShipped() mail.SwaUnitsShipped {
	return mail.SwaUnitsShipped{
		RecipientName: "Dana Dealer", PartnerName: "Dealer Y GmbH",
		SalesOrder: "1287838", PurchaseOrder: "hvo07020003",
		PartNumber: "BE112031", PartName: "SWA Unit", Quantity: 648,
		ExpiresOn: time.Date(2013, time.May, 18, 0, 0, 0, 0, time.UTC), ShippedAt: swaShippedAt,
	}
}

func swaActivated() mail.SwaActivated {
	return mail.SwaActivated{
		RecipientName: "Dana Dealer", PartnerName: "Dealer Y GmbH", CustomerName: "Tons Business",
		LocationName: "SV8300 system Home", HardwareKeyCode: "18CYG-IPS-000000008J300643e",
		ApplicationName: "SV 8300", AgreementNumber: "50180-EVGY45796-N",
		StartsOn:   time.Date(2013, time.July, 1, 0, 0, 0, 0, time.UTC),
		EndsOn:     time.Date(2014, time.June, 30, 0, 0, 0, 0, time.UTC),
		TermMonths: 12, Units: 264, ActivatedAt: swaActivatedAt,
		CertificateURL:           "https://lms.example.com/swa-certificates/5d1c7a2e?expires=1365550200&sig=c2ln",
		CertificateLinkExpiresAt: swaActivatedAt.Add(14 * 24 * time.Hour),
	}
}

func swaReinstated() mail.SwaActivated {
	return mail.SwaActivated{
		PartnerName: "Ed Austria", CustomerName: "Ed Austria",
		LocationName: "SIP@Net Server", HardwareKeyCode: "aa00145A2792654321AA",
		ApplicationName: "iS3000", AgreementNumber: "50IS0-FHTY11751-W",
		StartsOn:   time.Date(2015, time.June, 30, 0, 0, 0, 0, time.UTC),
		EndsOn:     time.Date(2020, time.June, 30, 0, 0, 0, 0, time.UTC),
		TermMonths: 60, Units: 321, ReinstatementUnits: 17, LapsedMonths: 3,
		ReferenceNote:        "PO 4500981234 / SWA 5 years",
		ActivatedAt:          time.Date(2015, time.June, 30, 14, 12, 0, 0, time.UTC),
		ProcessedImmediately: true, Reason: "Need to activate SWA Immediately",
		CertificateURL:           "https://lms.example.com/swa-certificates/9e4b2f10?expires=1436883120&sig=c2ln",
		CertificateLinkExpiresAt: time.Date(2015, time.July, 14, 14, 12, 0, 0, time.UTC),
	}
}

func swaGraceEnding() mail.SwaGraceEnding {
	return mail.SwaGraceEnding{
		RecipientName: "Dana Dealer", PartnerName: "Dealer Y GmbH", CustomerName: "Ed Austria",
		LocationName: "SIP@Net Server", HardwareKeyCode: "aa00145A2792654321AA", ApplicationName: "iS3000",
		GraceEndsOn: time.Date(2015, time.March, 31, 0, 0, 0, 0, time.UTC),
	}
}

func swaAgreementEnding() mail.SwaAgreementEnding {
	return mail.SwaAgreementEnding{
		RecipientName: "Dana Dealer", PartnerName: "Dealer Y GmbH", CustomerName: "Tons Business",
		LocationName: "SV8300 system Home", HardwareKeyCode: "18CYG-IPS-000000008J300643e",
		ApplicationName: "SV 8300", AgreementNumber: "50180-EVGY45796-N",
		EndsOn: time.Date(2014, time.June, 30, 0, 0, 0, 0, time.UTC),
	}
}

func TestRenderSwa(t *testing.T) {
	t.Parallel()

	const (
		evil     = `Müller & Söhne <Telecom>`
		evilLoc  = `Büro "Nord" <2>`
		evilCode = `<b>HWKC</b>&'1'`
		evilApp  = `SV <8300> & "Co"`
	)
	endsOn := time.Date(2014, time.June, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		email mail.Email
	}{
		{name: "swa_units_shipped", email: swaUnitsShipped()},
		{
			name: "swa_units_shipped_escaping",
			email: mail.SwaUnitsShipped{
				RecipientName: "<b>Eve</b>", PartnerName: evil, SalesOrder: `SO "7" & <8>`, PurchaseOrder: "PO<1>&'2'",
				PartNumber: "BE<112031>", PartName: `SWA "Unit" & <more>`, Quantity: 1,
				ExpiresOn: time.Date(2013, time.May, 18, 0, 0, 0, 0, time.UTC), ShippedAt: swaShippedAt,
			},
		},
		{name: "swa_activated", email: swaActivated()},
		{name: "swa_activated_reinstated_immediately", email: swaReinstated()},
		{
			name: "swa_activated_escaping",
			email: mail.SwaActivated{
				RecipientName: "<b>Eve</b>", PartnerName: evil, CustomerName: evil, LocationName: evilLoc,
				HardwareKeyCode: evilCode, ApplicationName: evilApp, AgreementNumber: `50<180>-"X"&-N`,
				StartsOn: time.Date(2013, time.July, 1, 0, 0, 0, 0, time.UTC), EndsOn: endsOn,
				TermMonths: 12, Units: 265, ReinstatementUnits: 1, LapsedMonths: 1,
				ReferenceNote: `<script>alert("ref")</script> & more`, ActivatedAt: swaActivatedAt,
				ProcessedImmediately: true, Reason: `<i>now</i> & "today"`,
				CertificateURL:           `https://lms.example.com/swa-certificates/x?a=1&b="2"<3>`,
				CertificateLinkExpiresAt: swaActivatedAt,
			},
		},
		{name: "swa_grace_ending", email: swaGraceEnding()},
		{
			name: "swa_grace_ending_escaping",
			email: mail.SwaGraceEnding{
				PartnerName: evil, CustomerName: evil, LocationName: evilLoc, HardwareKeyCode: evilCode, ApplicationName: evilApp,
				GraceEndsOn: time.Date(2015, time.March, 31, 0, 0, 0, 0, time.UTC),
			},
		},
		{name: "swa_agreement_ending", email: swaAgreementEnding()},
		{
			name: "swa_agreement_ending_escaping",
			email: mail.SwaAgreementEnding{
				PartnerName: evil, CustomerName: evil, LocationName: evilLoc, HardwareKeyCode: evilCode, ApplicationName: evilApp,
				AgreementNumber: `50<180>-"X"&-N`, EndsOn: endsOn,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			requireRendered(t, tt.name, tt.email)
		})
	}
}

// Each SWA mail tells the dealer, in both parts, what happened, the numbers
// and dates that matter, and what to do next.
func TestSwaEmailsTextAndHTMLSayTheSame(t *testing.T) {
	t.Parallel()

	tag := regexp.MustCompile(`<[^>]*>`)
	tests := []struct {
		name    string
		email   mail.Email
		subject string
		also    []string
		not     []string
	}{
		{
			name:    "SwaUnitsShipped",
			email:   swaUnitsShipped(),
			subject: "SWA units shipped: 648 units, PO hvo07020003 / SO 1287838",
			also:    []string{"BE112031 SWA Unit", "648 units", "28 February 2013", "18 May 2013", "Prospective SWA Locations", "expire first"},
		},
		{
			name:    "SwaActivated",
			email:   swaActivated(),
			subject: "SWA activated: 50180-EVGY45796-N for SV 8300 at SV8300 system Home, until 30 June 2014",
			also: []string{
				"50180-EVGY45796-N", "12 months", "1 July 2013", "30 June 2014", "264", "26 March 2013, 23:30 UTC",
				"cooling-off period after the assignment has ended", "Renew it before 30 June 2014",
				"SWA certificate (PDF)", "without signing in until 9 April 2013, 23:30 UTC", "SWA history",
			},
			not: []string{"reinstatement fee for", "Process immediately", "Reason", "Reference note"},
		},
		{
			name:    "SwaActivatedReinstatedImmediately",
			email:   swaReinstated(),
			subject: "SWA activated: 50IS0-FHTY11751-W for iS3000 at SIP@Net Server, until 30 June 2020",
			also: []string{
				"321 (304 for the term + 17 reinstatement fee for 3 lapsed months)", "60 months", "30 June 2015",
				`"Process immediately"`, "Need to activate SWA Immediately", "PO 4500981234 / SWA 5 years",
			},
			not: []string{"cooling-off period after the assignment has ended"},
		},
		{
			name:    "SwaGraceEnding",
			email:   swaGraceEnding(),
			subject: "SWA grace period ends on 31 March 2015: iS3000 at SIP@Net Server has no SWA yet",
			also:    []string{"31 March 2015", "aa00145A2792654321AA", "Prospective SWA Locations", "reinstatement fee"},
		},
		{
			name:    "SwaAgreementEnding",
			email:   swaAgreementEnding(),
			subject: "SWA agreement 50180-EVGY45796-N ends on 30 June 2014: SV 8300 at SV8300 system Home",
			also:    []string{"50180-EVGY45796-N", "30 June 2014", "renew", "reinstatement fee"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got, err := mail.Render(tt.email)
			require.NoError(t, err)
			require.Equal(t, tt.subject, got.Subject)
			text := html.UnescapeString(tag.ReplaceAllString(got.HTML, ""))
			for _, part := range []string{got.Text, text} {
				for _, s := range tt.also {
					require.Contains(t, part, s)
				}
				for _, s := range tt.not {
					require.NotContains(t, part, s)
				}
			}
		})
	}
}

// An expiry or a term's end is a calendar day: given as midnight in Berlin
// it must not become the day before, as a moment would when shown in UTC.
func TestSwaCalendarDatesAreNotMovedToUTC(t *testing.T) {
	t.Parallel()

	berlin := time.FixedZone("CEST", 2*3600)
	e := swaAgreementEnding()
	e.EndsOn = time.Date(2014, time.June, 30, 0, 0, 0, 0, berlin)
	got, err := mail.Render(e)
	require.NoError(t, err)
	require.Contains(t, got.Subject, "ends on 30 June 2014")
	require.NotContains(t, got.Text+got.HTML, "29 June 2014")

	u := swaUnitsShipped()
	u.ExpiresOn = time.Date(2013, time.May, 18, 0, 0, 0, 0, berlin)
	got, err = mail.Render(u)
	require.NoError(t, err)
	require.Contains(t, got.Text, "Usable until:       18 May 2013")
	require.Contains(t, got.Text, "Shipped on:         28 February 2013", "a moment is still shown in UTC")
}

// The "SWA activated" mail links to the agreement's certificate, the same
// link in both parts.
func TestSwaActivatedLinksTheCertificate(t *testing.T) {
	t.Parallel()

	e := swaActivated()
	got, err := mail.Render(e)
	require.NoError(t, err)
	require.Contains(t, got.Text, "\n"+e.CertificateURL+"\n")
	require.Contains(t, got.HTML, `<a href="`+html.EscapeString(e.CertificateURL)+`"`)
}
