package licensefile

// DECT License File Upload (DECT-3): a partner uploads the license export
// of an IP DECT system from before Release 6 (DECT-4) for its location,
// once and as the first action; a River job parses it with the catalog's
// DECT parts and the location's HWKC (package dect) into a preview or the
// guide's error; package license imports the preview as activated
// licenses. Every status change is announced to the location's subscribers
// like a license file (FileReadyChannel).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/dect"
	"lms/idempotency"
	"lms/location"
)

// ParseDectUploadArgs is the River job that parses one DECT upload.
type ParseDectUploadArgs struct {
	UploadID uuid.UUID `json:"upload_id"`
}

// Kind implements river.JobArgs.
func (ParseDectUploadArgs) Kind() string { return "parse_dect_upload" }

// InsertOpts implements river.JobArgsWithInsertOpts: a few attempts, then
// the upload is FAILED with UNKNOWN_ERROR and may be uploaded again.
func (ParseDectUploadArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// DectUploadInput is a DECT Manager license export uploaded for an IP DECT
// location (DECT-3).
type DectUploadInput struct {
	LocationID uuid.UUID
	// FileName is the name the file was uploaded with; only a sanitised
	// base name is kept.
	FileName string
	// File is the content, read once the caller and the location are
	// checked, and at most dect.MaxFileBytes+1 bytes of it.
	File io.Reader
	// Size is the size the upload declared; one over dect.MaxFileBytes is
	// refused without reading. 0: not declared.
	Size int64
	// IdempotencyKey makes a retry return the first answer (SPEC §12).
	IdempotencyKey *string
}

// dectFile is an upload read into memory; the JSON idempotency.Once hashes
// carries SHA256 instead of the content.
type dectFile struct {
	LocationID uuid.UUID `json:"locationId"`
	FileName   string    `json:"fileName"`
	Content    []byte    `json:"-"`
	SHA256     string    `json:"sha256"`
}

// UploadDectFile stores a DECT Manager license export for an IP DECT
// location, PARSING, and enqueues the job that parses it, in one
// transaction (DECT-3); the answer comes before the parse, whose outcome
// (PREVIEW or FAILED) the location's subscribers hear of (WatchDectUploads).
// It is allowed once and as the first action: not while the location has
// an upload that is not FAILED, nor once a license was activated on it. A
// retry with the same idempotency key and file answers the same upload. The
// location's partner and the license desk may call it; the caller and the
// location are checked before the file is read. Errors: UNAUTHENTICATED,
// NOT_FOUND (location, also another partner's), NOT_APPLICABLE (not an IP
// DECT location, an upload or an activation before), VALIDATION_FAILED
// (empty, or over dect.MaxFileBytes), IDEMPOTENCY_KEY_REUSED.
func (s *Service) UploadDectFile(ctx context.Context, in DectUploadInput) (*db.DectUpload, error) {
	up, err := s.uploadDectFile(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("upload DECT license file for location %s: %w", in.LocationID, err)
	}
	return up, nil
}

func (s *Service) uploadDectFile(ctx context.Context, in DectUploadInput) (*db.DectUpload, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	sys, err := location.FindSystem(ctx, s.DB, a, in.LocationID, "locationId")
	if err != nil {
		return nil, err
	}
	if err := CheckDectImport(ctx, s.DB, sys); err != nil {
		return nil, err
	}
	content, err := readUpload(in.File, in.Size, dect.MaxFileBytes, "a DECT license file")
	if err != nil {
		return nil, err
	}
	var errs apperr.List
	checkUploadSize(&errs, content, dect.MaxFileBytes, "a DECT license file")
	if err := errs.Err(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(content)
	f := &dectFile{LocationID: in.LocationID, FileName: uploadName(in.FileName, "dect-license-file.txt"), Content: content, SHA256: hex.EncodeToString(sum[:])}
	var id uuid.UUID
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		id, err = idempotency.Once(ctx, tx, a, in.IdempotencyKey, "uploadDectLicenseFile", f, func() (uuid.UUID, error) {
			return s.storeDectUpload(ctx, tx, a, f)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	// Read after the commit: a retry with the key gets the upload as it is
	// now, perhaps parsed already.
	ups, err := s.FindDectUploads(ctx, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	return ups[0], nil
}

// storeDectUpload checks again, under the system's lock, that the location
// may take the upload, then stores it and enqueues its parse job.
func (s *Service) storeDectUpload(ctx context.Context, tx bun.Tx, a *actor.Actor, f *dectFile) (uuid.UUID, error) {
	sys, err := location.LockSystem(ctx, tx, a, f.LocationID, "locationId")
	if err != nil {
		return uuid.Nil, err
	}
	if err := CheckDectImport(ctx, tx, sys); err != nil {
		return uuid.Nil, err
	}
	prior := new(db.DectUpload)
	err = tx.NewSelect().Model(prior).Column("id", "status", "uploaded_at").Where("location_id = ?", sys.Location.ID).
		Where("status <> ?", db.DectUploadFailed).Limit(1).Scan(ctx)
	if err == nil {
		return uuid.Nil, apperr.New(apperr.NotApplicable, "%s has a DECT license file upload already (%s, uploaded %s): the upload is allowed once",
			sys.Location.Name, prior.Status, prior.UploadedAt.UTC().Format(time.DateOnly)).OnField("locationId")
	}
	if !isNoRows(err) {
		return uuid.Nil, fmt.Errorf("find earlier DECT uploads: %w", err)
	}
	up := &db.DectUpload{
		ID: uuid.New(), LocationID: sys.Location.ID, PartnerID: sys.Location.PartnerID, Status: db.DectUploadParsing,
		FileName: f.FileName, Content: f.Content, SHA256: f.SHA256, Size: len(f.Content), UploadedBy: &a.User.ID,
		Lines: []db.DectUploadLine{},
	}
	if _, err := tx.NewInsert().Model(up).Returning("uploaded_at").Exec(ctx); err != nil {
		return uuid.Nil, fmt.Errorf("store DECT upload: %w", err)
	}
	if _, err := s.Jobs.InsertTx(ctx, tx.Tx, ParseDectUploadArgs{UploadID: up.ID}, nil); err != nil {
		return uuid.Nil, fmt.Errorf("enqueue DECT upload parse: %w", err)
	}
	if err := audit.Record(ctx, tx, audit.Event{
		Action: "dect.upload", PartnerIDs: []uuid.UUID{sys.Location.PartnerID},
		Objects: []string{audit.Ref("Location", sys.Location.ID), audit.Ref("DectUpload", up.ID)},
		Summary: map[string]any{"location": sys.Location.Name, "hardwareKeyCode": sys.Location.HardwareKeyCode, "fileName": up.FileName, "size": up.Size, "sha256": up.SHA256},
	}); err != nil {
		return uuid.Nil, err
	}
	return up.ID, AnnounceDectUpload(ctx, tx, up)
}

// CheckDectImport says whether a location may take a DECT license file
// upload and its import now (DECT-3): its system type imports license files
// (catalog flag LICENSE_FILE_IMPORT: IP DECT), and no license was activated
// on it; NOT_APPLICABLE (on locationId) otherwise. The upload checks it
// before it reads the file and again under the system's lock, the import
// under the lock.
func CheckDectImport(ctx context.Context, idb bun.IDB, sys *location.System) error {
	if !sys.Type.HasFlag(catalog.FlagLicenseFileImport) {
		return apperr.New(apperr.NotApplicable, "a %s location takes no DECT license file upload; only IP DECT locations do", sys.Type.Name).OnField("locationId")
	}
	activated, err := idb.NewSelect().Model((*db.License)(nil)).Where("location_id = ?", sys.Location.ID).
		Where("status = ?", db.LicenseActivated).Exists(ctx)
	if err != nil {
		return fmt.Errorf("find activated licenses of %s: %w", sys.Location.ID, err)
	}
	if activated {
		return apperr.New(apperr.NotApplicable, "%s has activated licenses: the DECT license file upload is only allowed as the first action on a location", sys.Location.Name).OnField("locationId")
	}
	return nil
}

// DectRules are the rules a DECT upload for a location of systemType with
// HWKC pari is parsed with at now (DECT-4): the catalog's parts of the
// system type, with their roles from their flags.
func DectRules(c *catalog.Catalog, systemType, pari string, now time.Time) dect.Rules {
	parts := map[string]dect.Role{}
	for _, p := range c.PartsFor(systemType) {
		parts[p.Number] = dectRole(p)
	}
	return dect.Rules{Parts: parts, PARI: pari, Now: now}
}

// dectRole is what a part counts as in DECT-4, by its catalog flags.
func dectRole(p catalog.Part) dect.Role {
	switch {
	case p.HasFlag(catalog.FlagApCapacity):
		return dect.RoleAPCapacity
	case p.HasFlag(catalog.FlagUpgradeAllowance):
		return dect.RoleUpgradeAllowance
	case p.HasFlag(catalog.FlagMessaging):
		return dect.RoleMessaging
	case p.HasFlag(catalog.FlagLocation):
		return dect.RoleLocation
	}
	return dect.RoleFeature
}

// ParseDectUpload parses a PARSING upload with the rules of its location
// now (DectRules) and records the outcome: PREVIEW with the file's PARI,
// release, export time and lines, or FAILED with the guide's code, line and
// message; the outcome, its audit event and its announcement commit
// together. An upload parsed already is left alone, so a job retried after
// a crash, or run twice, yields one outcome. The parse worker calls it.
func (s *Service) ParseDectUpload(ctx context.Context, uploadID uuid.UUID) error {
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		up := new(db.DectUpload)
		err := tx.NewSelect().Model(up).Where("id = ?", uploadID).For("UPDATE").Scan(ctx)
		if isNoRows(err) {
			return river.JobCancel(fmt.Errorf("DECT upload %s does not exist", uploadID))
		}
		if err != nil {
			return fmt.Errorf("lock DECT upload: %w", err)
		}
		if up.Status != db.DectUploadParsing {
			return nil
		}
		loc := new(db.Location)
		if err := tx.NewSelect().Model(loc).Where("l.id = ?", up.LocationID).Scan(ctx); err != nil {
			return fmt.Errorf("load location: %w", err)
		}
		cat, err := catalog.Current(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		var x *dect.Export
		var refused *dect.Error
		if loc.DeletedAt != nil {
			refused = &dect.Error{Code: apperr.NotApplicable, Message: "the location was deleted"}
		} else if x, err = dect.Parse(up.Content, DectRules(cat, loc.SystemType, loc.HardwareKeyCode, now)); err != nil && !errors.As(err, &refused) {
			return fmt.Errorf("parse DECT upload: %w", err)
		}
		up.ParsedAt = &now
		summary := map[string]any{"location": loc.Name, "fileName": up.FileName}
		if refused != nil {
			recordRefusal(up, refused)
			summary["code"], summary["message"] = refused.Code, refused.Message
		} else {
			recordPreview(up, x)
			summary["hardwareKeyCode"], summary["lines"] = x.PARI, len(x.Features)
		}
		summary["status"] = up.Status
		if _, err := tx.NewUpdate().Model(up).Column("status", "parsed_at", "hardware_key_code", "release", "exported_at", "lines",
			"error_code", "error_line", "error_message").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("record parsed DECT upload: %w", err)
		}
		if err := audit.Record(ctx, tx, audit.Event{
			Action: "dect.parse", PartnerIDs: []uuid.UUID{up.PartnerID},
			Objects: []string{audit.Ref("Location", up.LocationID), audit.Ref("DectUpload", up.ID)}, Summary: summary,
		}); err != nil {
			return err
		}
		return AnnounceDectUpload(ctx, tx, up)
	})
	if err != nil {
		return fmt.Errorf("parse DECT upload %s: %w", uploadID, err)
	}
	return nil
}

func recordPreview(up *db.DectUpload, x *dect.Export) {
	up.Status, up.HardwareKeyCode, up.Release, up.ExportedAt = db.DectUploadPreview, &x.PARI, &x.Release, &x.Timestamp
	up.Lines = make([]db.DectUploadLine, len(x.Features))
	for i, f := range x.Features {
		up.Lines[i] = db.DectUploadLine{PartNumber: f.PartNumber, Quantity: f.Quantity}
	}
}

func recordRefusal(up *db.DectUpload, e *dect.Error) {
	code := string(e.Code)
	up.Status, up.ErrorCode, up.ErrorLine, up.ErrorMessage = db.DectUploadFailed, &code, &e.Line, &e.Message
}

// GiveUpDectUpload records an upload whose parse job ran out of attempts
// as FAILED with UNKNOWN_ERROR, so that it does not stay PARSING and a new
// file may be uploaded. The parse worker calls it after the last attempt.
func (s *Service) GiveUpDectUpload(ctx context.Context, uploadID uuid.UUID, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		up := new(db.DectUpload)
		err := tx.NewSelect().Model(up).Column(db.DectUploadColumns...).Where("id = ?", uploadID).For("UPDATE").Scan(ctx)
		if isNoRows(err) || err == nil && up.Status != db.DectUploadParsing {
			return nil
		}
		if err != nil {
			return err
		}
		now := s.now()
		up.ParsedAt = &now
		recordRefusal(up, &dect.Error{Code: apperr.UnknownError, Message: "the file could not be read after several attempts; upload it again"})
		if _, err := tx.NewUpdate().Model(up).Column("status", "parsed_at", "error_code", "error_line", "error_message").WherePK().Exec(ctx); err != nil {
			return err
		}
		return AnnounceDectUpload(ctx, tx, up)
	})
	if err != nil {
		return errors.Join(cause, fmt.Errorf("record failed DECT upload %s: %w", uploadID, err))
	}
	return cause
}

// DectUploadError is why an upload was refused, as the user reads it: the
// guide's code, the line (0: the whole file), the message and what to do;
// nil unless the upload is FAILED.
func DectUploadError(up *db.DectUpload) *dect.Error {
	if up.Status != db.DectUploadFailed || up.ErrorCode == nil {
		return nil
	}
	e := &dect.Error{Code: apperr.Code(*up.ErrorCode), Message: deref(up.ErrorMessage)}
	if up.ErrorLine != nil {
		e.Line = *up.ErrorLine
	}
	return e
}

// AnnounceDectUpload tells the subscribers of the upload's location in
// every API process, once tx commits, that the upload has a new status;
// the same channel as license files (FileReadyChannel).
func AnnounceDectUpload(ctx context.Context, tx bun.Tx, up *db.DectUpload) error {
	return notifyEvent(ctx, tx, FileReadyEvent{LocationID: up.LocationID, DectUploadID: up.ID})
}

// FindDectUploads returns DECT uploads (without content) by id, in order,
// nil where one is missing or not the caller's, in one statement. Any
// signed-in user may call it and sees only their partner's uploads (the
// license desk sees all). Errors: UNAUTHENTICATED.
func (s *Service) FindDectUploads(ctx context.Context, ids []uuid.UUID) ([]*db.DectUpload, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.DectUpload
	if err := a.Restrict(s.DB.NewSelect().Model(&rows).Column(db.DectUploadColumns...), "du.partner_id").
		Where("du.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find DECT uploads: %w", err)
	}
	return db.InOrder(ids, rows, func(up *db.DectUpload) uuid.UUID { return up.ID }), nil
}

