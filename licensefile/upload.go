package licensefile

// Uploads: the license desk's files for external products (EXT-3) and the
// partners' protect.dat files (EXT-4), read by the service only after the
// caller and the location are checked, bounded in size, and stored in one
// transaction. (Over HTTP the GraphQL transport has received the request
// before, within the server's upload limit.)

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/idempotency"
	"lms/inventory"
	"lms/location"
	"lms/mail"
	"lms/page"
)

// maxFileName bounds the stored name of an uploaded file.
const maxFileName = 200

// DefaultMaxUploadBytes is the upload limit when none is configured: the
// largest external license file the service reads (Service.MaxUploadBytes)
// and the largest multipart request the API takes (graph).
const DefaultMaxUploadBytes = 10 << 20

// maxUploadBytes is the configured upload limit or its default.
func (s *Service) maxUploadBytes() int64 {
	return cmp.Or(s.MaxUploadBytes, DefaultMaxUploadBytes)
}

// ExternalFileUpload is an external product's license file that the license
// desk received for one sales order of a location (EXT-3).
type ExternalFileUpload struct {
	LocationID uuid.UUID
	SalesOrder string
	// FileName is the name the file was uploaded with; only a sanitised
	// base name is kept.
	FileName string
	// File is the content. It is read once the caller and the location
	// are checked, outside the transaction, and at most
	// Service.MaxUploadBytes+1 bytes of it.
	File io.Reader
	// Size is the size the upload declared; one over Service.MaxUploadBytes
	// is refused without reading. 0: not declared.
	Size int64
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string
}

// externalFile is an upload read into memory: what is validated, stored
// and, for an idempotency key, compared with the first request. The JSON
// that idempotency.Once hashes carries SHA256 instead of the content.
type externalFile struct {
	LocationID uuid.UUID `json:"locationId"`
	SalesOrder string    `json:"salesOrder"`
	FileName   string    `json:"fileName"`
	Content    []byte    `json:"-"`
	SHA256     string    `json:"sha256"`
	// limit is the service's upload limit the content is checked against.
	limit int64
}

// Validate checks the upload on its own.
func (in *externalFile) Validate() error {
	var errs apperr.List
	errs.Text("salesOrder", &in.SalesOrder, true, inventory.MaxOrderNumber)
	checkUploadSize(&errs, in.Content, in.limit, "an external license file")
	return errs.Err()
}

// UploadExternalFile stores the license file of an external product for
// one sales order of a location and tells the users who activated its
// licenses, and the location's dealer email, that it is available (EXT-3).
// It fills the PENDING file that activation left for that sales order; a
// later upload for the same sales order (a corrected file) becomes a new
// generation. A retry with the same idempotency key and the same file gets
// the first answer back and changes nothing. Only the license desk may call
// it: the caller and the location are checked before the file is read.
// Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED (no sales order;
// the file empty or over MaxUploadBytes), NOT_FOUND (location, or no
// licenses of that sales order on it), NOT_APPLICABLE (not
// an external product; licenses of the sales order not activated yet),
// IDEMPOTENCY_KEY_REUSED.
func (s *Service) UploadExternalFile(ctx context.Context, in ExternalFileUpload) (*db.LicenseFile, error) {
	f, err := s.uploadExternalFile(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("upload the license file of sales order %s for location %s: %w", in.SalesOrder, in.LocationID, err)
	}
	return f, nil
}

