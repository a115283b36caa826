// Package replacement is hardware replacement (HWR-1, HWR-2): when a
// location's CPU or dongle, which holds its Hardware Key Code, is
// defective, the license desk moves its licenses to the code of the new
// one. The license desk replaces hardware itself (ReplaceHardware) or on a
// partner's request (RequestReplacement, then Resolve); both run the same
// replacement: the location's new code (through the location package, the
// only writer of locations), a history entry with the old code and the
// licenses as they were, a new license file, an audit event and the
// partner's mail, in one transaction. Licenses, license files and the SWA
// agreement belong to the location's id, so they stay with it.
//
// Beyond the guide, which supplies new files only during office hours, a
// request yields at once an emergency license file for the new code
// (licensefile.RequestEmergencyFile): the location's activated licenses,
// expiring 14 days after the request, at most two per location in 12
// months. Completing the request replaces it with the permanent file;
// rejecting it lets it run out.
package replacement

import (
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"lms/licensefile"
	"lms/notify"
)

// Service implements hardware replacement.
type Service struct {
	DB     *bun.DB
	Notify *notify.Service
	// Files requests the emergency and the new license files.
	Files *licensefile.Service
	// Now returns the current time; tests may fix it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// maxText bounds reasons and the license desk's resolution.
const maxText = 2000

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
