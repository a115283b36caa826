package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// licensePage is the location license page (LIC-8) as a front end asks for
// it; the same query as license/statements_test.go's.
const licensePage = `query($id: ID!) { node(id: $id) { ... on Location {
  name hardwareKeyCode systemType { name } customer { name }
  attachedLicenses(first: 250) { edges { node { softwareKeyCode part { number name } quantity purchaseOrder salesOrder
    orderLine { lineNumber order { purchaseOrder } } } } }
  activatedLicenses(first: 250) { edges { node { softwareKeyCode part { number name } quantity purchaseOrder salesOrder activatedAt } } }
  entitlements { edges { node { part { number name } amount } } }
  licenseFiles { edges { node { version status fileName activationCode current features { part { name } amount } } } }
  currentLicenseFile { version } } } }`

// rawPage is the page's reads sent straight through pgx: the header, both
// license lists with their parts and orders, the stacked entitlements and
// the files (the current file is the newest of them), each one
// parameterised statement. No authentication: the server answers the
// client's token from memory, as it does from the second request on.
var rawPage = []string{
	`SELECT l.name, l.hardware_key_code, st.name, c.name FROM locations AS l
	JOIN system_types AS st ON st.code = l.system_type JOIN customers AS c ON c.id = l.customer_id
	WHERE l.id = $1 AND l.partner_id = $2 AND l.deleted_at IS NULL`,
	`SELECT lic.id, lic.software_key_code, p.number, p.name, lic.quantity, o.purchase_order, o.sales_order, ol.line_no
	FROM licenses AS lic JOIN parts AS p ON p.number = lic.part_number
	JOIN order_lines AS ol ON ol.id = lic.order_line_id JOIN license_orders AS o ON o.id = ol.order_id
	WHERE lic.location_id = $1 AND lic.status = 'ATTACHED' ORDER BY lic.attached_at, lic.id LIMIT 251`,
	`SELECT lic.id, lic.software_key_code, p.number, p.name, lic.quantity, o.purchase_order, o.sales_order, lic.activated_at
	FROM licenses AS lic JOIN parts AS p ON p.number = lic.part_number
	JOIN order_lines AS ol ON ol.id = lic.order_line_id JOIN license_orders AS o ON o.id = ol.order_id
	WHERE lic.location_id = $1 AND lic.status = 'ACTIVATED' ORDER BY lic.activated_at, lic.id LIMIT 251`,
	`SELECT p.number, p.name, p.stacking, sum(lic.quantity), max(p.version) FROM licenses AS lic JOIN parts AS p ON p.number = lic.part_number
	WHERE lic.location_id = $1 AND lic.status = 'ACTIVATED' GROUP BY p.number, p.name, p.stacking ORDER BY p.number`,
	`SELECT id, version, status, reason, file_name, activation_code, features FROM license_files
	WHERE location_id = $1 AND partner_id = $2 ORDER BY version DESC LIMIT 251`,
}

// readRawPage runs rawPage for a location on one connection, reading every
// row.
func readRawPage(ctx context.Context, pool *pgxpool.Pool, f *Fixture, loc [16]byte) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, q := range rawPage {
		args := []any{loc}
		if strings.Contains(q, "$2") {
			args = append(args, id(f.PartnerID))
		}
		rows, err := conn.Query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("raw page: %w", err)
		}
		for rows.Next() {
			_ = rows.RawValues()
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("raw page: %w", err)
		}
	}
	return nil
}

// page is P2: one client reads the license page of the locations with 10
// and 100 activated licenses, over HTTP and as rawPage, in turns; p50 and
// statements per read.
func (r *run) page(ctx context.Context) ([]Result, error) {
	f := r.fixture
	token := f.user(0).Token
	d := r.opts.Duration / 2
	m := newSeries()
	for _, p := range f.Pages {
		body := request(licensePage, map[string]any{"id": globalID("Location", p.Location)})
		if err := r.checkPage(ctx, token, body, p.Activated); err != nil {
			return nil, err
		}
	}
	for round := range r.opts.Rounds {
		for _, p := range f.Pages {
			body := request(licensePage, map[string]any{"id": globalID("Location", p.Location)})
			s := closedLoop(ctx, 1, d, func(ctx context.Context, _ int) (int, error) {
				resp, err := r.client.post(ctx, token, body)
				if err != nil {
					return 0, err
				}
				return resp.statements(), nil
			})
			if err := s.check("license page"); err != nil {
				return nil, err
			}
			rw := closedLoop(ctx, 1, d, func(ctx context.Context, _ int) (int, error) {
				return notCounted, readRawPage(ctx, r.pool, f, id(p.Location))
			})
			if err := rw.check("raw license page"); err != nil {
				return nil, err
			}
			suffix := fmt.Sprintf(", %d activated", p.Activated)
			m.add("server p50"+suffix, s.percentile(50))
			m.add("raw p50"+suffix, rw.percentile(50))
			m.add("server / raw p50"+suffix, s.percentile(50)/rw.percentile(50))
			m.add("statements"+suffix, s.medianStatements())
			r.progress("P2 round %d/%d, %d activated: server p50 %.2f ms (%.0f statements), raw p50 %.2f ms",
				round+1, r.opts.Rounds, p.Activated, s.percentile(50), s.medianStatements(), rw.percentile(50))
		}
	}
	const sc = "P2 license page"
	var out []Result
	for _, p := range f.Pages {
		suffix := fmt.Sprintf(", %d activated", p.Activated)
		out = append(out,
			measure(sc, "server p50"+suffix, unitMs, m["server p50"+suffix], noGoal),
			measure(sc, "raw p50"+suffix, unitMs, m["raw p50"+suffix], noGoal),
			measure(sc, "server / raw p50"+suffix, unitRatio, m["server / raw p50"+suffix], atMost(3)),
			measure(sc, "statements"+suffix, unitStatements, m["statements"+suffix], atMost(8)),
		)
	}
	return out, nil
}

// checkPage reads a page once and checks it shows the generated licenses:
// a page that answers quickly with nothing on it measures nothing.
func (r *run) checkPage(ctx context.Context, token string, body []byte, activated int) error {
	resp, err := r.client.post(ctx, token, body)
	if err != nil {
		return err
	}
	var got struct {
		Node struct {
			AttachedLicenses, ActivatedLicenses struct{ Edges []json.RawMessage }
			Entitlements                        struct{ Edges []json.RawMessage }
			CurrentLicenseFile                  *struct{ Version int }
		}
	}
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		return err
	}
	n := got.Node
	if len(n.ActivatedLicenses.Edges) != activated || len(n.AttachedLicenses.Edges) != activated || len(n.Entitlements.Edges) == 0 || n.CurrentLicenseFile == nil {
		return fmt.Errorf("the license page with %d activated licenses shows %d activated, %d attached, %d entitlements, current file %v",
			activated, len(n.ActivatedLicenses.Edges), len(n.AttachedLicenses.Edges), len(n.Entitlements.Edges), n.CurrentLicenseFile)
	}
	return nil
}