// CurrentDectUploads returns the newest DECT upload (without content) of
// each location, in order, nil where a location has none or is not the
// caller's, in one statement; the Location.dectUpload loader calls it with
// a whole batch. Any signed-in user may call it and sees only their
// partner's uploads (the license desk sees all). Errors: UNAUTHENTICATED.
func (s *Service) CurrentDectUploads(ctx context.Context, locationIDs []uuid.UUID) ([]*db.DectUpload, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.DectUpload
	q := a.Restrict(s.DB.NewSelect().Model(&rows).Column(db.DectUploadColumns...), "du.partner_id").
		DistinctOn("du.location_id").Where("du.location_id IN (?)", bun.In(locationIDs)).
		OrderExpr("du.location_id, du.uploaded_at DESC, du.id DESC")
	if err := q.Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find current DECT uploads: %w", err)
	}
	return db.InOrder(locationIDs, rows, func(up *db.DectUpload) uuid.UUID { return up.LocationID }), nil
}

// WatchDectUploads streams the DECT uploads of a location as their status
// changes from now on (PREVIEW or FAILED after the parse, IMPORTED), until
// ctx ends. With uploadID, that upload is sent at once if it is parsed
// already, so a client that subscribes after uploading cannot miss its
// preview. The location must be one the caller may see. Errors:
// UNAUTHENTICATED, NOT_FOUND.
func (s *Service) WatchDectUploads(ctx context.Context, locationID uuid.UUID, uploadID *uuid.UUID) (<-chan *db.DectUpload, error) {
	type change struct {
		id     uuid.UUID
		status db.DectUploadStatus
	}
	sent := map[change]bool{}
	return watchLocation(ctx, s, locationID, uploadID, func(ev FileReadyEvent) uuid.UUID { return ev.DectUploadID }, func(id uuid.UUID) *db.DectUpload {
		ups, err := s.FindDectUploads(ctx, []uuid.UUID{id})
		if err != nil || ups[0] == nil || ups[0].LocationID != locationID || ups[0].Status == db.DectUploadParsing {
			return nil
		}
		c := change{id, ups[0].Status}
		if sent[c] {
			return nil
		}
		sent[c] = true
		return ups[0]
	})
}
