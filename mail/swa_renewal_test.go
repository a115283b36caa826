package mail_test

import (
	"html"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

// The guide's renewal page: a customer's agreements co-termed to one end,
// one of them expired and renewed with a reinstatement fee.
func swaRenewed() mail.SwaRenewed {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	return mail.SwaRenewed{
		RecipientName: "Dana Dealer", PartnerName: "Dealer Y GmbH", CustomerName: "Tons Business",
		EndsOn: d(2017, time.June, 30), Months: 13, Units: 158, ReferenceNote: "PO 4500991111",
		RenewedAt:                time.Date(2016, time.May, 15, 23, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
		CertificateLinksExpireAt: time.Date(2016, time.May, 29, 21, 30, 0, 0, time.UTC),
		Agreements: []mail.SwaRenewedAgreement{
			{
				LocationName: "SIP@Net Server", HardwareKeyCode: "aa00145A2792654321AA", ApplicationName: "iS3000",
				AgreementNumber: "50IS0-FHTY11751-R01", PreviousEndsOn: d(2016, time.June, 30),
				StartsOn: d(2016, time.July, 1), EndsOn: d(2017, time.June, 30), Months: 12, Units: 66,
				CertificateURL: "https://lms.example/swa-certificates/1b4e28ba-2fa1-11d2-883f-0016d3cca427",
			},
			{
				LocationName: "SV8300 system Home", HardwareKeyCode: "18CYG-IPS-000000008J300643e", ApplicationName: "SV 8300",
				AgreementNumber: "50180-EVGY45796-R02", PreviousEndsOn: d(2015, time.December, 31),
				StartsOn: d(2016, time.May, 16), EndsOn: d(2017, time.June, 30), Months: 14, Units: 92,
				ReinstatementUnits: 22, LapsedMonths: 5,
				CertificateURL: "https://lms.example/swa-certificates/6fa459ea-ee8a-3ca4-894e-db77e160355e",
			},
		},
	}
}

func TestRenderSwaRenewed(t *testing.T) {
	t.Parallel()

	requireRendered(t, "swa_renewed", swaRenewed())
	evil := swaRenewed()
	evil.RecipientName, evil.CustomerName, evil.ReferenceNote = "<b>Eve</b>", `Müller & Söhne <Telecom>`, `<script>x</script>`
	evil.Agreements = evil.Agreements[:1]
	evil.Agreements[0].LocationName, evil.Agreements[0].CertificateURL = `Büro "Nord" <2>`, `https://lms.example/x?a=1&b="2"`
	requireRendered(t, "swa_renewed_escaping", evil)
}

// Both parts list every renewed agreement with its new number, dates, units
// and certificate, and the fee of an expired one.
func TestSwaRenewedTextAndHTMLSayTheSame(t *testing.T) {
	t.Parallel()

	got, err := mail.Render(swaRenewed())
	require.NoError(t, err)
	require.Equal(t, "SWA renewed: 2 agreements of Tons Business, until 30 June 2017", got.Subject)
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(got.HTML, ""))
	for _, part := range []string{got.Text, text} {
		for _, s := range []string{
			"50IS0-FHTY11751-R01", "50180-EVGY45796-R02", "iS3000 at SIP@Net Server", "SV 8300 at SV8300 system Home",
			"1 July 2016 to 30 June 2017 (12 months)", "16 May 2016 to 30 June 2017 (14 months)", "30 June 2016", "31 December 2015",
			"reinstatement fee of 22 for 5 lapsed months", "158", "15 May 2016, 21:30 UTC", "PO 4500991111", "without a cooling-off period",
		} {
			require.Contains(t, part, s)
		}
	}
	require.Contains(t, got.Text, "work without signing in until 29 May 2016, 21:30 UTC")
	require.Contains(t, got.Text, "https://lms.example/swa-certificates/1b4e28ba-2fa1-11d2-883f-0016d3cca427")
	require.Contains(t, got.HTML, `href="https://lms.example/swa-certificates/6fa459ea-ee8a-3ca4-894e-db77e160355e"`)

	one := swaRenewed()
	one.Agreements = one.Agreements[:1]
	one.Agreements[0].CertificateURL = ""
	got, err = mail.Render(one)
	require.NoError(t, err)
	require.Equal(t, "SWA renewed: 1 agreement of Tons Business, until 30 June 2017", got.Subject)
	require.NotContains(t, got.Text+got.HTML, "Certificate")
	require.NotContains(t, got.Text+got.HTML, "certificate")
}
