package mail_test

import (
	"testing"
	"time"

	"lms/mail"
)

func TestRenderLicensesReceived(t *testing.T) {
	t.Parallel()

	// 00:45 in Berlin is still the previous day in UTC, the zone emails show.
	receivedAt := time.Date(2025, time.April, 1, 0, 45, 0, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name  string
		email mail.LicensesReceived
	}{
		{
			name: "licenses_received",
			email: mail.LicensesReceived{
				RecipientName: "Yara Dealer", DealerName: "Dealer Y", DistributorName: "Distributor X",
				SalesOrder: "SO-12345", PurchaseOrder: "PO-12345", ReceivedAt: receivedAt,
				Lines: []mail.ShipmentLine{
					{PartNumber: "391950", PartName: "MA4000 IPS EXT LIC(100)", Quantity: 8},
					{PartNumber: "390908", PartName: "MA4000 Version 10 Lic", Quantity: 8},
				},
			},
		},
		{
			name: "licenses_received_escaping",
			email: mail.LicensesReceived{
				DealerName: `Dealer <Y> & "Sons"`, DistributorName: `<script>alert("x")</script>`,
				SalesOrder: "SO-<1>", PurchaseOrder: `PO-"2"&3`, ReceivedAt: receivedAt,
				Lines: []mail.ShipmentLine{{PartNumber: "P<1>", PartName: `A & "B"`, Quantity: 1}},
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