func (s *Service) uploadExternalFile(ctx context.Context, in ExternalFileUpload) (*db.LicenseFile, error) {
	a, err := actor.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkTarget(ctx, a, in.LocationID, requireExternal); err != nil {
		return nil, err
	}
	limit := s.maxUploadBytes()
	content, err := readUpload(in.File, in.Size, limit, "an external license file")
	if err != nil {
		return nil, err
	}
	up := &externalFile{LocationID: in.LocationID, SalesOrder: in.SalesOrder, FileName: in.FileName, Content: content, limit: limit}
	if err := up.Validate(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(content)
	up.SHA256 = hex.EncodeToString(sum[:])
	var f *db.LicenseFile
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		f, err = idempotency.Once(ctx, tx, a, in.IdempotencyKey, "uploadExternalLicenseFile", up, func() (*db.LicenseFile, error) {
			return s.storeExternalFile(ctx, tx, a, up)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// storeExternalFile stores an upload in tx: into the PENDING file of its
// sales order, or as a new generation when that was uploaded before. The
// file returned has no content: it is the answer idempotency.Once remembers.
func (s *Service) storeExternalFile(ctx context.Context, tx bun.Tx, a *actor.Actor, up *externalFile) (*db.LicenseFile, error) {
	sys, err := location.LockSystem(ctx, tx, a, up.LocationID, "locationId")
	if err != nil {
		return nil, err
	}
	if e := requireExternal(sys.Type); e != nil {
		return nil, e
	}
	activators, err := activatorsOf(ctx, tx, sys.Location, up.SalesOrder)
	if err != nil {
		return nil, err
	}
	f, err := pendingExternalFile(ctx, tx, sys.Location.ID, up.SalesOrder)
	if err != nil {
		return nil, err
	}
	now := s.now()
	name := uploadName(up.FileName, "license-file-"+up.SalesOrder)
	corrected := f == nil
	if corrected {
		// Uploaded before: the corrected file is a new generation beside
		// the earlier ones.
		v, err := nextVersion(ctx, tx, sys.Location.ID)
		if err != nil {
			return nil, err
		}
		f = &db.LicenseFile{
			ID: uuid.New(), LocationID: sys.Location.ID, PartnerID: sys.Location.PartnerID, Version: v, Reason: db.FileFromExternalSource,
			RequestedBy: &a.User.ID, SalesOrder: &up.SalesOrder,
		}
	}
	f.Status, f.ReadyAt, f.Content, f.FileName, f.SHA256, f.UploadedBy = db.LicenseFileReady, &now, up.Content, &name, &up.SHA256, &a.User.ID
	if corrected {
		if _, err := tx.NewInsert().Model(f).
			Column("id", "location_id", "partner_id", "version", "reason", "status", "requested_by", "sales_order", "ready_at", "content", "file_name", "sha256", "uploaded_by").
			Returning("requested_at").Exec(ctx); err != nil {
			return nil, fmt.Errorf("store the corrected file of sales order %s: %w", up.SalesOrder, err)
		}
	} else if _, err := tx.NewUpdate().Model(f).Column("status", "ready_at", "content", "file_name", "sha256", "uploaded_by").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("store the file of sales order %s: %w", up.SalesOrder, err)
	}
	f.Content = nil
	if err := audit.Record(ctx, tx, audit.Event{
		Action: "license.upload_external_file", PartnerIDs: []uuid.UUID{sys.Location.PartnerID},
		Objects: []string{audit.Ref("Location", sys.Location.ID), audit.Ref("LicenseFile", f.ID)},
		Summary: map[string]any{"location": sys.Location.Name, "salesOrder": up.SalesOrder, "fileName": name, "sha256": up.SHA256, "size": len(up.Content), "fileVersion": f.Version},
	}); err != nil {
		return nil, err
	}
	if err := s.mailExternalFile(ctx, tx, f, sys, activators); err != nil {
		return nil, err
	}
	return f, announce(ctx, tx, f)
}

// requireExternal refuses an upload to a location whose file LMS builds.
func requireExternal(st *catalog.SystemType) *apperr.Error {
	if st.HasFlag(catalog.FlagExternal) {
		return nil
	}
	return apperr.New(apperr.NotApplicable, "LMS generates the license file of a %s itself; only external products get theirs uploaded", st.Name).OnField("locationId")
}

// checkTarget refuses an upload for a location before its file is read:
// another partner's location (NOT_FOUND) or one whose system type takes no
// such file (accepts says why). The transaction checks again under the
// location's lock.
func (s *Service) checkTarget(ctx context.Context, a *actor.Actor, locationID uuid.UUID, accepts func(*catalog.SystemType) *apperr.Error) error {
	sys, err := location.FindSystem(ctx, s.DB, a, locationID, "locationId")
	if err != nil {
		return err
	}
	if e := accepts(sys.Type); e != nil {
		return e
	}
	return nil
}

// readUpload reads an uploaded file of at most limit bytes (what names it
// in messages). A declared size over limit is refused without reading;
// otherwise at most limit+1 bytes are read, so that checkUploadSize can
// tell a file that is too large whatever was declared, without the service
// holding more of it. A nil reader is an empty file.
func readUpload(r io.Reader, declared, limit int64, what string) ([]byte, error) {
	if declared > limit {
		return nil, apperr.Invalid("file", "the file is %d bytes; %s has at most %d", declared, what, limit)
	}
	if r == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read the uploaded file: %w", err)
	}
	return b, nil
}

// checkUploadSize refuses an empty file and one over limit (as readUpload
// read it).
func checkUploadSize(errs *apperr.List, content []byte, limit int64, what string) {
	switch {
	case len(content) == 0:
		errs.Add(apperr.Invalid("file", "the file is empty"))
	case int64(len(content)) > limit:
		errs.Add(apperr.Invalid("file", "the file is more than %d bytes; %s has at most %d", limit, what, limit))
	}
}

// activatorsOf returns the users who activated the licenses of a sales
// order on a location, NOT_FOUND when the location has no license of it and
// NOT_APPLICABLE when none is activated yet.
func activatorsOf(ctx context.Context, tx bun.Tx, loc *db.Location, salesOrder string) ([]uuid.UUID, error) {
	var rows []struct {
		Status      db.LicenseStatus `bun:"status"`
		ActivatedBy *uuid.UUID       `bun:"activated_by"`
	}
	if err := tx.NewSelect().TableExpr("licenses AS lic").ColumnExpr("lic.status, lic.activated_by").
		Join(db.LicenseOrderJoin).
		Where("lic.location_id = ?", loc.ID).Where(db.LicenseSalesOrder+" = ?", salesOrder).
		OrderExpr("lic.activated_at, lic.id").Scan(ctx, &rows); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("read the licenses of sales order %s: %w", salesOrder, err)
	}
	if len(rows) == 0 {
		return nil, apperr.New(apperr.NotFound, "%s has no licenses of Sales Order %s", loc.Name, salesOrder).OnField("salesOrder")
	}
	var users []uuid.UUID
	activated := false
	for _, r := range rows {
		if r.Status != db.LicenseActivated {
			continue
		}
		activated = true
		if r.ActivatedBy != nil && !slices.Contains(users, *r.ActivatedBy) {
			users = append(users, *r.ActivatedBy)
		}
	}
	if !activated {
		return nil, apperr.New(apperr.NotApplicable, "the licenses of Sales Order %s on %s are attached, not activated: they must be activated before their file is uploaded", salesOrder, loc.Name).OnField("salesOrder")
	}
	return users, nil
}

// mailExternalFile tells the users who activated the sales order's
// licenses, and the location's dealer email, that its file is available
// (EXT-3, MAIL).
func (s *Service) mailExternalFile(ctx context.Context, tx bun.Tx, f *db.LicenseFile, sys *location.System, activators []uuid.UUID) error {
	loc := sys.Location
	cust := new(db.Customer)
	if err := tx.NewSelect().Model(cust).Column("name").Where("id = ?", loc.CustomerID).Scan(ctx); err != nil {
		return fmt.Errorf("load customer: %w", err)
	}
	link := s.emailedLink(f.ID)
	e := mail.ExternalLicenseFileAvailable{
		CustomerName: cust.Name, LocationName: loc.Name, LocationID: loc.ID.String(), SystemTypeName: sys.Type.Name,
		HardwareKeyCode: loc.HardwareKeyCode, SalesOrder: *f.SalesOrder, FileName: *f.FileName, Version: f.Version,
		DownloadURL: link.url, LinkExpiresAt: link.expires, AvailableAt: *f.ReadyAt,
	}
	to, err := fileRecipients(ctx, tx, loc, activators)
	if err != nil {
		return err
	}
	for _, r := range to {
		e.RecipientName = r.Name
		if _, err := s.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return fmt.Errorf("enqueue external license file mail: %w", err)
		}
	}
	return nil
}

