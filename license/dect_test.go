package license_test

// API tests of the DECT License File Upload (DECT-3, DECT-4): the guide's
// example end to end, a file per error of the guide's table, the rules of
// "once, as the first action", the M-1 order numbers under concurrency,
// tenant isolation and the statement count of the preview.

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/apperr"
	"lms/dect"
	"lms/lmstest"
)

// The guide's "DECT License File Upload": Distributor X registers the
// existing DECT system of Ed's Business (PARI 1FFFFFF9) from its DECT
// Manager's export with the FEATURE lines of SPEC DECT-4. The upload is
// read by the worker into the preview the subscription announces; Import
// activates the lines as licenses with PO/SO M-1<yyyymmdd><nnn>, a license
// file that `lms verify` accepts is built, and the license desk is asked
// to deactivate the PARI. A second upload, or import, is NOT_APPLICABLE.
func TestDectLicenseFileUploadGuideExample(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	user := lmstest.Distributor
	loc := dectLocation(t, env, user, "Ed's Business", "DECT System", "1FFFFFF9")
	events := subscribeDect(ctx, t, env, user, loc)

	up := mustUploadDect(t, env, user, loc, guideExport("1FFFFFF9"))
	require.Contains(t, []string{"PARSING", "PREVIEW"}, up.Status, "as it is when answered: the worker may have read it already")
	require.Equal(t, "dect_license_export.txt", up.FileName)
	require.Equal(t, len(guideExport("1FFFFFF9")), up.Size)
	require.Equal(t, user, up.UploadedBy.Email)

	// The worker has read it: the guide's "Verify License File details".
	preview := nextDectEvent(ctx, t, events)
	require.Equal(t, up.ID, preview.ID)
	require.Equal(t, "PREVIEW", preview.Status)
	require.Equal(t, "Ed's Business", preview.Customer.Name)
	require.Equal(t, "DECT System", preview.Location.Name)
	require.Equal(t, "IP_DECT", preview.SystemType.Code)
	require.Equal(t, "1FFFFFF9", *preview.HardwareKeyCode)
	require.Equal(t, 5, *preview.Release)
	require.True(t, time.Date(2014, time.April, 16, 10, 22, 31, 0, time.UTC).Equal(*preview.ExportedAt))
	require.Nil(t, preview.Error)
	require.Equal(t, []string{
		"1 IPDECT 1 AP Cap Conv Lic- EU917017 50",
		"2 IPDECT Messaging 1 AP Lic- EU917027 50",
		"3 IPDECT Location 1 AP Lic- EU917028 50",
		"4 IPDECT Upgrade Allowance 1 AP Lic- EU917029 50",
		"5 IPDECT Redundancy Lic- EU917005 1",
	}, guideLines(preview.Lines))
	var onLocation struct {
		Node struct{ DectUpload *apiDectUpload }
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { dectUpload { `+dectUploadFields+` } } } }`,
		map[string]any{"id": loc}).Decode(t, &onLocation)
	require.Equal(t, preview, *onLocation.Node.DectUpload)

	// Import, as the guide's Import button, with the agreement accepted.
	p := mutate[dectImportPayload](t, env, user, "importDectLicenseFile", "licenses { id }",
		map[string]any{"uploadId": up.ID, "acceptAgreement": false})
	require.Equal(t, "input.acceptAgreement", fieldPath(requireError(t, p.Errors, "AGREEMENT_NOT_ACCEPTED")))
	p = importDect(t, env, user, up.ID, "import-1FFFFFF9")
	require.Empty(t, p.Errors)
	require.Equal(t, "IMPORTED", p.Upload.Status)
	require.Equal(t, "M-120140416001", *p.Upload.OrderNumber, "the export's day and its first number")
	require.Equal(t, loc, p.Location.ID)
	require.NotNil(t, p.LicenseFile)
	require.Equal(t, p.LicenseFile.ID, p.Upload.LicenseFile.ID)
	require.Len(t, p.Licenses, 5)
	for i, l := range p.Licenses {
		require.Equal(t, preview.Lines[i].Part.Number, l.Part.Number)
		require.Equal(t, preview.Lines[i].Quantity, l.Quantity)
		require.Equal(t, "ACTIVATED", l.Status)
		require.Equal(t, "M-120140416001", l.PurchaseOrder)
		require.Equal(t, "M-120140416001", l.SalesOrder)
		require.Regexp(t, `^[0-9A-Z]{2}DE[0-9A-Z]{16}$`, l.SoftwareKeyCode, "the guide's XWDEMVMUNJMDCH1VNL2E")
		require.NotNil(t, l.ActivatedAt)
	}
	imported := nextDectEvent(ctx, t, events)
	require.Equal(t, "IMPORTED", imported.Status)
	require.Equal(t, "M-120140416001", *imported.OrderNumber)

	// A retry with the key answers the same and imports nothing twice.
	again := importDect(t, env, user, up.ID, "import-1FFFFFF9")
	require.Empty(t, again.Errors)
	require.Equal(t, ids(p.Licenses), ids(again.Licenses))
	require.Equal(t, 5, dectCount(t, env, `SELECT count(*) FROM licenses WHERE location_id = $1`, lmstest.UUIDOf(t, loc)))

	// The licenses are on the location's license page with their orders;
	// the file holds them and `lms verify` accepts it.
	var page struct {
		Node struct {
			ActivatedLicenses struct{ Edges []struct{ Node apiLicense } }
		}
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { activatedLicenses(first: 50) { edges { node { `+licenseFields+` } } } } } }`,
		map[string]any{"id": loc}).Decode(t, &page)
	require.Len(t, page.Node.ActivatedLicenses.Edges, 5)
	for _, e := range page.Node.ActivatedLicenses.Edges {
		require.Equal(t, "M-120140416001", e.Node.PurchaseOrder)
		require.Equal(t, "M-120140416001", e.Node.SalesOrder)
	}
	f := waitFile(t, env, user, p.LicenseFile.ID)
	amounts := map[string]string{}
	for _, x := range f.Features {
		amounts[x.Part.Number] = x.Amount
	}
	require.Equal(t, map[string]string{"EU917017": "50", "EU917027": "50", "EU917028": "50", "EU917029": "50", "EU917005": "1"}, amounts)
	zip, name := download(t, env, user, f)
	out, err := lmstest.Verify(t, env, zip, name)
	require.NoError(t, err, out)
	require.Contains(t, out, "1FFFFFF9")
	require.Contains(t, out, "EU917017")

	// The license desk is asked to deactivate the PARI in the old generator.
	m := mailTo(t, env, lmstest.Admin, "DECT import", "1FFFFFF9")
	for _, s := range []string{"deactivate its PARI 1FFFFFF9", "Distributor X", "Ed's Business", "DECT System", "M-120140416001", "IPDECT 1 AP Cap Conv Lic"} {
		require.Contains(t, m.Text, s)
	}
	require.Equal(t, 1, dectCount(t, env, `SELECT count(*) FROM emails WHERE template = 'dect_deactivation_request'`))
	for _, action := range []string{"dect.upload", "dect.parse", "dect.import"} {
		require.Equal(t, 1, dectCount(t, env, `SELECT count(*) FROM audit_events WHERE action = $1 AND $2 = ANY(object_ids)`,
			action, "DectUpload:"+lmstest.UUIDOf(t, up.ID).String()), action)
	}

	// Allowed once: a second upload, or import, is NOT_APPLICABLE.
	second := uploadDect(t, env, user, loc, guideExport("1FFFFFF9"))
	e := requireError(t, second.Errors, "NOT_APPLICABLE")
	require.Equal(t, "input.locationId", fieldPath(e))
	require.Contains(t, e.Message, "activated licenses")
	require.Nil(t, second.Upload)
	e = requireError(t, importDect(t, env, user, up.ID, "").Errors, "NOT_APPLICABLE")
	require.Contains(t, e.Message, "imported already, as M-120140416001")
	require.Equal(t, 1, dectCount(t, env, `SELECT count(*) FROM dect_uploads WHERE location_id = $1`, lmstest.UUIDOf(t, loc)))
}

