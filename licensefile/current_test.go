package licensefile_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/db"
	"lms/licensefile"
)

// TestCurrentFilesMain: the file a location shows is its only current one,
// or for an external product the one made available last, a READY file
// before one still PENDING (LIC-6, EXT-3).
func TestCurrentFilesMain(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	file := func(version int, status db.LicenseFileStatus, requested time.Duration, ready *time.Time) db.LicenseFile {
		return db.LicenseFile{ID: uuid.New(), Version: version, Status: status, RequestedAt: t0.Add(requested), ReadyAt: ready}
	}
	for _, tc := range []struct {
		name    string
		files   licensefile.CurrentFiles
		version int // 0: none
	}{
		{name: "None"},
		{name: "One", files: licensefile.CurrentFiles{file(3, db.LicenseFilePending, 0, nil)}, version: 3},
		{name: "ReadyBeforePending", files: licensefile.CurrentFiles{file(2, db.LicenseFilePending, time.Hour, nil), file(1, db.LicenseFileReady, 0, at(time.Minute))}, version: 1},
		{name: "ReadyLast", files: licensefile.CurrentFiles{file(1, db.LicenseFileReady, 0, at(3*time.Hour)), file(2, db.LicenseFileReady, time.Hour, at(2*time.Hour))}, version: 1},
		{name: "TieByVersion", files: licensefile.CurrentFiles{file(1, db.LicenseFileReady, 0, at(time.Hour)), file(2, db.LicenseFileReady, 0, at(time.Hour))}, version: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			main := tc.files.Main()
			if tc.version == 0 {
				require.Nil(t, main)
				return
			}
			require.NotNil(t, main)
			require.Equal(t, tc.version, main.Version)
			require.True(t, tc.files.Has(main))
			require.False(t, tc.files.Has(&db.LicenseFile{ID: uuid.New()}))
		})
	}
}

// TestFeatures: a generation's stored features decode to what it grants;
// one that was never built grants nothing, and a broken record is an error.
func TestFeatures(t *testing.T) {
	t.Parallel()
	want := []licensefile.Entitlement{{PartNumber: "BE107585", Name: "SV8100 Lic", Stacking: "QUANTITY", Quantity: 8}}
	raw, err := json.Marshal(want)
	require.NoError(t, err)
	got, err := licensefile.Features(&db.LicenseFile{Features: raw})
	require.NoError(t, err)
	require.Equal(t, want, got)

	got, err = licensefile.Features(&db.LicenseFile{})
	require.NoError(t, err)
	require.Equal(t, []licensefile.Entitlement{}, got)

	_, err = licensefile.Features(&db.LicenseFile{ID: uuid.New(), Features: []byte(`{"not": "a list"}`)})
	require.ErrorContains(t, err, "decode features of license file")
}
