// Package graph is LMS's GraphQL layer: the schema (schema/*.graphqls), thin
// resolvers that translate GraphQL to calls of the domain services and back,
// per-request dataloaders, the error presenter and the query limits.
package graph

import (
	"github.com/uptrace/bun"

	"lms/audit"
	"lms/auth"
	"lms/inventory"
	"lms/license"
	"lms/licensefile"
	"lms/location"
	"lms/migration"
	"lms/notify"
	"lms/partner"
	"lms/replacement"
	"lms/swa"
)

//go:generate go tool gqlgen generate

// Resolver holds the domain services the resolvers call.
type Resolver struct {
	DB       *bun.DB
	Services Services
}

// Services are the domain services behind the API.
type Services struct {
	Partners  *partner.Service
	Tokens    *auth.Service
	Audit     *audit.Service
	Notify    *notify.Service
	Locations *location.Service
	Inventory *inventory.Service
	Licenses  *license.Service
	Files     *licensefile.Service
	Swa       *swa.Service
	// Replacements is hardware replacement (HWR-1, HWR-2).
	Replacements *replacement.Service
	// Migrations migrates locations to another system type (MIG-1).
	Migrations *migration.Service
}