// uploadName is the name an uploaded file is stored and served under: the
// base name the client sent (browsers on Windows send a whole path), with
// anything but letters, digits, '.', '-' and '_' replaced, so that it is
// safe in a Content-Disposition header; fallback when nothing is left.
func uploadName(name, fallback string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "._")
	if len(out) > maxFileName {
		ext := path.Ext(out)
		if len(ext) > 16 {
			ext = ""
		}
		out = out[:maxFileName-len(ext)] + ext
	}
	if out == "" {
		return uploadName(fallback, "upload")
	}
	return out
}

// PendingExternalFiles pages the external license files waiting for the
// license desk's upload, oldest first: its work list (EXT-3). Only the
// license desk may call it. Errors: UNAUTHENTICATED, FORBIDDEN,
// VALIDATION_FAILED (bad cursor or first).
func (s *Service) PendingExternalFiles(ctx context.Context, args page.Args) (*page.Page[db.LicenseFile], error) {
	a, err := actor.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	q := s.DB.NewSelect().Model((*db.LicenseFile)(nil)).Column(db.LicenseFileColumns...).
		Where("lf.reason = ?", db.FileFromExternalSource).Where("lf.status = ?", db.LicenseFilePending)
	return page.OldestFirst(ctx, q, args, a.Scope()+"/pending-external-files", "lf.requested_at", "lf.id", fileKey)
}
