package license

// External products (EXT-1..EXT-3, LOC-11): RCC, UM4730, Expense
// Management, MobiCall and MobiBox are attached and activated like any
// system, but their license file comes from an external source. LMS keeps a
// PENDING file per location and sales order until the license desk uploads
// it, and attach takes a purchase order whole.

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/mail"
	"lms/notify"
	"lms/page"
)

// lockSelection locks the selected bin lines (lockLines). For an external
// product it locks every line of the orders they belong to as well, in the
// same id-ordered statement, so that EXT-2 sees whole purchase orders that no
// other request changes meanwhile; orders is then every line of those
// orders, and nil otherwise.
func lockSelection(ctx context.Context, tx bun.Tx, sys *system, ids []uuid.UUID) (lines []*BinLine, orders []BinLine, err error) {
	if !sys.st.HasFlag(catalog.FlagExternal) {
		lines, err = lockLines(ctx, tx, sys.loc.PartnerID, ids)
		return lines, nil, err
	}
	// A line's order never changes, so the orders can be found before the
	// lock; locking all their lines in one statement ordered by id keeps
	// the global order of line locks (no deadlock with lockLines).
	err = tx.NewSelect().Model(&orders).
		ColumnExpr("ol.*, o.purchase_order, o.sales_order").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("ol.partner_id = ?", sys.loc.PartnerID).
		Where("ol.order_id IN (SELECT order_id FROM order_lines WHERE id IN (?) AND partner_id = ?)", bun.In(ids), sys.loc.PartnerID).
		OrderExpr("ol.id").For("UPDATE OF ol").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return nil, nil, fmt.Errorf("lock the lines of the selected orders: %w", err)
	}
	return db.InOrder(ids, orders, func(l *BinLine) uuid.UUID { return l.ID }), orders, nil
}

// checkWholeOrders applies EXT-2 to a selection for an external product: a
// purchase order cannot be split, so every line of each order the selection
// touches that still has quantity in the bin must be selected with all of
// it (quantity omitted or equal to what is available). orders is what
// lockSelection returned; nil (not an external product) checks nothing.
func checkWholeOrders(errs *apperr.List, sel []AttachLine, lines []*BinLine, orders []BinLine) {
	if orders == nil {
		return
	}
	selected := map[uuid.UUID]bool{}
	touched := map[uuid.UUID]bool{}
	for i, l := range lines {
		if l == nil {
			continue
		}
		selected[l.ID], touched[l.OrderID] = true, true
		if q := sel[i].Quantity; q != nil && *q < l.Available {
			errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: take all %d of %s (line %d), not %d",
				l.PurchaseOrder, l.Available, l.PartNumber, l.LineNo, *q).OnField("lines." + strconv.Itoa(i) + ".quantity"))
		}
	}
	missing := map[uuid.UUID][]string{}
	po := map[uuid.UUID]string{}
	for _, l := range orders {
		if touched[l.OrderID] && !selected[l.ID] && l.Available > 0 {
			missing[l.OrderID] = append(missing[l.OrderID], fmt.Sprintf("line %d (%s × %d)", l.LineNo, l.PartNumber, l.Available))
			po[l.OrderID] = l.PurchaseOrder
		}
	}
	for _, id := range slices.SortedFunc(maps.Keys(missing), func(a, b uuid.UUID) int { return cmp.Compare(po[a], po[b]) }) {
		slices.Sort(missing[id])
		errs.Add(apperr.New(apperr.POCannotBeSplit, "purchase order %s cannot be split: select also %s",
			po[id], strings.Join(missing[id], ", ")).OnField("lines"))
	}
}

// wrongMobiCallLocation explains a part refused on a location when it
// belongs on the other location of a MobiCall system (LOC-11): parts ending
// -M go to the MobiCall Supervisor and nowhere else (not to the master, not
// to a MobiBox, which takes master parts only), the others to the master.
// It returns nil for parts that are simply not allowed there.
func (s *system) wrongMobiCallLocation(p *catalog.Part) *apperr.Error {
	switch {
	case p.HasFlag(catalog.FlagMobicallSupervisor):
		if sec, ok := s.st.Secondary(); ok && p.AllowedOn(sec) {
			return apperr.New(apperr.WrongLocationForPart, "%s (%s) is a MobiCall Supervisor license: parts ending -M go to the MobiCall Supervisor location, the redundant child of %s; the master takes the parts without -M",
				p.Name, p.Number, s.loc.Name)
		}
		return apperr.New(apperr.WrongLocationForPart, "%s (%s) is a MobiCall Supervisor license: parts ending -M go to the MobiCall Supervisor location; a %s location takes no -M parts",
			p.Name, p.Number, s.st.Name)
	case s.loc.ChildKind != nil && *s.loc.ChildKind == db.ChildRedundant && s.root.SystemType != s.loc.SystemType && p.AllowedOn(s.root.SystemType):
		return apperr.New(apperr.WrongLocationForPart, "%s is the %s of %s and takes parts ending -M only: %s (%s) goes to the master location %s",
			s.loc.Name, s.st.Name, s.root.Name, p.Name, p.Number, s.root.Name)
	}
	return nil
}

