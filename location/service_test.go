package location_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/catalog/catalogtest"
	"lms/db"
	"lms/hwkc"
	"lms/location"
	"lms/notify"
)

// These tests drive location.Service directly, without HTTP, against a
// database of their own. (The helpers carry a "domain" prefix because other
// files of this package define the API tests' helpers.)

// domainBundle is what a domain test works with.
type domainBundle struct {
	svc *location.Service
	db  *bun.DB
	// ctx acts as a user of partner, otherCtx as a user of another dealer.
	ctx      context.Context
	otherCtx context.Context
	partner  *db.Partner
	// customer belongs to partner and has a EULA email; bare has none.
	customer *db.Customer
	bare     *db.Customer
	// otherCustomer belongs to the other dealer.
	otherCustomer *db.Customer
}

// domainNow is the fixed clock of the domain tests.
var domainNow = time.Date(2026, 11, 27, 9, 30, 15, 0, time.UTC)

// setupDomain gives t a fresh database with two dealers, a user of each, and
// customers, and a service whose emails stay QUEUED: the River client only
// inserts jobs, no worker runs them.
func setupDomain(t testing.TB) *domainBundle {
	t.Helper()
	d, _ := catalogtest.NewDB(t)
	jobs, err := river.NewClient(riverdatabasesql.New(d.SQL), &river.Config{})
	require.NoError(t, err)
	b := &domainBundle{
		svc: &location.Service{
			DB:     d.Bun,
			Notify: &notify.Service{DB: d.Bun, Jobs: jobs},
			Now:    func() time.Time { return domainNow },
		},
		db: d.Bun,
	}
	var other *db.Partner
	b.ctx, b.partner = domainActor(t, d.Bun, "Dealer Y")
	b.otherCtx, other = domainActor(t, d.Bun, "Dealer Z")
	b.customer = domainCustomer(t, d.Bun, b.partner, "Gerards Business", "eula@gerards.example")
	b.bare = domainCustomer(t, d.Bun, b.partner, "No Mail Ltd", "")
	b.otherCustomer = domainCustomer(t, d.Bun, other, "Zeta Corp", "eula@zeta.example")
	return b
}

// domainActor creates a dealer and a user of it, and returns a context
// acting as that user.
func domainActor(t testing.TB, bunDB *bun.DB, partnerName string) (context.Context, *db.Partner) {
	t.Helper()
	ctx := context.Background()
	p := &db.Partner{Kind: db.PartnerDealer, Name: partnerName, Email: "office@" + strings.ReplaceAll(strings.ToLower(partnerName), " ", "-") + ".example"}
	_, err := bunDB.NewInsert().Model(p).Returning("*").Exec(ctx)
	require.NoError(t, err)
	u := &db.User{PartnerID: p.ID, Email: "user@" + p.ID.String() + ".example", Name: "User of " + partnerName, Roles: []db.Role{db.RoleUser}}
	_, err = bunDB.NewInsert().Model(u).Returning("*").Exec(ctx)
	require.NoError(t, err)
	return actor.With(ctx, &actor.Actor{User: u, Partner: p}), p
}

func domainCustomer(t testing.TB, bunDB *bun.DB, p *db.Partner, name, eula string) *db.Customer {
	t.Helper()
	c := &db.Customer{
		PartnerID: p.ID, Name: name, EulaEmail: eula, ContactName: "Gerard", ContactEmail: "gerard@" + p.ID.String() + ".example",
		Address: db.Address{Street: "Main 1", City: "Utrecht", Country: "Netherlands", Zip: "3511AA"},
	}
	_, err := bunDB.NewInsert().Model(c).Returning("*").Exec(context.Background())
	require.NoError(t, err)
	return c
}

// domainErrors renders every application error in err as "CODE field", the
// field without its leading "input".
func domainErrors(err error) []string {
	var out []string
	for _, e := range apperr.All(err) {
		field := ""
		if len(e.Field) > 1 {
			field = strings.Join(e.Field[1:], ".")
		}
		out = append(out, strings.TrimSpace(string(e.Code)+" "+field))
	}
	return out
}

// domainCount counts the rows of a table, optionally narrowed by where.
func domainCount(t testing.TB, bunDB *bun.DB, table, where string, args ...any) int {
	t.Helper()
	q := bunDB.NewSelect().Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	n, err := q.Count(context.Background())
	require.NoError(t, err)
	return int(n)
}

// domainEvents returns the audit events of action that name object.
func domainEvents(t testing.TB, bunDB *bun.DB, action, object string) []db.AuditEvent {
	t.Helper()
	var evs []db.AuditEvent
	err := bunDB.NewSelect().Model(&evs).Where("action = ?", action).Where("? = ANY(object_ids)", object).
		Order("created_at").Scan(context.Background())
	require.NoError(t, err)
	return evs
}

func domainCreate(t testing.TB, b *domainBundle, in location.CreateLocationInput) *db.Location {
	t.Helper()
	if in.CustomerID == uuid.Nil {
		in.CustomerID = b.customer.ID
	}
	if in.Name == "" {
		in.Name = "Site " + in.SystemType
	}
	loc, err := b.svc.CreateLocation(b.ctx, in)
	require.NoError(t, err)
	return loc
}

func domainChildren(t testing.TB, b *domainBundle, parent uuid.UUID) []db.Location {
	t.Helper()
	var kids []db.Location
	require.NoError(t, b.db.NewSelect().Model(&kids).Where("parent_id = ?", parent).Order("created_at", "id").Scan(context.Background()))
	return kids
}

func domainPtr[T any](v T) *T { return &v }

