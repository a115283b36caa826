package mail_test

import (
	"flag"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestRender(t *testing.T) {
	t.Parallel()

	// 00:30 in Berlin is still the previous day in UTC, the zone emails show.
	grantedAt := time.Date(2025, time.March, 15, 0, 30, 0, 0, time.FixedZone("CET", 3600))
	createdAt := time.Date(2025, time.June, 3, 1, 15, 0, 0, time.FixedZone("CEST", 2*3600))

	tests := []struct {
		name  string
		email mail.Email
	}{
		{
			name: "shipping_allowance_granted",
			email: mail.ShippingAllowanceGranted{
				RecipientName:   "Dana Dealer",
				DealerName:      "Dealer Y GmbH",
				DistributorName: "Distributor X B.V.",
				GrantedAt:       grantedAt,
			},
		},
		{
			name: "shipping_allowance_granted_escaping",
			email: mail.ShippingAllowanceGranted{
				DealerName:      "Müller & Söhne <Telecom>",
				DistributorName: `"Best" Distribution`,
				GrantedAt:       grantedAt,
			},
		},
		{
			name: "end_user_license_agreement",
			email: mail.EndUserLicenseAgreement{
				RecipientName:   "Tom Tons",
				CustomerName:    "Tons Business",
				LocationName:    "Main SV8500",
				LocationID:      "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17",
				SystemTypeName:  "SV8500",
				HardwareKeyCode: "22E76E11299790C8CA0724859BI4",
				Address:         "Hoofdstraat 12, 3511 AB Utrecht, Netherlands",
				PartnerName:     "Dealer Y GmbH",
				CreatedAt:       createdAt,
			},
		},
		{
			name: "end_user_license_agreement_escaping",
			email: mail.EndUserLicenseAgreement{
				CustomerName:    "Müller & Söhne <Telecom>",
				LocationName:    `Büro "Nord" <2>`,
				LocationID:      "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17",
				SystemTypeName:  "SV9500 Appliance / Standard Server / Small Enterprise",
				HardwareKeyCode: "3565A9C3084267EF2E44A4736DI2",
				PartnerName:     `"Best" Distribution & Co's <Partners>`,
				CreatedAt:       createdAt,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got, err := mail.Render(tt.email)
			require.NoError(t, err)
			requireGolden(t, tt.name+".subject.golden", got.Subject+"\n")
			requireGolden(t, tt.name+".txt.golden", got.Text)
			requireGolden(t, tt.name+".html.golden", got.HTML)
		})
	}
}

func TestRender_Errors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		email   mail.Email
		wantErr string
	}{
		{name: "NilEmail", email: nil, wantErr: "nil email"},
		{name: "UnknownTemplate", email: unknownEmail{}, wantErr: `no templates named "does_not_exist"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := mail.Render(tt.email)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

type unknownEmail struct{}

func (unknownEmail) Template() string { return "does_not_exist" }

// requireGolden compares got with testdata/name, or rewrites that file when
// the test runs with -update.
func requireGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./mail -update to create it")
	require.Equal(t, string(want), got, "%s differs; if the change is intended, run go test ./mail -update", path)
}

// The EULA's clauses are written in both templates; the text version is the
// reference and the HTML version must say the same, clause for clause.
func TestEndUserLicenseAgreementTextAndHTMLAgree(t *testing.T) {
	t.Parallel()

	got, err := mail.Render(mail.EndUserLicenseAgreement{
		CustomerName: "Müller & Söhne", LocationName: "Main", LocationID: "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17",
		SystemTypeName: "SV8500", HardwareKeyCode: "22E76E11299790C8CA0724859BI4", PartnerName: `"Best" & Co`,
		CreatedAt: time.Date(2025, time.June, 2, 10, 0, 0, 0, time.UTC),
	})
	require.NoError(t, err)
	html := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(got.HTML, ""))
	clause := regexp.MustCompile(`(?m)^\d\. (.+)$`)
	clauses := clause.FindAllStringSubmatch(got.Text, -1)
	require.Len(t, clauses, 8)
	for _, c := range clauses {
		require.Contains(t, html, c[1])
	}
}
