package bench

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// backgroundAvailable is what each background bin line has left.
const backgroundAvailable = 100

// background generates the scale's partners (a user and a customer each),
// their locations (a contiguous share each) and the licenses on them: of
// a location's licenses, three in four are activated, and a location with
// any has a READY first license file granting them. Every license comes
// from a line of its partner's orders (licensesPerOrder licenses an order,
// one line per part), whose shipped quantity is what the licenses hold
// plus what is left (LIC-15).
func (g *generator) background(ctx context.Context, sc Scale, f *Fixture) error {
	np, nl, nlic := sc.Partners, sc.Locations, sc.Licenses
	names := make([]string, np)
	users := make([]int, np)
	for i := range names {
		names[i], users[i] = fmt.Sprintf("Bench Dealer %04d", i+1), 1
	}
	partnerIDs, customerIDs, us, err := g.partners(ctx, names, users)
	if err != nil {
		return err
	}
	owner := func(k int) int { return k * np / nl }
	locs, err := g.locations(ctx, func(k int) uuid.UUID { return partnerIDs[owner(k)] }, func(k int) uuid.UUID { return customerIDs[owner(k)] }, nl, "Bench site")
	if err != nil {
		return err
	}
	perLocation := func(k int) int {
		if k < nlic%nl {
			return nlic/nl + 1
		}
		return nlic / nl
	}

	// The lines: the j-th license of a partner comes from line j%4 of its
	// order j/licensesPerOrder.
	lines := make([][]*orderLine, np)
	used := make([]int, np)
	lineOf := func(p int) *orderLine {
		j := used[p]
		used[p]++
		o := j / licensesPerOrder
		for len(lines[p]) < 4*(o+1) {
			part := sv8100Parts[len(lines[p])%4].number
			lines[p] = append(lines[p], &orderLine{id: uuid.New(), part: part, available: backgroundAvailable})
		}
		return lines[p][4*o+j%4]
	}
	f.Partners = make([]Partner, np)
	for k := range nl {
		p := owner(k)
		f.Partners[p].Locations++
		for range perLocation(k) {
			lineOf(p).held++
			f.Partners[p].Licenses++
		}
	}
	var orderPartners []uuid.UUID
	var orderLines [][]*orderLine
	for p, ls := range lines {
		f.Partners[p].ID, f.Partners[p].Token = partnerIDs[p], us[p][0].Token
		for o := 0; o < len(ls); o += 4 {
			orderPartners = append(orderPartners, partnerIDs[p])
			orderLines = append(orderLines, ls[o:o+4])
		}
	}
	if err := g.orders(ctx, orderPartners, orderLines); err != nil {
		return err
	}

	// The licenses, streamed location by location in the order of the
	// first pass, so that each takes the line that pass counted it on.
	clear(used)
	granted := make([]map[string]int, nl)
	k, j := 0, 0
	err = g.copyRows(ctx, "licenses", licenseCols, nlic, func(int) []any {
		for j == perLocation(k) {
			k, j = k+1, 0
		}
		p := owner(k)
		l := license{id: uuid.New(), location: locs[k].ID, partner: partnerIDs[p], line: lineOf(p), at: g.past}
		l.activated = j < perLocation(k)*3/4
		if l.activated {
			if granted[k] == nil {
				granted[k] = map[string]int{}
			}
			granted[k][l.line.part]++
		}
		j++
		return g.licenseRow(l)
	})
	if err != nil {
		return err
	}
	var filed []Location
	var filedPartner []uuid.UUID
	var filedGrants []map[string]int
	for k, gr := range granted {
		if gr != nil {
			filed, filedPartner, filedGrants = append(filed, locs[k]), append(filedPartner, partnerIDs[owner(k)]), append(filedGrants, gr)
		}
	}
	_, err = g.readyFiles(ctx, filed, func(i int) uuid.UUID { return filedPartner[i] }, func(i int) map[string]int { return filedGrants[i] }, g.past)
	return err
}

// Sizes of the bench dealer's data.
const (
	// attachAvailable is what each of P1's lines holds: more than any run
	// attaches.
	attachAvailable = 10_000_000
	// scenarioAvailable is what is left on the lines of the other
	// scenarios' licenses.
	scenarioAvailable = 1_000
	// swaUnits is the bench dealer's SWA unit bin.
	swaUnits = 10_000_000
)

// pageSizes are the activated licenses of P2's two locations.
var pageSizes = []int{10, 100}