func TestCreateLocationValidation(t *testing.T) {
	t.Parallel()
	b := setupDomain(t)

	const (
		sv8500 = "22CC538207AFD058020640CD57xO"
		sv9500 = "35G00N470108E0S0A8832EF2d3Po"
		qr     = "A_3565-A9C3-0842-67EF-2E44-A473-6DI2"
	)
	tempKey := regexp.MustCompile(`^35-` + domainNow.Format("060102150405") + `-\d{3}-TEMP-KEY$`)

	type customerKind int
	const (
		withEula customerKind = iota
		withoutEula
		ofOtherPartner
		missing
	)
	tests := []struct {
		name     string
		customer customerKind
		in       location.CreateLocationInput
		// wantErrs are the expected errors as "CODE field"; wantMsg are
		// substrings of the first error's message.
		wantErrs []string
		wantMsg  []string
		// Otherwise the location is created with these codes.
		wantCode   string
		wantCodeRe *regexp.Regexp
		wantSource string
		check      func(t *testing.T, l *db.Location)
	}{
		// The system type.
		{name: "UnknownSystemType", in: location.CreateLocationInput{SystemType: "SV9999", HardwareKeyCode: "190400324412"},
			wantErrs: []string{"VALIDATION_FAILED systemType"}, wantMsg: []string{"SV9999"}},
		{name: "NoSystemType", in: location.CreateLocationInput{HardwareKeyCode: "190400324412"},
			wantErrs: []string{"VALIDATION_FAILED systemType"}},
		{name: "SrMgcOnlyAsChild", in: location.CreateLocationInput{SystemType: "SR_MGC"},
			wantErrs: []string{"VALIDATION_FAILED systemType"}, wantMsg: []string{"createChildLocation"}},
		{name: "MobiCallSupervisorOnlyAsChild", in: location.CreateLocationInput{SystemType: "MOBICALL_SUPERVISOR", HardwareKeyCode: "1A2F"},
			wantErrs: []string{"VALIDATION_FAILED systemType"}},

		// Entered HWKCs against each type's format (LOC-2).
		{name: "SV8100Empty", in: location.CreateLocationInput{SystemType: "SV8100"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}, wantMsg: []string{"^19[0-9A-F]{10}$", "190400324412"}},
		{name: "SV8100GivenSV9100Code", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "340209224568"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}, wantMsg: []string{"340209224568", "^19[0-9A-F]{10}$", "190400324412"}},
		{name: "SV8100TooShort", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "19040032441"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}},
		{name: "SV8100NotHex", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "19040032441G"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}},
		{name: "SV9100GivenSV8100Code", in: location.CreateLocationInput{SystemType: "SV9100_CP10", HardwareKeyCode: "190400324412"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}, wantMsg: []string{"340209224568"}},
		{name: "SV8500TooShort", in: location.CreateLocationInput{SystemType: "SV8500", HardwareKeyCode: sv8500[:27]},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}},
		{name: "SV9500GivenSV8500Code", in: location.CreateLocationInput{SystemType: "SV9500", HardwareKeyCode: sv8500},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}},
		{name: "IS3000WithoutAA", in: location.CreateLocationInput{SystemType: "IS3000", HardwareKeyCode: "0014SA2792883418"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}},
		{name: "BxTooShort", in: location.CreateLocationInput{SystemType: "BX_OVOC", HardwareKeyCode: "12345"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}},
		{name: "IpDectWrongPrefix", in: location.CreateLocationInput{SystemType: "IP_DECT", HardwareKeyCode: "2009FFFE"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}},
		{name: "MobiCallNotHex", in: location.CreateLocationInput{SystemType: "MOBICALL_MASTER", HardwareKeyCode: "1A2G"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}},

		// Generated codes refuse an entered one (LOC-9).
		{name: "ThreeCGivenHWKC", in: location.CreateLocationInput{SystemType: "THREE_C", DomainName: "pbx.example", HardwareKeyCode: "3CB6CE81EECE"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE hardwareKeyCode"}},
		{name: "ThreeCWithoutDomain", in: location.CreateLocationInput{SystemType: "THREE_C"},
			wantErrs: []string{"VALIDATION_FAILED domainName"}},
		{name: "ThreeCBadDomain", in: location.CreateLocationInput{SystemType: "THREE_C_CAT2", DomainName: "not a domain"},
			wantErrs: []string{"VALIDATION_FAILED domainName"}},

		// Fields that belong to other system types.
		{name: "MacOnSV8100", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", MacAddress: "6CE4DA01378C"},
			wantErrs: []string{"VALIDATION_FAILED macAddress"}},
		{name: "MacOnSV9500WithoutSmallEnterprise", in: location.CreateLocationInput{SystemType: "SV9500", MacAddress: "6CE4DA01378C"},
			wantErrs: []string{"VALIDATION_FAILED macAddress"}, wantMsg: []string{"smallEnterprise"}},
		{name: "SmallEnterpriseOnSV8100", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", SmallEnterprise: true},
			wantErrs: []string{"VALIDATION_FAILED smallEnterprise"}},
		{name: "SmallEnterpriseBadMac", in: location.CreateLocationInput{SystemType: "SV9500", SmallEnterprise: true, MacAddress: "6CE4DA01378"},
			wantErrs: []string{"VALIDATION_FAILED macAddress"}, wantMsg: []string{"6CE4DA01378C"}},
		{name: "FullComputerNameOnSV8100", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", FullComputerName: "pbx01.example.local"},
			wantErrs: []string{"VALIDATION_FAILED fullComputerName"}},
		{name: "ProductKeyOnSV8100", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", ProductKey: "DT12345"},
			wantErrs: []string{"VALIDATION_FAILED productKey"}},
		{name: "DomainOnSV8100", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", DomainName: "pbx.example"},
			wantErrs: []string{"VALIDATION_FAILED domainName"}},

		// Secondary HWKCs.
		{name: "SecondaryEqualsPrimary", in: location.CreateLocationInput{SystemType: "SV9500", HardwareKeyCode: sv9500, SecondaryHardwareKeyCode: sv9500},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE secondaryHardwareKeyCode"}},
		{name: "SecondaryEqualsPrimaryAfterNormalising", in: location.CreateLocationInput{SystemType: "SV9500", HardwareKeyCode: qr, SecondaryHardwareKeyCode: "3565A9C3084267EF2E44A4736DI2"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE secondaryHardwareKeyCode"}},
		{name: "SecondaryOnTempKey", in: location.CreateLocationInput{SystemType: "SV9500", SecondaryHardwareKeyCode: sv9500},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE secondaryHardwareKeyCode"}},
		{name: "SecondaryInvalid", in: location.CreateLocationInput{SystemType: "SV9500", HardwareKeyCode: sv9500, SecondaryHardwareKeyCode: "35TOO-SHORT"},
			wantErrs: []string{"INVALID_HARDWARE_KEYCODE secondaryHardwareKeyCode"}},

		// Product keys (LOC-10).
		{name: "BxHardwareWithoutProductKey", in: location.CreateLocationInput{SystemType: "BX_OVOC", HardwareKeyCode: "9551484"},
			wantErrs: []string{"VALIDATION_FAILED productKey"}},
		{name: "BxSoftwareWithProductKey", in: location.CreateLocationInput{SystemType: "BX_OVOC", HardwareKeyCode: "358744541284567", ProductKey: "DT12345"},
			wantErrs: []string{"VALIDATION_FAILED productKey"}},
		{name: "BxBadProductKey", in: location.CreateLocationInput{SystemType: "BX_OVOC", HardwareKeyCode: "9551484", ProductKey: "XX1"},
			wantErrs: []string{"VALIDATION_FAILED productKey"}},

		// The descriptive fields (LOC-1).
		{name: "InvalidVertical", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", LocationFields: location.LocationFields{Vertical: "SPACE"}},
			wantErrs: []string{"VALIDATION_FAILED vertical"}},
		{name: "InvalidEmails", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", LocationFields: location.LocationFields{
			CustomerEmail: "it at gerards.example", DealerEmail: "Dealer <sales@dealer.example>",
		}}, wantErrs: []string{"VALIDATION_FAILED customerEmail", "VALIDATION_FAILED dealerEmail"}},
		{name: "OverlongName", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", LocationFields: location.LocationFields{Name: strings.Repeat("x", 201)}},
			wantErrs: []string{"VALIDATION_FAILED name"}},
		{name: "BlankName", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", LocationFields: location.LocationFields{Name: " \t "}},
			wantErrs: []string{"VALIDATION_FAILED name"}},
		{name: "OverlongStreet", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", LocationFields: location.LocationFields{Address: db.Address{Street: strings.Repeat("s", 201)}}},
			wantErrs: []string{"VALIDATION_FAILED address.street"}},
		{name: "NoCustomerEmail", customer: withoutEula, in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412"},
			wantErrs: []string{"VALIDATION_FAILED customerEmail"}},
		{name: "OtherPartnersCustomer", customer: ofOtherPartner, in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412"},
			wantErrs: []string{"NOT_FOUND customerId"}},
		{name: "MissingCustomer", customer: missing, in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412"},
			wantErrs: []string{"NOT_FOUND customerId"}},

		// Accepted input and what is stored.
		{name: "SV8100LowerCaseTrimmed", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: " 190400324a12 "},
			wantCode: "190400324A12", wantSource: "ENTERED"},
		{name: "SV8500MixedCaseKept", in: location.CreateLocationInput{SystemType: "SV8500", HardwareKeyCode: sv8500},
			wantCode: sv8500, wantSource: "ENTERED"},
		{name: "SV9500ApplianceQR", in: location.CreateLocationInput{SystemType: "SV9500", HardwareKeyCode: qr},
			wantCode: "3565A9C3084267EF2E44A4736DI2", wantSource: "ENTERED"},
		{name: "SV9500WithSecondary", in: location.CreateLocationInput{SystemType: "SV9500", HardwareKeyCode: sv9500, SecondaryHardwareKeyCode: "35G00N360103F0S0007490B6E0yQ"},
			wantCode: sv9500, wantSource: "ENTERED", check: func(t *testing.T, l *db.Location) {
				require.Equal(t, domainPtr("35G00N360103F0S0007490B6E0yQ"), l.SecondaryHardwareKeyCode)
			}},
		{name: "SV9500StandardServerTempKey", in: location.CreateLocationInput{SystemType: "SV9500"},
			wantCodeRe: tempKey, wantSource: "GENERATED_TEMP_KEY"},
		{name: "SV9500SmallEnterprise", in: location.CreateLocationInput{SystemType: "SV9500", SmallEnterprise: true, MacAddress: "6c:e4:da:01:37:8c"},
			wantCode: hwkc.FromMAC("6CE4DA01378C"), wantSource: "GENERATED_FROM_MAC", check: func(t *testing.T, l *db.Location) {
				require.Equal(t, domainPtr("6CE4DA01378C"), l.MacAddress)
				require.True(t, l.SmallEnterprise)
			}},
		{name: "IS3000Entered", in: location.CreateLocationInput{SystemType: "IS3000", HardwareKeyCode: "aa0014SA2792883418AA"},
			wantCode: "aa0014SA2792883418AA", wantSource: "ENTERED"},
		{name: "IS3000FullComputerName", in: location.CreateLocationInput{SystemType: "IS3000", FullComputerName: "PBX01.Example.LOCAL"},
			wantCode: hwkc.VirtualFromFCN("pbx01.example.local", 0), wantSource: "GENERATED_FROM_FCN", check: func(t *testing.T, l *db.Location) {
				require.Equal(t, domainPtr("pbx01.example.local"), l.FullComputerName)
			}},
		{name: "ThreeCDomain", in: location.CreateLocationInput{SystemType: "THREE_C", DomainName: "Domain.Local"},
			wantCode: hwkc.FromDomain("domain.local", 0), wantSource: "GENERATED_FROM_DOMAIN", check: func(t *testing.T, l *db.Location) {
				require.Equal(t, domainPtr("domain.local"), l.DomainName)
			}},
		{name: "BxHardwareWithProductKey", in: location.CreateLocationInput{SystemType: "BX_OVOC", HardwareKeyCode: "9551484", ProductKey: " dt12345 "},
			wantCode: "9551484", wantSource: "ENTERED", check: func(t *testing.T, l *db.Location) {
				require.Equal(t, domainPtr("DT12345"), l.ProductKey)
			}},
		{name: "BxSoftware", in: location.CreateLocationInput{SystemType: "BX_OVOC", HardwareKeyCode: "66e55234a97a"},
			wantCode: "66E55234A97A", wantSource: "ENTERED", check: func(t *testing.T, l *db.Location) {
				require.Nil(t, l.ProductKey)
			}},
		{name: "MobiCallMaster", in: location.CreateLocationInput{SystemType: "MOBICALL_MASTER", HardwareKeyCode: "1a2f"},
			wantCode: "1A2F", wantSource: "ENTERED"},
		{name: "LmcByHand", in: location.CreateLocationInput{SystemType: "LMC", HardwareKeyCode: "LM18CYG-IPS-00000000BJZ12329QK"},
			wantCode: "LM18CYG-IPS-00000000BJZ12329QK", wantSource: "ENTERED"},
		// "1 to 200 characters" counts characters, as every other length
		// limit does, not the bytes of their UTF-8 encoding.
		{name: "NameOf200MultiByteCharacters", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324413", LocationFields: location.LocationFields{Name: strings.Repeat("é", 200)}},
			wantCode: "190400324413", wantSource: "ENTERED"},
		{name: "DefaultsToCustomersEulaEmail", in: location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324414"},
			wantCode: "190400324414", wantSource: "ENTERED", check: func(t *testing.T, l *db.Location) {
				require.Equal(t, "eula@gerards.example", l.CustomerEmail)
				require.Equal(t, db.VerticalNone, l.Vertical)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			switch tt.customer {
			case withEula:
				in.CustomerID = b.customer.ID
			case withoutEula:
				in.CustomerID = b.bare.ID
			case ofOtherPartner:
				in.CustomerID = b.otherCustomer.ID
			case missing:
				in.CustomerID = uuid.New()
			}
			if in.Name == "" {
				in.Name = "Site " + tt.name
			}
			loc, err := b.svc.CreateLocation(b.ctx, in)
			if tt.wantErrs != nil {
				require.Error(t, err)
				require.Nil(t, loc)
				require.Equal(t, tt.wantErrs, domainErrors(err), "errors of %v", err)
				for _, s := range tt.wantMsg {
					require.Contains(t, apperr.All(err)[0].Message, s)
				}
				return
			}
			require.NoError(t, err)
			stored, err := b.svc.FindLocation(b.ctx, loc.ID)
			require.NoError(t, err)
			if tt.wantCodeRe != nil {
				require.Regexp(t, tt.wantCodeRe, stored.HardwareKeyCode)
			} else {
				require.Equal(t, tt.wantCode, stored.HardwareKeyCode)
			}
			require.Equal(t, tt.wantSource, stored.HwkcSource)
			require.Equal(t, loc.HardwareKeyCode, stored.HardwareKeyCode)
			reserved := domainCount(t, b.db, "hardware_key_codes", "code = ? AND location_id = ? AND role = 'PRIMARY'", stored.HardwareKeyCode, stored.ID)
			require.Equal(t, 1, reserved, "the HWKC is reserved for the location")
			if tt.check != nil {
				tt.check(t, stored)
			}
		})
	}
}

func TestCreateLocationDuplicateHardwareKeyCode(t *testing.T) {
	t.Parallel()
	b := setupDomain(t)

	domainCreate(t, b, location.CreateLocationInput{SystemType: "SV9500", HardwareKeyCode: "3565A9C3084267EF2E44A4736DI2"})

	t.Run("SameCodeAsQR", func(t *testing.T) {
		t.Parallel()
		_, err := b.svc.CreateLocation(b.ctx, location.CreateLocationInput{
			CustomerID: b.customer.ID, SystemType: "SV9500", HardwareKeyCode: "A_3565-A9C3-0842-67EF-2E44-A473-6DI2",
			LocationFields: location.LocationFields{Name: "Again"},
		})
		require.Equal(t, []string{"DUPLICATE_HARDWARE_KEYCODE hardwareKeyCode"}, domainErrors(err))
	})

	t.Run("AnotherPartner", func(t *testing.T) {
		t.Parallel()
		// A HWKC is unique among all live locations, not per partner.
		_, err := b.svc.CreateLocation(b.otherCtx, location.CreateLocationInput{
			CustomerID: b.otherCustomer.ID, SystemType: "SV9500", HardwareKeyCode: "3565A9C3084267EF2E44A4736DI2",
			LocationFields: location.LocationFields{Name: "Theirs"},
		})
		require.Equal(t, []string{"DUPLICATE_HARDWARE_KEYCODE hardwareKeyCode"}, domainErrors(err))
	})

	t.Run("AsSecondary", func(t *testing.T) {
		t.Parallel()
		_, err := b.svc.CreateLocation(b.ctx, location.CreateLocationInput{
			CustomerID: b.customer.ID, SystemType: "SV9500", HardwareKeyCode: "35G00N470108E0S0A8832EF2d3Po",
			SecondaryHardwareKeyCode: "3565A9C3084267EF2E44A4736DI2", LocationFields: location.LocationFields{Name: "Pair"},
		})
		require.Equal(t, []string{"DUPLICATE_HARDWARE_KEYCODE secondaryHardwareKeyCode"}, domainErrors(err))
	})
}

// A CreateLocation that fails after it reserved the HWKC and inserted the
// location leaves nothing behind: its one transaction is rolled back.
func TestCreateLocationRollsBack(t *testing.T) {
	t.Parallel()
	b := setupDomain(t)
	const sv8500 = "22CC538207AFD058020640CD57xO"

	// An LMC location entered by hand holds the code the SV8500's LMC child
	// would get, so creating the SV8500 fails at its child.
	domainCreate(t, b, location.CreateLocationInput{SystemType: "LMC", HardwareKeyCode: hwkc.LMC(sv8500)})

	tables := []string{"locations", "hardware_key_codes", "audit_events", "emails", "river_job"}
	counts := func() map[string]int {
		m := map[string]int{}
		for _, table := range tables {
			m[table] = domainCount(t, b.db, table, "")
		}
		return m
	}
	before := counts()

	loc, err := b.svc.CreateLocation(b.ctx, location.CreateLocationInput{
		CustomerID: b.customer.ID, SystemType: "SV8500", HardwareKeyCode: sv8500,
		LocationFields: location.LocationFields{Name: "Main SV8500"},
	})
	require.Nil(t, loc)
	require.Equal(t, []string{"DUPLICATE_HARDWARE_KEYCODE hardwareKeyCode"}, domainErrors(err))
	require.Contains(t, err.Error(), hwkc.LMC(sv8500))

	require.Equal(t, before, counts())
	require.Zero(t, domainCount(t, b.db, "hardware_key_codes", "code = ?", sv8500), "the SV8500 code is free again")
	require.Zero(t, domainCount(t, b.db, "locations", "name = 'Main SV8500'"))

	require.Zero(t, domainCount(t, b.db, "emails", "text_body LIKE '%Main SV8500%'"), "no EULA for the failed attempt")
}

func TestCreateLocationAudit(t *testing.T) {
	t.Parallel()
	b := setupDomain(t)

	loc := domainCreate(t, b, location.CreateLocationInput{SystemType: "SV8500", HardwareKeyCode: "22E76E11299790C8CA0724859BI4"})
	kids := domainChildren(t, b, loc.ID)
	require.Len(t, kids, 1)
	lmc := kids[0]
	require.Equal(t, domainPtr(db.ChildLMC), lmc.ChildKind)
	require.Equal(t, "LMC", lmc.SystemType)
	require.Equal(t, "LM22E76E11299790C8CA0724859BI4", lmc.HardwareKeyCode)
	require.Equal(t, "DERIVED_FROM_PARENT", lmc.HwkcSource)
	require.Equal(t, "Site SV8500_LMC", lmc.Name)

	evs := domainEvents(t, b.db, "location.create", "Location:"+loc.ID.String())
	require.Len(t, evs, 1)
	ev := evs[0]
	require.ElementsMatch(t, []string{"Location:" + loc.ID.String(), "Location:" + lmc.ID.String(), "Customer:" + b.customer.ID.String()}, ev.ObjectIDs)
	require.Equal(t, []uuid.UUID{b.partner.ID}, ev.PartnerIDs)
	require.Equal(t, "location.create", ev.Action)
	require.Equal(t, "22E76E11299790C8CA0724859BI4", ev.Summary["hardwareKeyCode"])
	require.Equal(t, "SV8500", ev.Summary["systemType"])
	require.NotNil(t, ev.ActorID)
	require.Equal(t, 1, domainCount(t, b.db, "audit_events", "action LIKE 'location.%'"), "the LMC child has no event of its own")
}

func TestUpdateLocationAudit(t *testing.T) {
	t.Parallel()
	b := setupDomain(t)
	loc := domainCreate(t, b, location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412"})
	ref := "Location:" + loc.ID.String()

	_, err := b.svc.UpdateLocation(b.ctx, loc.ID, location.LocationUpdate{Name: domainPtr("Renamed"), Vertical: domainPtr(db.VerticalHealthcare), AddressUpdate: location.AddressUpdate{City: domainPtr(loc.City)}})
	require.NoError(t, err)
	evs := domainEvents(t, b.db, "location.update", ref)
	require.Len(t, evs, 1)
	require.Equal(t, []any{"name", "vertical"}, evs[0].Summary["changed"])
	require.Equal(t, []string{ref}, evs[0].ObjectIDs)

	// Nothing changes: no event, no new updated_at.
	stored, err := b.svc.FindLocation(b.ctx, loc.ID)
	require.NoError(t, err)
	for _, u := range []location.LocationUpdate{
		{},
		{Name: domainPtr("Renamed"), Vertical: domainPtr(db.VerticalHealthcare)},
		{Name: domainPtr("  Renamed  ")}, // trimmed to the same name
	} {
		_, err := b.svc.UpdateLocation(b.ctx, loc.ID, u)
		require.NoError(t, err)
	}
	require.Len(t, domainEvents(t, b.db, "location.update", ref), 1)
	again, err := b.svc.FindLocation(b.ctx, loc.ID)
	require.NoError(t, err)
	require.Equal(t, stored.UpdatedAt, again.UpdatedAt)
}

func TestCreateChildLocationAudit(t *testing.T) {
	t.Parallel()
	b := setupDomain(t)
	parent := domainCreate(t, b, location.CreateLocationInput{SystemType: "SV8500", HardwareKeyCode: "22E76E11299790C8CA0724859BI4"})

	child, err := b.svc.CreateChildLocation(b.ctx, location.CreateChildLocationInput{
		ParentID: parent.ID, Kind: db.ChildSrMgc, Name: "SR-MGC Site 2", Confirmed: true,
	})
	require.NoError(t, err)
	require.Regexp(t, `^22-`+domainNow.Format("060102150405")+`-\d{3}-TEMP-KEY$`, child.HardwareKeyCode)
	require.Equal(t, "SR_MGC", child.SystemType)
	require.Equal(t, &parent.ID, child.ParentID)

	evs := domainEvents(t, b.db, "location.create_child", "Location:"+child.ID.String())
	require.Len(t, evs, 1)
	require.Equal(t, []string{"Location:" + child.ID.String(), "Location:" + parent.ID.String()}, evs[0].ObjectIDs)
	require.Equal(t, "SR_MGC", evs[0].Summary["childKind"])
	require.Equal(t, child.HardwareKeyCode, evs[0].Summary["hardwareKeyCode"])

	// A refused child records nothing.
	before := domainCount(t, b.db, "audit_events", "")
	_, err = b.svc.CreateChildLocation(b.ctx, location.CreateChildLocationInput{ParentID: parent.ID, Kind: db.ChildSrMgc, Name: "Unconfirmed"})
	require.Equal(t, []string{"VALIDATION_FAILED confirmed"}, domainErrors(err))
	_, err = b.svc.CreateChildLocation(b.ctx, location.CreateChildLocationInput{ParentID: parent.ID, Kind: db.ChildLMC})
	require.Equal(t, []string{"ALREADY_EXISTS kind"}, domainErrors(err))
	_, err = b.svc.CreateChildLocation(b.otherCtx, location.CreateChildLocationInput{ParentID: parent.ID, Kind: db.ChildSrMgc, Name: "Theirs", Confirmed: true})
	require.Equal(t, []string{"NOT_FOUND parentId"}, domainErrors(err))
	require.Equal(t, before, domainCount(t, b.db, "audit_events", ""))
}

func TestCreateLocationSendsEULA(t *testing.T) {
	t.Parallel()

	t.Run("ToTheCustomersEulaEmail", func(t *testing.T) {
		t.Parallel()
		b := setupDomain(t)
		loc := domainCreate(t, b, location.CreateLocationInput{SystemType: "SV8500", HardwareKeyCode: "22E76E11299790C8CA0724859BI4"})
		require.Len(t, domainChildren(t, b, loc.ID), 1)

		// One email for the SV8500; its LMC child gets none of its own.
		var emails []db.Email
		require.NoError(t, b.db.NewSelect().Model(&emails).Scan(context.Background()))
		require.Len(t, emails, 1)
		e := emails[0]
		require.Equal(t, "end_user_license_agreement", e.Template)
		require.Equal(t, "eula@gerards.example", e.Recipient)
		require.Equal(t, db.EmailQueued, e.Status)
		require.Equal(t, &b.partner.ID, e.PartnerID)
		require.Contains(t, e.TextBody, loc.ID.String())
		require.Contains(t, e.TextBody, "22E76E11299790C8CA0724859BI4")
		require.NotContains(t, e.TextBody, "LM22E76E11299790C8CA0724859BI4")
		require.Contains(t, e.TextBody, "Gerards Business")

		// Its delivery job was inserted with it.
		require.Equal(t, 1, domainCount(t, b.db, "river_job", "kind = 'send_email' AND args->>'email_id' = ?", e.ID.String()))
		require.Equal(t, 1, domainCount(t, b.db, "river_job", ""))
	})

	t.Run("ToTheLocationsCustomerEmail", func(t *testing.T) {
		t.Parallel()
		b := setupDomain(t)
		loc := domainCreate(t, b, location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", LocationFields: location.LocationFields{
			CustomerEmail: "it@gerards.example", DealerEmail: "sales@dealer-y.example",
		}})
		require.Equal(t, "it@gerards.example", loc.CustomerEmail)
		require.Equal(t, 1, domainCount(t, b.db, "emails", "template = 'end_user_license_agreement' AND recipient = 'it@gerards.example'"))
		require.Equal(t, 1, domainCount(t, b.db, "emails", ""), "the dealer gets no copy")
		require.Equal(t, 1, domainCount(t, b.db, "river_job", "kind = 'send_email'"))
	})

	t.Run("NoneWhenRefused", func(t *testing.T) {
		t.Parallel()
		b := setupDomain(t)
		_, err := b.svc.CreateLocation(b.ctx, location.CreateLocationInput{CustomerID: b.customer.ID, SystemType: "SV8100", HardwareKeyCode: "x",
			LocationFields: location.LocationFields{Name: "Bad"}})
		require.Error(t, err)
		require.Zero(t, domainCount(t, b.db, "emails", ""))
		require.Zero(t, domainCount(t, b.db, "river_job", ""))
	})
}

