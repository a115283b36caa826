package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// AuditEvent records one state change (ACT-7).
type AuditEvent struct {
	bun.BaseModel `bun:"table:audit_events"`

	ID                    uuid.UUID      `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	PartnerIDs            []uuid.UUID    `bun:"partner_ids,array,type:uuid[],notnull"`
	ActorID               *uuid.UUID     `bun:"actor_id,type:uuid"`
	ImpersonatorID        *uuid.UUID     `bun:"impersonator_id,type:uuid"`
	ImpersonatorPartnerID *uuid.UUID     `bun:"impersonator_partner_id,type:uuid"`
	ActorLabel            *Identity      `bun:"actor_label,type:jsonb"`
	ImpersonatorLabel     *Identity      `bun:"impersonator_label,type:jsonb"`
	Action                string         `bun:"action,notnull"`
	ObjectIDs             []string       `bun:"object_ids,array,notnull"`
	Summary               map[string]any `bun:"summary,type:jsonb,notnull"`
	RequestID             string         `bun:"request_id,notnull"`
	CreatedAt             time.Time      `bun:"created_at,nullzero,notnull,default:clock_timestamp()"`
}

// Identity is a user as an audit event names it.
type Identity struct {
	Name        string `json:"name"`
	Email       string `json:"email"`
	PartnerName string `json:"partnerName"`
}
