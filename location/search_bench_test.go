package location_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"lms/db"
	"lms/location"
	"lms/page"
)

// The search data set: the searching partner has benchLocations locations
// over benchCustomers customers; another partner has benchOtherCustomers
// customers with one location each, so that every search must leave out
// another tenant's matches.
const (
	benchLocations      = 100_000
	benchCustomers      = 2_000
	benchOtherCustomers = 10_000
)

// BenchmarkLocationSearch measures the first page (50) of ListLocations, the
// type-ahead of the location search, for searches that the trigram index
// over search_text answers well and badly. The data set is built once per
// run, outside the timed loops; `go test` without -bench never builds it.
func BenchmarkLocationSearch(b *testing.B) {
	bb := setupDomain(b)
	ctx := context.Background()
	partnerA, partnerB := bb.partner.ID, bb.otherCustomer.PartnerID
	seedSearchData(b, bb.db, partnerA, partnerB)

	// 8 characters from the middle of one SV8500 code of the partner.
	var fragment string
	require.NoError(b, bb.db.NewSelect().Model((*db.Location)(nil)).ColumnExpr("substr(hardware_key_code, 11, 8)").
		Where("partner_id = ?", partnerA).Where("system_type = 'SV8500'").OrderExpr("hardware_key_code").Offset(1234).Limit(1).
		Scan(ctx, &fragment))

	cases := []struct {
		name, search string
		// selective says the trigram index should answer the search.
		selective bool
	}{
		{"UniqueNumber", "12345", true},         // "Site 12345 …" and a code or two
		{"CommonWord", "rotterdam", false},      // a city of 1 in 20 locations
		{"HWKCFragment", fragment, true},        // one location
		{"TwoChars", "er", false},               // no trigram; many rows match
		{"TwoCharsNoMatch", "qz", false},        // no trigram; nothing matches
		{"OtherTenantsWord", "antwerpen", true}, // 2,000 matches, all of the other partner
		{"NoSearch", "", false},                 // the plain first page by name
	}

	first := 50
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			filter, args := location.LocationFilter{Search: c.search}, page.Args{First: &first}

			// The plan of the statement the service builds: its outline
			// always (benchmark output is cut at 10 lines without -v), in
			// full with -v.
			sql, plan := explainListLocations(b, bb, filter)
			if c.selective && !strings.Contains(plan, "locations_search_idx") {
				b.Logf("WARNING: the selective search %q does not use locations_search_idx", c.search)
			}
			b.Logf("plan of search %q: %s", c.search, planOutline(plan))
			if testing.Verbose() {
				if c.name == "UniqueNumber" {
					b.Logf("ListLocations(search %q) runs:\n%s", c.search, sql)
				}
				b.Logf("EXPLAIN (ANALYZE, BUFFERS) of ListLocations(search %q):\n%s", c.search, plan)
			}

			// What the query returns, checked once outside the loop.
			p, err := bb.svc.ListLocations(bb.ctx, filter, args)
			require.NoError(b, err)
			if c.name == "TwoCharsNoMatch" || c.name == "OtherTenantsWord" {
				require.Empty(b, p.Items)
			} else {
				require.NotEmpty(b, p.Items, c.search)
			}
			for _, l := range p.Items {
				require.Equal(b, partnerA, l.PartnerID)
				require.Contains(b, strings.ToLower(l.Name+" "+l.HardwareKeyCode), strings.ToLower(c.search))
			}
			matches, err := bb.db.NewSelect().Model((*db.Location)(nil)).Where("partner_id = ?", partnerA).
				Where("deleted_at IS NULL").Where("search_text LIKE ?", "%"+strings.ToLower(c.search)+"%").Count(ctx)
			require.NoError(b, err)

			for b.Loop() {
				if _, err := bb.svc.ListLocations(bb.ctx, filter, args); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/query")
			b.ReportMetric(float64(matches), "matches")
		})
	}
}