// guideLines writes preview lines as the guide's preview table reads:
// "#  Part Name - Number  Qty".
func guideLines(lines []apiDectLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = fmt.Sprintf("%d %s- %s %d", l.Number, l.Part.Name, l.Part.Number, l.Quantity)
	}
	return out
}

// One file per error of the guide's table (DECT-4): the worker records the
// upload FAILED with the code, the line, a message naming it, and the
// guide's "what to do"; a corrected file may be uploaded after a FAILED
// one, and a FAILED upload is not imported.
func TestDectLicenseFileUploadRefusedFiles(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	user := lmstest.DealerY
	at := "2014-04-16T10:22:31Z"
	for _, tt := range []struct {
		name    string
		file    func(pari string) []byte
		code    apperr.Code
		line    int
		message string
	}{
		{"wrong CRC", func(pari string) []byte {
			f := guideExport(pari)
			i := bytes.LastIndex(f, []byte("CHECKSUM="))
			return append(f[:i:i], "CHECKSUM=00000000\n"...)
		}, apperr.NotApplicable, 10, "does not match the file's content"},
		{"PARI mismatch", func(string) []byte { return guideExport("1FFFFFF8") }, apperr.InvalidHardwareKeyCode, 2,
			"the file is for PARI 1FFFFFF8, but the location's Hardware Key Code is"},
		{"DSWU not DAP", func(pari string) []byte {
			return exportOf(pari, at, "FEATURE=EU917017;50", "FEATURE=EU917062;10", "FEATURE=EU917027;60", "FEATURE=EU917028;60", "FEATURE=EU917029;50")
		}, apperr.InvalidFeatureQuantity, 0, "the number of DSWU upgrade allowance licenses (EU917029) must equal the number of DAP licenses (EU917017 or EU917062)"},
		{"messaging fewer than DAP", func(pari string) []byte {
			return exportOf(pari, at, "FEATURE=EU917017;50", "FEATURE=EU917027;40", "FEATURE=EU917028;50", "FEATURE=EU917029;50")
		}, apperr.InvalidFeatureQuantity, 0, "40 messaging licenses (40 × EU917027 on line 6), fewer than 50 DAP licenses"},
		{"bad timestamp", func(pari string) []byte { return exportOf(pari, "16-04-2014 10:22", specFeatures...) }, apperr.InvalidFeatureTimestamp, 4, "not a time"},
		{"timestamp in the future", func(pari string) []byte { return exportOf(pari, "2999-01-01T00:00:00Z", specFeatures...) }, apperr.InvalidFeatureTimestamp, 4, "in the future"},
		{"unknown part", func(pari string) []byte { return exportOf(pari, at, append(specFeatures, "FEATURE=EU999999;1")...) }, apperr.InvalidFeatureCode, 10,
			`"EU999999" is not a DECT license part`},
		{"malformed line", func(pari string) []byte {
			return exportOf(pari, at, "FEATURE=EU917017;50", "FEATURE=EU917027 50", "FEATURE=EU917028;50", "FEATURE=EU917029;50")
		}, apperr.InvalidFeatureCodeString, 6, "FEATURE=<part number>;<quantity>"},
		{"no AP capacity part", func(pari string) []byte { return exportOf(pari, at, "FEATURE=EU917005;1") }, apperr.InvalidFeatureCodeString, 0, "no AP capacity license"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pari := randomPARI()
			loc := dectLocation(t, env, user, "Customer "+tt.name, "DECT "+tt.name, pari)
			up := readDectUpload(t, env, user, mustUploadDect(t, env, user, loc, tt.file(pari)).ID)
			require.Equal(t, "FAILED", up.Status)
			require.NotNil(t, up.Error)
			require.Equal(t, string(tt.code), up.Error.Code, up.Error.Message)
			require.Contains(t, up.Error.Message, tt.message)
			if tt.line > 0 {
				require.Equal(t, tt.line, *up.Error.Line)
				require.True(t, strings.HasPrefix(up.Error.Message, fmt.Sprintf("line %d: ", tt.line)), up.Error.Message)
			} else {
				require.Nil(t, up.Error.Line)
			}
			require.Equal(t, dect.WhatToDo(tt.code), up.Error.WhatToDo)
			require.Empty(t, up.Lines)
			require.Nil(t, up.HardwareKeyCode)

			e := requireError(t, importDect(t, env, user, up.ID, "").Errors, "NOT_APPLICABLE")
			require.Contains(t, e.Message, "refused ("+string(tt.code)+")")

			// The corrected file is read after the refused one.
			fixed := readDectUpload(t, env, user, mustUploadDect(t, env, user, loc, guideExport(pari)).ID)
			require.Equal(t, "PREVIEW", fixed.Status)
			require.Len(t, fixed.Lines, 5)
		})
	}
}

