package licensefile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/licensefile/format"
	"lms/location"
	"lms/mail"
)

// GenerateFileArgs is the River job that builds one requested generation of
// a location's license file.
type GenerateFileArgs struct {
	FileID uuid.UUID `json:"file_id"`
}

// Kind implements river.JobArgs.
func (GenerateFileArgs) Kind() string { return "generate_license_file" }

// InsertOpts implements river.JobArgsWithInsertOpts: files have their own
// queue, so mail or other work never delays them.
func (GenerateFileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: FileQueue, MaxAttempts: 10}
}

// FileQueue is the River queue of license file generation.
const FileQueue = "license_files"

// FileReadyChannel is the PostgreSQL notification channel a committed file
// generation is announced on, so that subscribers in any API process hear
// of files built by workers in any other (LIC-5).
const FileReadyChannel = "lms_license_file_ready"

// FileReadyEvent is the payload of a FileReadyChannel notification: a
// generation reached its final status, or, with DectUploadID instead of
// FileID, a DECT license file upload changed status (DECT-3).
type FileReadyEvent struct {
	FileID       uuid.UUID `json:"fileId,omitzero"`
	LocationID   uuid.UUID `json:"locationId"`
	Version      int       `json:"version,omitzero"`
	DectUploadID uuid.UUID `json:"dectUploadId,omitzero"`
}

// Generate builds a requested license file generation: every license
// activated on the location up to that generation, stacked (LIC-9), bound
// to the HWKC(s), signed and packaged (LIC-6). It commits the file, the
// "license file ready" mail and the ready notification together. A
// generation already built is left alone, so a job retried after a crash
// produces exactly one file. The file worker calls it.
func (s *Service) Generate(ctx context.Context, fileID uuid.UUID) error {
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		f := new(db.LicenseFile)
		err := tx.NewSelect().Model(f).Column(db.LicenseFileColumns...).Where("id = ?", fileID).For("UPDATE").Scan(ctx)
		if isNoRows(err) {
			return river.JobCancel(fmt.Errorf("license file %s does not exist", fileID))
		}
		if err != nil {
			return fmt.Errorf("lock license file: %w", err)
		}
		if f.Status != db.LicenseFilePending {
			return nil
		}
		loc := new(db.Location)
		if err := tx.NewSelect().Model(loc).Where("l.id = ?", f.LocationID).Scan(ctx); err != nil {
			return fmt.Errorf("load location: %w", err)
		}
		sts, err := catalog.FindSystemTypes(ctx, tx, []string{loc.SystemType})
		if err != nil {
			return err
		}
		st := sts[0]
		now := s.now()
		features, expires, err := s.fileContent(ctx, tx, f, st, now)
		if err != nil {
			return err
		}
		payloads, layout, err := s.payloads(ctx, tx, boundLocation(f, loc), st, features, f.Version, now, expires)
		if err != nil {
			return err
		}
		built, err := format.Build(s.Signer, layout, payloads...)
		if err != nil {
			return s.fail(ctx, tx, f, err.Error())
		}
		featuresJSON, err := json.Marshal(features)
		if err != nil {
			return err
		}
		f.Status, f.ReadyAt, f.Content, f.FileName = db.LicenseFileReady, &now, built.Zip, &built.FileName
		f.SHA256, f.ActivationCode, f.KeyID, f.Features = &built.SHA256, &built.ActivationCode, &built.KeyID, featuresJSON
		// The expiry as signed (whole seconds), so the row and the file agree.
		f.ExpiresAt = built.Payloads[0].ExpiresAt
		if _, err := tx.NewUpdate().Model(f).Column("status", "ready_at", "content", "file_name", "sha256", "activation_code", "key_id", "features", "expires_at").
			WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("store license file: %w", err)
		}
		if err := s.mailFileReady(ctx, tx, f, loc, st, features); err != nil {
			return err
		}
		return announce(ctx, tx, f)
	})
	if err != nil {
		return fmt.Errorf("generate license file %s: %w", fileID, err)
	}
	return nil
}

