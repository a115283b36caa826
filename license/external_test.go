package license_test

// API tests of external products (EXT-1..EXT-3): their purchase orders
// attach, activate and detach whole, and activation leaves a PENDING file
// per sales order that the license desk uploads over a GraphQL multipart
// request. MobiCall's master and supervisor are external_mobicall_test.go's,
// concurrent attaches of one purchase order external_concurrency_test.go's.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/graph"
	"lms/licensefile"
	"lms/lmstest"
)

// multipartBody builds a GraphQL multipart request (operations, map, one
// file part) whose file goes into variable path filePath, e.g.
// "variables.in.file".
func multipartBody(t testing.TB, query string, vars map[string]any, filePath, fileName string, content []byte) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	ops, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	require.NoError(t, w.WriteField("operations", string(ops)))
	m, err := json.Marshal(map[string][]string{"0": {filePath}})
	require.NoError(t, err)
	require.NoError(t, w.WriteField("map", string(m)))
	part, err := w.CreateFormFile("0", fileName)
	require.NoError(t, err)
	_, err = part.Write(content)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes(), w.FormDataContentType()
}

// postUpload posts a multipart body to the API with user's token; chunked
// sends it without a Content-Length.
func postUpload(t testing.TB, env *lmstest.Env, user string, body []byte, contentType string, chunked bool) *lmstest.Response {
	t.Helper()
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // hides the length: the client sends it chunked
	}
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", r)
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+env.Tokens[user])
	return env.Do(t, req)
}

// uploadMutation runs an upload mutation (input variable $in with a file
// field) as user over a multipart request and decodes the payload into P.
func uploadMutation[P any](t testing.TB, env *lmstest.Env, user, field, selection string, in map[string]any, fileName string, content []byte) P {
	t.Helper()
	inputType := strings.ToUpper(field[:1]) + field[1:] + "Input"
	q := `mutation($in: ` + inputType + `!) { ` + field + `(input: $in) { ` + selection + ` errors { code message field } } }`
	vars := map[string]any{"in": withFile(in)}
	body, ct := multipartBody(t, q, vars, "variables.in.file", fileName, content)
	resp := postUpload(t, env, user, body, ct, false)
	require.Equal(t, http.StatusOK, resp.Status)
	var got map[string]P
	resp.Decode(t, &got)
	return got[field]
}

// withFile copies in with the file variable null, as the multipart spec
// wants it in operations.
func withFile(in map[string]any) map[string]any {
	out := map[string]any{"file": nil}
	for k, v := range in {
		out[k] = v
	}
	return out
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// externalFile is a license file with what external products add.
type externalFile struct {
	ID          string
	Version     int
	Current     bool
	Status      string
	Reason      string
	SalesOrder  *string
	FileName    *string
	Sha256      *string
	DownloadURL *string
}

const externalFileFields = `id version current status reason salesOrder fileName sha256 downloadUrl`

func getExternalFile(t testing.TB, env *lmstest.Env, user, id string) externalFile {
	t.Helper()
	var got struct{ Node *externalFile }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on LicenseFile { `+externalFileFields+` } } }`, map[string]any{"id": id}).Decode(t, &got)
	require.NotNil(t, got.Node)
	return *got.Node
}

// locationFiles lists a location's license files, newest first.
func locationFiles(t testing.TB, env *lmstest.Env, user, locationID string) []externalFile {
	t.Helper()
	var got struct {
		Node struct {
			LicenseFiles struct{ Edges []struct{ Node externalFile } }
		}
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { licenseFiles(first: 50) { edges { node { `+externalFileFields+` } } } } } }`,
		map[string]any{"id": locationID}).Decode(t, &got)
	var out []externalFile
	for _, e := range got.Node.LicenseFiles.Edges {
		out = append(out, e.Node)
	}
	return out
}

