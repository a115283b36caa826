package location

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"lms/catalog"
	"lms/db"
	"lms/mail"
	"lms/notify"
)

// sendEULA enqueues the End User License Agreement for loc to the customer
// email, in the transaction that creates the location (LOC-3, §9).
func (s *Service) sendEULA(ctx context.Context, tx bun.Tx, cust *db.Customer, loc *db.Location, st *catalog.SystemType) error {
	partner := new(db.Partner)
	if err := tx.NewSelect().Model(partner).Column("name").Where("id = ?", loc.PartnerID).Scan(ctx); err != nil {
		return fmt.Errorf("load partner of location %s: %w", loc.ID, err)
	}
	name := ""
	if strings.EqualFold(cust.ContactEmail, loc.CustomerEmail) {
		name = cust.ContactName
	}
	_, err := s.Notify.Enqueue(ctx, tx, notify.Recipient{Email: loc.CustomerEmail, Name: name, PartnerID: &loc.PartnerID}, mail.EndUserLicenseAgreement{
		RecipientName:   name,
		CustomerName:    cust.Name,
		LocationName:    loc.Name,
		LocationID:      loc.ID.String(),
		SystemTypeName:  st.Name,
		HardwareKeyCode: loc.HardwareKeyCode,
		Address:         oneLine(loc.Address),
		PartnerName:     partner.Name,
		CreatedAt:       loc.CreatedAt,
	})
	if err != nil {
		return fmt.Errorf("enqueue EULA mail for location %s: %w", loc.ID, err)
	}
	return nil
}

// oneLine renders an address on one line, leaving out empty parts.
func oneLine(a db.Address) string {
	var parts []string
	for _, p := range []string{a.Street, strings.TrimSpace(a.Zip + " " + a.City), a.State, a.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
