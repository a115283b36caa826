package mail_test

import (
	"html"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

// demoFileReady is the "license file ready" mail of a demo license file (LIC-10).
func demoFileReady() mail.LicenseFileReady {
	issuedAt := time.Date(2025, time.June, 4, 9, 5, 0, 0, time.FixedZone("CEST", 2*3600))
	// 00:30 in Berlin is still the previous day in UTC, the zone emails show.
	expiresAt := time.Date(2025, time.July, 5, 0, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	return mail.LicenseFileReady{
		RecipientName:   "Yara Dealer",
		CustomerName:    "Tons Business",
		LocationName:    "Main SV8100",
		LocationID:      "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17",
		SystemTypeName:  "SV8100",
		HardwareKeyCode: "190400324412",
		ActivationCode:  "4717-9574-7315-8614",
		FileName:        "190400324412-svi.zip",
		Version:         3,
		DownloadURL:     "https://lms.example.com/license-files/5d1c7a2e",
		LinkExpiresAt:   issuedAt.Add(14 * 24 * time.Hour),
		Features: []mail.FileFeature{
			{PartNumber: "BE107573", Name: "LK-SYS-256 PORT LIC", Amount: "unlimited"},
			{PartNumber: "BE107585", Name: "LK-SYS-IP-TERMINAL-1-LIC", Amount: "unlimited"},
			{PartNumber: "ILL-SV8500-ACD", Name: "ACD Agent Option", Amount: "1"},
		},
		IssuedAt:  issuedAt,
		ExpiresAt: &expiresAt,
	}
}

func TestRender_DemoLicenseFileReady(t *testing.T) {
	t.Parallel()

	requireRendered(t, "license_file_ready_demo", demoFileReady())
}

// Both parts of the demo mail say it is a demo license and until when it works, and neither
// says the licenses are activated for good: a demo file activates nothing.
func TestDemoLicenseFileReady_SaysWhenItExpires(t *testing.T) {
	t.Parallel()

	got, err := mail.Render(demoFileReady())
	require.NoError(t, err)
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(got.HTML, ""))
	for _, part := range []string{got.Text, text} {
		require.Contains(t, part, "It is a demo license, valid until 4 July 2025, 22:30 UTC.")
		require.Contains(t, part, "4717-9574-7315-8614")
		require.Contains(t, part, "opens every feature of the system")
		require.NotContains(t, part, "Activated licenses are permanent")
		require.Regexp(t, `(?m)^BE107585 +LK-SYS-IP-TERMINAL-1-LIC +unlimited$`, got.Text)
	}
	require.Equal(t, "Activation code 4717-9574-7315-8614 — demo license file for Main SV8100 (190400324412), valid until 4 July 2025", got.Subject)

	regular := demoFileReady()
	regular.ExpiresAt = nil
	plain, err := mail.Render(regular)
	require.NoError(t, err)
	require.NotContains(t, plain.Subject+plain.Text+plain.HTML, "demo")
	require.NotContains(t, plain.Subject+plain.Text+plain.HTML, "valid until")
}
