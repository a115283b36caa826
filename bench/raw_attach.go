package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The raw baselines of P1: the work of one attach of quantity 1 sent
// straight to PostgreSQL through pgx, parameterised (pgx prepares each
// statement once per connection), so that the server's throughput can be
// read against what the database itself allows.
//
// rawAttach MIRRORS license.Attach as the server runs it (captured with
// log_statement = 'all' on 2026-12-06, after issue 14's changes: 7
// statements with the transaction; 13 before them, with authentication,
// catalog reads and a re-read of the location after the commit). It must
// be updated when attach changes, or the ratio compares the server with
// work it no longer does. Attach inserts no River job.
//
// minimalAttach is the physical limit of the work itself: lock the bin
// line, take from it, insert the license, the audit event and a job, in
// one transaction (5 statements).

// attachOp is one attach of quantity 1: who, from which line, to where.
type attachOp struct {
	tokenHash   []byte
	user        User
	partnerID   uuid.UUID
	partnerName string
	location    Location
	line        uuid.UUID
	licenseID   uuid.UUID
	code        string // the new license's Software Key Code
	at          time.Time
	requestID   string
}

// statement is a parameterised SQL statement and how an attach fills its
// parameters; beginTx and commitTx delimit the transaction.
type statement struct {
	sql  string
	args func(op *attachOp) []any
}

const (
	beginTx  = "begin"
	commitTx = "commit"
)

// locationColumns are the columns bun selects for a db.Location.
const locationColumns = `"l"."id", "l"."partner_id", "l"."customer_id", "l"."parent_id", "l"."child_kind", "l"."system_type", "l"."name", "l"."street", "l"."city", "l"."state", "l"."country", "l"."zip", "l"."hardware_key_code", "l"."secondary_hardware_key_code", "l"."hwkc_source", "l"."full_computer_name", "l"."domain_name", "l"."mac_address", "l"."small_enterprise", "l"."product_key", "l"."ip_address", "l"."hardware_version", "l"."software_version", "l"."customer_email", "l"."dealer_email", "l"."reference_note", "l"."vertical", "l"."created_at", "l"."updated_at", "l"."deleted_at"`

var rawAttach = []statement{
	// Authentication sends nothing: the server answers a token it saw
	// moments ago from memory (auth.Service.ListenOn), as every client's
	// token is here after its first request.
	{beginTx, nil},
	// location.LockSystem: the location and its parent, locked in one
	// statement; the system type comes from the catalog in memory.
	{`SELECT ` + locationColumns + ` FROM "locations" AS "l" WHERE (l.id IN (SELECT unnest(array[c.id, c.parent_id]) FROM locations AS c WHERE (c.id = $1) AND (c.deleted_at IS NULL) AND (c.partner_id = $2))) ORDER BY l.parent_id IS NOT NULL FOR UPDATE OF l`,
		func(op *attachOp) []any { return []any{id(op.location.ID), id(op.partnerID)} }},
	// lockSelection: the bin lines locked, with their orders; their parts
	// come from the catalog in memory.
	{`SELECT ol.*, o.purchase_order, o.sales_order FROM "order_lines" AS "ol" JOIN license_orders AS o ON o.id = ol.order_id WHERE (ol.id IN ($1)) AND (ol.partner_id = $2) ORDER BY ol.id FOR UPDATE OF ol`,
		func(op *attachOp) []any { return []any{id(op.line), id(op.partnerID)} }},
	// usageOf: what the system holds already, for the per-system limits.
	{`SELECT lic.location_id, lic.part_number, sum(lic.quantity)::int AS quantity FROM licenses AS lic WHERE (lic.location_id IN ((SELECT "l"."id" FROM locations AS l WHERE (l.id = $1)) UNION ALL (SELECT "l"."id" FROM locations AS l WHERE (l.parent_id = $1)))) GROUP BY lic.location_id, lic.part_number`,
		func(op *attachOp) []any { return []any{id(op.location.ID)} }},
	// inventory.TakeQuery in the WITH of insertLicenses.
	{`WITH "_with" AS (UPDATE "order_lines" AS "ol" SET available = ol.available - t.quantity FROM unnest($1::uuid[], $2::int[]) AS t (line_id, quantity) WHERE (ol.id = t.line_id)) INSERT INTO "licenses" AS "lic" ("id", "software_key_code", "partner_id", "location_id", "order_line_id", "part_number", "quantity", "status", "attached_at", "attached_by", "activated_at", "activated_by", "file_version") VALUES ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, DEFAULT, DEFAULT, DEFAULT) ON CONFLICT (software_key_code) DO NOTHING RETURNING id`,
		func(op *attachOp) []any {
			return []any{[][16]byte{op.line}, []int32{1}, id(op.licenseID), op.code, id(op.partnerID), id(op.location.ID), id(op.line), "BE107585", 1, "ATTACHED", op.at, id(op.user.ID)}
		}},
	// audit.Record.
	{`INSERT INTO "audit_events" ("id", "partner_ids", "actor_id", "impersonator_id", "impersonator_partner_id", "actor_label", "impersonator_label", "action", "object_ids", "summary", "request_id", "created_at") VALUES (DEFAULT, $1, $2, DEFAULT, DEFAULT, $3, DEFAULT, $4, $5, $6, $7, DEFAULT) RETURNING "id", "impersonator_id", "impersonator_partner_id", "impersonator_label", "created_at"`,
		func(op *attachOp) []any {
			return []any{[][16]byte{op.partnerID}, id(op.user.ID), op.actorLabel(), "license.attach", op.objects(), op.summary(), op.requestID}
		}},
	{commitTx, nil},
}