// The guide's table, word for word, reaches the user.
func TestDectWhatToDoIsTheGuides(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Enter a valid Hardware Key Code, format 8 hex digits starting with 1 (e.g. 1009FFFE)", dect.WhatToDo(apperr.InvalidHardwareKeyCode))
	require.Equal(t, "Contact the LMS Administrator", dect.WhatToDo(apperr.NotApplicable))
}

// Allowed once and only as the first action (DECT-3): refused before the
// file is stored for another system type, a location with an activation,
// a second upload, an empty file and one over 1 MiB (cheaply: the location
// is checked, the file never stored); checked again at the import, under
// the system's lock, for an activation and a changed HWKC since the upload.
func TestDectLicenseFileUploadFirstActionOnly(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	user := lmstest.DealerY
	lines := ship(t, env, user, "SO-DECT-"+randomHex(6), "PO-DECT-"+randomHex(6), line{"EU917062", 20}, line{"EU917029", 20})

	t.Run("other system types", func(t *testing.T) {
		t.Parallel()
		for _, st := range []struct{ code, hwkc string }{{"DECT_NS", randomPARI()}, {"SV8100", "19" + randomDigits(10)}} {
			loc := createLocation(t, env, user, st.code, map[string]any{"hardwareKeyCode": st.hwkc})
			e := requireError(t, uploadDect(t, env, user, loc.ID, guideExport(st.hwkc)).Errors, "NOT_APPLICABLE")
			require.Equal(t, "input.locationId", fieldPath(e))
			require.Contains(t, e.Message, "only IP DECT locations do")
		}
	})

	t.Run("after an activation", func(t *testing.T) {
		t.Parallel()
		pari := randomPARI()
		loc := dectLocation(t, env, user, "Activated first", "DECT activated", pari)
		mustActivate(t, env, user, loc, mustAttach(t, env, user, loc, sel{lines["EU917062"], qty(1)})...)
		e := requireError(t, uploadDect(t, env, user, loc, guideExport(pari)).Errors, "NOT_APPLICABLE")
		require.Contains(t, e.Message, "only allowed as the first action")
		require.Zero(t, dectCount(t, env, `SELECT count(*) FROM dect_uploads WHERE location_id = $1`, lmstest.UUIDOf(t, loc)))
	})

	t.Run("attached licenses do not count", func(t *testing.T) {
		t.Parallel()
		pari := randomPARI()
		loc := dectLocation(t, env, user, "Attached first", "DECT attached", pari)
		mustAttach(t, env, user, loc, sel{lines["EU917029"], qty(1)})
		up := readDectUpload(t, env, user, mustUploadDect(t, env, user, loc, guideExport(pari)).ID)
		require.Equal(t, "PREVIEW", up.Status)
		require.Empty(t, importDect(t, env, user, up.ID, "").Errors)
	})

	t.Run("a second upload while the first waits", func(t *testing.T) {
		t.Parallel()
		pari := randomPARI()
		loc := dectLocation(t, env, user, "Twice", "DECT twice", pari)
		first := mustUploadDect(t, env, user, loc, guideExport(pari))
		e := requireError(t, uploadDect(t, env, user, loc, guideExport(pari)).Errors, "NOT_APPLICABLE")
		require.Contains(t, e.Message, "the upload is allowed once")
		require.Equal(t, "PREVIEW", readDectUpload(t, env, user, first.ID).Status)
		requireError(t, uploadDect(t, env, user, loc, guideExport(pari)).Errors, "NOT_APPLICABLE")
	})

	t.Run("empty and too large", func(t *testing.T) {
		t.Parallel()
		pari := randomPARI()
		loc := dectLocation(t, env, user, "Sizes", "DECT sizes", pari)
		e := requireError(t, uploadDect(t, env, user, loc, nil).Errors, "VALIDATION_FAILED")
		require.Equal(t, "input.file", fieldPath(e))
		big := append(bytes.Repeat([]byte("# padding\n"), dect.MaxFileBytes/10+1), guideExport(pari)...)
		resp := uploadDectAnswer(t, env, user, loc, "big.txt", big, nil)
		var got struct{ UploadDectLicenseFile dectUploadPayload }
		resp.Decode(t, &got)
		e = requireError(t, got.UploadDectLicenseFile.Errors, "VALIDATION_FAILED")
		require.Equal(t, "input.file", fieldPath(e))
		require.Contains(t, e.Message, fmt.Sprint(dect.MaxFileBytes))
		t.Logf("a file over 1 MiB refused with %d statements", resp.Statements())
		require.LessOrEqual(t, resp.Statements(), 2, "refused after looking up the location only")
		require.Zero(t, dectCount(t, env, `SELECT count(*) FROM dect_uploads WHERE location_id = $1`, lmstest.UUIDOf(t, loc)))
	})

	t.Run("an activation between upload and import", func(t *testing.T) {
		t.Parallel()
		pari := randomPARI()
		loc := dectLocation(t, env, user, "Raced", "DECT raced", pari)
		up := readDectUpload(t, env, user, mustUploadDect(t, env, user, loc, guideExport(pari)).ID)
		require.Equal(t, "PREVIEW", up.Status)
		mustActivate(t, env, user, loc, mustAttach(t, env, user, loc, sel{lines["EU917062"], qty(1)})...)
		e := requireError(t, importDect(t, env, user, up.ID, "").Errors, "NOT_APPLICABLE")
		require.Equal(t, "input.uploadId", fieldPath(e))
		require.Contains(t, e.Message, "only allowed as the first action")
		require.Equal(t, "PREVIEW", getDectUpload(t, env, user, up.ID).Status)
	})

	t.Run("the HWKC changed since the upload", func(t *testing.T) {
		t.Parallel()
		pari := randomPARI()
		loc := dectLocation(t, env, user, "Replaced", "DECT replaced", pari)
		up := readDectUpload(t, env, user, mustUploadDect(t, env, user, loc, guideExport(pari)).ID)
		require.Equal(t, "PREVIEW", up.Status)
		other := randomPARI()
		_, err := env.DB.Pool.Exec(context.Background(), `UPDATE locations SET hardware_key_code = $1 WHERE id = $2`, other, lmstest.UUIDOf(t, loc))
		require.NoError(t, err)
		e := requireError(t, importDect(t, env, user, up.ID, "").Errors, "INVALID_HARDWARE_KEYCODE")
		require.Contains(t, e.Message, "is now "+other)
	})
}