// GiveUp records that a generation failed for good (its job ran out of
// attempts), so that the location shows it as FAILED instead of pending
// forever; regenerating requests a new one. The file worker calls it.
func (s *Service) GiveUp(ctx context.Context, fileID uuid.UUID, cause error) error {
	// The job's context is often what ended it (timeout, shutdown); the
	// record must still be written.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		f := new(db.LicenseFile)
		err := tx.NewSelect().Model(f).Column(db.LicenseFileColumns...).Where("id = ?", fileID).For("UPDATE").Scan(ctx)
		if isNoRows(err) || err == nil && f.Status != db.LicenseFilePending {
			return nil
		}
		if err != nil {
			return err
		}
		return s.fail(ctx, tx, f, "generation failed after several attempts; regenerate the file")
	})
	if err != nil {
		return errors.Join(cause, fmt.Errorf("record failed license file %s: %w", fileID, err))
	}
	return cause
}

// fail records a generation that can never succeed (its content is
// invalid); retrying would not help.
func (s *Service) fail(ctx context.Context, tx bun.Tx, f *db.LicenseFile, reason string) error {
	f.Status, f.Error = db.LicenseFileFailed, reason
	if _, err := tx.NewUpdate().Model(f).Column("status", "error").WherePK().Exec(ctx); err != nil {
		return err
	}
	return announce(ctx, tx, f)
}

// announce tells the subscribers of every API process, once tx commits,
// that a generation has its final status (READY or FAILED).
func announce(ctx context.Context, tx bun.Tx, f *db.LicenseFile) error {
	return notifyEvent(ctx, tx, FileReadyEvent{FileID: f.ID, LocationID: f.LocationID, Version: f.Version})
}

// Entitlement is a location's stacked entitlement for one part (LIC-9):
// QUANTITY parts sum their quantities, VERSION parts take the highest
// version. It is what a license file grants, feature by feature.
type Entitlement = format.Feature

// stackedFeatures stacks the location's activated licenses of generations
// up to version (all of them when version is 0).
func (s *Service) stackedFeatures(ctx context.Context, idb bun.IDB, locationID uuid.UUID, version int) ([]Entitlement, error) {
	out, err := s.entitlements(ctx, idb, []uuid.UUID{locationID}, version, nil)
	if err != nil {
		return nil, err
	}
	return out[locationID], nil
}

// entitlements stacks the activated licenses of several locations in one
// statement (LIC-9), ordered by part number; with partnerID, only those of
// the partner's locations (the check done in the same statement).
func (s *Service) entitlements(ctx context.Context, idb bun.IDB, locationIDs []uuid.UUID, version int, partnerID *uuid.UUID) (map[uuid.UUID][]Entitlement, error) {
	var rows []struct {
		LocationID uuid.UUID `bun:"location_id"`
		Number     string    `bun:"number"`
		Name       string    `bun:"name"`
		Stacking   string    `bun:"stacking"`
		Quantity   int       `bun:"quantity"`
		Version    int       `bun:"version"`
	}
	q := idb.NewSelect().TableExpr("licenses AS lic").
		ColumnExpr("lic.location_id, p.number, p.name, p.stacking").
		ColumnExpr("sum(lic.quantity)::int AS quantity, coalesce(max(p.version), 0) AS version").
		Join("JOIN parts AS p ON p.number = lic.part_number").
		Where("lic.location_id IN (?)", bun.In(locationIDs)).Where("lic.status = ?", db.LicenseActivated).
		GroupExpr("lic.location_id, p.number, p.name, p.stacking").OrderExpr("lic.location_id, p.number")
	if version > 0 {
		q = q.Where("lic.file_version <= ?", version)
	}
	if partnerID != nil {
		q = q.Where("EXISTS (SELECT 1 FROM locations AS l WHERE l.id = lic.location_id AND l.partner_id = ?)", *partnerID)
	}
	if err := q.Scan(ctx, &rows); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("stack licenses: %w", err)
	}
	out := map[uuid.UUID][]Entitlement{}
	for _, r := range rows {
		e := Entitlement{PartNumber: r.Number, Name: r.Name, Stacking: r.Stacking}
		if r.Stacking == catalog.StackingVersion {
			e.Version = r.Version
		} else {
			e.Quantity = r.Quantity
		}
		out[r.LocationID] = append(out[r.LocationID], e)
	}
	return out, nil
}