var minimalAttach = []statement{
	{beginTx, nil},
	{`SELECT available FROM order_lines WHERE id = $1 FOR UPDATE`,
		func(op *attachOp) []any { return []any{id(op.line)} }},
	{`UPDATE order_lines SET available = available - 1 WHERE id = $1`,
		func(op *attachOp) []any { return []any{id(op.line)} }},
	{`INSERT INTO licenses (id, software_key_code, partner_id, location_id, order_line_id, part_number, quantity, status, attached_at, attached_by)
		VALUES ($1, $2, $3, $4, $5, 'BE107585', 1, 'ATTACHED', $6, $7)`,
		func(op *attachOp) []any {
			return []any{id(op.licenseID), op.code, id(op.partnerID), id(op.location.ID), id(op.line), op.at, id(op.user.ID)}
		}},
	{`INSERT INTO audit_events (partner_ids, actor_id, action, object_ids, summary) VALUES ($1, $2, 'license.attach', $3, $4)`,
		func(op *attachOp) []any {
			return []any{[][16]byte{op.partnerID}, id(op.user.ID), op.objects(), op.summary()}
		}},
	// A job in a queue no worker serves: inserted like the file and mail
	// jobs, never run.
	{`INSERT INTO river_job (args, kind, max_attempts, queue) VALUES ($1, 'bench_minimal', 25, 'bench_minimal')`,
		func(op *attachOp) []any { return []any{fmt.Sprintf(`{"licenseId": %q}`, op.licenseID)} }},
	{commitTx, nil},
}

func (op *attachOp) actorLabel() string {
	b, _ := json.Marshal(map[string]string{"name": op.user.Name, "email": op.user.Email, "partnerName": op.partnerName})
	return string(b)
}

func (op *attachOp) objects() []string {
	return []string{"Location:" + op.location.ID.String(), "License:" + op.licenseID.String()}
}

func (op *attachOp) summary() string {
	b, _ := json.Marshal(map[string]string{
		op.code: "BE107585 × 1 (PO PO-BENCH)", "hardwareKeyCode": op.location.HardwareKeyCode, "location": op.location.Name,
	})
	return string(b)
}

// newAttachOp is an attach as user from line to loc, with a new license.
func newAttachOp(f *Fixture, user User, loc Location, line uuid.UUID, tokenHash []byte) *attachOp {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return &attachOp{
		tokenHash: tokenHash, user: user, partnerID: f.PartnerID, partnerName: f.PartnerName, location: loc, line: line,
		licenseID: uuid.New(), code: randomCode(), at: time.Now(), requestID: hex.EncodeToString(b[:]),
	}
}

// randomCode is a random SV8100 Software Key Code, as attach draws them.
func randomCode() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b [18]byte
	_, _ = rand.Read(b[:])
	out := []byte("XX19")
	out[0], out[1] = alphabet[b[16]%36], alphabet[b[17]%36]
	for _, c := range b[:16] {
		out = append(out, alphabet[c%36])
	}
	return string(out)
}

// execute runs stmts for op on one connection of pool.
func execute(ctx context.Context, pool *pgxpool.Pool, stmts []statement, op *attachOp) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	var tx pgx.Tx
	defer func() {
		if tx != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	for _, s := range stmts {
		switch {
		case s.sql == beginTx:
			tx, err = conn.Begin(ctx)
		case s.sql == commitTx:
			err = tx.Commit(ctx)
			tx = nil
		case tx != nil:
			_, err = tx.Exec(ctx, s.sql, s.args(op)...)
		default:
			_, err = conn.Exec(ctx, s.sql, s.args(op)...)
		}
		if err != nil {
			return fmt.Errorf("%.60s: %w", s.sql, err)
		}
	}
	return nil
}