// PO/SO M-1<yyyymmdd><nnn> is unique per day (DECT-3): eight imports of
// files exported the same day, at once, get 001 to 008 between them; a
// file of another day starts its own count.
func TestDectOrderNumbersUniquePerDay(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	user := lmstest.DealerY
	const n = 8
	uploads := make([]string, n)
	for i := range uploads {
		pari := randomPARI()
		loc := dectLocation(t, env, user, fmt.Sprintf("Care home %d", i), fmt.Sprintf("DECT %d", i), pari)
		uploads[i] = mustUploadDect(t, env, user, loc, exportOf(pari, "2014-04-16T23:59:59+02:00", specFeatures...)).ID
	}
	for _, id := range uploads {
		require.Equal(t, "PREVIEW", readDectUpload(t, env, user, id).Status)
	}
	answers := lmstest.Together(n, func(i int) error {
		p, err := lmstest.PostMutation[dectImportPayload](env, user, "importDectLicenseFile", "upload { orderNumber } licenses { purchaseOrder salesOrder }",
			map[string]any{"uploadId": uploads[i], "acceptAgreement": true})
		if err == nil && len(p.Errors) > 0 {
			err = fmt.Errorf("errors: %+v", p.Errors)
		}
		return err
	})
	for _, err := range answers {
		require.NoError(t, err)
	}
	var orders []string
	for _, id := range uploads {
		up := getDectUpload(t, env, user, id)
		require.Equal(t, "IMPORTED", up.Status)
		orders = append(orders, *up.OrderNumber)
	}
	sort.Strings(orders)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("M-120140416%03d", i))
	}
	require.Equal(t, want, orders, "the day of the export in UTC, one number each")

	pari := randomPARI()
	loc := dectLocation(t, env, user, "Next day", "DECT next day", pari)
	up := readDectUpload(t, env, user, mustUploadDect(t, env, user, loc, exportOf(pari, "2014-04-17T08:00:00Z", specFeatures...)).ID)
	p := importDect(t, env, user, up.ID, "")
	require.Empty(t, p.Errors)
	require.Equal(t, "M-120140417001", *p.Upload.OrderNumber)
	require.Regexp(t, regexp.MustCompile(`^M-1\d{8}\d{3}$`), *p.Upload.OrderNumber)
}
