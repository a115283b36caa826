package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// DectUploadStatus is where a DECT license file upload is (DECT-3).
type DectUploadStatus string

// DECT upload statuses.
const (
	// DectUploadParsing: stored; the parse job has not finished.
	DectUploadParsing DectUploadStatus = "PARSING"
	// DectUploadPreview: parsed; its lines wait for the user's Import.
	DectUploadPreview DectUploadStatus = "PREVIEW"
	// DectUploadFailed: refused with one of the guide's codes; another
	// file may be uploaded.
	DectUploadFailed DectUploadStatus = "FAILED"
	// DectUploadImported: its lines are activated licenses of the
	// location.
	DectUploadImported DectUploadStatus = "IMPORTED"
)

// DectUpload is the license export of a DECT Manager uploaded for an IP
// DECT location (DECT-3, DECT-4). Content is loaded only to be parsed.
type DectUpload struct {
	bun.BaseModel `bun:"table:dect_uploads,alias:du"`

	ID         uuid.UUID        `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	LocationID uuid.UUID        `bun:"location_id,type:uuid,notnull"`
	PartnerID  uuid.UUID        `bun:"partner_id,type:uuid,notnull"`
	Status     DectUploadStatus `bun:"status,notnull"`
	FileName   string           `bun:"file_name,notnull"`
	Content    []byte           `bun:"content" json:",omitempty"`
	SHA256     string           `bun:"sha256,notnull"`
	Size       int              `bun:"size,notnull"`
	UploadedBy *uuid.UUID       `bun:"uploaded_by,type:uuid"`
	UploadedAt time.Time        `bun:"uploaded_at,nullzero,notnull,default:clock_timestamp()"`
	ParsedAt   *time.Time       `bun:"parsed_at"`

	// What a parsed file says (PREVIEW, IMPORTED): the PARI, the DECT
	// release, when the DECT Manager exported it, and its FEATURE lines.
	HardwareKeyCode *string          `bun:"hardware_key_code"`
	Release         *int             `bun:"release"`
	ExportedAt      *time.Time       `bun:"exported_at"`
	Lines           []DectUploadLine `bun:"lines,type:jsonb,notnull"`

	// Why a file was refused (FAILED): one of the guide's codes, the line
	// (0: the whole file) and the message.
	ErrorCode    *string `bun:"error_code"`
	ErrorLine    *int    `bun:"error_line"`
	ErrorMessage *string `bun:"error_message"`

	// The import (IMPORTED): the licenses' purchase and sales order, who
	// and when, and the license file generation it requested.
	OrderNumber   *string    `bun:"order_number"`
	ImportedBy    *uuid.UUID `bun:"imported_by,type:uuid"`
	ImportedAt    *time.Time `bun:"imported_at"`
	LicenseFileID *uuid.UUID `bun:"license_file_id,type:uuid"`
}

// DectUploadLine is one FEATURE line of a parsed DECT upload.
type DectUploadLine struct {
	PartNumber string `json:"partNumber"`
	Quantity   int    `json:"quantity"`
}

// DectUploadColumns are the columns of dect_uploads without the content,
// for lists.
var DectUploadColumns = []string{
	"id", "location_id", "partner_id", "status", "file_name", "sha256", "size", "uploaded_by", "uploaded_at", "parsed_at",
	"hardware_key_code", "release", "exported_at", "lines", "error_code", "error_line", "error_message",
	"order_number", "imported_by", "imported_at", "license_file_id",
}
