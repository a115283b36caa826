package audit_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/actor"
	"lms/audit"
	"lms/db"
	"lms/db/dbtest"
)

// An event let in without a user (an emailed link's use) has no actor, is
// on the trail of the partners it names, keeps how it was let in, and reads
// "via emailed link"; Via on a signed-in request is refused.
func TestRecordVia(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	partnerID := uuid.New()
	summary := map[string]any{"version": 2}

	require.NoError(t, audit.Record(ctx, d.Bun, audit.Event{
		Action: "license.download_file", PartnerIDs: []uuid.UUID{partnerID},
		Objects: []string{audit.Ref("LicenseFile", partnerID)}, Summary: summary, Via: audit.ViaEmailedLink,
	}))
	require.Equal(t, map[string]any{"version": 2}, summary, "the caller's summary is left alone")
	var got db.AuditEvent
	require.NoError(t, d.Bun.NewSelect().Model(&got).Where("action = ?", "license.download_file").Scan(ctx))
	require.Nil(t, got.ActorID)
	require.Nil(t, got.ActorLabel)
	require.Equal(t, []uuid.UUID{partnerID}, got.PartnerIDs)
	require.Equal(t, "emailed link", got.Summary["via"])
	require.Equal(t, "via emailed link", audit.Display(&got))

	signedIn := actor.With(ctx, &actor.Actor{User: &db.User{ID: uuid.New(), Name: "Yara"}, Partner: &db.Partner{ID: partnerID, Name: "Dealer Y"}})
	err := audit.Record(signedIn, d.Bun, audit.Event{Action: "license.download_file", Via: audit.ViaEmailedLink})
	require.ErrorContains(t, err, "without a signed-in user")
	n, err := d.Bun.NewSelect().Model((*db.AuditEvent)(nil)).Count(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}
