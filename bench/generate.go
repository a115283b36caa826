package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"lms/auth"
	"lms/licensefile"
)

// Fixture is what Generate made that the scenarios use. Everything the
// scenarios act on belongs to one dealer, the bench dealer; the other
// partners are the background data.
type Fixture struct {
	// PartnerID and PartnerName are the bench dealer's.
	PartnerID   uuid.UUID
	PartnerName string
	// Users are the bench dealer's users (USER and SWA_ADMIN), one per
	// client of the busiest scenario that needs distinct users.
	Users []User
	// AttachLocations and AttachLines are P1's: client i attaches from
	// AttachLines[i] to AttachLocations[i]; SharedLine is the line all
	// clients take from in the contended case.
	AttachLocations []Location
	AttachLines     []uuid.UUID
	SharedLine      uuid.UUID
	// Pages are P2's locations, by the number of activated licenses.
	Pages []PageLocation
	// Ready are P4's locations, one per client.
	Ready []ReadyLocation
	// Swa are P5's locations: each with an activated SV8100 port license
	// in its grace period, for one SWA assignment.
	Swa []uuid.UUID
	// Partners are the background partners.
	Partners []Partner
}

// User is a generated user and its API token.
type User struct {
	ID                 uuid.UUID
	Email, Name, Token string
}

// Location is a generated location as the audit trail names it.
type Location struct {
	ID                    uuid.UUID
	Name, HardwareKeyCode string
}

// PageLocation is a location with Activated activated and as many attached
// licenses, and one READY license file.
type PageLocation struct {
	Location  uuid.UUID
	Activated int
}

// ReadyLocation is a location with a READY license file (File) and
// attached licenses to activate.
type ReadyLocation struct {
	Location, File uuid.UUID
	Attached       []uuid.UUID
}

// Partner is a background partner: its user's token and what it holds.
type Partner struct {
	ID                  uuid.UUID
	Token               string
	Locations, Licenses int
}

// sv8100Parts are the parts generated licenses are of: SV8100's QUANTITY
// parts (catalog.json), so that any number stacks on one location.
var sv8100Parts = []struct{ number, name string }{
	{"BE107573", "LK-SYS-256 PORT LIC"},
	{"BE107582", "LK-SYS-IP-TRUNK1-LIC"},
	{"BE107576", "LK-SYS-SMDR-LIC SMDR License"},
	{"BE107585", "LK-SYS-IP-TERMINAL-1-LIC"},
}

// swaUnitPart is the catalog's SWA unit part (flag SWA_UNIT).
const swaUnitPart = "BE112031"

// licensesPerOrder is how many background licenses one shipped order's
// lines hold.
const licensesPerOrder = 200

// GenerateOpts says what Generate makes.
type GenerateOpts struct {
	Scale Scale
	// Rounds is how many rounds of the scenarios the bench dealer's data
	// must last (P4 activates licenses, P5 assigns SWA to locations).
	Rounds int
	// ProgressFunc, when set, is told of each large table copied.
	ProgressFunc func(format string, args ...any)
}

// generator writes the rows; its counters keep codes unique.
type generator struct {
	conn         *pgxpool.Conn
	progress     func(format string, args ...any)
	now          time.Time
	past         time.Time // when the background licenses were attached and activated
	licenses     int       // Software Key Codes issued
	hwkcs        int       // Hardware Key Codes issued
	ordersIssued int       // sales orders issued
}

// Generate fills a migrated database with the scale's data by COPY, and
// analyses it: the background partners, locations, orders and licenses,
// and the bench dealer with what each scenario acts on for rounds rounds.
// The rows are what the application would have written: the tests read
// them back through the API.
func Generate(ctx context.Context, pool *pgxpool.Pool, opts GenerateOpts) (*Fixture, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	defer conn.Release()
	now := time.Now().UTC()
	g := &generator{conn: conn, now: now, past: now.AddDate(-2, 0, 0), progress: opts.ProgressFunc}
	if g.progress == nil {
		g.progress = func(string, ...any) {}
	}
	f := &Fixture{}
	if err := g.background(ctx, opts.Scale, f); err != nil {
		return nil, fmt.Errorf("generate background data: %w", err)
	}
	if err := g.benchDealer(ctx, opts.Scale, max(opts.Rounds, 1), f); err != nil {
		return nil, fmt.Errorf("generate the bench dealer: %w", err)
	}
	start := time.Now()
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	g.progress("analysed in %s", time.Since(start).Round(time.Millisecond))
	return f, nil
}