// awaitExternalFiles records, for each sales order among licenses being
// activated on an external product, the PENDING file the license desk will
// upload (EXT-1) — or finds the one already waiting for that location and
// sales order — and gives each license its sales order's file version. It
// returns the first file, by sales order. No job is enqueued: LMS does not
// build these files.
func (s *Service) awaitExternalFiles(ctx context.Context, tx bun.Tx, a *actor.Actor, loc *db.Location, licenses []*db.License) (*db.LicenseFile, error) {
	bySO := map[string][]*db.License{}
	for _, l := range licenses {
		bySO[l.SalesOrder] = append(bySO[l.SalesOrder], l)
	}
	var first *db.LicenseFile
	for _, so := range slices.Sorted(maps.Keys(bySO)) {
		f, err := pendingExternalFile(ctx, tx, loc.ID, so)
		if err != nil {
			return nil, err
		}
		if f == nil {
			v, err := nextVersion(ctx, tx, loc.ID)
			if err != nil {
				return nil, err
			}
			f = &db.LicenseFile{
				ID: uuid.New(), LocationID: loc.ID, PartnerID: loc.PartnerID, Version: v, Reason: db.FileFromExternalSource,
				Status: db.LicenseFilePending, RequestedBy: &a.User.ID, SalesOrder: &so,
			}
			if _, err := tx.NewInsert().Model(f).Column("id", "location_id", "partner_id", "version", "reason", "status", "requested_by", "sales_order").
				Returning("requested_at").Exec(ctx); err != nil {
				return nil, fmt.Errorf("record the pending file of sales order %s: %w", so, err)
			}
		}
		ids := make([]uuid.UUID, len(bySO[so]))
		for i, l := range bySO[so] {
			ids[i], l.FileVersion = l.ID, &f.Version
		}
		if _, err := tx.NewUpdate().Model((*db.License)(nil)).Set("file_version = ?", f.Version).Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
			return nil, fmt.Errorf("link licenses to the file of sales order %s: %w", so, err)
		}
		if first == nil {
			first = f
		}
	}
	return first, nil
}

// pendingExternalFile locks the file of a location waiting for its upload
// for a sales order; nil when none waits.
func pendingExternalFile(ctx context.Context, tx bun.Tx, locationID uuid.UUID, salesOrder string) (*db.LicenseFile, error) {
	f := new(db.LicenseFile)
	err := tx.NewSelect().Model(f).Column(db.LicenseFileColumns...).
		Where("location_id = ?", locationID).Where("sales_order = ?", salesOrder).
		Where("reason = ?", db.FileFromExternalSource).Where("status = ?", db.LicenseFilePending).
		For("UPDATE").Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the pending file of sales order %s: %w", salesOrder, err)
	}
	return f, nil
}

// notAvailableYet is what a download of an external file that the license
// desk has not uploaded yet answers (EXT-3).
func notAvailableYet(f *db.LicenseFile) *apperr.Error {
	return apperr.New(apperr.NotApplicable, "the license file for Sales Order %s is not available yet; you will receive an email when it is", deref(f.SalesOrder))
}

// maxFileName bounds the stored name of an uploaded file.
const maxFileName = 200

// ExternalFileUpload is an external product's license file that the license
// desk received for one sales order of a location (EXT-3).
type ExternalFileUpload struct {
	LocationID uuid.UUID
	SalesOrder string
	// FileName is the name the file was uploaded with; only a sanitised
	// base name is kept.
	FileName string
	Content  []byte
}

// Validate checks the input on its own.
func (in *ExternalFileUpload) Validate() error {
	var errs apperr.List
	checkText(&errs, "salesOrder", &in.SalesOrder, true, maxOrderNumber)
	if len(in.Content) == 0 {
		errs.Add(apperr.Invalid("file", "the file is empty"))
	}
	return errs.Err()
}

