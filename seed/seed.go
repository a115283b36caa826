// Package seed loads demonstration data: the vendor's license desk, a
// distributor, two dealers (one the distributor ships to), and users with
// each role, each with a fresh API token. It is idempotent: partners and
// users are matched by name and email; every run issues new tokens.
package seed

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/audit"
	"lms/auth"
	"lms/db"
)

// User is a seeded user and the token issued for it now.
type User struct {
	Email   string
	Partner string
	Roles   []db.Role
	Token   string
}

type partnerSpec struct {
	kind  db.PartnerKind
	name  string
	email string
	users []userSpec
}

type userSpec struct {
	email, name string
	roles       []db.Role
}

// The demo tenants follow the user guide's examples ("Ed Distributor X",
// "Dealer Y").
var demo = []partnerSpec{
	{db.PartnerVendor, "LMS License Desk", "license-desk@lms.example", []userSpec{
		{"admin@lms.example", "Ada Admin", []db.Role{db.RoleAdmin}},
	}},
	{db.PartnerDistributor, "Distributor X", "orders@distributor-x.example", []userSpec{
		{"ed@distributor-x.example", "Ed Distributor", []db.Role{db.RoleSwaAdmin}},
		{"sam@distributor-x.example", "Sam Sales", nil},
	}},
	{db.PartnerDealer, "Dealer Y", "office@dealer-y.example", []userSpec{
		{"yara@dealer-y.example", "Yara Dealer", []db.Role{db.RoleSwaAdmin}},
		{"yuri@dealer-y.example", "Yuri Technician", nil},
	}},
	{db.PartnerDealer, "Dealer Z", "office@dealer-z.example", []userSpec{
		{"zoe@dealer-z.example", "Zoe Dealer", []db.Role{db.RoleSwaAdmin}},
	}},
}

// Run loads the demo data in one transaction and returns every seeded user
// with a new token.
func Run(ctx context.Context, bunDB *bun.DB) ([]User, error) {
	var out []User
	err := bunDB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		ids := map[string]uuid.UUID{}
		for _, ps := range demo {
			p := &db.Partner{Kind: ps.kind, Name: ps.name, Email: ps.email}
			if _, err := tx.NewInsert().Model(p).
				On("CONFLICT ((lower(name))) DO UPDATE").Set("kind = EXCLUDED.kind, email = EXCLUDED.email, updated_at = now()").
				Returning("*").Exec(ctx); err != nil {
				return fmt.Errorf("partner %s: %w", ps.name, err)
			}
			ids[ps.name] = p.ID
			for _, us := range ps.users {
				u := &db.User{PartnerID: p.ID, Email: us.email, Name: us.name, Roles: append([]db.Role{db.RoleUser}, us.roles...)}
				if _, err := tx.NewInsert().Model(u).
					On("CONFLICT ((lower(email))) DO UPDATE").Set("partner_id = EXCLUDED.partner_id, name = EXCLUDED.name, roles = EXCLUDED.roles, disabled_at = NULL, updated_at = now()").
					Returning("*").Exec(ctx); err != nil {
					return fmt.Errorf("user %s: %w", us.email, err)
				}
				secret, err := auth.Issue(ctx, tx, &db.APIToken{UserID: u.ID, Name: "seed"})
				if err != nil {
					return err
				}
				out = append(out, User{Email: u.Email, Partner: p.Name, Roles: u.Roles, Token: secret})
			}
		}
		sa := &db.ShippingAllowance{DistributorID: ids["Distributor X"], DealerID: ids["Dealer Y"]}
		if _, err := tx.NewInsert().Model(sa).On("CONFLICT ON CONSTRAINT shipping_allowances_pair_key DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("shipping allowance: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{
			Action:     "seed.run",
			PartnerIDs: []uuid.UUID{ids["Distributor X"], ids["Dealer Y"], ids["Dealer Z"]},
			Summary:    map[string]any{"users": len(out)},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("seed demo data: %w", err)
	}
	return out, nil
}