func TestUpdateCustomer(t *testing.T) {
	t.Parallel()
	b := setupDomain(t)
	ctx := b.ctx

	t.Run("PatchesOnlyTheGivenFields", func(t *testing.T) {
		t.Parallel()
		c := domainCustomer(t, b.db, b.partner, "Patch Me", "eula@patch.example")
		got, err := b.svc.UpdateCustomer(ctx, c.ID, location.CustomerUpdate{AddressUpdate: location.AddressUpdate{City: domainPtr(" Amersfoort ")}, ReferenceNote: domainPtr("CUST-42")})
		require.NoError(t, err)

		want := *c
		want.City, want.ReferenceNote = "Amersfoort", "CUST-42"
		stored, err := b.svc.FindCustomer(ctx, c.ID)
		require.NoError(t, err)
		for _, g := range []*db.Customer{got, stored} {
			require.Equal(t, want.Name, g.Name)
			require.Equal(t, want.Address, g.Address)
			require.Equal(t, want.ContactName, g.ContactName)
			require.Equal(t, want.ContactEmail, g.ContactEmail)
			require.Equal(t, want.EulaEmail, g.EulaEmail)
			require.Equal(t, want.ReferenceNote, g.ReferenceNote)
			require.Equal(t, want.PartnerID, g.PartnerID)
		}
		evs := domainEvents(t, b.db, "customer.update", "Customer:"+c.ID.String())
		require.Len(t, evs, 1)
		require.Equal(t, []any{"city", "reference_note"}, evs[0].Summary["changed"])

		// An empty string clears an optional field.
		got, err = b.svc.UpdateCustomer(ctx, c.ID, location.CustomerUpdate{EulaEmail: domainPtr("")})
		require.NoError(t, err)
		require.Empty(t, got.EulaEmail)
		require.Equal(t, "Amersfoort", got.City)

		// No change, no event.
		_, err = b.svc.UpdateCustomer(ctx, c.ID, location.CustomerUpdate{})
		require.NoError(t, err)
		require.Len(t, domainEvents(t, b.db, "customer.update", "Customer:"+c.ID.String()), 2)
	})

	t.Run("Validation", func(t *testing.T) {
		t.Parallel()
		c := domainCustomer(t, b.db, b.partner, "Validate Me", "eula@validate.example")
		tests := []struct {
			name string
			u    location.CustomerUpdate
			want []string
		}{
			{"BlankName", location.CustomerUpdate{Name: domainPtr("  ")}, []string{"VALIDATION_FAILED name"}},
			{"OverlongName", location.CustomerUpdate{Name: domainPtr(strings.Repeat("n", 201))}, []string{"VALIDATION_FAILED name"}},
			{"BadEmails", location.CustomerUpdate{EulaEmail: domainPtr("nope"), ContactEmail: domainPtr("a@b@c")}, []string{"VALIDATION_FAILED contactEmail", "VALIDATION_FAILED eulaEmail"}},
			{"OverlongZip", location.CustomerUpdate{AddressUpdate: location.AddressUpdate{Zip: domainPtr(strings.Repeat("9", 21))}}, []string{"VALIDATION_FAILED address.zip"}},
		}
		for _, tt := range tests {
			_, err := b.svc.UpdateCustomer(ctx, c.ID, tt.u)
			require.Equal(t, tt.want, domainErrors(err), tt.name)
		}
		stored, err := b.svc.FindCustomer(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "Validate Me", stored.Name)
		require.Equal(t, "eula@validate.example", stored.EulaEmail)
		require.Empty(t, domainEvents(t, b.db, "customer.update", "Customer:"+c.ID.String()))
	})

	t.Run("NameOf200MultiByteCharacters", func(t *testing.T) {
		t.Parallel()
		// "1 to 200 characters" counts characters, not UTF-8 bytes.
		c := domainCustomer(t, b.db, b.partner, "Short", "")
		got, err := b.svc.UpdateCustomer(ctx, c.ID, location.CustomerUpdate{Name: domainPtr(strings.Repeat("ß", 200))})
		require.NoError(t, err)
		require.Equal(t, strings.Repeat("ß", 200), got.Name)
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		_, err := b.svc.UpdateCustomer(b.otherCtx, b.customer.ID, location.CustomerUpdate{Name: domainPtr("Stolen")})
		require.Equal(t, []string{"NOT_FOUND id"}, domainErrors(err))
		_, err = b.svc.UpdateCustomer(ctx, uuid.New(), location.CustomerUpdate{Name: domainPtr("Ghost")})
		require.Equal(t, []string{"NOT_FOUND id"}, domainErrors(err))
		stored, err := b.svc.FindCustomer(ctx, b.customer.ID)
		require.NoError(t, err)
		require.Equal(t, "Gerards Business", stored.Name)
	})

	t.Run("Unauthenticated", func(t *testing.T) {
		t.Parallel()
		_, err := b.svc.UpdateCustomer(context.Background(), b.customer.ID, location.CustomerUpdate{Name: domainPtr("Anon")})
		require.Equal(t, []string{"UNAUTHENTICATED"}, domainErrors(err))
	})
}

