package license_test

// API and service tests of the uploads (EXT-3, EXT-4): protect.dat, retried
// license desk uploads, reading only after authorisation, and the statement
// count of location lists showing protect.dat.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/actor"
	"lms/apperr"
	"lms/db"
	"lms/licensefile"
	"lms/lmstest"
	"lms/server"
)

// protectDat is a ProtectDat as protectDatFields selects it.
type protectDat struct {
	ID          string
	FileName    string
	Size        int
	Sha256      string
	DownloadURL string
	UploadedBy  *struct{ Email string }
}

const protectDatFields = `id fileName size sha256 downloadUrl uploadedBy { email }`

type protectDatPayload struct {
	ProtectDat *protectDat
	Errors     []userError
}

func uploadProtect(t testing.TB, env *lmstest.Env, user, locationID, name string, content []byte) protectDatPayload {
	t.Helper()
	return uploadMutation[protectDatPayload](t, env, user, "uploadProtectDat", "protectDat { "+protectDatFields+" }",
		map[string]any{"locationId": locationID}, name, content)
}

func currentProtectDat(t testing.TB, env *lmstest.Env, user, locationID string) *protectDat {
	t.Helper()
	var got struct {
		Node *struct{ ProtectDat *protectDat }
	}
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on Location { protectDat { `+protectDatFields+` } } } }`, map[string]any{"id": locationID}).Decode(t, &got)
	if got.Node == nil {
		return nil
	}
	return got.Node.ProtectDat
}

// EXT-4: the partner uploads the customer's protect.dat of an Expense
// Management location for the license desk, which sees and downloads it;
// other partners cannot, and other system types take none.
func TestExpenseManagementProtectDat(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})

	loc := createLocation(t, env, lmstest.DealerY, "EXPENSE_MGMT", map[string]any{"hardwareKeyCode": randomDigits(8)})
	require.Nil(t, currentProtectDat(t, env, lmstest.DealerY, loc.ID))

	first := randomBytes(512)
	p := uploadProtect(t, env, lmstest.DealerY, loc.ID, "protect.dat", first)
	require.Empty(t, p.Errors)
	require.Equal(t, "protect.dat", p.ProtectDat.FileName)
	require.Equal(t, 512, p.ProtectDat.Size)
	require.Equal(t, sha256Hex(first), p.ProtectDat.Sha256)
	require.Equal(t, lmstest.DealerY, p.ProtectDat.UploadedBy.Email)

	second := randomBytes(700)
	p = uploadProtect(t, env, lmstest.DealerY2, loc.ID, "/home/yuri/protect.dat", second)
	require.Empty(t, p.Errors)
	require.Equal(t, "protect.dat", p.ProtectDat.FileName)

	// The license desk sees the newest and downloads it; a partner's other
	// user too; another partner does not even find it.
	cur := currentProtectDat(t, env, lmstest.Admin, loc.ID)
	require.NotNil(t, cur)
	require.Equal(t, p.ProtectDat.ID, cur.ID)
	require.Equal(t, lmstest.DealerY2, cur.UploadedBy.Email)
	status, body, header := get(t, env, lmstest.Admin, cur.DownloadURL)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, second, body)
	require.Equal(t, `attachment; filename="protect.dat"`, header.Get("Content-Disposition"))
	status, body, _ = get(t, env, lmstest.DealerY, cur.DownloadURL)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, second, body)
	status, _, _ = get(t, env, lmstest.DealerZ, cur.DownloadURL)
	require.Equal(t, http.StatusNotFound, status)
	status, _, _ = get(t, env, "", cur.DownloadURL)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Nil(t, currentProtectDat(t, env, lmstest.DealerZ, loc.ID))
	requireError(t, uploadProtect(t, env, lmstest.DealerZ, loc.ID, "protect.dat", first).Errors, "NOT_FOUND")

	// Empty, too large, or for a system type that needs none: refused.
	e := requireError(t, uploadProtect(t, env, lmstest.DealerY, loc.ID, "protect.dat", nil).Errors, "VALIDATION_FAILED")
	require.Equal(t, "input.file", fieldPath(e))
	e = requireError(t, uploadProtect(t, env, lmstest.DealerY, loc.ID, "protect.dat", randomBytes(licensefile.MaxProtectDatBytes+1)).Errors, "VALIDATION_FAILED")
	require.Equal(t, "input.file", fieldPath(e))
	um := createLocation(t, env, lmstest.DealerY, "UM4730", map[string]any{"hardwareKeyCode": "11-" + randomDigits(8)})
	e = requireError(t, uploadProtect(t, env, lmstest.DealerY, um.ID, "protect.dat", first).Errors, "NOT_APPLICABLE")
	require.Equal(t, "input.locationId", fieldPath(e))
	require.Equal(t, p.ProtectDat.ID, currentProtectDat(t, env, lmstest.DealerY, loc.ID).ID, "nothing stored")
}

// uploadExternalWithKey uploads an external file with an idempotency key,
// selecting features too: a remembered answer must read like the first.
func uploadExternalWithKey(t testing.TB, env *lmstest.Env, locationID, so, key string, content []byte) uploadFilePayload {
	t.Helper()
	return uploadMutation[uploadFilePayload](t, env, lmstest.Admin, "uploadExternalLicenseFile",
		"licenseFile { "+externalFileFields+" features { amount } } location { id }",
		map[string]any{"locationId": locationID, "salesOrder": so, "idempotencyKey": key}, "um.zip", content)
}

// emailsAbout counts the emails recorded with subject containing s.
func emailsAbout(t testing.TB, env *lmstest.Env, s string) int {
	t.Helper()
	var n int
	require.NoError(t, env.DB.Pool.QueryRow(context.Background(), "SELECT count(*) FROM emails WHERE strpos(subject, $1) > 0", s).Scan(&n))
	return n
}

// A retried upload with its idempotency key stores nothing new and mails no
// one again; the key with another file is refused (EXT-3, SPEC §12).
func TestExternalUploadIdempotencyKey(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true})

	so := "SO-UM-" + randomDigits(7)
	lines := ship(t, env, lmstest.DealerY, so, "PO-UM-"+randomDigits(6), line{"ILL-UM4730-BASE", 1})
	loc := createLocation(t, env, lmstest.DealerY, "UM4730", map[string]any{"hardwareKeyCode": "11-" + randomDigits(8)})
	act := activate(t, env, lmstest.DealerY, loc.ID, ids(mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: lines["ILL-UM4730-BASE"]}))...)
	require.Empty(t, act.Errors)

	content, key, key2 := randomBytes(5000), "upload-"+randomHex(8), "upload-"+randomHex(8)
	first := uploadExternalWithKey(t, env, loc.ID, so, key, content)
	require.Empty(t, first.Errors)
	require.Equal(t, act.LicenseFile.ID, first.LicenseFile.ID)
	mails := emailsAbout(t, env, "Sales Order "+so)
	require.Equal(t, 2, mails, "the activating user and the dealer email")

	again := uploadExternalWithKey(t, env, loc.ID, so, key, content)
	require.Empty(t, again.Errors)
	require.Equal(t, first, again, "the first answer, as it was")
	require.Len(t, locationFiles(t, env, lmstest.DealerY, loc.ID), 1, "no corrected generation")
	require.Equal(t, mails, emailsAbout(t, env, "Sales Order "+so), "no second mail")

	other := uploadExternalWithKey(t, env, loc.ID, so, key, randomBytes(5000))
	e := requireError(t, other.Errors, "IDEMPOTENCY_KEY_REUSED")
	require.Equal(t, "input.idempotencyKey", fieldPath(e))
	require.Nil(t, other.LicenseFile)
	files := locationFiles(t, env, lmstest.DealerY, loc.ID)
	require.Len(t, files, 1)
	require.Equal(t, sha256Hex(content), *files[0].Sha256)

	// A new key is a new request: the corrected file.
	corrected := uploadExternalWithKey(t, env, loc.ID, so, key+"-2", randomBytes(10))
	require.Empty(t, corrected.Errors)
	require.Equal(t, 2, corrected.LicenseFile.Version)
	require.Equal(t, 2*mails, emailsAbout(t, env, "Sales Order "+so))

	// The remembered answer is the file as the first request returned it,
	// field for field (the content is in neither).
	svc, ctx := env.Server.Graph.Services.Files, actorCtx(t, env, lmstest.Admin)
	upload := func() *db.LicenseFile {
		f, err := svc.UploadExternalFile(ctx, licensefile.ExternalFileUpload{
			LocationID: lmstest.UUIDOf(t, loc.ID), SalesOrder: so, FileName: "um.zip", File: bytes.NewReader(content), Size: int64(len(content)), IdempotencyKey: &key2,
		})
		require.NoError(t, err)
		require.Nil(t, f.Content)
		for _, at := range []*time.Time{&f.RequestedAt, f.ReadyAt} {
			*at = at.Round(0).UTC()
		}
		return f
	}
	firstFile := upload()
	require.Equal(t, firstFile, upload())
}

// readCounter is an upload that counts what is read of it.
type readCounter struct {
	r io.Reader
	n int64
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// actorCtx is a context signed in as user, for calling services directly.
func actorCtx(t testing.TB, env *lmstest.Env, user string) context.Context {
	t.Helper()
	ctx := context.Background()
	a, err := env.Server.Graph.Services.Tokens.Authenticate(ctx, env.Tokens[user])
	require.NoError(t, err)
	return actor.With(ctx, a)
}

// requireAppError checks that err is exactly one application error with
// code on field (nil: on the whole request) and returns it.
func requireAppError(t testing.TB, err error, code apperr.Code, field ...string) *apperr.Error {
	t.Helper()
	errs := apperr.All(err)
	require.Len(t, errs, 1, "%v", err)
	require.Equal(t, code, errs[0].Code, "%v", err)
	if len(field) > 0 {
		require.Equal(t, append([]string{"input"}, field...), errs[0].Field)
	}
	return errs[0]
}

// The service reads an upload only after the caller and the location
// passed their checks, and never beyond its limit, the server's upload
// limit (LMS_MAX_UPLOAD_BYTES, small here): a refused caller does not make
// the service copy the file (EXT-3, EXT-4). Over HTTP the transport has
// received the request before, bounded by the same limit.
func TestUploadsReadAfterAuthorisation(t *testing.T) {
	t.Parallel()
	const limit = 4 << 10
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true, Config: func(c *server.Config) { c.MaxUploadBytes = limit }})
	svc := env.Server.Graph.Services.Files
	em := createLocation(t, env, lmstest.DealerY, "EXPENSE_MGMT", map[string]any{"hardwareKeyCode": randomDigits(8)})
	um := createLocation(t, env, lmstest.DealerY, "UM4730", map[string]any{"hardwareKeyCode": "11-" + randomDigits(8)})
	sv := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	body := func(n int) *readCounter { return &readCounter{r: bytes.NewReader(randomBytes(n))} }

	for _, tc := range []struct {
		name  string
		user  string
		do    func(context.Context, io.Reader) error
		code  apperr.Code
		field []string
	}{
		{"external file by a dealer", lmstest.DealerY, func(ctx context.Context, r io.Reader) error {
			_, err := svc.UploadExternalFile(ctx, licensefile.ExternalFileUpload{LocationID: lmstest.UUIDOf(t, um.ID), SalesOrder: "SO-1", File: r, Size: 1000})
			return err
		}, apperr.Forbidden, nil},
		{"external file for a PBX", lmstest.Admin, func(ctx context.Context, r io.Reader) error {
			_, err := svc.UploadExternalFile(ctx, licensefile.ExternalFileUpload{LocationID: lmstest.UUIDOf(t, sv.ID), SalesOrder: "SO-1", File: r, Size: 1000})
			return err
		}, apperr.NotApplicable, []string{"locationId"}},
		{"external file for no location", lmstest.Admin, func(ctx context.Context, r io.Reader) error {
			_, err := svc.UploadExternalFile(ctx, licensefile.ExternalFileUpload{LocationID: uuid.New(), SalesOrder: "SO-1", File: r, Size: 1000})
			return err
		}, apperr.NotFound, []string{"locationId"}},
		{"protect.dat for another partner", lmstest.DealerZ, func(ctx context.Context, r io.Reader) error {
			_, err := svc.UploadProtectDat(ctx, licensefile.ProtectDatUpload{LocationID: lmstest.UUIDOf(t, em.ID), File: r, Size: 1000})
			return err
		}, apperr.NotFound, []string{"locationId"}},
		{"protect.dat for a type without", lmstest.DealerY, func(ctx context.Context, r io.Reader) error {
			_, err := svc.UploadProtectDat(ctx, licensefile.ProtectDatUpload{LocationID: lmstest.UUIDOf(t, um.ID), File: r, Size: 1000})
			return err
		}, apperr.NotApplicable, []string{"locationId"}},
		{"protect.dat declared too large", lmstest.DealerY, func(ctx context.Context, r io.Reader) error {
			_, err := svc.UploadProtectDat(ctx, licensefile.ProtectDatUpload{LocationID: lmstest.UUIDOf(t, em.ID), File: r, Size: licensefile.MaxProtectDatBytes + 1})
			return err
		}, apperr.ValidationFailed, []string{"file"}},
		{"external file declared too large", lmstest.Admin, func(ctx context.Context, r io.Reader) error {
			_, err := svc.UploadExternalFile(ctx, licensefile.ExternalFileUpload{LocationID: lmstest.UUIDOf(t, um.ID), SalesOrder: "SO-1", File: r, Size: limit + 1})
			return err
		}, apperr.ValidationFailed, []string{"file"}},
	} {
		r := body(1000)
		requireAppError(t, tc.do(actorCtx(t, env, tc.user), r), tc.code, tc.field...)
		require.Zero(t, r.n, "%s: nothing read", tc.name)
	}

	// A size not declared (or declared wrong) is bounded by the read.
	r := body(4 * licensefile.MaxProtectDatBytes)
	_, err := svc.UploadProtectDat(actorCtx(t, env, lmstest.DealerY), licensefile.ProtectDatUpload{LocationID: lmstest.UUIDOf(t, em.ID), File: r})
	requireAppError(t, err, apperr.ValidationFailed, "file")
	require.Equal(t, int64(licensefile.MaxProtectDatBytes+1), r.n)
	r = body(limit + 10)
	_, err = svc.UploadExternalFile(actorCtx(t, env, lmstest.Admin), licensefile.ExternalFileUpload{LocationID: lmstest.UUIDOf(t, um.ID), SalesOrder: "SO-1", File: r, Size: 100})
	e := requireAppError(t, err, apperr.ValidationFailed, "file")
	require.Contains(t, e.Message, fmt.Sprintf("at most %d", limit))
	require.Equal(t, int64(limit+1), r.n)
	require.Nil(t, currentProtectDat(t, env, lmstest.DealerY, em.ID), "nothing stored")

	r = body(300)
	pd, err := svc.UploadProtectDat(actorCtx(t, env, lmstest.DealerY), licensefile.ProtectDatUpload{LocationID: lmstest.UUIDOf(t, em.ID), FileName: "protect.dat", File: r, Size: 300})
	require.NoError(t, err)
	require.Equal(t, 300, pd.Size)
	require.Equal(t, int64(300), r.n)
}

// A list of locations loads their protect.dat, and who uploaded it, in the
// same number of statements however long it is (EXT-4).
func TestProtectDatListStatements(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	for user, n := range map[string]int{lmstest.DealerZ: 2, lmstest.DealerY: 12} {
		for range n {
			loc := createLocation(t, env, user, "EXPENSE_MGMT", map[string]any{"hardwareKeyCode": randomDigits(8)})
			require.Empty(t, uploadProtect(t, env, user, loc.ID, "protect.dat", randomBytes(100)).Errors)
		}
	}
	q := `{ locations(first: 50) { edges { node { name protectDat { id fileName size uploadedBy { email } location { name } } } } } }`
	count := func(user string, n int) int {
		resp := env.Query(t, user, q, nil)
		var got struct {
			Locations struct {
				Edges []struct {
					Node struct {
						Name       string
						ProtectDat *struct {
							ID         string
							UploadedBy struct{ Email string }
							Location   struct{ Name string }
						}
					}
				}
			}
		}
		resp.Decode(t, &got)
		require.Len(t, got.Locations.Edges, n)
		for _, e := range got.Locations.Edges {
			require.NotNil(t, e.Node.ProtectDat, e.Node.Name)
			require.Equal(t, user, e.Node.ProtectDat.UploadedBy.Email)
			require.Equal(t, e.Node.Name, e.Node.ProtectDat.Location.Name)
		}
		return resp.Statements()
	}
	small, large := count(lmstest.DealerZ, 2), count(lmstest.DealerY, 12)
	t.Logf("locations with protectDat: %d statements for 2, %d for 12", small, large)
	require.Positive(t, small)
	require.Equal(t, small, large, "statement count must not grow with the list")
}
