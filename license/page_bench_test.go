package license_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/metrics"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"lms/auth"
	"lms/lmstest"
)

// BenchmarkLicensePage reads the location license page (LIC-8, the query
// licensePage) of a location with n activated licenses and n/10 attached,
// one request at a time, through the HTTP API ("api"), as the same reads
// sent straight through pgx ("raw"), and the two alternating ("paired",
// reporting the ratio of their medians; issue 14, P2: within 3× of raw).
// Run with
//
//	go test -run '^$' -bench BenchmarkLicensePage -benchtime 400x ./license/
func BenchmarkLicensePage(b *testing.B) {
	env := lmstest.New(b, lmstest.Opts{NoSMTP: true})
	for _, n := range []int{10, 100} {
		// n + n/10 licenses from lines of 4 units, n activated in 4 files.
		total := n + n/10
		orders := (total + 4*len(sv8100Parts) - 1) / (4 * len(sv8100Parts))
		loc := fillLicensePage(b, env, lmstest.DealerY, fmt.Sprintf("BENCH%d", n), orders, 4, total, n, max(1, n/4))
		var locID uuid.UUID
		if err := env.DB.Pool.QueryRow(context.Background(),
			"SELECT id FROM locations WHERE hardware_key_code = $1", loc.HardwareKeyCode).Scan(&locID); err != nil {
			b.Fatal(err)
		}
		vars := map[string]any{"id": loc.ID}
		token := auth.Hash(env.Tokens[lmstest.DealerY])
		readAPI := func(b *testing.B) int {
			resp, err := env.Post(lmstest.DealerY, licensePage, vars)
			if err != nil {
				b.Fatal(err)
			}
			return resp.Statements()
		}
		readRaw := func(b *testing.B) {
			if err := rawLicensePage(context.Background(), env.DB.Pool, token, locID); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("licenses=%d", n), func(b *testing.B) {
			b.Run("api", func(b *testing.B) {
				statements := 0
				measure(b, func() { statements = readAPI(b) })
				b.ReportMetric(float64(statements), "statements/op")
			})
			b.Run("raw", func(b *testing.B) {
				measure(b, func() { readRaw(b) })
			})
			// paired alternates the two, so that both see the same load
			// on a shared machine, and reports the ratio of their medians.
			b.Run("paired", func(b *testing.B) {
				var api, raw []time.Duration
				for b.Loop() {
					start := time.Now()
					readAPI(b)
					mid := time.Now()
					readRaw(b)
					api, raw = append(api, mid.Sub(start)), append(raw, time.Since(mid))
				}
				a, r := median(api), median(raw)
				b.ReportMetric(float64(a.Microseconds())/1000, "api-p50-ms")
				b.ReportMetric(float64(r.Microseconds())/1000, "raw-p50-ms")
				b.ReportMetric(float64(a)/float64(r), "api/raw")
			})
		})
	}
}

