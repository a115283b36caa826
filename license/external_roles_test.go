package license

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/catalog"
)

// The MobiCall roles of LOC-11 follow from the catalog: the types -M parts
// go on, the type whose redundant secondary that is, and the types that
// take the master's parts.
func TestDeriveMobiCallRoles(t *testing.T) {
	t.Parallel()
	shipped, err := catalog.Default()
	require.NoError(t, err)
	// A catalog without MobiCall, where a master-like secondary of another
	// type is not a MobiCall one.
	plain := &catalog.Catalog{
		SystemTypes: []catalog.SystemType{
			{Code: "PBX", Flags: []string{catalog.FlagRedundantSecondary}, SecondaryType: "PBX_STANDBY"},
			{Code: "PBX_STANDBY"},
		},
		Parts: []catalog.Part{{Number: "P-1", SystemTypes: []string{"PBX", "OTHER"}}},
	}
	for _, tc := range []struct {
		name                           string
		c                              *catalog.Catalog
		supervisor, master, masterSide map[string]bool
	}{
		{"shipped catalog", shipped,
			map[string]bool{"MOBICALL_SUPERVISOR": true},
			map[string]bool{"MOBICALL_MASTER": true},
			map[string]bool{"MOBICALL_MASTER": true, "MOBIBOX": true}},
		{"no MobiCall", plain, map[string]bool{}, map[string]bool{}, map[string]bool{}},
	} {
		r := deriveMobiCallRoles(tc.c)
		require.Equal(t, tc.supervisor, r.supervisor, tc.name)
		require.Equal(t, tc.master, r.master, tc.name)
		require.Equal(t, tc.masterSide, r.masterSide, tc.name)
	}
}
