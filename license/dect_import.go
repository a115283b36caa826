package license

// The import of a DECT License File Upload (DECT-3): the preview's lines
// become licenses activated on the location, without a bin line, with a
// purchase and sales order of their own, M-1<yyyymmdd><nnn>. The upload
// and its parse are package licensefile's; the licenses are this package's.

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/idempotency"
	"lms/inventory"
	"lms/licensefile"
	"lms/location"
	"lms/mail"
	"lms/partner"
)

// ImportDectInput confirms the preview of a DECT upload (the guide's
// Import button).
type ImportDectInput struct {
	UploadID uuid.UUID
	// AcceptAgreement is the user's acceptance of the license agreement:
	// the imported licenses are activated for good.
	AcceptAgreement bool
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string `json:"-"`
}

// Validate checks the input on its own.
func (in *ImportDectInput) Validate() error {
	if !in.AcceptAgreement {
		return apperr.New(apperr.AgreementNotAccepted, "imported licenses are activated and cannot be deactivated or returned: accept the terms of the license agreement to import").OnField("acceptAgreement")
	}
	return nil
}

// DectImport is the answer of ImportDectFile: the upload, now IMPORTED, the
// activated licenses in the order of the file, and the license file
// generation they started.
type DectImport struct {
	Upload   *db.DectUpload
	Licenses []db.License
	File     *db.LicenseFile
}

// ImportDectFile turns the lines of a DECT upload's PREVIEW into licenses
// activated on its location, in one transaction (DECT-3): each line a
// license of its part and quantity without a bin line, all with the
// purchase and sales order M-1<yyyymmdd><nnn> (the day the DECT Manager
// exported the file, and the next number of that day); it requests the
// location's license file like an activation does, emails the license desk
// to deactivate the PARI in the old license generator, and records the
// audit event. Under the system's lock it checks again that the import is
// the first action on the location and that its HWKC is still the file's
// PARI. The location's partner and the license desk may call it. Errors:
// UNAUTHENTICATED, AGREEMENT_NOT_ACCEPTED, NOT_FOUND (upload, also another
// partner's), NOT_APPLICABLE (not a PREVIEW, not an IP DECT location, a
// license activated on it since), INVALID_HARDWARE_KEYCODE (the location's
// HWKC changed since the file was read), PART_NOT_ALLOWED,
// LIMIT_EXCEEDED, IDEMPOTENCY_KEY_REUSED.
func (s *Service) ImportDectFile(ctx context.Context, in ImportDectInput) (*DectImport, error) {
	out, err := idempotency.Mutation(ctx, s.DB, "importDectLicenseFile", &in, in.IdempotencyKey, nil, func(ctx context.Context, tx bun.Tx, a *actor.Actor) (*DectImport, error) {
		return s.importDect(ctx, tx, a, in.UploadID)
	})
	if err != nil {
		return nil, fmt.Errorf("import DECT upload %s: %w", in.UploadID, err)
	}
	return out, nil
}

