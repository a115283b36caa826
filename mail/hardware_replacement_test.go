package mail_test

import (
	"html"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

// The guide's iS3000 "SIP@Net - hvo13120003A" of Dealer Y, whose CPU
// (aa00145A2792883507AA) died on a Saturday night.
var (
	hwrRequestedAt = time.Date(2026, time.December, 5, 22, 40, 0, 0, time.UTC)
	hwrExpires     = hwrRequestedAt.Add(14 * 24 * time.Hour)
	hwrResolvedAt  = time.Date(2026, time.December, 7, 9, 5, 0, 0, time.UTC)
)

func hardwareReplacementRequested() mail.HardwareReplacementRequested {
	return mail.HardwareReplacementRequested{
		RecipientName: "Ada Admin", PartnerName: "Dealer Y", RequestedBy: "Yara Dealer", RequestedByEmail: "yara@dealer-y.example",
		CustomerName: "Tons Business", LocationName: "SIP@Net - hvo13120003A", LocationID: "d10d0af9-d78a-446b-932e-7cd38e8c637b",
		SystemTypeName: "iS3000 / SIP@Net Server", OldHardwareKeyCode: "aa00145A2792883507AA", NewHardwareKeyCode: "aa00145A2792883999AA",
		Reason: "CPU board defective after a power cut", RequestedAt: hwrRequestedAt, EmergencyExpiresAt: &hwrExpires,
	}
}

func emergencyLicenseFileReady() mail.EmergencyLicenseFileReady {
	return mail.EmergencyLicenseFileReady{
		RecipientName: "Yara Dealer", CustomerName: "Tons Business", LocationName: "SIP@Net - hvo13120003A",
		LocationID: "d10d0af9-d78a-446b-932e-7cd38e8c637b", SystemTypeName: "iS3000 / SIP@Net Server",
		HardwareKeyCode: "aa00145A2792883507AA", NewHardwareKeyCode: "aa00145A2792883999AA",
		ActivationCode: "3407-7473-3325-4604", FileName: "aa00145A2792883999AA-svi.zip", Version: 4,
		DownloadURL:   "https://lms.example/license-files/0b7e?expires=1766000000&sig=abc",
		LinkExpiresAt: hwrRequestedAt.Add(14*24*time.Hour + time.Minute),
		Features: []mail.FileFeature{
			{PartNumber: "960026473134", Name: "Lic 078 - SWA Upgrade Q4-2013", Amount: "1"},
			{PartNumber: "9600264731AA", Name: "IP extensions", Amount: "120"},
		},
		IssuedAt: hwrRequestedAt.Add(time.Second), ExpiresAt: hwrExpires,
	}
}

func hardwareReplaced() mail.HardwareReplaced {
	return mail.HardwareReplaced{
		RecipientName: "Yara Dealer", PartnerName: "Dealer Y", CustomerName: "Tons Business", LocationName: "SIP@Net - hvo13120003A",
		LocationID: "d10d0af9-d78a-446b-932e-7cd38e8c637b", SystemTypeName: "iS3000 / SIP@Net Server",
		OldHardwareKeyCode: "aa00145A2792883507AA", NewHardwareKeyCode: "aa00145A2792883999AA",
		Reason: "CPU board defective after a power cut", ReplacedAt: hwrResolvedAt, RequestedAt: &hwrRequestedAt,
		ActivatedLicenses: 2, FileVersion: 5, DownloadURL: "https://lms.example/license-files/5c1d?expires=1766000000&sig=def",
		LinkExpiresAt: hwrResolvedAt.Add(14 * 24 * time.Hour), EmergencyExpiresAt: &hwrExpires,
	}
}

func hardwareReplacementRejected() mail.HardwareReplacementRejected {
	return mail.HardwareReplacementRejected{
		RecipientName: "Yara Dealer", PartnerName: "Dealer Y", CustomerName: "Tons Business", LocationName: "SIP@Net - hvo13120003A",
		LocationID: "d10d0af9-d78a-446b-932e-7cd38e8c637b", OldHardwareKeyCode: "aa00145A2792883507AA", NewHardwareKeyCode: "aa00145A2792883999AA",
		Reason: "CPU board defective after a power cut", Rejection: "The new HWKC belongs to a CPU shipped to another partner",
		RequestedAt: hwrRequestedAt, RejectedAt: hwrResolvedAt, EmergencyExpiresAt: &hwrExpires,
	}
}

func TestRenderHardwareReplacement(t *testing.T) {
	t.Parallel()

	const evil = `Müller & Söhne <Telecom>`
	refused := hardwareReplacementRequested()
	refused.EmergencyExpiresAt, refused.EmergencyRefusal = nil, "the location had 2 emergency license files in the last 12 months, the most it may have."
	requestedEscaping := hardwareReplacementRequested()
	requestedEscaping.RecipientName, requestedEscaping.PartnerName, requestedEscaping.CustomerName = "<b>Eve</b>", evil, evil
	requestedEscaping.RequestedBy, requestedEscaping.RequestedByEmail = `Ed <i>"the"</i> Dealer`, `ed+"x"@dealer.example`
	requestedEscaping.Reason, requestedEscaping.LocationName = `<script>alert("why")</script> & more`, `Büro "Nord" <2>`
	direct := hardwareReplaced()
	direct.RequestedAt, direct.EmergencyExpiresAt, direct.ActivatedLicenses = nil, nil, 1
	nothingActivated := hardwareReplaced()
	nothingActivated.RequestedAt, nothingActivated.EmergencyExpiresAt, nothingActivated.FileVersion, nothingActivated.DownloadURL = nil, nil, 0, ""
	replacedEscaping := hardwareReplaced()
	replacedEscaping.PartnerName, replacedEscaping.LocationName, replacedEscaping.Reason = evil, `Büro "Nord" <2>`, `<script>x</script>`
	replacedEscaping.DownloadURL = `https://lms.example/license-files/1?a=1&b="2"`
	rejectedEscaping := hardwareReplacementRejected()
	rejectedEscaping.Rejection, rejectedEscaping.NewHardwareKeyCode = `<b>no</b> & "never"`, `<i>aa</i>`
	rejectedNoEmergency := hardwareReplacementRejected()
	rejectedNoEmergency.EmergencyExpiresAt = nil
	emergencyEscaping := emergencyLicenseFileReady()
	emergencyEscaping.LocationName, emergencyEscaping.CustomerName = `Büro "Nord" <2>`, evil
	emergencyEscaping.Features = append(emergencyEscaping.Features, mail.FileFeature{PartNumber: "<1>", Name: `"Lic" & <b>`, Amount: "unlimited"})

	for _, tt := range []struct {
		name  string
		email mail.Email
	}{
		{name: "hardware_replacement_requested", email: hardwareReplacementRequested()},
		{name: "hardware_replacement_requested_refused", email: refused},
		{name: "hardware_replacement_requested_escaping", email: requestedEscaping},
		{name: "emergency_license_file_ready", email: emergencyLicenseFileReady()},
		{name: "emergency_license_file_ready_escaping", email: emergencyEscaping},
		{name: "hardware_replaced", email: hardwareReplaced()},
		{name: "hardware_replaced_by_the_desk", email: direct},
		{name: "hardware_replaced_nothing_activated", email: nothingActivated},
		{name: "hardware_replaced_escaping", email: replacedEscaping},
		{name: "hardware_replacement_rejected", email: hardwareReplacementRejected()},
		{name: "hardware_replacement_rejected_without_emergency_file", email: rejectedNoEmergency},
		{name: "hardware_replacement_rejected_escaping", email: rejectedEscaping},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			requireRendered(t, tt.name, tt.email)
		})
	}
}

