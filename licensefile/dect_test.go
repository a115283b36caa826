package licensefile_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/catalog"
	"lms/dect"
	"lms/licensefile"
)

// DECT-4 counts the catalog's parts by their flags: an IP DECT upload is
// read against the IP DECT parts, each with the role its flags give.
func TestDectRulesFromCatalog(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Default()
	require.NoError(t, err)
	now := time.Date(2014, time.November, 4, 0, 0, 0, 0, time.UTC)
	r := licensefile.DectRules(cat, "IP_DECT", "1FFFFFF9", now)
	require.Equal(t, map[string]dect.Role{
		"EU917062": dect.RoleAPCapacity, "EU917017": dect.RoleAPCapacity, "EU917029": dect.RoleUpgradeAllowance,
		"EU917027": dect.RoleMessaging, "EU917028": dect.RoleLocation,
		"EU917005": dect.RoleFeature, "EU917006": dect.RoleFeature, "EU917012": dect.RoleFeature,
		"EU917022": dect.RoleFeature, "EU917023": dect.RoleFeature, "EU917024": dect.RoleFeature,
	}, r.Parts)
	require.Equal(t, "1FFFFFF9", r.PARI)
	require.Equal(t, now, r.Now)
	require.Equal(t, map[string]dect.Role{"EU910010": dect.RoleFeature}, licensefile.DectRules(cat, "DECT_NS", "1009FFFE", now).Parts)
}
