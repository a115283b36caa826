package partner

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"lms/db"
	"lms/notify"
)

// LicenseDesk returns the notification addresses of the vendor's license
// desk (ACT-1), for what partners escalate to it (SWA-13): the enabled
// users of the vendor with the ADMIN role, or the vendor's contact address
// while it has none. Each email shows in the vendor's list of emails.
func LicenseDesk(ctx context.Context, idb bun.IDB) ([]notify.Recipient, error) {
	var users []db.User
	if err := idb.NewSelect().Model(&users).Column("partner_id", "email", "name").
		Where("partner_id IN (SELECT id FROM partners WHERE kind = ?)", db.PartnerVendor).
		Where("disabled_at IS NULL").Where("? = ANY(roles)", db.RoleAdmin).
		Order("created_at", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("license desk users: %w", err)
	}
	out := make([]notify.Recipient, len(users))
	for i, u := range users {
		out[i] = notify.Recipient{Email: u.Email, Name: u.Name, PartnerID: &u.PartnerID}
	}
	if len(out) > 0 {
		return out, nil
	}
	var vendors []db.Partner
	if err := idb.NewSelect().Model(&vendors).Where("kind = ?", db.PartnerVendor).Where("email <> ''").
		Order("created_at", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("license desk address: %w", err)
	}
	for _, v := range vendors {
		out = append(out, notify.Recipient{Email: v.Email, PartnerID: &v.ID})
	}
	return out, nil
}