// binAvailable is what a bin line still holds.
func binAvailable(t testing.TB, env *lmstest.Env, user, lineID string) int {
	t.Helper()
	var got struct{ Node struct{ Available int } }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on OrderLine { available } } }`, map[string]any{"id": lineID}).Decode(t, &got)
	return got.Node.Available
}

// pendingExternal lists the license desk's pending external files' ids.
func pendingExternal(t testing.TB, env *lmstest.Env) []string {
	t.Helper()
	var got struct {
		PendingExternalLicenseFiles struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	env.Query(t, lmstest.Admin, `{ pendingExternalLicenseFiles(first: 250) { edges { node { id } } } }`, nil).Decode(t, &got)
	var out []string
	for _, e := range got.PendingExternalLicenseFiles.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

type uploadFilePayload struct {
	LicenseFile *externalFile
	Location    *struct{ ID string }
	Errors      []userError
}

func uploadExternal(t testing.TB, env *lmstest.Env, user, locationID, so, name string, content []byte) uploadFilePayload {
	t.Helper()
	return uploadMutation[uploadFilePayload](t, env, user, "uploadExternalLicenseFile", "licenseFile { "+externalFileFields+" } location { id }",
		map[string]any{"locationId": locationID, "salesOrder": so}, name, content)
}

// The guide's UM4730 flow: the PO is attached whole, activation leaves the
// file pending (no job, no file built), a download says it is not available
// yet, the license desk uploads it, the activating user is emailed "your
// License file for Sales Order <SO> is available" and downloads exactly the
// uploaded bytes (EXT-1, EXT-2, EXT-3).
func TestExternalUM4730Flow(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	ctx := context.Background()

	so, po := "SO-UM-"+randomDigits(7), "PO-UM-"+randomDigits(6)
	lines := ship(t, env, lmstest.DealerY, so, po, line{"ILL-UM4730-BASE", 1}, line{"ILL-UM4730-PORTS-4", 3})
	base, ports := lines["ILL-UM4730-BASE"], lines["ILL-UM4730-PORTS-4"]
	loc := createLocation(t, env, lmstest.DealerY, "UM4730", map[string]any{"hardwareKeyCode": "11-" + randomDigits(8)})

	// EXT-2: a lower quantity, or one line of the PO only, is refused and
	// nothing leaves the bin.
	_, errs := attach(t, env, lmstest.DealerY, loc.ID, sel{Line: base}, sel{Line: ports, Qty: qty(2)})
	e := requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Equal(t, "input.lines.1.quantity", fieldPath(e))
	require.Contains(t, e.Message, po)
	_, errs = attach(t, env, lmstest.DealerY, loc.ID, sel{Line: base})
	e = requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Equal(t, "input.lines", fieldPath(e))
	require.Contains(t, e.Message, "ILL-UM4730-PORTS-4 × 3")
	_, errs = attach(t, env, lmstest.DealerY, loc.ID, sel{Line: base}, sel{Line: ports, Qty: qty(0)})
	requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Equal(t, 1, binAvailable(t, env, lmstest.DealerY, base))
	require.Equal(t, 3, binAvailable(t, env, lmstest.DealerY, ports))
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, loc.ID))

	// The whole PO: quantities omitted or equal to what is available.
	lics := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: base}, sel{Line: ports, Qty: qty(3)})
	require.Len(t, lics, 2)
	require.Zero(t, binAvailable(t, env, lmstest.DealerY, ports))

	// EXT-1: activation leaves a PENDING file for the sales order.
	act := activate(t, env, lmstest.DealerY, loc.ID, ids(lics)...)
	require.Empty(t, act.Errors)
	require.NotNil(t, act.LicenseFile)
	require.Equal(t, "PENDING", act.LicenseFile.Status)
	f := getExternalFile(t, env, lmstest.DealerY, act.LicenseFile.ID)
	require.Equal(t, "EXTERNAL", f.Reason)
	require.Equal(t, so, *f.SalesOrder)
	require.Nil(t, f.DownloadURL)
	require.Nil(t, f.FileName)
	files := locationFiles(t, env, lmstest.DealerY, loc.ID)
	require.Len(t, files, 1)
	require.Equal(t, "PENDING", files[0].Status)
	require.True(t, files[0].Current)
	var jobs int
	require.NoError(t, env.DB.Pool.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE kind = $1", licensefile.GenerateFileArgs{}.Kind()).Scan(&jobs))
	require.Zero(t, jobs, "LMS builds no file for an external product")
	require.Contains(t, pendingExternal(t, env), f.ID)

	// Before the upload a download says the file is not available yet.
	path := licensefile.DownloadPath(lmstest.UUIDOf(t, f.ID))
	status, body, _ := get(t, env, lmstest.DealerY, path)
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, string(body), "the license file for Sales Order "+so+" is not available yet")
	status, _, _ = get(t, env, lmstest.DealerZ, path)
	require.Equal(t, http.StatusNotFound, status)

	// Only the license desk uploads; an empty file, a sales order the
	// location has no licenses of, and a too large upload are refused.
	content := randomBytes(3000)
	requireError(t, uploadExternal(t, env, lmstest.DealerY, loc.ID, so, "um.zip", content).Errors, "FORBIDDEN")
	e = requireError(t, uploadExternal(t, env, lmstest.Admin, loc.ID, so, "um.zip", nil).Errors, "VALIDATION_FAILED")
	require.Equal(t, "input.file", fieldPath(e))
	e = requireError(t, uploadExternal(t, env, lmstest.Admin, loc.ID, "SO-OTHER", "um.zip", content).Errors, "NOT_FOUND")
	require.Equal(t, "input.salesOrder", fieldPath(e))
	q := `mutation($in: UploadExternalLicenseFileInput!) { uploadExternalLicenseFile(input: $in) { errors { code } } }`
	big, ct := multipartBody(t, q, map[string]any{"in": withFile(map[string]any{"locationId": loc.ID, "salesOrder": so})},
		"variables.in.file", "big.zip", randomBytes(graph.DefaultMaxUploadBytes+1))
	tooLarge := postUpload(t, env, lmstest.Admin, big, ct, false)
	require.Equal(t, http.StatusRequestEntityTooLarge, tooLarge.Status)
	require.Len(t, tooLarge.Errors, 1)
	require.Equal(t, "VALIDATION_FAILED", tooLarge.Errors[0].Code())
	require.Contains(t, tooLarge.Errors[0].Message, "limit")
	// An upload must say its length: sent chunked, it is refused unread.
	chunked := postUpload(t, env, lmstest.Admin, big, ct, true)
	require.Equal(t, http.StatusLengthRequired, chunked.Status)
	require.Len(t, chunked.Errors, 1)
	require.Equal(t, "VALIDATION_FAILED", chunked.Errors[0].Code())
	require.Contains(t, chunked.Errors[0].Message, "Content-Length")
	require.Equal(t, "PENDING", getExternalFile(t, env, lmstest.Admin, f.ID).Status, "nothing stored")
	// Without a token a multipart request gets the plain body limit (1 MiB
	// here), not the upload limit.
	anon, ct := multipartBody(t, q, map[string]any{"in": withFile(map[string]any{"locationId": loc.ID, "salesOrder": so})},
		"variables.in.file", "anon.zip", randomBytes(2<<20))
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", bytes.NewReader(anon))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ct)
	anonResp := env.Do(t, req)
	require.Equal(t, http.StatusRequestEntityTooLarge, anonResp.Status)
	require.Contains(t, anonResp.Errors[0].Message, "request body")

	// The license desk's upload fills the pending file.
	up := uploadExternal(t, env, lmstest.Admin, loc.ID, so, `C:\fakepath\UM4730 licence (1).zip`, content)
	require.Empty(t, up.Errors)
	require.Equal(t, loc.ID, up.Location.ID)
	got := *up.LicenseFile
	require.Equal(t, f.ID, got.ID)
	require.Equal(t, "READY", got.Status)
	require.Equal(t, "UM4730_licence__1_.zip", *got.FileName)
	require.Equal(t, sha256Hex(content), *got.Sha256)
	require.Equal(t, so, *got.SalesOrder)
	require.NotNil(t, got.DownloadURL)
	require.NotContains(t, pendingExternal(t, env), f.ID)

	m := mailTo(t, env, lmstest.DealerY, "License file for Sales Order "+so+" is available")
	require.Contains(t, m.Text, *got.DownloadURL)
	require.Contains(t, m.Text, loc.HardwareKeyCode)
	mailTo(t, env, "dealer-desk@dealer.example", "License file for Sales Order "+so+" is available")

	status, body, header := get(t, env, lmstest.DealerY, *got.DownloadURL)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, content, body)
	require.Equal(t, `attachment; filename="UM4730_licence__1_.zip"`, header.Get("Content-Disposition"))
	status, _, _ = get(t, env, lmstest.DealerZ, *got.DownloadURL)
	require.Equal(t, http.StatusNotFound, status)

	// A corrected file is a new generation, the current one.
	corrected := randomBytes(100)
	up = uploadExternal(t, env, lmstest.Admin, loc.ID, so, "um-v2.lic", corrected)
	require.Empty(t, up.Errors)
	require.Equal(t, 2, up.LicenseFile.Version)
	files = locationFiles(t, env, lmstest.DealerY, loc.ID)
	require.Len(t, files, 2)
	require.Equal(t, up.LicenseFile.ID, files[0].ID)
	require.True(t, files[0].Current)
	status, body, header = get(t, env, lmstest.DealerY, *up.LicenseFile.DownloadURL)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, corrected, body)
	require.Equal(t, "application/octet-stream", header.Get("Content-Type"))

	// The license desk's work list is the desk's alone.
	resp := env.Query(t, lmstest.DealerY, `{ pendingExternalLicenseFiles { edges { node { id } } } }`, nil)
	require.Len(t, resp.Errors, 1)
	require.Equal(t, "FORBIDDEN", resp.Errors[0].Code())
}

// A file is pending per sales order: activating two POs of different sales
// orders leaves two, and uploading attached-only licenses' file is refused.
func TestExternalPendingFilePerSalesOrder(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})

	so1, so2 := "SO-RCC-"+randomDigits(7), "SO-RCC-"+randomDigits(7)
	l1 := ship(t, env, lmstest.DealerY, so1, "PO-"+randomDigits(6), line{"ILL-RCC-BASE", 1})
	l2 := ship(t, env, lmstest.DealerY, so2, "PO-"+randomDigits(6), line{"ILL-RCC-AGENT", 5})
	loc := createLocation(t, env, lmstest.DealerY, "RCC", map[string]any{"hardwareKeyCode": "aa0014SA" + randomDigits(10) + "AA"})
	lics := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: l1["ILL-RCC-BASE"]}, sel{Line: l2["ILL-RCC-AGENT"]})

	e := requireError(t, uploadExternal(t, env, lmstest.Admin, loc.ID, so1, "rcc.lic", []byte("x")).Errors, "NOT_APPLICABLE")
	require.Contains(t, e.Message, "activated")

	act := activate(t, env, lmstest.DealerY, loc.ID, ids(lics)...)
	require.Empty(t, act.Errors)
	files := locationFiles(t, env, lmstest.DealerY, loc.ID)
	require.Len(t, files, 2)
	var sos []string
	for _, f := range files {
		require.Equal(t, "PENDING", f.Status)
		require.Equal(t, "EXTERNAL", f.Reason)
		sos = append(sos, *f.SalesOrder)
	}
	require.ElementsMatch(t, []string{so1, so2}, sos)
	require.Equal(t, []string{files[1].ID, files[0].ID}, pendingExternal(t, env), "the license desk's work list is oldest first")

	require.Empty(t, uploadExternal(t, env, lmstest.Admin, loc.ID, so2, "rcc.lic", []byte("agents")).Errors)
	for _, f := range locationFiles(t, env, lmstest.DealerY, loc.ID) {
		require.Equal(t, map[string]string{so1: "PENDING", so2: "READY"}[*f.SalesOrder], f.Status)
	}
}

// EXT-2 holds for activation and detach too: a purchase order attached
// whole is activated whole, in one file, and leaves whole; once any of it is
// activated, none of it leaves the location.
func TestExternalDetachKeepsPurchaseOrderWhole(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})

	po := "PO-UM-" + randomDigits(6)
	lines := ship(t, env, lmstest.DealerY, "SO-UM-"+randomDigits(7), po, line{"ILL-UM4730-BASE", 1}, line{"ILL-UM4730-PORTS-4", 3})
	base, ports := lines["ILL-UM4730-BASE"], lines["ILL-UM4730-PORTS-4"]
	// A second PO on the same location is not touched by the first's detach.
	other := ship(t, env, lmstest.DealerY, "SO-UM-"+randomDigits(7), "PO-UM-"+randomDigits(6), line{"ILL-UM4730-PORTS-4", 2})
	a := createLocation(t, env, lmstest.DealerY, "UM4730", map[string]any{"hardwareKeyCode": "11-" + randomDigits(8)})
	b := createLocation(t, env, lmstest.DealerY, "UM4730", map[string]any{"hardwareKeyCode": "11-" + randomDigits(8)})
	lics := mustAttach(t, env, lmstest.DealerY, a.ID, sel{Line: base}, sel{Line: ports})
	otherLics := mustAttach(t, env, lmstest.DealerY, a.ID, sel{Line: other["ILL-UM4730-PORTS-4"]})
	byPart := map[string]apiLicense{}
	for _, l := range lics {
		byPart[l.Part.Number] = l
	}

	detach := func(locationID string, ls ...apiLicense) ([]apiLicense, []userError) {
		p := mutate[struct {
			Licenses []apiLicense
			Errors   []userError
		}](t, env, lmstest.DealerY, "detachLicenses", "licenses { id }", map[string]any{"locationId": locationID, "licenseIds": ids(ls)})
		return p.Licenses, p.Errors
	}

	// Only the ports license: refused, and nothing moves.
	out, errs := detach(a.ID, byPart["ILL-UM4730-PORTS-4"])
	require.Empty(t, out)
	e := requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Equal(t, "input.licenseIds", fieldPath(e))
	require.Contains(t, e.Message, po)
	require.Contains(t, e.Message, byPart["ILL-UM4730-BASE"].SoftwareKeyCode+" (ILL-UM4730-BASE × 1)")
	require.Equal(t, 3, attachedCount(t, env, lmstest.DealerY, a.ID))
	require.Zero(t, binAvailable(t, env, lmstest.DealerY, ports))
	require.Zero(t, binAvailable(t, env, lmstest.DealerY, base))
	// Nor can part of it be activated: the license desk would make the
	// file for part of the PO, and the ports would be stuck on A.
	act := activate(t, env, lmstest.DealerY, a.ID, byPart["ILL-UM4730-BASE"].ID)
	e = requireError(t, act.Errors, "PO_CANNOT_BE_SPLIT")
	require.Equal(t, "input.licenseIds", fieldPath(e))
	require.Contains(t, e.Message, po)
	require.Contains(t, e.Message, byPart["ILL-UM4730-PORTS-4"].SoftwareKeyCode+" (ILL-UM4730-PORTS-4 × 3)")
	require.Empty(t, act.Licenses)
	require.Nil(t, act.LicenseFile)
	require.Equal(t, 3, attachedCount(t, env, lmstest.DealerY, a.ID), "nothing activated")
	// So the bypass is closed: the ports line has nothing to attach to B,
	// and B could not take part of a PO that is on A anyway.
	_, errs = attach(t, env, lmstest.DealerY, b.ID, sel{Line: ports})
	require.Equal(t, []string{"INSUFFICIENT_QUANTITY", "PO_CANNOT_BE_SPLIT"}, codes(errs))
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, b.ID))

	// The whole PO leaves together (the other PO stays), and then attaches
	// elsewhere, whole only.
	out, errs = detach(a.ID, lics...)
	require.Empty(t, errs)
	require.Len(t, out, 2)
	require.Equal(t, 1, attachedCount(t, env, lmstest.DealerY, a.ID))
	require.Equal(t, 3, binAvailable(t, env, lmstest.DealerY, ports))
	_, errs = attach(t, env, lmstest.DealerY, b.ID, sel{Line: ports})
	requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	onB := map[string]apiLicense{}
	for _, l := range mustAttach(t, env, lmstest.DealerY, b.ID, sel{Line: base}, sel{Line: ports}) {
		onB[l.Part.Number] = l
	}
	require.Equal(t, 2, attachedCount(t, env, lmstest.DealerY, b.ID))

	// A PO whose licenses are all selected detaches alone.
	out, errs = detach(a.ID, otherLics...)
	require.Empty(t, errs)
	require.Len(t, out, 1)
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, a.ID))

	// A PO activated in part, as activations before this rule could leave
	// it, is bound to its location for good: the rest of it cannot leave.
	_, err := env.DB.Pool.Exec(context.Background(), `UPDATE licenses SET status = 'ACTIVATED', activated_at = now(), file_version = 1 WHERE id = $1`,
		lmstest.UUIDOf(t, onB["ILL-UM4730-BASE"].ID))
	require.NoError(t, err)
	out, errs = detach(b.ID, onB["ILL-UM4730-PORTS-4"])
	require.Empty(t, out)
	e = requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Equal(t, "input.licenseIds", fieldPath(e))
	require.Contains(t, e.Message, onB["ILL-UM4730-BASE"].SoftwareKeyCode+" (ILL-UM4730-BASE × 1) of it is activated on "+b.Name)
	require.Equal(t, 1, attachedCount(t, env, lmstest.DealerY, b.ID))
	require.Zero(t, binAvailable(t, env, lmstest.DealerY, ports))
	// What is left of it activates on its own.
	act = activate(t, env, lmstest.DealerY, b.ID, onB["ILL-UM4730-PORTS-4"].ID)
	require.Empty(t, act.Errors)
	require.Zero(t, attachedCount(t, env, lmstest.DealerY, b.ID))
}

// A purchase order activated on a location stays there for good, also what
// of it comes back to the bin later (a dealer's return to its distributor):
// that attaches to the same location only and cannot leave it (EXT-2).
func TestExternalActivatedPurchaseOrderStaysOnItsLocation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})

	po := "PO-UM-" + randomDigits(6)
	lines := ship(t, env, lmstest.Distributor, "SO-UM-"+randomDigits(7), po, line{"ILL-UM4730-BASE", 1}, line{"ILL-UM4730-PORTS-4", 3})
	base, ports := lines["ILL-UM4730-BASE"], lines["ILL-UM4730-PORTS-4"]
	resold := reship(t, env, lmstest.Distributor, lmstest.DealerY, "SO-R-"+randomDigits(7), "PO-R-"+randomDigits(6), reshipLine{Line: ports, Qty: qty(1)})
	require.Empty(t, resold.Errors)
	a := createLocation(t, env, lmstest.Distributor, "UM4730", map[string]any{"name": "UM A", "hardwareKeyCode": "11-" + randomDigits(8)})
	b := createLocation(t, env, lmstest.Distributor, "UM4730", map[string]any{"name": "UM B", "hardwareKeyCode": "11-" + randomDigits(8)})
	lics := mustAttach(t, env, lmstest.Distributor, a.ID, sel{Line: base}, sel{Line: ports})
	require.Empty(t, activate(t, env, lmstest.Distributor, a.ID, ids(lics)...).Errors)

	_, errs := returnLicenses(t, env, lmstest.DealerY, "", reshipLine{Line: resold.Order.lineIDs()["ILL-UM4730-PORTS-4"], Qty: qty(1)})
	require.Empty(t, errs)
	require.Equal(t, 1, binAvailable(t, env, lmstest.Distributor, ports))

	// The returned port goes to A, where the rest of its PO is, not to B.
	_, errs = attach(t, env, lmstest.Distributor, b.ID, sel{Line: ports})
	e := requireError(t, errs, "PO_CANNOT_BE_SPLIT")
	require.Equal(t, "input.lines", fieldPath(e))
	require.Contains(t, e.Message, po+" cannot be split: its licenses are on UM A already")
	require.Zero(t, attachedCount(t, env, lmstest.Distributor, b.ID))
	again := mustAttach(t, env, lmstest.Distributor, a.ID, sel{Line: ports})
	require.Len(t, again, 1)

	// And it cannot leave A: the PO is activated there.
	p := mutate[struct{ Errors []userError }](t, env, lmstest.Distributor, "detachLicenses", "",
		map[string]any{"locationId": a.ID, "licenseIds": ids(again)})
	e = requireError(t, p.Errors, "PO_CANNOT_BE_SPLIT")
	require.Contains(t, e.Message, "is activated on UM A, which binds the purchase order to UM A for good")
	require.Equal(t, 1, attachedCount(t, env, lmstest.Distributor, a.ID))
	require.Zero(t, binAvailable(t, env, lmstest.Distributor, ports))
}
