package db

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Role is a user's permission set (ACT-2).
type Role string

// Roles. Every user has RoleUser.
const (
	RoleUser     Role = "USER"
	RoleSwaAdmin Role = "SWA_ADMIN"
	RoleAdmin    Role = "ADMIN"
)

// User is a person (or integration) acting for one partner.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	PartnerID  uuid.UUID  `bun:"partner_id,type:uuid,notnull"`
	Email      string     `bun:"email,notnull"`
	Name       string     `bun:"name,notnull"`
	Roles      []Role     `bun:"roles,array,notnull"`
	DisabledAt *time.Time `bun:"disabled_at"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt  time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// HasRole reports whether u holds r.
func (u *User) HasRole(r Role) bool { return r == RoleUser || slices.Contains(u.Roles, r) }