// UploadExternalFile stores the license file of an external product for
// one sales order of a location and tells the users who activated its
// licenses, and the location's dealer email, that it is available (EXT-3).
// It fills the PENDING file that activation left for that sales order; a
// later upload for the same sales order (a corrected file) becomes a new
// generation. Only the license desk may call it. Errors: UNAUTHENTICATED,
// FORBIDDEN, VALIDATION_FAILED, NOT_FOUND (location, or no licenses of that
// sales order on it), NOT_APPLICABLE (not an external product; licenses of
// the sales order not activated yet).
func (s *Service) UploadExternalFile(ctx context.Context, in ExternalFileUpload) (*db.LicenseFile, error) {
	a, err := actor.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var f *db.LicenseFile
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys, err := lockSystem(ctx, tx, a, in.LocationID, "locationId")
		if err != nil {
			return err
		}
		if !sys.st.HasFlag(catalog.FlagExternal) {
			return apperr.New(apperr.NotApplicable, "LMS generates the license file of a %s itself; only external products get theirs uploaded", sys.st.Name).OnField("locationId")
		}
		activators, err := activatorsOf(ctx, tx, sys.loc, in.SalesOrder)
		if err != nil {
			return err
		}
		if f, err = pendingExternalFile(ctx, tx, sys.loc.ID, in.SalesOrder); err != nil {
			return err
		}
		now := s.now()
		sum := sha256.Sum256(in.Content)
		name, hash := uploadName(in.FileName, "license-file-"+in.SalesOrder), hex.EncodeToString(sum[:])
		corrected := f == nil
		if corrected {
			// Uploaded before: the corrected file is a new generation
			// beside the earlier ones.
			v, err := nextVersion(ctx, tx, sys.loc.ID)
			if err != nil {
				return err
			}
			f = &db.LicenseFile{
				ID: uuid.New(), LocationID: sys.loc.ID, PartnerID: sys.loc.PartnerID, Version: v, Reason: db.FileFromExternalSource,
				RequestedBy: &a.User.ID, SalesOrder: &in.SalesOrder,
			}
		}
		f.Status, f.ReadyAt, f.Content, f.FileName, f.SHA256, f.UploadedBy = db.LicenseFileReady, &now, in.Content, &name, &hash, &a.User.ID
		if corrected {
			if _, err := tx.NewInsert().Model(f).
				Column("id", "location_id", "partner_id", "version", "reason", "status", "requested_by", "sales_order", "ready_at", "content", "file_name", "sha256", "uploaded_by").
				Returning("requested_at").Exec(ctx); err != nil {
				return fmt.Errorf("store the corrected file of sales order %s: %w", in.SalesOrder, err)
			}
		} else if _, err := tx.NewUpdate().Model(f).Column("status", "ready_at", "content", "file_name", "sha256", "uploaded_by").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("store the file of sales order %s: %w", in.SalesOrder, err)
		}
		if err := audit.Record(ctx, tx, audit.Event{
			Action: "license.upload_external_file", PartnerIDs: []uuid.UUID{sys.loc.PartnerID},
			Objects: []string{audit.Ref("Location", sys.loc.ID), audit.Ref("LicenseFile", f.ID)},
			Summary: map[string]any{"location": sys.loc.Name, "salesOrder": in.SalesOrder, "fileName": name, "sha256": hash, "size": len(in.Content), "fileVersion": f.Version},
		}); err != nil {
			return err
		}
		if err := s.mailExternalFile(ctx, tx, f, sys, activators); err != nil {
			return err
		}
		return announce(ctx, tx, f)
	})
	if err != nil {
		return nil, fmt.Errorf("upload the license file of sales order %s for location %s: %w", in.SalesOrder, in.LocationID, err)
	}
	f.Content = nil
	return f, nil
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
		Join("JOIN order_lines AS ol ON ol.id = lic.order_line_id").
		Join("JOIN license_orders AS o ON o.id = ol.order_id").
		Where("lic.location_id = ?", loc.ID).Where("o.sales_order = ?", salesOrder).
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
func (s *Service) mailExternalFile(ctx context.Context, tx bun.Tx, f *db.LicenseFile, sys *system, activators []uuid.UUID) error {
	loc := sys.loc
	cust := new(db.Customer)
	if err := tx.NewSelect().Model(cust).Column("name").Where("id = ?", loc.CustomerID).Scan(ctx); err != nil {
		return fmt.Errorf("load customer: %w", err)
	}
	e := mail.ExternalLicenseFileAvailable{
		CustomerName: cust.Name, LocationName: loc.Name, LocationID: loc.ID.String(), SystemTypeName: sys.st.Name,
		HardwareKeyCode: loc.HardwareKeyCode, SalesOrder: *f.SalesOrder, FileName: *f.FileName, Version: f.Version,
		DownloadURL: s.PublicURL + DownloadPath(f.ID), AvailableAt: *f.ReadyAt,
	}
	var to []notify.Recipient
	if len(activators) > 0 {
		var users []db.User
		if err := tx.NewSelect().Model(&users).Where("id IN (?)", bun.In(activators)).Where("disabled_at IS NULL").Scan(ctx); err != nil && !isNoRows(err) {
			return fmt.Errorf("load activating users: %w", err)
		}
		for _, id := range activators {
			if i := slices.IndexFunc(users, func(u db.User) bool { return u.ID == id }); i >= 0 {
				to = append(to, notify.Recipient{Email: users[i].Email, Name: users[i].Name, PartnerID: &loc.PartnerID})
			}
		}
	}
	if d := strings.TrimSpace(loc.DealerEmail); d != "" && !slices.ContainsFunc(to, func(r notify.Recipient) bool { return strings.EqualFold(r.Email, d) }) {
		to = append(to, notify.Recipient{Email: d, PartnerID: &loc.PartnerID})
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
