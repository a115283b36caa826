package db

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Address is a postal address, embedded in customers and locations.
type Address struct {
	Street  string `bun:"street,notnull"`
	City    string `bun:"city,notnull"`
	State   string `bun:"state,notnull"`
	Country string `bun:"country,notnull"`
	Zip     string `bun:"zip,notnull"`
}

// Customer is a partner's end customer (CUS-1): the business that owns the
// systems at its locations.
type Customer struct {
	bun.BaseModel `bun:"table:customers,alias:c"`

	ID        uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	PartnerID uuid.UUID `bun:"partner_id,type:uuid,notnull"`
	Name      string    `bun:"name,notnull"`
	Address   `bun:"embed:"`
	// Contact is the customer's contact person.
	ContactName  string `bun:"contact_name,notnull"`
	ContactPhone string `bun:"contact_phone,notnull"`
	ContactEmail string `bun:"contact_email,notnull"`
	// EulaEmail receives the End User License Agreement of new locations
	// unless a location names its own (LOC-3).
	EulaEmail string `bun:"eula_email,notnull"`
	// ReferenceNote is the partner's customer number, also shown with SWA.
	ReferenceNote string `bun:"reference_note,notnull"`
	// SearchText is the lower-cased text the substring search runs over,
	// computed by the database.
	SearchText string    `bun:"search_text,scanonly" json:"-"`
	CreatedAt  time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt  time.Time `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}
