package mail_test

import (
	"html"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

// dectDeactivation is the guide's DECT System of Ed's Business (PARI
// 1FFFFFF9), imported from the export of 16 April 2014 with the FEATURE
// lines of SPEC DECT-4.
func dectDeactivation() mail.DectDeactivationRequest {
	cet := time.FixedZone("CET", 3600)
	return mail.DectDeactivationRequest{
		RecipientName: "Ada Admin", PartnerName: "Distributor X",
		ImportedBy: "Ed Distributor", ImportedByEmail: "ed@distributor-x.example",
		CustomerName: "Ed's Business", LocationName: "DECT System", LocationID: "307425a6-1016-4871-817b-ffc136f92f83",
		PARI: "1FFFFFF9", Release: 5,
		ExportedAt: time.Date(2014, time.April, 16, 10, 22, 31, 0, time.UTC),
		ImportedAt: time.Date(2014, time.November, 4, 0, 30, 0, 0, cet),
		Order:      "M-120140416372",
		Lines: []mail.DectLine{
			{PartNumber: "EU917017", Name: "IPDECT 1 AP Cap Conv Lic", Quantity: 50},
			{PartNumber: "EU917027", Name: "IPDECT Messaging 1 AP Lic", Quantity: 50},
			{PartNumber: "EU917028", Name: "IPDECT Location 1 AP Lic", Quantity: 50},
			{PartNumber: "EU917029", Name: "IPDECT Upgrade Allowance 1 AP Lic", Quantity: 50},
			{PartNumber: "EU917005", Name: "IPDECT Redundancy Lic", Quantity: 1},
		},
	}
}

func TestRenderDectDeactivationRequest(t *testing.T) {
	t.Parallel()

	const evil = `Müller & Söhne <Telecom>`
	escaping := dectDeactivation()
	escaping.RecipientName, escaping.PartnerName, escaping.CustomerName = "<b>Eve</b>", evil, `"Best" <Care>`
	escaping.ImportedBy, escaping.ImportedByEmail = `Ed <i>"the"</i> Distributor`, `ed+"x"@distributor.example`
	escaping.LocationName, escaping.PARI = `Büro "Nord" <2>`, `<b>1FFFFFF9</b>`
	escaping.Lines = []mail.DectLine{{PartNumber: "EU917017", Name: `<script>alert("x")</script>`, Quantity: 1}}
	for _, tt := range []struct {
		name  string
		email mail.DectDeactivationRequest
	}{
		{name: "dect_deactivation_request", email: dectDeactivation()},
		{name: "dect_deactivation_request_escaping", email: escaping},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			requireRendered(t, tt.name, tt.email)
		})
	}
}

// The request tells the license desk, in both parts, which PARI to
// deactivate where, for whom, and what LMS now holds for it.
func TestDectDeactivationRequestTextAndHTMLSayTheSame(t *testing.T) {
	t.Parallel()

	got, err := mail.Render(dectDeactivation())
	require.NoError(t, err)
	require.Equal(t, "DECT import: please deactivate PARI 1FFFFFF9 in the old license generator (DECT System, Distributor X)", got.Subject)
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(got.HTML, ""))
	for _, part := range []string{got.Text, text} {
		for _, s := range []string{
			"Ed Distributor of Distributor X has imported the licenses of an existing DECT system",
			"deactivate its PARI 1FFFFFF9 in the old (PBC) license generator database",
			"Ed's Business", "DECT System", "307425a6-1016-4871-817b-ffc136f92f83",
			"16 April 2014, 10:22 UTC", "3 November 2014, 23:30 UTC by Ed Distributor", "M-120140416372",
			"EU917017", "IPDECT 1 AP Cap Conv Lic", "IPDECT Upgrade Allowance 1 AP Lic", "ed@distributor-x.example",
		} {
			require.Contains(t, part, s)
		}
	}
	require.Regexp(t, `EU917017 +IPDECT 1 AP Cap Conv Lic +50\n`, got.Text)
	require.Regexp(t, `EU917005 +IPDECT Redundancy Lic +1\n`, got.Text)
}
