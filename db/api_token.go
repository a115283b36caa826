package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// APIToken is a bearer token (ACT-6). Only its SHA-256 hash is stored. When
// ImpersonatorID is set the token acts as UserID on behalf of that
// distributor user (ACT-5).
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	UserID         uuid.UUID  `bun:"user_id,type:uuid,notnull"`
	ImpersonatorID *uuid.UUID `bun:"impersonator_id,type:uuid"`
	Name           string     `bun:"name,notnull"`
	TokenHash      []byte     `bun:"token_hash,notnull"`
	Prefix         string     `bun:"prefix,notnull"`
	CreatedBy      *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	ExpiresAt      *time.Time `bun:"expires_at"`
	RevokedAt      *time.Time `bun:"revoked_at"`
	LastUsedAt     *time.Time `bun:"last_used_at"`
}
