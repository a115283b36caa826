package partner_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/db"
	"lms/db/dbtest"
	"lms/notify"
	"lms/partner"
)

// The license desk is the vendor's enabled ADMIN users; while it has none,
// the vendor's contact address. Partners' users are never on it.
func TestLicenseDesk(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	insert := func(m any) {
		t.Helper()
		_, err := d.Bun.NewInsert().Model(m).Returning("*").Exec(ctx)
		require.NoError(t, err)
	}
	vendor := &db.Partner{Kind: db.PartnerVendor, Name: "LMS License Desk", Email: "desk@lms.example"}
	dealer := &db.Partner{Kind: db.PartnerDealer, Name: "Dealer Q", Email: "office@dealer-q.example"}
	insert(vendor)
	insert(dealer)

	got, err := partner.LicenseDesk(ctx, d.Bun)
	require.NoError(t, err)
	require.Equal(t, []notify.Recipient{{Email: "desk@lms.example", PartnerID: &vendor.ID}}, got, "no users yet: the contact address")

	now := time.Now()
	insert(&db.User{PartnerID: vendor.ID, Email: "ada@lms.example", Name: "Ada Admin", Roles: []db.Role{db.RoleUser, db.RoleAdmin}})
	insert(&db.User{PartnerID: vendor.ID, Email: "old@lms.example", Name: "Old Admin", Roles: []db.Role{db.RoleAdmin}, DisabledAt: &now})
	insert(&db.User{PartnerID: vendor.ID, Email: "intern@lms.example", Name: "Intern", Roles: []db.Role{db.RoleUser}})
	insert(&db.User{PartnerID: dealer.ID, Email: "quinn@dealer-q.example", Name: "Quinn", Roles: []db.Role{db.RoleSwaAdmin}})
	got, err = partner.LicenseDesk(ctx, d.Bun)
	require.NoError(t, err)
	require.Equal(t, []notify.Recipient{{Email: "ada@lms.example", Name: "Ada Admin", PartnerID: &vendor.ID}}, got)
}
