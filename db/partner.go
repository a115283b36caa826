package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// PartnerKind is what a partner is to the vendor (ACT-1).
type PartnerKind string

// Partner kinds.
const (
	PartnerVendor      PartnerKind = "VENDOR"
	PartnerDistributor PartnerKind = "DISTRIBUTOR"
	PartnerDealer      PartnerKind = "DEALER"
)

// Partner is a tenant: a dealer, a distributor, or the vendor organisation
// whose users are the license desk.
type Partner struct {
	bun.BaseModel `bun:"table:partners"`

	ID        uuid.UUID   `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	Kind      PartnerKind `bun:"kind,notnull"`
	Name      string      `bun:"name,notnull"`
	Email     string      `bun:"email,notnull"`
	CreatedAt time.Time   `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt time.Time   `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	// NameOnly is set on a partner the caller sees by its name only (a
	// dealer looking at a distributor that ships to it, see
	// partner.FindPartners); its other fields are then blank.
	NameOnly bool `bun:"name_only,scanonly"`
}