// measure runs do b.N times, one after the other, and reports the median as
// p50-ms, the goroutines started per run (client and server) as
// goroutines/op, and the allocations.
func measure(b *testing.B, do func()) {
	b.ReportAllocs()
	sample := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(sample)
	before := sample[0].Value.Uint64()
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		do()
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	metrics.Read(sample)
	b.ReportMetric(float64(median(took).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(sample[0].Value.Uint64()-before)/float64(len(took)), "goroutines/op")
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// rawLicensePage reads what licensePage shows, as few parameterised
// statements through pgx as the data allows: the token with its user and
// partner, the location's header, its licenses with their parts, lines and
// orders, the stacked entitlements, and the license files with their
// features; the current file is the newest that is not a demo. It is the
// floor the API is measured against: no GraphQL, no bun, no HTTP, no JSON
// answer.
func rawLicensePage(ctx context.Context, pool *pgxpool.Pool, tokenHash []byte, locationID uuid.UUID) error {
	var userID, partnerID uuid.UUID
	var email, kind string
	var roles []string
	if err := pool.QueryRow(ctx, `SELECT u.id, u.email, u.roles, p.id, p.kind FROM api_tokens AS t
		JOIN users AS u ON u.id = t.user_id AND u.disabled_at IS NULL JOIN partners AS p ON p.id = u.partner_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`, tokenHash).
		Scan(&userID, &email, &roles, &partnerID, &kind); err != nil {
		return fmt.Errorf("token: %w", err)
	}
	var name, hwkc, systemType, customer string
	if err := pool.QueryRow(ctx, `SELECT l.name, l.hardware_key_code, st.name, c.name FROM locations AS l
		JOIN customers AS c ON c.id = l.customer_id JOIN system_types AS st ON st.code = l.system_type
		WHERE l.id = $1 AND l.partner_id = $2`, locationID, partnerID).Scan(&name, &hwkc, &systemType, &customer); err != nil {
		return fmt.Errorf("location: %w", err)
	}
	type license struct {
		status, code, number, partName, po, so string
		quantity, lineNo                       int
		activatedAt                            *time.Time
	}
	rows, err := pool.Query(ctx, `SELECT lic.status, lic.software_key_code, p.number, p.name, lic.quantity,
		o.purchase_order, o.sales_order, ol.line_no, lic.activated_at
		FROM licenses AS lic JOIN parts AS p ON p.number = lic.part_number
		JOIN order_lines AS ol ON ol.id = lic.order_line_id JOIN license_orders AS o ON o.id = ol.order_id
		WHERE lic.location_id = $1 AND lic.partner_id = $2
		ORDER BY lic.status, coalesce(lic.activated_at, lic.attached_at), lic.id`, locationID, partnerID)
	if err != nil {
		return fmt.Errorf("licenses: %w", err)
	}
	var lics []license
	for rows.Next() {
		var l license
		if err := rows.Scan(&l.status, &l.code, &l.number, &l.partName, &l.quantity, &l.po, &l.so, &l.lineNo, &l.activatedAt); err != nil {
			return err
		}
		lics = append(lics, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	type entitlement struct {
		number, name, stacking string
		quantity, version      int
	}
	rows, err = pool.Query(ctx, `SELECT p.number, p.name, p.stacking, sum(lic.quantity)::int, coalesce(max(p.version), 0)
		FROM licenses AS lic JOIN parts AS p ON p.number = lic.part_number
		WHERE lic.location_id = $1 AND lic.partner_id = $2 AND lic.status = 'ACTIVATED'
		GROUP BY p.number, p.name, p.stacking ORDER BY p.number`, locationID, partnerID)
	if err != nil {
		return fmt.Errorf("entitlements: %w", err)
	}
	var ents []entitlement
	for rows.Next() {
		var e entitlement
		if err := rows.Scan(&e.number, &e.name, &e.stacking, &e.quantity, &e.version); err != nil {
			return err
		}
		ents = append(ents, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	type file struct {
		version                  int
		status, reason           string
		fileName, activationCode *string
		features                 []struct{ PartNumber, Name string }
	}
	rows, err = pool.Query(ctx, `SELECT version, status, reason, file_name, activation_code, features
		FROM license_files WHERE location_id = $1 AND partner_id = $2
		ORDER BY requested_at DESC, id DESC LIMIT 251`, locationID, partnerID)
	if err != nil {
		return fmt.Errorf("license files: %w", err)
	}
	var files []file
	var current *file
	for rows.Next() {
		var f file
		var features []byte
		if err := rows.Scan(&f.version, &f.status, &f.reason, &f.fileName, &f.activationCode, &features); err != nil {
			return err
		}
		if err := json.Unmarshal(features, &f.features); err != nil {
			return err
		}
		files = append(files, f)
		if current == nil && f.reason != "DEMO" {
			current = &files[len(files)-1]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(lics) == 0 || len(ents) == 0 || current == nil {
		return fmt.Errorf("the page is empty: %d licenses, %d entitlements, current %v", len(lics), len(ents), current)
	}
	return nil
}