// copyRows copies n rows made by row into table.
func (g *generator) copyRows(ctx context.Context, table string, cols []string, n int, row func(i int) []any) error {
	start := time.Now()
	defer func() {
		if n >= 10_000 {
			g.progress("copied %d %s in %s", n, table, time.Since(start).Round(time.Millisecond))
		}
	}()
	i := 0
	_, err := g.conn.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		i++
		return row(i - 1), nil
	}))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}

// id is a uuid as pgx's COPY encodes it.
func id(u uuid.UUID) [16]byte { return u }

func ids(n int) []uuid.UUID {
	out := make([]uuid.UUID, n)
	for i := range out {
		out[i] = uuid.New()
	}
	return out
}

// softwareKeyCode is a unique Software Key Code of an SV8100 license
// (characters 3-4 are the HWKC prefix 19): "BN19" and a base-36 counter.
func (g *generator) softwareKeyCode() string {
	g.licenses++
	return "BN19" + pad(strings.ToUpper(strconv.FormatInt(int64(g.licenses), 36)), 16)
}

// hardwareKeyCode is a unique SV8100 Hardware Key Code (^19[0-9A-F]{10}$).
func (g *generator) hardwareKeyCode() string {
	g.hwkcs++
	return fmt.Sprintf("19%010X", g.hwkcs)
}

func pad(s string, n int) string { return strings.Repeat("0", n-len(s)) + s }

// partners inserts partners with users, each user with a token, and a
// customer each; names[i] names partner i and users[i] is its user count.
func (g *generator) partners(ctx context.Context, names []string, users []int) (partnerIDs, customerIDs []uuid.UUID, us [][]User, err error) {
	partnerIDs, customerIDs = ids(len(names)), ids(len(names))
	if err := g.copyRows(ctx, "partners", []string{"id", "kind", "name", "email"}, len(names), func(i int) []any {
		return []any{id(partnerIDs[i]), "DEALER", names[i], fmt.Sprintf("office%04d@bench.example", i)}
	}); err != nil {
		return nil, nil, nil, err
	}
	type row struct {
		partner int
		user    User
		hash    []byte
		prefix  string
	}
	var rows []row
	us = make([][]User, len(names))
	for p, n := range users {
		for k := range n {
			secret, hash, prefix := auth.NewSecret()
			u := User{ID: uuid.New(), Email: fmt.Sprintf("user%04d-%03d@%s.bench.example", p, k, strings.ToLower(strings.ReplaceAll(names[p], " ", "-"))),
				Name: fmt.Sprintf("Bench User %d of %s", k+1, names[p]), Token: secret}
			us[p] = append(us[p], u)
			rows = append(rows, row{p, u, hash, prefix})
		}
	}
	if err := g.copyRows(ctx, "users", []string{"id", "partner_id", "email", "name", "roles"}, len(rows), func(i int) []any {
		r := rows[i]
		return []any{id(r.user.ID), id(partnerIDs[r.partner]), r.user.Email, r.user.Name, []string{"USER", "SWA_ADMIN"}}
	}); err != nil {
		return nil, nil, nil, err
	}
	if err := g.copyRows(ctx, "api_tokens", []string{"id", "user_id", "name", "token_hash", "prefix"}, len(rows), func(i int) []any {
		r := rows[i]
		return []any{id(uuid.New()), id(r.user.ID), "bench", r.hash, r.prefix}
	}); err != nil {
		return nil, nil, nil, err
	}
	if err := g.copyRows(ctx, "customers", []string{"id", "partner_id", "name", "city", "contact_email", "eula_email"}, len(names), func(i int) []any {
		return []any{id(customerIDs[i]), id(partnerIDs[i]), "Customer of " + names[i], "Benchville", fmt.Sprintf("contact%04d@customer.example", i), fmt.Sprintf("eula%04d@customer.example", i)}
	}); err != nil {
		return nil, nil, nil, err
	}
	return partnerIDs, customerIDs, us, nil
}

