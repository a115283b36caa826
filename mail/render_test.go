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
	shippedAt := time.Date(2025, time.April, 1, 0, 45, 0, 0, time.FixedZone("CEST", 2*3600))
	issuedAt := time.Date(2025, time.June, 4, 9, 5, 0, 0, time.FixedZone("CEST", 2*3600))

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
		{
			name: "license_shipment",
			email: mail.LicenseShipment{
				RecipientName: "Dana Dealer",
				PartnerName:   "Dealer Y GmbH",
				SalesOrder:    "SO-2025-118240",
				PurchaseOrder: "4500981234",
				Lines: []mail.ShipmentLine{
					{PartNumber: "ILL-SV9500SE-SYS-V7", PartName: "SV9500 SE System Release V7", Quantity: 1},
					{PartNumber: "ILL-SV9500SE-CLIENT", PartName: "SV9500 SE IP client license", Quantity: 120},
					{PartNumber: "LK-SYS-IP-TRUNK1-LIC", PartName: "IP trunk license", Quantity: 8},
				},
				SwaDurationMonths: 36,
				SwaNote:           "Start SWA with the system go-live in May.",
				ShippedAt:         shippedAt,
				BinURL:            "https://lms.example.com/bin?po=4500981234",
			},
		},
		{
			name: "license_shipment_escaping",
			email: mail.LicenseShipment{
				RecipientName: "<b>Eve</b>",
				PartnerName:   "Müller & Söhne <Telecom>",
				SalesOrder:    `SO "7" & <8>`,
				PurchaseOrder: "PO<1>&'2'",
				Lines: []mail.ShipmentLine{
					{PartNumber: "ILL-BX<500>", PartName: `Büro "Nord" & Co's <Lizenz>`, Quantity: 2},
					{PartNumber: "960026473134", PartName: "Lic 078 - SWA Upgrade Q4-2013", Quantity: 1},
				},
				SwaDurationMonths: 1,
				SwaNote:           `<script>alert("swa")</script> & more`,
				ShippedAt:         shippedAt,
				BinURL:            `javascript:alert("bin")`,
			},
		},
		{
			name: "license_shipment_without_swa_or_bin",
			email: mail.LicenseShipment{
				PartnerName:   "Distributor X B.V.",
				SalesOrder:    "SO-2025-118241",
				PurchaseOrder: "PO-77",
				Lines: []mail.ShipmentLine{
					{PartNumber: "960026473134", PartName: "Lic 078 - SWA Upgrade Q4-2013", Quantity: 25},
				},
				ShippedAt: shippedAt,
			},
		},
		{
			name: "license_file_ready",
			email: mail.LicenseFileReady{
				RecipientName:   "Tom Tons",
				CustomerName:    "Tons Business",
				LocationName:    "Main SV9500",
				LocationID:      "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17",
				SystemTypeName:  "SV9500 Appliance / Standard Server / Small Enterprise",
				HardwareKeyCode: "3565A9C3084267EF2E44A4736DI2",
				ActivationCode:  "3407-7473-3325-4604",
				FileName:        "3565A9C3084267EF2E44A4736DI2-svi.zip",
				Version:         2,
				DownloadURL:     "https://lms.example.com/license-files/5d1c7a2e-0f3b-4c8e-9a61-2b7d4e8f1c03?expires=1750230300&sig=q1Yx3C9Jt0m2e8ZpWv4sQh7kLr5uNa6bDf0gHi1jKlM",
				LinkExpiresAt:   issuedAt.Add(14 * 24 * time.Hour),
				Features: []mail.FileFeature{
					{PartNumber: "ILL-SV9500SE-SYS-V7", Name: "SV9500 SE System Release", Amount: "V7"},
					{PartNumber: "ILL-SV9500SE-CLIENT", Name: "SV9500 SE IP client license", Amount: "120"},
					{PartNumber: "LK-SYS-IP-TRUNK1-LIC", Name: "IP trunk license", Amount: "8"},
				},
				IssuedAt: issuedAt,
			},
		},
		{
			name: "license_file_ready_escaping",
			email: mail.LicenseFileReady{
				CustomerName:    "Müller & Söhne <Telecom>",
				LocationName:    `Büro "Nord" <2>`,
				LocationID:      "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17",
				SystemTypeName:  "SV8500 <Rack> & Co",
				HardwareKeyCode: "22E76E11299790C8CA0724859BI4",
				ActivationCode:  "3407-7473-3325-4604",
				FileName:        `a&b<"c">-svi.zip`,
				Version:         1,
				DownloadURL:     `https://lms.example.com/files/1?name="x"&y=<z>`,
				LinkExpiresAt:   issuedAt.Add(14 * 24 * time.Hour),
				Features: []mail.FileFeature{
					{PartNumber: "ILL-<SV8300>", Name: `Trunk & "Line" <Ports>`, Amount: "<5>"},
				},
				IssuedAt: issuedAt,
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

// requireRendered renders e and compares its subject, text and HTML with
// the golden files testdata/name.*.golden.
func requireRendered(t *testing.T, name string, e mail.Email) {
	t.Helper()
	got, err := mail.Render(e)
	require.NoError(t, err)
	requireGolden(t, name+".subject.golden", got.Subject+"\n")
	requireGolden(t, name+".txt.golden", got.Text)
	requireGolden(t, name+".html.golden", got.HTML)
}

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

// The shipment's lines and the license file's features are laid out
// differently in the two parts (aligned columns in text, a table in HTML);
// both must show every row with all its values.
func TestLicenseEmailsTextAndHTMLAgree(t *testing.T) {
	t.Parallel()

	tag := regexp.MustCompile(`<[^>]*>`)
	tests := []struct {
		name  string
		email mail.Email
		rows  [][]string
		also  []string
	}{
		{
			name: "LicenseShipment",
			email: mail.LicenseShipment{
				PartnerName: "Dealer Y", SalesOrder: "SO-1", PurchaseOrder: "PO-1",
				Lines: []mail.ShipmentLine{
					{PartNumber: "ILL-SV9500SE-CLIENT", PartName: "Client & Co", Quantity: 120},
					{PartNumber: "960026473134", PartName: "Lic 078 - SWA Upgrade Q4-2013", Quantity: 3},
				},
				SwaDurationMonths: 24, SwaNote: "Start in May",
				ShippedAt: time.Date(2025, time.April, 1, 10, 0, 0, 0, time.UTC),
			},
			rows: [][]string{{"ILL-SV9500SE-CLIENT", "Client & Co", "120"}, {"960026473134", "Lic 078 - SWA Upgrade Q4-2013", "3"}},
			also: []string{"PO-1", "SO-1", "24 months", "Start in May", "1 April 2025"},
		},
		{
			name: "LicenseFileReady",
			email: mail.LicenseFileReady{
				CustomerName: "Müller & Söhne", LocationName: "Main", LocationID: "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17",
				SystemTypeName: "SV8500", HardwareKeyCode: "22E76E11299790C8CA0724859BI4",
				ActivationCode: "3407-7473-3325-4604", FileName: "22E76E11299790C8CA0724859BI4-svi.zip", Version: 3,
				DownloadURL: "https://lms.example.com/files/1",
				Features: []mail.FileFeature{
					{PartNumber: "ILL-SV8500-SYS", Name: "System <release>", Amount: "V6"},
					{PartNumber: "LK-SYS-IP-TRUNK1-LIC", Name: "IP trunk", Amount: "48"},
				},
				IssuedAt: time.Date(2025, time.June, 4, 9, 5, 0, 0, time.UTC),
			},
			rows: [][]string{{"ILL-SV8500-SYS", "System <release>", "V6"}, {"LK-SYS-IP-TRUNK1-LIC", "IP trunk", "48"}},
			also: []string{
				"3407-7473-3325-4604", "Müller & Söhne", "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17", "22E76E11299790C8CA0724859BI4",
				"22E76E11299790C8CA0724859BI4-svi.zip (version 3)", "4 June 2025, 09:05 UTC", "cannot be detached",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got, err := mail.Render(tt.email)
			require.NoError(t, err)
			cells := regexp.MustCompile(`<td[^>]*>(.*?)</td>`)
			var htmlRows [][]string
			for _, row := range regexp.MustCompile(`(?m)^<tr><td.*</tr>$`).FindAllString(got.HTML, -1) {
				var r []string
				for _, c := range cells.FindAllStringSubmatch(row, -1) {
					r = append(r, html.UnescapeString(tag.ReplaceAllString(c[1], "")))
				}
				htmlRows = append(htmlRows, r)
			}
			text := html.UnescapeString(tag.ReplaceAllString(got.HTML, ""))
			for _, row := range tt.rows {
				require.Contains(t, htmlRows, row)
				require.Regexp(t, `(?m)^`+regexp.QuoteMeta(row[0])+` +`+regexp.QuoteMeta(row[1])+` +`+regexp.QuoteMeta(row[2])+`$`, got.Text)
			}
			for _, s := range tt.also {
				require.Contains(t, got.Text, s)
				require.Contains(t, text, s)
			}
		})
	}
}