// seedSearchData inserts the data set with a few INSERT … SELECT statements:
// customers, locations of five system types with realistic HWKCs, and their
// hardware_key_codes reservations.
func seedSearchData(b *testing.B, bunDB *bun.DB, partnerA, partnerB uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO customers (id, partner_id, name, city, country, eula_email, reference_note)
		  SELECT md5('bench-customer-' || n)::uuid,
		         CASE WHEN n <= ? THEN ?::uuid ELSE ?::uuid END,
		         'Customer ' || n, 'Utrecht', 'Netherlands', 'eula' || n || '@customer.example', 'CUST-' || n
		  FROM generate_series(1, ?::int) AS n`,
			[]any{benchCustomers, partnerA, partnerB, benchCustomers + benchOtherCustomers}},
		// Location i of the partner belongs to customer (i-1) % 2000 + 1; the
		// other partner's location i belongs to customer i - 100000 + 2000
		// and lies in a city none of the partner's locations is in.
		{`INSERT INTO locations (partner_id, customer_id, system_type, name, city, country,
		                         hardware_key_code, hwkc_source, customer_email)
		  SELECT CASE WHEN i <= ? THEN ?::uuid ELSE ?::uuid END,
		         md5('bench-customer-' || CASE WHEN i <= ? THEN (i - 1) % ? + 1 ELSE i - ? + ? END)::uuid,
		         (ARRAY['SV8100', 'SV9100_CP10', 'SV8500', 'SV9500', 'IS3000'])[1 + i % 5],
		         'Site ' || i || ' ' || city, city, 'Netherlands',
		         CASE i % 5
		           WHEN 0 THEN '19' || upper(lpad(to_hex(i), 10, '0'))
		           WHEN 1 THEN '34' || upper(lpad(to_hex(i), 10, '0'))
		           WHEN 2 THEN '22' || upper(substr(md5('a' || i), 1, 14)) || substr(md5('b' || i), 1, 10) || 'xO'
		           WHEN 3 THEN '35G00N' || upper(substr(md5('c' || i), 1, 20)) || 'Po'
		           ELSE 'aa0014SA' || lpad(i::text, 10, '0') || 'AA'
		         END,
		         'ENTERED', 'eula@customer.example'
		  FROM generate_series(1, ?::int) AS i,
		       LATERAL (SELECT CASE WHEN i <= ? THEN
		                 (ARRAY['Amsterdam', 'Rotterdam', 'Utrecht', 'Eindhoven', 'Groningen', 'Tilburg', 'Almere',
		                        'Breda', 'Nijmegen', 'Apeldoorn', 'Haarlem', 'Arnhem', 'Enschede', 'Amersfoort',
		                        'Zaanstad', 'Hilversum', 'Leiden', 'Maastricht', 'Dordrecht', 'Zwolle'])[1 + (i / 7) % 20]
		               ELSE (ARRAY['Antwerpen', 'Gent', 'Brugge', 'Leuven', 'Kortrijk'])[1 + i % 5]
		               END AS city) AS c`,
			[]any{benchLocations, partnerA, partnerB, benchLocations, benchCustomers, benchLocations, benchCustomers, benchLocations + benchOtherCustomers, benchLocations}},
		{`INSERT INTO hardware_key_codes (code, location_id, role)
		  SELECT hardware_key_code, id, 'PRIMARY' FROM locations WHERE name LIKE 'Site %'`, nil},
		{`ANALYZE customers, locations, hardware_key_codes`, nil},
	}
	for _, s := range stmts {
		_, err := bunDB.ExecContext(ctx, s.sql, s.args...)
		require.NoError(b, err, s.sql)
	}
	n, err := bunDB.NewSelect().Model((*db.Location)(nil)).Where("partner_id = ?", partnerA).Count(ctx)
	require.NoError(b, err)
	require.Equal(b, benchLocations, int(n))
}

// explainListLocations runs ListLocations once through a bun.DB that records
// its statement, and returns that statement and its EXPLAIN (ANALYZE, BUFFERS).
func explainListLocations(b *testing.B, bb *domainBundle, f location.LocationFilter) (sql, plan string) {
	b.Helper()
	rec := &statementRecorder{}
	recDB := bun.NewDB(bb.db.DB, pgdialect.New())
	recDB.AddQueryHook(rec)
	svc := *bb.svc
	svc.DB = recDB
	first := 50
	_, err := svc.ListLocations(bb.ctx, f, page.Args{First: &first})
	require.NoError(b, err)
	require.Len(b, rec.queries, 1)

	rows, err := bb.db.QueryContext(context.Background(), "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) "+rec.queries[0])
	require.NoError(b, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		require.NoError(b, rows.Scan(&line))
		lines = append(lines, line)
	}
	require.NoError(b, rows.Err())
	return rec.queries[0], strings.Join(lines, "\n")
}

// planOutline condenses an EXPLAIN ANALYZE text to its nodes, outermost
// first, and its execution time: "Limit > Sort > Bitmap Heap Scan on
// locations l > Bitmap Index Scan on locations_search_idx (0.6 ms)".
func planOutline(plan string) string {
	var nodes []string
	exec := ""
	for i, line := range strings.Split(plan, "\n") {
		line = strings.TrimSpace(line)
		if t, ok := strings.CutPrefix(line, "Execution Time: "); ok {
			exec = t
		}
		if i > 0 && !strings.HasPrefix(line, "->") {
			continue
		}
		node, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "->")), "  (")
		nodes = append(nodes, node)
	}
	return strings.Join(nodes, " > ") + " (" + exec + ")"
}

// statementRecorder is a bun query hook that keeps the statements run.
type statementRecorder struct{ queries []string }

func (r *statementRecorder) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (r *statementRecorder) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	r.queries = append(r.queries, e.Query)
}
