package licensefile

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/location"
	"lms/mail"
)

// Emergency license files (HWR-2, beyond the guide, which supplies new
// files only during office hours): a hardware replacement request yields at
// once a file of the location's activated licenses bound to the new
// hardware, signed like any file and expiring like a demo file, so that a
// site with a dead CPU works until the license desk completes the request.

// EmergencyFileValidity is how long an emergency file works, counted from
// its request [rule].
const EmergencyFileValidity = 14 * 24 * time.Hour

// EmergencyFilesPerYear is how many emergency files a location may get in
// 12 months [rule]; those that FAILED do not count.
const EmergencyFilesPerYear = 2

// RequestEmergencyFile requests, in tx, the emergency license file of a
// hardware replacement request (HWR-2) for a system the caller has locked
// (location.LockSystem) and checked: bound to code, the new HWKC, it holds
// the location's activated licenses and expires EmergencyFileValidity after
// this request; the file worker builds it like any generation. The lock
// orders concurrent requests, so a location never gets more than
// EmergencyFilesPerYear in 12 months. Errors: NOT_APPLICABLE (nothing
// activated, or an external product, whose files LMS does not build),
// LIMIT_EXCEEDED.
func (s *Service) RequestEmergencyFile(ctx context.Context, tx bun.Tx, a *actor.Actor, sys *location.System, code string) (*db.LicenseFile, error) {
	loc := sys.Location
	if sys.Type.HasFlag(catalog.FlagExternal) {
		return nil, apperr.New(apperr.NotApplicable, "the license files of a %s come from an external source; LMS cannot build an emergency file", sys.Type.Name)
	}
	var n struct {
		Activated int `bun:"activated"`
		Recent    int `bun:"recent"`
	}
	if err := tx.NewSelect().
		ColumnExpr("(SELECT count(*) FROM licenses WHERE location_id = ? AND status = ?) AS activated", loc.ID, db.LicenseActivated).
		ColumnExpr("(SELECT count(*) FROM license_files WHERE location_id = ? AND reason = ? AND status <> ? AND requested_at > ?) AS recent",
			loc.ID, db.FileForEmergency, db.LicenseFileFailed, s.now().AddDate(-1, 0, 0)).
		Scan(ctx, &n); err != nil {
		return nil, fmt.Errorf("count activated licenses and emergency files of %s: %w", loc.ID, err)
	}
	if n.Activated == 0 {
		return nil, apperr.New(apperr.NotApplicable, "%s has no activated licenses, so an emergency file would grant nothing.", loc.Name)
	}
	if n.Recent >= EmergencyFilesPerYear {
		return nil, apperr.New(apperr.LimitExceeded, "%s had %d emergency license files in the last 12 months, the most a location may have.", loc.Name, n.Recent)
	}
	return s.request(ctx, tx, a, loc, db.FileForEmergency, &code)
}

// EmergencyExpiry is when an emergency file requested at requestedAt
// stops working: EmergencyFileValidity later, however late the worker
// builds it, in whole seconds as the file is signed.
func EmergencyExpiry(requestedAt time.Time) time.Time {
	return requestedAt.UTC().Add(EmergencyFileValidity).Truncate(time.Second)
}

// emergencyExpiry is EmergencyExpiry of an emergency file, nil for others.
func emergencyExpiry(f *db.LicenseFile) *time.Time {
	if f.Reason != db.FileForEmergency {
		return nil
	}
	t := EmergencyExpiry(f.RequestedAt)
	return &t
}

// boundLocation is loc as file f is bound to it: an emergency file names
// the new HWKC of its request instead of the location's.
func boundLocation(f *db.LicenseFile, loc *db.Location) *db.Location {
	if f.HardwareKeyCode == nil {
		return loc
	}
	bound := *loc
	bound.HardwareKeyCode = *f.HardwareKeyCode
	return &bound
}

// emergencyFileReady is the mail of an emergency file bound to code (HWR-2):
// what the "license file ready" mail e says, for the new hardware.
func emergencyFileReady(e mail.LicenseFileReady, code string) mail.EmergencyLicenseFileReady {
	return mail.EmergencyLicenseFileReady{
		RecipientName: e.RecipientName, CustomerName: e.CustomerName, LocationName: e.LocationName, LocationID: e.LocationID,
		SystemTypeName: e.SystemTypeName, HardwareKeyCode: e.HardwareKeyCode, NewHardwareKeyCode: code,
		ActivationCode: e.ActivationCode, FileName: e.FileName, Version: e.Version,
		DownloadURL: e.DownloadURL, LinkExpiresAt: e.LinkExpiresAt, Features: e.Features, IssuedAt: e.IssuedAt, ExpiresAt: *e.ExpiresAt,
	}
}
