package catalogtest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/catalog"
	"lms/catalog/catalogtest"
	"lms/db/dbtest"
)

// A database from NewDB holds the embedded catalog, as after `lms migrate`;
// one from dbtest.New holds the schema only.
func TestNewDB(t *testing.T) {
	t.Parallel()
	want, err := catalog.Default()
	require.NoError(t, err)

	d, _ := catalogtest.NewDB(t)
	got, err := catalog.Load(t.Context(), d.Bun)
	require.NoError(t, err)
	require.Equal(t, want.Version, got.Version)
	require.ElementsMatch(t, want.SystemTypes, got.SystemTypes)
	require.ElementsMatch(t, want.Parts, got.Parts)
	require.ElementsMatch(t, want.SwaApplications, got.SwaApplications)
	require.ElementsMatch(t, want.SwaTermFactors, got.SwaTermFactors)

	bare, _ := dbtest.New(t)
	n, err := bare.Bun.NewSelect().Table("system_types").Count(t.Context())
	require.NoError(t, err)
	require.Zero(t, n)
}
