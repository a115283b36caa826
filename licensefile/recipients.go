package licensefile

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/db"
	"lms/notify"
)

// fileRecipients are who hears that a location's file is available (LIC-6,
// EXT-3): the users who asked for it (requested or activated it), in order,
// those still enabled, and the location's dealer email unless it is one of
// theirs.
func fileRecipients(ctx context.Context, idb bun.IDB, loc *db.Location, userIDs []uuid.UUID) ([]notify.Recipient, error) {
	var to []notify.Recipient
	if len(userIDs) > 0 {
		var users []db.User
		if err := idb.NewSelect().Model(&users).Where("id IN (?)", bun.In(userIDs)).Where("disabled_at IS NULL").Scan(ctx); err != nil && !isNoRows(err) {
			return nil, fmt.Errorf("load the users of a license file: %w", err)
		}
		for _, id := range userIDs {
			if i := slices.IndexFunc(users, func(u db.User) bool { return u.ID == id }); i >= 0 {
				to = append(to, notify.Recipient{Email: users[i].Email, Name: users[i].Name, PartnerID: &loc.PartnerID})
			}
		}
	}
	if d := strings.TrimSpace(loc.DealerEmail); d != "" && !slices.ContainsFunc(to, func(r notify.Recipient) bool { return strings.EqualFold(r.Email, d) }) {
		to = append(to, notify.Recipient{Email: d, PartnerID: &loc.PartnerID})
	}
	return to, nil
}