// locations inserts SV8100 locations of a partner's customer, with their
// Hardware Key Codes.
func (g *generator) locations(ctx context.Context, partnerOf, customerOf func(i int) uuid.UUID, n int, namePrefix string) ([]Location, error) {
	locs := make([]Location, n)
	for i := range locs {
		locs[i] = Location{ID: uuid.New(), Name: fmt.Sprintf("%s %d", namePrefix, i+1), HardwareKeyCode: g.hardwareKeyCode()}
	}
	if err := g.copyRows(ctx, "locations", []string{"id", "partner_id", "customer_id", "system_type", "name", "city", "hardware_key_code", "hwkc_source", "dealer_email", "customer_email"}, n, func(i int) []any {
		l := locs[i]
		return []any{id(l.ID), id(partnerOf(i)), id(customerOf(i)), "SV8100", l.Name, "Benchville", l.HardwareKeyCode, "ENTERED", "desk@dealer.example", "it@customer.example"}
	}); err != nil {
		return nil, err
	}
	if err := g.copyRows(ctx, "hardware_key_codes", []string{"code", "location_id", "role"}, n, func(i int) []any {
		return []any{locs[i].HardwareKeyCode, id(locs[i].ID), "PRIMARY"}
	}); err != nil {
		return nil, err
	}
	return locs, nil
}

// orderLine is a generated bin line and what it holds.
type orderLine struct {
	id, order, partner uuid.UUID
	lineNo             int
	part               string
	held, available    int // held by licenses; left in the bin
}

// orders inserts one order per entry of lines (its lines), numbering them.
func (g *generator) orders(ctx context.Context, partners []uuid.UUID, lines [][]*orderLine) error {
	orderIDs := ids(len(partners))
	first := g.ordersIssued
	g.ordersIssued += len(partners)
	if err := g.copyRows(ctx, "license_orders", []string{"id", "partner_id", "sales_order", "purchase_order", "created_at"}, len(partners), func(i int) []any {
		return []any{id(orderIDs[i]), id(partners[i]), fmt.Sprintf("SO-BENCH-%07d", first+i+1), fmt.Sprintf("PO-BENCH-%07d", first+i+1), g.past}
	}); err != nil {
		return err
	}
	var all []*orderLine
	for o, ls := range lines {
		for k, l := range ls {
			l.order, l.partner, l.lineNo = orderIDs[o], partners[o], k+1
			all = append(all, l)
		}
	}
	return g.copyRows(ctx, "order_lines", []string{"id", "order_id", "partner_id", "line_no", "part_number", "shipped", "available", "created_at"}, len(all), func(i int) []any {
		l := all[i]
		return []any{id(l.id), id(l.order), id(l.partner), l.lineNo, l.part, l.held + l.available, l.available, g.past}
	})
}

// license is a generated license.
type license struct {
	id, location, partner uuid.UUID
	line                  *orderLine
	activated             bool
	at                    time.Time
}

// licenseCols are the columns licenseRow fills.
var licenseCols = []string{"id", "software_key_code", "partner_id", "location_id", "order_line_id", "part_number", "quantity", "status", "attached_at", "activated_at", "file_version"}

func (g *generator) licenseRow(l license) []any {
	status, activatedAt, version := "ATTACHED", (*time.Time)(nil), (*int)(nil)
	if l.activated {
		one := 1
		status, activatedAt, version = "ACTIVATED", &l.at, &one
	}
	return []any{id(l.id), g.softwareKeyCode(), id(l.partner), id(l.location), id(l.line.id), l.line.part, 1, status, l.at, activatedAt, version}
}

// fileContent stands in for a signed zip: the bench never downloads it.
var fileContent = []byte("lms bench: a generated license file record, not a signed file")

// readyFiles inserts a READY first generation for each location, granting
// what counts[i] says (part number → quantity), and returns their ids.
func (g *generator) readyFiles(ctx context.Context, locs []Location, partnerOf func(i int) uuid.UUID, counts func(i int) map[string]int, at time.Time) ([]uuid.UUID, error) {
	fileIDs := ids(len(locs))
	sum := sha256.Sum256(fileContent)
	hash := hex.EncodeToString(sum[:])
	return fileIDs, g.copyRows(ctx, "license_files", []string{"id", "location_id", "partner_id", "version", "reason", "status", "requested_at", "ready_at", "file_name", "content", "sha256", "activation_code", "key_id", "features"}, len(locs), func(i int) []any {
		var features []licensefile.Entitlement
		c := counts(i)
		for _, p := range sv8100Parts {
			if c[p.number] > 0 {
				features = append(features, licensefile.Entitlement{PartNumber: p.number, Name: p.name, Stacking: "QUANTITY", Quantity: c[p.number]})
			}
		}
		js, _ := json.Marshal(features) // a slice of plain structs always marshals
		return []any{id(fileIDs[i]), id(locs[i].ID), id(partnerOf(i)), 1, "ACTIVATION", "READY", at, at, locs[i].HardwareKeyCode + "-svi.zip",
			fileContent, hash, "0000-0000-0000-0001", "bench", js}
	})
}
