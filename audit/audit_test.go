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
