package mail_test

import (
	"html"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

// swaUnitsReceived is the reship of 15 units that came from two of the
// distributor's orders expiring on different dates: two orders, SO/1 and
// SO/2.
func swaUnitsReceived() mail.SwaUnitsReceived {
	return mail.SwaUnitsReceived{
		RecipientName: "Yara Dealer", DealerName: "Dealer Y", DistributorName: "Distributor X",
		PurchaseOrder: "PO-SWA-77", SalesOrder: "SO-SWA-77", PartNumber: "BE112031", PartName: "SWA Unit",
		Orders: []mail.ReceivedUnitOrder{
			{SalesOrder: "SO-SWA-77/1", Quantity: 10, ExpiresOn: time.Date(2031, time.March, 31, 0, 0, 0, 0, time.UTC)},
			{SalesOrder: "SO-SWA-77/2", Quantity: 5, ExpiresOn: time.Date(2031, time.June, 30, 0, 0, 0, 0, time.UTC)},
		},
		// 00:45 in Berlin is still the previous day in UTC, the zone emails
		// show moments in.
		ReceivedAt: swaShippedAt,
	}
}

func TestRenderSwaUnitsReceived(t *testing.T) {
	t.Parallel()

	one := swaUnitsReceived()
	one.Orders = []mail.ReceivedUnitOrder{{SalesOrder: "SO-SWA-77", Quantity: 1, ExpiresOn: time.Date(2031, time.March, 31, 0, 0, 0, 0, time.UTC)}}
	tests := []struct {
		name  string
		email mail.SwaUnitsReceived
	}{
		{name: "swa_units_received", email: swaUnitsReceived()},
		{name: "swa_units_received_one_order", email: one},
		{
			name: "swa_units_received_escaping",
			email: mail.SwaUnitsReceived{
				RecipientName: "<b>Eve</b>", DealerName: `Dealer <Y> & "Sons"`, DistributorName: `<script>alert("x")</script>`,
				PurchaseOrder: `PO-"2"&3`, SalesOrder: "SO-<1>", PartNumber: "BE<112031>", PartName: `SWA "Unit" & <more>`,
				Orders:     []mail.ReceivedUnitOrder{{SalesOrder: "SO-<1>", Quantity: 7, ExpiresOn: time.Date(2031, time.March, 31, 0, 0, 0, 0, time.UTC)}},
				ReceivedAt: swaShippedAt,
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

// Both parts of the mail say who sent how many units under which numbers,
// and until when each order can be used; the expiry is a calendar day, the
// arrival a moment shown in UTC.
func TestSwaUnitsReceivedTextAndHTMLSayTheSame(t *testing.T) {
	t.Parallel()

	e := swaUnitsReceived()
	berlin := time.FixedZone("CEST", 2*3600)
	e.Orders[1].ExpiresOn = time.Date(2031, time.June, 30, 0, 0, 0, 0, berlin)
	got, err := mail.Render(e)
	require.NoError(t, err)
	require.Equal(t, "SWA units received from Distributor X: 15 units, PO PO-SWA-77 / SO SO-SWA-77", got.Subject)
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(got.HTML, ""))
	for _, part := range []string{got.Text, text} {
		for _, s := range []string{
			"Distributor X has reshipped", "Dealer Y", "PO-SWA-77", "BE112031 SWA Unit", "15 units", "28 February 2013",
			"SO-SWA-77/1", "31 March 2031", "SO-SWA-77/2", "30 June 2031", "each date came as an order of its own",
			"please contact Distributor X",
		} {
			require.Contains(t, part, s)
		}
		require.NotContains(t, part, "29 June 2031")
	}
	require.Contains(t, got.Text, "Sales order  Quantity  Usable until\nSO-SWA-77/1        10  31 March 2031\nSO-SWA-77/2         5  30 June 2031\n")

	e.Orders = e.Orders[:1]
	got, err = mail.Render(e)
	require.NoError(t, err)
	require.NotContains(t, got.Text+got.HTML, "each date came as an order of its own", "one order needs no explanation")
}
