package audit_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/audit"
	"lms/db"
)

func TestDisplay(t *testing.T) {
	t.Parallel()
	ed := &db.Identity{Name: "Ed Distributor", Email: "ed@x", PartnerName: "Distributor X"}
	yara := &db.Identity{Name: "Yara", Email: "y@y", PartnerName: "Dealer Y"}
	require.Equal(t, "system", audit.Display(&db.AuditEvent{}))
	require.Equal(t, "Yara (Dealer Y)", audit.Display(&db.AuditEvent{ActorLabel: yara}))
	require.Equal(t, "IMP:Ed Distributor/Dealer Y", audit.Display(&db.AuditEvent{ActorLabel: yara, ImpersonatorLabel: ed}))
}

func TestDisplayVia(t *testing.T) {
	t.Parallel()
	require.Equal(t, "via emailed link", audit.Display(&db.AuditEvent{Summary: map[string]any{"via": audit.ViaEmailedLink, "fileId": "x"}}))
	require.Equal(t, "system", audit.Display(&db.AuditEvent{Summary: map[string]any{"fileId": "x"}}))
}