// Each hardware replacement mail says the same in its text and HTML parts:
// the codes, the reasons and what happens to the emergency file.
func TestHardwareReplacementTextAndHTMLSayTheSame(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct {
		email   mail.Email
		subject string
		parts   []string
	}{
		{
			email:   hardwareReplacementRequested(),
			subject: "Hardware replacement requested: SIP@Net - hvo13120003A of Dealer Y (aa00145A2792883507AA → aa00145A2792883999AA)",
			parts: []string{"Yara Dealer of Dealer Y asks the license desk", "CPU board defective after a power cut",
				"d10d0af9-d78a-446b-932e-7cd38e8c637b", "emergency license file for the new Hardware Key Code, valid until 19 December 2026, 22:40 UTC",
				"5 December 2026, 22:40 UTC by Yara Dealer <yara@dealer-y.example>"},
		},
		{
			email:   emergencyLicenseFileReady(),
			subject: "Activation code 3407-7473-3325-4604 — emergency license file for SIP@Net - hvo13120003A (aa00145A2792883999AA), valid until 19 December 2026",
			parts: []string{"emergency license file for the new hardware", "valid until 19 December 2026, 22:40 UTC", "3407-7473-3325-4604",
				"aa00145A2792883507AA", "aa00145A2792883999AA", "aa00145A2792883999AA-svi.zip (version 4)", "Lic 078 - SWA Upgrade Q4-2013",
				"install it before the emergency file expires"},
		},
		{
			email:   hardwareReplaced(),
			subject: "Hardware replaced: SIP@Net - hvo13120003A now has Hardware Key Code aa00145A2792883999AA",
			parts: []string{"as requested on 5 December 2026, 22:40 UTC", "Software Assurance agreement", "aa00145A2792883507AA",
				"A new license file (version 5) with the 2 activated licenses",
				"stays valid until 19 December 2026, 22:40 UTC", "RMA procedure"},
		},
		{
			email:   hardwareReplacementRejected(),
			subject: "Hardware replacement rejected: SIP@Net - hvo13120003A keeps Hardware Key Code aa00145A2792883507AA",
			parts: []string{"has rejected the request of Dealer Y of 5 December 2026, 22:40 UTC", "The new HWKC belongs to a CPU shipped to another partner",
				"aa00145A2792883999AA", "it stops working on 19 December 2026, 22:40 UTC"},
		},
	} {
		got, err := mail.Render(tt.email)
		require.NoError(t, err)
		require.Equal(t, tt.subject, got.Subject)
		text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(got.HTML, ""))
		for _, part := range []string{got.Text, text} {
			for _, s := range tt.parts {
				require.Contains(t, part, s, tt.email.Template())
			}
		}
	}
}
