package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ShippingAllowance lets a distributor reship to, and act as users of, a
// dealer (ACT-4).
type ShippingAllowance struct {
	bun.BaseModel `bun:"table:shipping_allowances"`

	ID            uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	DistributorID uuid.UUID  `bun:"distributor_id,type:uuid,notnull"`
	DealerID      uuid.UUID  `bun:"dealer_id,type:uuid,notnull"`
	GrantedBy     *uuid.UUID `bun:"granted_by,type:uuid"`
	CreatedAt     time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}
