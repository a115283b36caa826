package mail_test

import (
	"fmt"
	"time"

	"lms/mail"
)

func ExampleRender() {
	rendered, err := mail.Render(mail.ShippingAllowanceGranted{
		RecipientName:   "Dana Dealer",
		DealerName:      "Dealer Y",
		DistributorName: "Distributor X",
		GrantedAt:       time.Date(2025, time.March, 14, 9, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(rendered.Subject)
	// Output: Shipping allowance granted: Distributor X can now ship to Dealer Y
}
