package mail_test

import (
	"html"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

// systemMigrated is the guide's SV9100-4 (Olympia 4, Hilversum) migrated
// from CP10 341006761783 to CP20 441018029547 on 17 July 2019, with three
// of the licenses its page shows afterwards.
func systemMigrated() mail.SystemMigrated {
	return mail.SystemMigrated{
		RecipientName: "Ed Distributor", PartnerName: "Distributor X", CustomerName: "Olympia 4",
		LocationName: "SV9100-4", LocationID: "2bf0de1c-887b-479c-8e2b-13ba21d4ae3d",
		FromSystemName: "SV9100 CP10", ToSystemName: "SV9100 CP20",
		OldHardwareKeyCode: "341006761783", NewHardwareKeyCode: "441018029547",
		OrderNumber: "MIGSU_2019071769",
		Licenses: []mail.MigratedLicense{
			{SoftwareKeyCode: "R444NDLVFREJ18K8LLEA", PartNumber: "960026178000", PartName: "BCT Phone Based Agent Lic.", Quantity: 50, NecPurchaseOrder: "SV91-4 Lics", NecSalesOrder: "SV91-4 Lics"},
			{SoftwareKeyCode: "UF44J2MPACHTX7VK5DFJ", PartNumber: "BE114066", PartName: "SV9100 NETWORKING-01 LIC", Quantity: 4, NecPurchaseOrder: "ChKr add lics for In Apps", NecSalesOrder: "ChKr add lics for In Apps"},
			{SoftwareKeyCode: "GK448TG9MXF4BN36ATXL", PartNumber: "EU910096", PartName: "BCT Post Call Survey Lic", Quantity: 1, NecPurchaseOrder: "ChKr16022017", NecSalesOrder: "ChKr16022017"},
		},
		// In Amsterdam; emails show the day in UTC.
		MigratedAt: time.Date(2019, time.July, 17, 10, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
	}
}

func TestRenderSystemMigrated(t *testing.T) {
	t.Parallel()

	one := systemMigrated()
	one.Licenses = one.Licenses[:1]
	tests := []struct {
		name  string
		email mail.SystemMigrated
	}{
		{name: "system_migrated", email: systemMigrated()},
		{name: "system_migrated_one_license", email: one},
		{
			name: "system_migrated_escaping",
			email: mail.SystemMigrated{
				RecipientName: "<b>Eve</b>", PartnerName: `"Best" & Co`, CustomerName: `Müller & <Söhne>`,
				LocationName: `<script>alert("x")</script>`, LocationID: "2bf0de1c-887b-479c-8e2b-13ba21d4ae3d",
				FromSystemName: "SV9100 <CP10>", ToSystemName: "SV9100 & CP20",
				OldHardwareKeyCode: "341006761783", NewHardwareKeyCode: "441018029547", OrderNumber: "MIGSU_2019071701",
				Licenses: []mail.MigratedLicense{{
					SoftwareKeyCode: "GK448TG9MXF4BN36ATXL", PartNumber: "EU<910096>", PartName: `Survey "Lic" & more`, Quantity: 1,
					NecPurchaseOrder: `PO-"2"&3`, NecSalesOrder: "SO-<1>",
				}},
				MigratedAt: time.Date(2019, time.July, 17, 10, 30, 0, 0, time.UTC),
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

// Both parts say what changed — system, HWKC, order number — and list every
// moved license with its new code and its NEC PO and SO.
func TestSystemMigratedTextAndHTMLSayTheSame(t *testing.T) {
	t.Parallel()

	e := systemMigrated()
	got, err := mail.Render(e)
	require.NoError(t, err)
	require.Equal(t, "SV9100-4 migrated from SV9100 CP10 to SV9100 CP20 (441018029547), order MIGSU_2019071769", got.Subject)
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(got.HTML, ""))
	for _, part := range []string{got.Text, text} {
		for _, s := range []string{
			"migrated from SV9100 CP10 to SV9100 CP20", "Olympia 4", "2bf0de1c-887b-479c-8e2b-13ba21d4ae3d",
			"341006761783 → 441018029547", "MIGSU_2019071769", "17 July 2019", "Its 3 activated licenses moved",
			"R444NDLVFREJ18K8LLEA", "960026178000", "BCT Phone Based Agent Lic.", "50", "SV91-4 Lics",
			"ChKr add lics for In Apps", "GK448TG9MXF4BN36ATXL", "ChKr16022017", "NEC PO", "NEC SO",
			"A new license file for Hardware Key Code 441018029547", "Software Assurance carries on unchanged",
		} {
			require.Contains(t, part, s)
		}
	}
}