func TestUpdateLocation(t *testing.T) {
	t.Parallel()
	b := setupDomain(t)
	ctx := b.ctx

	t.Run("PatchesOnlyTheGivenFields", func(t *testing.T) {
		t.Parallel()
		loc := domainCreate(t, b, location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324412", LocationFields: location.LocationFields{
			Name: "Location A", Address: db.Address{Street: "Main 1", City: "Utrecht", Zip: "3511AA", Country: "Netherlands"},
			HardwareVersion: "CPU 2", SoftwareVersion: "V9.5", DealerEmail: "sales@dealer-y.example", ReferenceNote: "Lab", Vertical: db.VerticalEducation,
		}})
		got, err := b.svc.UpdateLocation(ctx, loc.ID, location.LocationUpdate{SoftwareVersion: domainPtr("V10"), AddressUpdate: location.AddressUpdate{Street: domainPtr("Main 2")}, DealerEmail: domainPtr("")})
		require.NoError(t, err)
		stored, err := b.svc.FindLocation(ctx, loc.ID)
		require.NoError(t, err)
		for _, g := range []*db.Location{got, stored} {
			require.Equal(t, "V10", g.SoftwareVersion)
			require.Equal(t, db.Address{Street: "Main 2", City: "Utrecht", Zip: "3511AA", Country: "Netherlands"}, g.Address)
			require.Empty(t, g.DealerEmail)
			require.Equal(t, "Location A", g.Name)
			require.Equal(t, "CPU 2", g.HardwareVersion)
			require.Equal(t, "Lab", g.ReferenceNote)
			require.Equal(t, db.VerticalEducation, g.Vertical)
			require.Equal(t, "eula@gerards.example", g.CustomerEmail)
			require.Equal(t, "190400324412", g.HardwareKeyCode)
			require.Equal(t, "ENTERED", g.HwkcSource)
		}
		require.Equal(t, 1, domainCount(t, b.db, "emails", "recipient = 'eula@gerards.example' AND text_body LIKE ?", "%"+loc.ID.String()+"%"),
			"editing sends no second EULA")
	})

	t.Run("FullComputerName", func(t *testing.T) {
		t.Parallel()
		loc := domainCreate(t, b, location.CreateLocationInput{SystemType: "IS3000", FullComputerName: "pbx02.example.local"})
		got, err := b.svc.UpdateLocation(ctx, loc.ID, location.LocationUpdate{FullComputerName: domainPtr("PBX03.Example.Local")})
		require.NoError(t, err)
		require.Equal(t, domainPtr("pbx03.example.local"), got.FullComputerName)
		require.Equal(t, loc.HardwareKeyCode, got.HardwareKeyCode, "LOC-8: the HWKC stays")
		stored, err := b.svc.FindLocation(ctx, loc.ID)
		require.NoError(t, err)
		require.Equal(t, domainPtr("pbx03.example.local"), stored.FullComputerName)
		evs := domainEvents(t, b.db, "location.update", "Location:"+loc.ID.String())
		require.Len(t, evs, 1)
		require.Equal(t, []any{"full_computer_name"}, evs[0].Summary["changed"])
	})

	t.Run("Validation", func(t *testing.T) {
		t.Parallel()
		loc := domainCreate(t, b, location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324415", LocationFields: location.LocationFields{Name: "Keep Me"}})
		tests := []struct {
			name string
			u    location.LocationUpdate
			want []string
		}{
			{"BlankName", location.LocationUpdate{Name: domainPtr("")}, []string{"VALIDATION_FAILED name"}},
			{"OverlongName", location.LocationUpdate{Name: domainPtr(strings.Repeat("n", 201))}, []string{"VALIDATION_FAILED name"}},
			{"NoCustomerEmail", location.LocationUpdate{CustomerEmail: domainPtr(" ")}, []string{"VALIDATION_FAILED customerEmail"}},
			{"BadEmails", location.LocationUpdate{CustomerEmail: domainPtr("x"), DealerEmail: domainPtr("y")}, []string{"VALIDATION_FAILED customerEmail", "VALIDATION_FAILED dealerEmail"}},
			{"BadVertical", location.LocationUpdate{Vertical: domainPtr(db.Vertical("SPACE"))}, []string{"VALIDATION_FAILED vertical"}},
			{"FullComputerNameOnSV8100", location.LocationUpdate{FullComputerName: domainPtr("pbx.example.local")}, []string{"VALIDATION_FAILED fullComputerName"}},
			{"OverlongHardwareVersion", location.LocationUpdate{HardwareVersion: domainPtr(strings.Repeat("v", 51))}, []string{"VALIDATION_FAILED hardwareVersion"}},
		}
		for _, tt := range tests {
			_, err := b.svc.UpdateLocation(ctx, loc.ID, tt.u)
			require.Equal(t, tt.want, domainErrors(err), tt.name)
		}
		stored, err := b.svc.FindLocation(ctx, loc.ID)
		require.NoError(t, err)
		require.Equal(t, "Keep Me", stored.Name)
		require.Equal(t, db.VerticalNone, stored.Vertical)
		require.Empty(t, domainEvents(t, b.db, "location.update", "Location:"+loc.ID.String()))
	})

	t.Run("BadFullComputerName", func(t *testing.T) {
		t.Parallel()
		loc := domainCreate(t, b, location.CreateLocationInput{SystemType: "IS3000", FullComputerName: "pbx04.example.local"})
		_, err := b.svc.UpdateLocation(ctx, loc.ID, location.LocationUpdate{FullComputerName: domainPtr("not a host")})
		require.Equal(t, []string{"VALIDATION_FAILED fullComputerName"}, domainErrors(err))
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		loc := domainCreate(t, b, location.CreateLocationInput{SystemType: "SV8100", HardwareKeyCode: "190400324416"})
		_, err := b.svc.UpdateLocation(b.otherCtx, loc.ID, location.LocationUpdate{Name: domainPtr("Stolen")})
		require.Equal(t, []string{"NOT_FOUND id"}, domainErrors(err))
		_, err = b.svc.UpdateLocation(ctx, uuid.New(), location.LocationUpdate{Name: domainPtr("Ghost")})
		require.Equal(t, []string{"NOT_FOUND id"}, domainErrors(err))
		stored, err := b.svc.FindLocation(ctx, loc.ID)
		require.NoError(t, err)
		require.Equal(t, "Site SV8100", stored.Name)
		_, err = b.svc.FindLocation(b.otherCtx, loc.ID)
		require.Equal(t, []string{"NOT_FOUND"}, domainErrors(err))
	})
}