func (s *Service) importDect(ctx context.Context, tx bun.Tx, a *actor.Actor, id uuid.UUID) (*DectImport, error) {
	up, sys, err := lockDectUpload(ctx, tx, a, id)
	if err != nil {
		return nil, err
	}
	if err := requirePreview(up); err != nil {
		return nil, err
	}
	if err := licensefile.CheckDectImport(ctx, tx, sys); err != nil {
		if e, ok := apperr.As(err); ok {
			return nil, e.OnField("uploadId")
		}
		return nil, err
	}
	if pari := *up.HardwareKeyCode; pari != sys.Location.HardwareKeyCode {
		return nil, apperr.New(apperr.InvalidHardwareKeyCode, "the file is for PARI %s, but the Hardware Key Code of %s is now %s: upload the export of this location's DECT system",
			pari, sys.Location.Name, sys.Location.HardwareKeyCode).OnField("uploadId")
	}
	parts, err := s.checkDectParts(ctx, tx, sys, up.Lines)
	if err != nil {
		return nil, err
	}
	order, err := nextDectOrder(ctx, tx, *up.ExportedAt)
	if err != nil {
		return nil, err
	}
	file, err := s.Files.Request(ctx, tx, a, sys.Location, db.FileForActivation)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &DectImport{Upload: up, File: file}
	ids := make([]uuid.UUID, len(up.Lines))
	for i, line := range up.Lines {
		l := db.License{
			ID: uuid.New(), PartnerID: sys.Location.PartnerID, LocationID: sys.Location.ID, PartNumber: line.PartNumber, Quantity: line.Quantity,
			AttachedAt: now, AttachedBy: &a.User.ID, PurchaseOrder: order, SalesOrder: order,
		}
		if err := insertWithOwnOrder(ctx, tx, &l, sys.Type.HwkcPrefix); err != nil {
			return nil, err
		}
		l.Status, l.ActivatedAt, l.ActivatedBy, l.FileVersion = db.LicenseActivated, &now, &a.User.ID, &file.Version
		ids[i] = l.ID
		out.Licenses = append(out.Licenses, l)
	}
	if _, err := tx.NewUpdate().Model((*db.License)(nil)).
		Set("status = ?", db.LicenseActivated).Set("activated_at = ?", now).Set("activated_by = ?", a.User.ID).
		Set("file_version = ?", file.Version).Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
		return nil, fmt.Errorf("activate imported licenses: %w", err)
	}
	up.Status, up.OrderNumber, up.ImportedBy, up.ImportedAt, up.LicenseFileID = db.DectUploadImported, &order, &a.User.ID, &now, &file.ID
	if _, err := tx.NewUpdate().Model(up).Column("status", "order_number", "imported_by", "imported_at", "license_file_id").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("record the import of DECT upload %s: %w", up.ID, err)
	}
	if err := licensefile.AnnounceDectUpload(ctx, tx, up); err != nil {
		return nil, err
	}
	objects := []string{audit.Ref("Location", sys.Location.ID), audit.Ref("DectUpload", up.ID), audit.Ref("LicenseFile", file.ID)}
	summary := map[string]any{"location": sys.Location.Name, "hardwareKeyCode": sys.Location.HardwareKeyCode, "order": order, "fileVersion": file.Version}
	for _, l := range out.Licenses {
		objects = append(objects, audit.Ref("License", l.ID))
		summary[l.SoftwareKeyCode] = fmt.Sprintf("%s × %d", l.PartNumber, l.Quantity)
	}
	if err := audit.Record(ctx, tx, audit.Event{Action: "dect.import", PartnerIDs: []uuid.UUID{sys.Location.PartnerID}, Objects: objects, Summary: summary}); err != nil {
		return nil, err
	}
	if err := s.mailDeactivationRequest(ctx, tx, a, sys, up, parts, now); err != nil {
		return nil, err
	}
	return out, nil
}

// lockDectUpload finds an upload the actor may see and locks its system,
// then the upload itself: the order of the upload, which locks the system
// before it inserts; the parse job locks the upload alone and waits on
// nothing while it holds it, so no two of them wait on each other in a
// cycle.
func lockDectUpload(ctx context.Context, tx bun.Tx, a *actor.Actor, id uuid.UUID) (*db.DectUpload, *location.System, error) {
	var locationID uuid.UUID
	err := a.Restrict(tx.NewSelect().Model((*db.DectUpload)(nil)).Column("location_id"), "du.partner_id").
		Where("du.id = ?", id).Scan(ctx, &locationID)
	if isNoRows(err) {
		return nil, nil, apperr.NotFoundf("DECT license file upload").OnField("uploadId")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find DECT upload %s: %w", id, err)
	}
	sys, err := location.LockSystem(ctx, tx, a, locationID, "uploadId")
	if err != nil {
		return nil, nil, err
	}
	up := new(db.DectUpload)
	if err := tx.NewSelect().Model(up).Column(db.DectUploadColumns...).Where("id = ?", id).For("UPDATE").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("lock DECT upload %s: %w", id, err)
	}
	return up, sys, nil
}

