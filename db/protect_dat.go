package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProtectDat is one upload of a customer's protect.dat for a location whose
// system type needs it (Expense Management, EXT-4): the partner uploads it
// for the license desk. Every upload is kept; the newest is current.
// Content is loaded only for downloads.
type ProtectDat struct {
	bun.BaseModel `bun:"table:protect_dat_files,alias:pd"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	LocationID uuid.UUID  `bun:"location_id,type:uuid,notnull"`
	PartnerID  uuid.UUID  `bun:"partner_id,type:uuid,notnull"`
	FileName   string     `bun:"file_name,notnull"`
	Content    []byte     `bun:"content"`
	SHA256     string     `bun:"sha256,notnull"`
	Size       int        `bun:"size,notnull"`
	UploadedBy *uuid.UUID `bun:"uploaded_by,type:uuid"`
	UploadedAt time.Time  `bun:"uploaded_at,nullzero,notnull,default:clock_timestamp()"`
}

// ProtectDatColumns are the columns of protect_dat_files without the
// content, for lists.
var ProtectDatColumns = []string{"id", "location_id", "partner_id", "file_name", "sha256", "size", "uploaded_by", "uploaded_at"}
