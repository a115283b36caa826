package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

func TestRenderExternalLicenseFileAvailable(t *testing.T) {
	t.Parallel()

	// 00:20 in Berlin is still the previous day in UTC, the zone emails show.
	availableAt := time.Date(2025, time.July, 2, 0, 20, 0, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name  string
		email mail.ExternalLicenseFileAvailable
	}{
		{
			name: "external_license_file_available",
			email: mail.ExternalLicenseFileAvailable{
				RecipientName: "Yara Dealer", CustomerName: "Tons Business", LocationName: "Voice mail Utrecht",
				LocationID: "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17", SystemTypeName: "UM4730", HardwareKeyCode: "11-10465697",
				SalesOrder: "1234567", FileName: "UM4730_11-10465697.zip", Version: 1,
				DownloadURL:   "https://lms.example.com/license-files/0b6f1f5e-2c1d-4b7e-9a39-5d1f0e3c2a11?expires=1752618000&sig=Zx8c2Vb5Nm1Qw4Er7Ty0Ui3Op6As9Df2Gh5Jk8Lz1Xc",
				LinkExpiresAt: availableAt.Add(14 * 24 * time.Hour), AvailableAt: availableAt,
			},
		},
		{
			name: "external_license_file_available_escaping",
			email: mail.ExternalLicenseFileAvailable{
				CustomerName: "Müller & Söhne <Telecom>", LocationName: `Büro "Nord" <2>`,
				LocationID: "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17", SystemTypeName: "Expense Management ME", HardwareKeyCode: "66045123",
				SalesOrder: `SO "7" & <8>`, FileName: `a&b<"c">.lic`, Version: 3,
				DownloadURL: `https://lms.example.com/files/1?name="x"&y=<z>`, LinkExpiresAt: availableAt.Add(14 * 24 * time.Hour), AvailableAt: availableAt,
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

// The guide's wording is what users wait for: "your License file for Sales
// Order <SO> is available", in the subject and in both bodies.
func TestExternalLicenseFileAvailableSaysTheGuidesWords(t *testing.T) {
	t.Parallel()

	got, err := mail.Render(mail.ExternalLicenseFileAvailable{
		LocationName: "UM", SystemTypeName: "UM4730", HardwareKeyCode: "11-10465697", SalesOrder: "1234567",
		FileName: "x.zip", Version: 1, DownloadURL: "https://lms.example.com/license-files/1", AvailableAt: time.Date(2025, 7, 2, 10, 0, 0, 0, time.UTC),
	})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(got.Subject, "Your License file for Sales Order 1234567 is available"), got.Subject)
	require.Contains(t, got.Text, "Your License file for Sales Order 1234567 is available")
	require.Contains(t, got.HTML, "Your License file for Sales Order <strong>1234567</strong> is available")
	require.Contains(t, got.Text, "https://lms.example.com/license-files/1")
	require.Contains(t, got.Text, "2 July 2025, 10:00 UTC")
}