// benchDealer generates the dealer the scenarios act as: its users and
// tokens; P1's locations (one per client, empty) and lines (one per client
// and one shared); P2's locations with 10 and 100 activated licenses and
// as many attached; P4's locations with a READY file and the attached
// licenses rounds of P4 activate; P5's locations with an activated port
// license each, still in their SWA grace period, and the SWA units they
// take.
func (g *generator) benchDealer(ctx context.Context, sc Scale, rounds int, f *Fixture) error {
	const name = "LMS Bench Dealer"
	pids, cids, us, err := g.partners(ctx, []string{name}, []int{max(sc.Clients, sc.ActivationClients)})
	if err != nil {
		return err
	}
	f.PartnerID, f.PartnerName, f.Users = pids[0], name, us[0]
	partner := func(int) uuid.UUID { return pids[0] }
	customer := func(int) uuid.UUID { return cids[0] }

	if f.AttachLocations, err = g.locations(ctx, partner, customer, sc.Clients, "Attach site"); err != nil {
		return err
	}
	attachLines := make([]*orderLine, sc.Clients+1)
	for i := range attachLines {
		attachLines[i] = &orderLine{id: uuid.New(), part: "BE107585", available: attachAvailable}
	}
	for _, l := range attachLines[:sc.Clients] {
		f.AttachLines = append(f.AttachLines, l.id)
	}
	f.SharedLine = attachLines[sc.Clients].id

	pageLocs, err := g.locations(ctx, partner, customer, len(pageSizes), "Page site")
	if err != nil {
		return err
	}
	readyLocs, err := g.locations(ctx, partner, customer, sc.ActivationClients, "Ready site")
	if err != nil {
		return err
	}
	swaLocs, err := g.locations(ctx, partner, customer, 2*rounds*sc.SwaAssignments, "SWA site")
	if err != nil {
		return err
	}

	parts := make(map[string]*orderLine, len(sv8100Parts))
	var partLines []*orderLine
	for _, p := range sv8100Parts {
		parts[p.number] = &orderLine{id: uuid.New(), part: p.number, available: scenarioAvailable}
		partLines = append(partLines, parts[p.number])
	}
	var lics []license
	add := func(loc uuid.UUID, part string, activated bool) uuid.UUID {
		l := license{id: uuid.New(), location: loc, partner: pids[0], line: parts[part], activated: activated, at: g.past}
		l.line.held++
		lics = append(lics, l)
		return l.id
	}
	all := append(append(append([]Location{}, pageLocs...), readyLocs...), swaLocs...)
	grants := make([]map[string]int, len(all))
	grant := func(i int, loc uuid.UUID, part string) {
		if grants[i] == nil {
			grants[i] = map[string]int{}
		}
		grants[i][part]++
		add(loc, part, true)
	}
	for i, n := range pageSizes {
		f.Pages = append(f.Pages, PageLocation{Location: pageLocs[i].ID, Activated: n})
		for k := range n {
			part := sv8100Parts[k%4].number
			grant(i, pageLocs[i].ID, part)
			add(pageLocs[i].ID, part, false)
		}
	}
	perReady := 2*rounds*((sc.Activations+sc.ActivationClients-1)/sc.ActivationClients) + 2
	for i, loc := range readyLocs {
		r := ReadyLocation{Location: loc.ID}
		for _, p := range sv8100Parts {
			grant(len(pageLocs)+i, loc.ID, p.number)
		}
		for k := range perReady {
			r.Attached = append(r.Attached, add(loc.ID, sv8100Parts[k%4].number, false))
		}
		f.Ready = append(f.Ready, r)
	}
	swaFrom := len(lics)
	for i, loc := range swaLocs {
		grant(len(pageLocs)+len(readyLocs)+i, loc.ID, "BE107573")
		f.Swa = append(f.Swa, loc.ID)
	}
	// An SWA location's license was activated just now: its grace period
	// runs, so an assignment makes a new agreement (SWA-5).
	for i := swaFrom; i < len(lics); i++ {
		lics[i].at = g.now
	}

	if err := g.orders(ctx, []uuid.UUID{pids[0], pids[0]}, [][]*orderLine{attachLines, partLines}); err != nil {
		return err
	}
	if err := g.copyRows(ctx, "licenses", licenseCols, len(lics), func(i int) []any { return g.licenseRow(lics[i]) }); err != nil {
		return err
	}
	fileIDs, err := g.readyFiles(ctx, all, partner, func(i int) map[string]int { return grants[i] }, g.now)
	if err != nil {
		return err
	}
	for i := range f.Ready {
		f.Ready[i].File = fileIDs[len(pageLocs)+i]
	}
	_, err = g.conn.Exec(ctx, `INSERT INTO swa_unit_orders (partner_id, sales_order, purchase_order, part_number, shipped, available, expires_on)
		VALUES ($1, 'SO-BENCH-SWA', 'PO-BENCH-SWA', $2, $3, $3, $4)`, id(pids[0]), swaUnitPart, swaUnits, g.now.AddDate(3, 0, 0))
	if err != nil {
		return fmt.Errorf("ship SWA units: %w", err)
	}
	return nil
}
