package swa

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/db"
)

// TestReshippedOrders: a reship's units keep their expiry dates (SWA-11):
// one new order per date, first-expiring first, the sales order as given
// for one date and numbered /1, /2, … for more, each recording how many
// units came from which of the distributor's orders.
func TestReshippedOrders(t *testing.T) {
	t.Parallel()

	march, june := time.Date(2031, 3, 31, 0, 0, 0, 0, time.UTC), time.Date(2031, 6, 30, 0, 0, 0, 0, time.UTC)
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	take := func(id uuid.UUID, expires time.Time, n int) unitTake {
		return unitTake{Order: db.SwaUnitOrder{ID: id, PartNumber: "BE112031", ExpiresOn: expires}, Quantity: n}
	}
	type order struct {
		SalesOrder       string
		Units            int
		ExpiresOn        time.Time
		Sources          map[uuid.UUID]int
		PurchaseOrder    string
		PartNumber       string
		AvailableShipped bool
	}
	tests := []struct {
		name  string
		takes []unitTake
		want  []order
	}{
		{
			name:  "one order",
			takes: []unitTake{take(a, march, 15)},
			want:  []order{{SalesOrder: "SO-7", Units: 15, ExpiresOn: march, Sources: map[uuid.UUID]int{a: 15}}},
		},
		{
			name:  "two orders of one date make one",
			takes: []unitTake{take(a, march, 10), take(b, march, 5)},
			want:  []order{{SalesOrder: "SO-7", Units: 15, ExpiresOn: march, Sources: map[uuid.UUID]int{a: 10, b: 5}}},
		},
		{
			name:  "two dates make two numbered orders",
			takes: []unitTake{take(a, march, 10), take(b, march, 2), take(c, june, 5)},
			want: []order{
				{SalesOrder: "SO-7/1", Units: 12, ExpiresOn: march, Sources: map[uuid.UUID]int{a: 10, b: 2}},
				{SalesOrder: "SO-7/2", Units: 5, ExpiresOn: june, Sources: map[uuid.UUID]int{c: 5}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			dealer, now := uuid.New(), time.Now()
			orders, sources := reshippedOrders(tt.takes, db.SwaUnitOrder{PartnerID: dealer, PurchaseOrder: "PO-7", CreatedAt: now}, "SO-7")
			var got []order
			byID := map[uuid.UUID]int{}
			for i, o := range orders {
				require.Equal(t, dealer, o.PartnerID, "order %d keeps the base", i)
				require.Equal(t, now, o.CreatedAt, "order %d keeps the base", i)
				require.NotEqual(t, uuid.Nil, o.ID, "order %d has an id", i)
				byID[o.ID] = i
				got = append(got, order{
					SalesOrder: o.SalesOrder, Units: o.Shipped, ExpiresOn: o.ExpiresOn, Sources: map[uuid.UUID]int{},
					PurchaseOrder: o.PurchaseOrder, PartNumber: o.PartNumber, AvailableShipped: o.Available == o.Shipped,
				})
			}
			for _, s := range sources {
				got[byID[s.UnitOrderID]].Sources[s.SourceOrderID] += s.Quantity
			}
			for i := range tt.want {
				tt.want[i].PurchaseOrder, tt.want[i].PartNumber, tt.want[i].AvailableShipped = "PO-7", "BE112031", true
			}
			require.Equal(t, tt.want, got)
		})
	}
}
