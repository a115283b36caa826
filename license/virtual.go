package license

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/audit"
	"lms/catalog"
	"lms/db"
	"lms/location"
)

// VirtualHardwareKeyCodeInput is "Create HKC" of an SV9500 Standard Server
// (LOC-6).
type VirtualHardwareKeyCodeInput struct {
	LocationID uuid.UUID
	// IPAddress is the system's LAN1 (ACT) address.
	IPAddress string
}

// parseIP accepts a unicast IPv4 or IPv6 address a system can have.
func parseIP(s string) (netip.Addr, *apperr.Error) {
	ip, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, apperr.Invalid("ipAddress", "%q is not an IP address; enter the LAN1 (ACT) address, e.g. 123.0.0.105", s)
	}
	ip = ip.Unmap()
	if ip.IsUnspecified() || ip.IsMulticast() || ip.IsLoopback() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return netip.Addr{}, apperr.Invalid("ipAddress", "%s cannot be a system's LAN1 (ACT) address", ip)
	}
	return ip, nil
}

// CreateVirtualHardwareKeyCode derives the HWKC of an SV9500 Standard Server
// from its LAN1 (ACT) IP address once the Virtualization Option is attached
// (LOC-6): the temp key gives way to the new code, the LMC child follows,
// the IP is recorded and the Virtualization Option is activated, which
// requests the first license file. It works once; afterwards only an admin
// can change the code (NOT_APPLICABLE). Errors: UNAUTHENTICATED,
// VALIDATION_FAILED, NOT_FOUND, NOT_APPLICABLE, DUPLICATE_HARDWARE_KEYCODE.
func (s *Service) CreateVirtualHardwareKeyCode(ctx context.Context, in VirtualHardwareKeyCodeInput) (*db.Location, *Activation, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, nil, err
	}
	ip, e := parseIP(in.IPAddress)
	if e != nil {
		return nil, nil, e
	}
	var (
		loc *db.Location
		act *Activation
	)
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys, err := location.LockSystem(ctx, tx, a, in.LocationID, "locationId")
		if err != nil {
			return err
		}
		loc = sys.Location
		if !sys.Type.HasSource(catalog.SourceGeneratedFromIP) || loc.ParentID != nil {
			return apperr.New(apperr.NotApplicable, "a Hardware Key Code is created from an IP address only for an SV9500 Standard Server, not for %s", sys.Type.Name).OnField("locationId")
		}
		if !sys.Provisional() {
			return apperr.New(apperr.NotApplicable, "%s already has Hardware Key Code %s; it cannot be created again without an LMS administrator", loc.Name, loc.HardwareKeyCode).OnField("locationId")
		}
		var options []db.License
		if err := tx.NewSelect().Model(&options).
			Join("JOIN parts AS p ON p.number = lic.part_number").
			Where("lic.location_id = ?", loc.ID).Where("lic.status = ?", db.LicenseAttached).
			Where("? = ANY(p.flags)", catalog.FlagVirtualizationOption).Scan(ctx); err != nil && !isNoRows(err) {
			return fmt.Errorf("find virtualization option: %w", err)
		}
		if len(options) == 0 {
			return apperr.New(apperr.NotApplicable, "attach the SV9500 Virtualization Option (BE114234) to %s first", loc.Name).OnField("locationId")
		}
		code, err := sys.CreateHardwareKeyCodeFromIP(ctx, tx, ip)
		if err != nil {
			return err
		}
		addr := ip.String()
		if err := audit.Record(ctx, tx, audit.Event{
			Action: "location.create_virtual_hardware_key_code", PartnerIDs: []uuid.UUID{loc.PartnerID},
			Objects: []string{audit.Ref("Location", loc.ID)},
			Summary: map[string]any{"location": loc.Name, "ipAddress": addr, "hardwareKeyCode": code},
		}); err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(options))
		for i, o := range options {
			ids[i] = o.ID
		}
		act, err = s.activate(ctx, tx, a, sys, ids, db.FileForVirtualHardware)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create virtual hardware key code of location %s: %w", in.LocationID, err)
	}
	return loc, act, nil
}
