package licensefile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/location"
)

// MaxProtectDatBytes bounds an uploaded protect.dat: the real file is a few
// hundred bytes, so anything near this is not one.
const MaxProtectDatBytes = 64 << 10

// ProtectDatUpload is a customer's protect.dat that a partner uploads for a
// location (EXT-4).
type ProtectDatUpload struct {
	LocationID uuid.UUID
	// FileName is the name the file was uploaded with; only a sanitised
	// base name is kept.
	FileName string
	// File is the content. It is read once the caller may upload for the
	// location, outside the transaction, and at most MaxProtectDatBytes+1
	// bytes of it.
	File io.Reader
	// Size is the size the upload declared; one over MaxProtectDatBytes is
	// refused without reading. 0: not declared.
	Size int64
}

// ProtectDatPath is the HTTP path a protect.dat upload is downloaded from,
// authorised like the API.
func ProtectDatPath(id uuid.UUID) string { return "/protect-dat/" + id.String() }

// UploadProtectDat stores the customer's protect.dat for a location whose
// system type needs one (Expense Management), for the license desk to
// request the license file with (EXT-4). Every upload is kept; the newest is
// the location's current one. The location's partner and the license desk
// may call it; the caller and the location are checked before the file is
// read. Errors: UNAUTHENTICATED, VALIDATION_FAILED (empty, or over
// MaxProtectDatBytes), NOT_FOUND (location, also another partner's),
// NOT_APPLICABLE (the system type takes no protect.dat).
func (s *Service) UploadProtectDat(ctx context.Context, in ProtectDatUpload) (*db.ProtectDat, error) {
	pd, err := s.uploadProtectDat(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("upload protect.dat for location %s: %w", in.LocationID, err)
	}
	return pd, nil
}

func (s *Service) uploadProtectDat(ctx context.Context, in ProtectDatUpload) (*db.ProtectDat, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkTarget(ctx, a, in.LocationID, requireProtectDat); err != nil {
		return nil, err
	}
	content, err := readUpload(in.File, in.Size, MaxProtectDatBytes, "a protect.dat")
	if err != nil {
		return nil, err
	}
	var errs apperr.List
	checkUploadSize(&errs, content, MaxProtectDatBytes, "a protect.dat")
	if err := errs.Err(); err != nil {
		return nil, err
	}
	var pd *db.ProtectDat
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
		if err != nil {
			return err
		}
		if e := requireProtectDat(sys.Type); e != nil {
			return e
		}
		sum := sha256.Sum256(content)
		pd = &db.ProtectDat{
			ID: uuid.New(), LocationID: sys.Location.ID, PartnerID: sys.Location.PartnerID, FileName: uploadName(in.FileName, "protect.dat"),
			Content: content, SHA256: hex.EncodeToString(sum[:]), Size: len(content), UploadedBy: &a.User.ID,
		}
		if _, err := tx.NewInsert().Model(pd).Returning("uploaded_at").Exec(ctx); err != nil {
			return fmt.Errorf("store protect.dat: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: "location.upload_protect_dat", PartnerIDs: []uuid.UUID{sys.Location.PartnerID},
			Objects: []string{audit.Ref("Location", sys.Location.ID), audit.Ref("ProtectDat", pd.ID)},
			Summary: map[string]any{"location": sys.Location.Name, "hardwareKeyCode": sys.Location.HardwareKeyCode, "fileName": pd.FileName, "size": pd.Size, "sha256": pd.SHA256},
		})
	})
	if err != nil {
		return nil, err
	}
	pd.Content = nil
	return pd, nil
}

// requireProtectDat refuses a protect.dat for a location that needs none.
func requireProtectDat(st *catalog.SystemType) *apperr.Error {
	if st.HasFlag(catalog.FlagProtectDat) {
		return nil
	}
	return apperr.New(apperr.NotApplicable, "a %s location needs no protect.dat; only Expense Management locations do", st.Name).OnField("locationId")
}

// CurrentProtectDats returns the newest protect.dat (without content) of
// each location, in order, nil where a location has none or is not the
// caller's, in one statement; the Location.protectDat loader calls it with
// a whole batch. Any signed-in user may call it and sees only their
// partner's uploads (the license desk sees all). Errors: UNAUTHENTICATED.
func (s *Service) CurrentProtectDats(ctx context.Context, locationIDs []uuid.UUID) ([]*db.ProtectDat, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.ProtectDat
	q := a.Restrict(s.DB.NewSelect().Model(&rows).Column(db.ProtectDatColumns...), "pd.partner_id").
		DistinctOn("pd.location_id").Where("pd.location_id IN (?)", bun.In(locationIDs)).
		OrderExpr("pd.location_id, pd.uploaded_at DESC, pd.id DESC")
	if err := q.Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find current protect.dat files: %w", err)
	}
	return db.InOrder(locationIDs, rows, func(pd *db.ProtectDat) uuid.UUID { return pd.LocationID }), nil
}

// FindProtectDats returns protect.dat uploads (without content) by id, in
// order, nil where one is missing or not the caller's, in one statement
// (node lookups). Any signed-in user may call it and sees only their
// partner's uploads (the license desk sees all). Errors: UNAUTHENTICATED.
func (s *Service) FindProtectDats(ctx context.Context, ids []uuid.UUID) ([]*db.ProtectDat, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.ProtectDat
	if err := a.Restrict(s.DB.NewSelect().Model(&rows).Column(db.ProtectDatColumns...), "pd.partner_id").
		Where("pd.id IN (?)", bun.In(ids)).Scan(ctx); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("find protect.dat files: %w", err)
	}
	return db.InOrder(ids, rows, func(pd *db.ProtectDat) uuid.UUID { return pd.ID }), nil
}

// DownloadProtectDat returns a protect.dat upload with its content, for the
// location's partner and the license desk. Errors: UNAUTHENTICATED,
// NOT_FOUND (also another partner's).
func (s *Service) DownloadProtectDat(ctx context.Context, id uuid.UUID) (*db.ProtectDat, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	pd := new(db.ProtectDat)
	if err := a.Restrict(s.DB.NewSelect().Model(pd), "pd.partner_id").Where("pd.id = ?", id).Scan(ctx); isNoRows(err) {
		return nil, apperr.NotFoundf("protect.dat")
	} else if err != nil {
		return nil, fmt.Errorf("load protect.dat %s: %w", id, err)
	}
	return pd, nil
}