// fileContent is what a generation grants: for a demo file every feature
// of the system type, expiring the catalog's number of days after issued
// (LIC-10); otherwise the location's activated licenses up to the
// generation, stacked (LIC-9), without expiry but for an emergency file
// (EmergencyFileValidity after its request, HWR-2).
func (s *Service) fileContent(ctx context.Context, tx bun.Tx, f *db.LicenseFile, st *catalog.SystemType, issued time.Time) ([]Entitlement, *time.Time, error) {
	if f.Reason != db.FileForDemo {
		features, err := s.stackedFeatures(ctx, tx, f.LocationID, f.Version)
		return features, emergencyExpiry(f), err
	}
	features, err := demoFeatures(ctx, tx, st)
	if err != nil {
		return nil, nil, err
	}
	expires := issued.UTC().AddDate(0, 0, st.DemoLicenseDays)
	return features, &expires, nil
}

// payloads are the signed units of a location's file: the location itself
// and, for a redundant BX9000/OVOC pair, its secondary (LOC-10, LIC-6).
// expires is nil except for a demo file (LIC-10).
func (s *Service) payloads(ctx context.Context, tx bun.Tx, loc *db.Location, st *catalog.SystemType, features []Entitlement, version int, issued time.Time, expires *time.Time) ([]format.Payload, format.Layout, error) {
	unit := func(l *db.Location) format.Payload {
		return format.Payload{
			FormatVersion: format.FormatVersion, LocationID: l.ID.String(), SystemType: st.Code, SystemName: st.Name,
			HardwareKeyCode: l.HardwareKeyCode, SecondaryHardwareKeyCode: deref(l.SecondaryHardwareKeyCode),
			ProductKey: deref(l.ProductKey), Features: features, IssuedAt: issued.UTC(), Sequence: version, ExpiresAt: expires,
		}
	}
	payloads := []format.Payload{unit(loc)}
	if !st.HasFlag(catalog.FlagProductKey) {
		return payloads, format.LayoutSVI, nil
	}
	secondary, err := location.RedundantSecondary(ctx, tx, loc)
	if err != nil {
		return nil, "", err
	}
	if secondary != nil {
		payloads = append(payloads, unit(secondary))
	}
	return payloads, format.LayoutBX, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// mailFileReady sends the activation code to the user who asked for the
// file and to the location's dealer email (LIC-6); a demo file's mail says
// until when it works (LIC-10), an emergency file has its own
// (emergencyFileReady, HWR-2).
func (s *Service) mailFileReady(ctx context.Context, tx bun.Tx, f *db.LicenseFile, loc *db.Location, st *catalog.SystemType, features []Entitlement) error {
	cust := new(db.Customer)
	if err := tx.NewSelect().Model(cust).Column("name").Where("id = ?", loc.CustomerID).Scan(ctx); err != nil {
		return fmt.Errorf("load customer: %w", err)
	}
	link := s.emailedLink(f.ID)
	e := mail.LicenseFileReady{
		CustomerName: cust.Name, LocationName: loc.Name, LocationID: loc.ID.String(), SystemTypeName: st.Name,
		HardwareKeyCode: loc.HardwareKeyCode, ActivationCode: *f.ActivationCode, FileName: *f.FileName,
		Version: f.Version, DownloadURL: link.url, LinkExpiresAt: link.expires, IssuedAt: *f.ReadyAt, ExpiresAt: f.ExpiresAt,
	}
	for _, x := range features {
		e.Features = append(e.Features, mail.FileFeature{PartNumber: x.PartNumber, Name: x.Name, Amount: x.Amount()})
	}
	var requester []uuid.UUID
	if f.RequestedBy != nil {
		requester = append(requester, *f.RequestedBy)
	}
	to, err := fileRecipients(ctx, tx, loc, requester)
	if err != nil {
		return err
	}
	for _, r := range to {
		e.RecipientName = r.Name
		var m mail.Email = e
		if f.Reason == db.FileForEmergency {
			m = emergencyFileReady(e, *f.HardwareKeyCode)
		}
		if _, err := s.Notify.Enqueue(ctx, tx, r, m); err != nil {
			return fmt.Errorf("enqueue license file mail: %w", err)
		}
	}
	return nil
}

// DownloadPath is the HTTP path a license file generation is downloaded
// from, authorised like the API, or by a signed link (DownloadByLink).
func DownloadPath(fileID uuid.UUID) string { return "/license-files/" + fileID.String() }

// Download returns a license file generation with its content, for a user
// who may see its location. Errors: UNAUTHENTICATED, NOT_FOUND,
// NOT_APPLICABLE (not ready yet, an external file not uploaded yet, or
// failed).
func (s *Service) Download(ctx context.Context, fileID uuid.UUID) (*db.LicenseFile, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	f := new(db.LicenseFile)
	q := s.DB.NewSelect().Model(f).Where("lf.id = ?", fileID)
	if !a.IsAdmin() {
		q = q.Where("lf.partner_id = ?", a.Partner.ID)
	}
	if err := q.Scan(ctx); isNoRows(err) {
		return nil, apperr.NotFoundf("license file")
	} else if err != nil {
		return nil, fmt.Errorf("load license file %s: %w", fileID, err)
	}
	if err := downloadable(f); err != nil {
		return nil, err
	}
	return f, nil
}

// downloadable says why a generation cannot be downloaded (NOT_APPLICABLE),
// or nil when it is ready.
func downloadable(f *db.LicenseFile) error {
	switch {
	case f.Status == db.LicenseFilePending && f.Reason == db.FileFromExternalSource:
		return notAvailableYet(f)
	case f.Status == db.LicenseFilePending:
		return apperr.New(apperr.NotApplicable, "license file version %d is still being generated; try again in a moment", f.Version)
	case f.Status == db.LicenseFileFailed:
		return apperr.New(apperr.NotApplicable, "license file version %d could not be generated (%s); regenerate it", f.Version, f.Error)
	}
	return nil
}

// FindFiles returns license files (without content) by id, in order, nil
// where one is missing or not the caller's.
func (s *Service) FindFiles(ctx context.Context, ids []uuid.UUID) ([]*db.LicenseFile, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.LicenseFile
	q := s.DB.NewSelect().Model(&rows).Column(db.LicenseFileColumns...).Where("id IN (?)", bun.In(ids))
	if !a.IsAdmin() {
		q = q.Where("partner_id = ?", a.Partner.ID)
	}
	if err := q.Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find license files: %w", err)
	}
	return db.InOrder(ids, rows, func(f *db.LicenseFile) uuid.UUID { return f.ID }), nil
}

// Features decodes the stacked features a generation stored when it was
// built (Generate): what the file grants. A generation not built (pending,
// failed, uploaded) has none.
func Features(f *db.LicenseFile) ([]Entitlement, error) {
	out := []Entitlement{}
	if len(f.Features) == 0 {
		return out, nil
	}
	if err := json.Unmarshal(f.Features, &out); err != nil {
		return nil, fmt.Errorf("decode features of license file %s: %w", f.ID, err)
	}
	return out, nil
}