// requirePreview refuses an upload that is not waiting for its import.
func requirePreview(up *db.DectUpload) error {
	var why string
	switch up.Status {
	case db.DectUploadPreview:
		return nil
	case db.DectUploadParsing:
		why = "it is still being read; import it once its preview is shown"
	case db.DectUploadFailed:
		why = "it was refused (" + orEmpty(up.ErrorCode) + "); upload a corrected file"
	case db.DectUploadImported:
		why = "it was imported already, as " + orEmpty(up.OrderNumber) + "; the import is allowed once"
	}
	return apperr.New(apperr.NotApplicable, "the DECT license file %s cannot be imported: %s", up.FileName, why).OnField("uploadId")
}

// orEmpty is *p, or "" for nil.
func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// checkDectParts applies the part rules of every attach (CheckPart,
// CheckLimits) to the lines about to be imported, and returns their parts.
func (s *Service) checkDectParts(ctx context.Context, tx bun.Tx, sys *location.System, lines []db.DectUploadLine) (map[string]*catalog.Part, error) {
	numbers := make([]string, len(lines))
	adding := map[string]int{}
	for i, l := range lines {
		numbers[i] = l.PartNumber
		adding[l.PartNumber] += l.Quantity
	}
	parts, err := catalog.PartsByNumber(ctx, tx, numbers)
	if err != nil {
		return nil, err
	}
	for _, n := range numbers {
		if e := CheckPart(sys, parts[n]); e != nil {
			return nil, e.OnField("uploadId")
		}
	}
	u, err := usageOf(ctx, tx, sys)
	if err != nil {
		return nil, err
	}
	if e := CheckLimits(sys, u, adding, parts); e != nil {
		return nil, e.OnField("uploadId")
	}
	return parts, nil
}

// nextDectOrder is the purchase and sales order of an import of a file
// exported at exported: M-1<yyyymmdd><nnn> (DECT-3, the guide's
// M-120140416372 for a file of 16 April 2014), nnn the day's next number
// from 001, wider past 999. Concurrent imports of one day queue on the
// day's row; a rolled-back import gives its number back.
func nextDectOrder(ctx context.Context, tx bun.Tx, exported time.Time) (string, error) {
	n, err := inventory.NextOrderNumber(ctx, tx, inventory.DectImportSeries, exported)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%s%03d", inventory.DectImportSeries, exported.UTC().Format("20060102"), n), nil
}

// mailDeactivationRequest asks the license desk to deactivate the PARI in
// the old license generator (DECT-3, MAIL).
func (s *Service) mailDeactivationRequest(ctx context.Context, tx bun.Tx, a *actor.Actor, sys *location.System, up *db.DectUpload, parts map[string]*catalog.Part, now time.Time) error {
	loc := sys.Location
	var names struct {
		Customer string `bun:"customer"`
		Partner  string `bun:"partner"`
	}
	if err := tx.NewSelect().TableExpr("customers AS c").ColumnExpr("c.name AS customer, p.name AS partner").
		Join("JOIN partners AS p ON p.id = ?", loc.PartnerID).Where("c.id = ?", loc.CustomerID).Scan(ctx, &names); err != nil {
		return fmt.Errorf("load customer and partner of %s: %w", loc.ID, err)
	}
	e := mail.DectDeactivationRequest{
		PartnerName: names.Partner, ImportedBy: a.User.Name, ImportedByEmail: a.User.Email,
		CustomerName: names.Customer, LocationName: loc.Name, LocationID: loc.ID.String(), PARI: loc.HardwareKeyCode,
		Release: *up.Release, ExportedAt: *up.ExportedAt, ImportedAt: now, Order: *up.OrderNumber,
	}
	for _, l := range up.Lines {
		e.Lines = append(e.Lines, mail.DectLine{PartNumber: l.PartNumber, Name: parts[l.PartNumber].Name, Quantity: l.Quantity})
	}
	desk, err := partner.LicenseDesk(ctx, tx)
	if err != nil {
		return err
	}
	// License's service has no notifier of its own: the license files'
	// sends its mail.
	for _, r := range desk {
		e.RecipientName = r.Name
		if _, err := s.Files.Notify.Enqueue(ctx, tx, r, e); err != nil {
			return fmt.Errorf("enqueue DECT deactivation request: %w", err)
		}
	}
	return nil
}
