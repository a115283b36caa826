package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SwaEscalation is a pending SWA assignment escalated to the license desk
// (SWA-13) by its partner or by a distributor that ships to it.
type SwaEscalation struct {
	bun.BaseModel `bun:"table:swa_escalations,alias:ses"`

	ID           uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	ActivationID uuid.UUID `bun:"activation_id,type:uuid,notnull"`
	// PartnerID is the escalating partner.
	PartnerID uuid.UUID  `bun:"partner_id,type:uuid,notnull"`
	UserID    *uuid.UUID `bun:"user_id,type:uuid"`
	// UserLabel names the escalating user as it was named then.
	UserLabel *Identity `bun:"user_label,type:jsonb,notnull"`
	Reason    string    `bun:"reason,notnull"`
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:clock_timestamp()"`
}
