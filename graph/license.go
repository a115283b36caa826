package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"lms/actor"
	"lms/db"
	"lms/graph/model"
	"lms/inventory"
	"lms/licensefile"
	"lms/licensefile/format"
	"lms/page"
)

var (
	licenseTypes     = []string{"License", "Node"}
	licenseFileTypes = []string{"LicenseFile", "Node"}
)

// listScope binds the cursors of an in-memory list to the caller (SPEC
// §12: cursors are tenant-bound) and to the list.
func listScope(ctx context.Context, list ...string) string {
	scope := ""
	if a := actor.From(ctx); a != nil {
		scope = a.Scope()
	}
	return scope + "/" + strings.Join(list, "/")
}

func lineConnection(p *page.Page[inventory.BinLine]) *model.OrderLineConnection {
	es, info := edges(p, func(c string, n *inventory.BinLine) model.OrderLineEdge {
		return model.OrderLineEdge{Cursor: c, Node: n}
	})
	return &model.OrderLineConnection{Edges: es, PageInfo: info, Total: p.Total}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// parseLicenseSelection decodes a location id and a list of license ids.
func parseLicenseSelection(locationID string, licenseIDs []string) (uuid.UUID, []uuid.UUID, error) {
	loc, err := parseID(locationID, "Location", "locationId")
	ids := make([]uuid.UUID, len(licenseIDs))
	for i, s := range licenseIDs {
		id, perr := parseID(s, "License", fmt.Sprintf("licenseIds.%d", i))
		err = firstErr(err, perr)
		ids[i] = id
	}
	return loc, ids, err
}

// prefetchParts loads the parts with the given numbers in one statement.
func (r *Resolver) prefetchParts(ctx context.Context, numbers []string) error {
	if len(numbers) == 0 {
		return nil
	}
	return r.loaders(ctx).parts.prefetch(ctx, numbers)
}

// partNumbers maps items to their part numbers.
func partNumbers[T any](items []T, number func(*T) string) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = number(&items[i])
	}
	return out
}

func (r *Resolver) orderConnection(ctx context.Context, p *page.Page[db.LicenseOrder]) (*model.LicenseOrderConnection, error) {
	node, _ := currentNode(ctx)
	if err := r.prefetchOrders(ctx, ptrs(p.Items), node); err != nil {
		return nil, err
	}
	es, info := edges(p, func(c string, n *db.LicenseOrder) model.LicenseOrderEdge {
		return model.LicenseOrderEdge{Cursor: c, Node: n}
	})
	return &model.LicenseOrderConnection{Edges: es, PageInfo: info, Total: p.Total}, nil
}

// prefetchOrders loads what node (the selection of each order) asks for
// below orders.
func (r *Resolver) prefetchOrders(ctx context.Context, orders []*db.LicenseOrder, node graphql.CollectedField) error {
	l := r.loaders(ctx)
	ids := make([]uuid.UUID, len(orders))
	partners := make([]uuid.UUID, len(orders))
	for i, o := range orders {
		l.licenseOrders.prime(o.ID, o)
		ids[i], partners[i] = o.ID, o.PartnerID
	}
	if len(ids) == 0 {
		return nil
	}
	orderTypes := []string{"LicenseOrder", "Node"}
	if _, ok := selected(ctx, node, "reshippedFrom", orderTypes); ok {
		for _, o := range orders {
			if o.ReshippedFrom != nil {
				partners = append(partners, *o.ReshippedFrom)
			}
		}
	}
	if _, ok := selected(ctx, node, "partner", orderTypes); ok || len(partners) > len(ids) {
		if err := l.partners.prefetch(ctx, partners); err != nil {
			return err
		}
	}
	if f, ok := selected(ctx, node, "licenses", orderTypes); ok {
		if first, ok := firstArg(ctx, f); ok {
			lics, err := pagesItems(ctx, l.orderLicenses, firstPageKeys(ids, first))
			if err != nil {
				return err
			}
			if n, ok := nodeOf(ctx, f); ok {
				if err := r.prefetchLicenses(ctx, lics, n); err != nil {
					return err
				}
			}
		}
	}
	if f, ok := selected(ctx, node, "lines", orderTypes); ok {
		if err := l.linesOfOrders.prefetch(ctx, ids); err != nil {
			return err
		}
		lines, err := l.linesOfOrders.LoadAll(ctx, ids)
		if err != nil {
			return err
		}
		var all []inventory.BinLine
		var sources []uuid.UUID
		for _, ls := range lines {
			all = append(all, ls...)
			for _, x := range ls {
				if x.SourceLineID != nil {
					sources = append(sources, *x.SourceLineID)
				}
			}
		}
		if err := r.prefetchParts(ctx, partNumbers(all, func(l *inventory.BinLine) string { return l.PartNumber })); err != nil {
			return err
		}
		if n, ok := nodeOf(ctx, f); ok && len(sources) > 0 {
			if _, ok := selected(ctx, n, "sourceLine", []string{"OrderLine", "Node"}); ok {
				if err := l.orderLines.prefetch(ctx, sources); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (r *Resolver) binPartConnection(ctx context.Context, p *page.Page[inventory.BinPart]) (*model.BinPartConnection, error) {
	if err := r.prefetchParts(ctx, partNumbers(p.Items, func(bp *inventory.BinPart) string { return bp.PartNumber })); err != nil {
		return nil, err
	}
	es, info := edges(p, func(c string, n *inventory.BinPart) model.BinPartEdge { return model.BinPartEdge{Cursor: c, Node: n} })
	return &model.BinPartConnection{Edges: es, PageInfo: info, Total: p.Total}, nil
}

// licenseConnection answers a page of licenses, prefetching what the query
// selects below them.
func (r *Resolver) licenseConnection(ctx context.Context, p *page.Page[db.License]) (*model.LicenseConnection, error) {
	if node, ok := currentNode(ctx); ok {
		if err := r.prefetchLicenses(ctx, ptrs(p.Items), node); err != nil {
			return nil, err
		}
	}
	es, info := edges(p, func(c string, n *db.License) model.LicenseEdge { return model.LicenseEdge{Cursor: c, Node: n} })
	return &model.LicenseConnection{Edges: es, PageInfo: info, Total: p.Total}, nil
}

func (r *Resolver) prefetchLicenses(ctx context.Context, lics []*db.License, node graphql.CollectedField) error {
	return r.prefetchLicenseLists(ctx, []licensesBelow{{lics, node}})
}

// licensesBelow are licenses and the selection of each of them.
type licensesBelow struct {
	licenses []*db.License
	node     graphql.CollectedField
}

// prefetchLicenseLists loads what lists of licenses select below them, one
// statement per field for all the lists (the license page's attached and
// activated licenses share their parts, lines and orders).
func (r *Resolver) prefetchLicenseLists(ctx context.Context, lists []licensesBelow) error {
	l := r.loaders(ctx)
	var numbers []string
	var locs, lines, migrations []uuid.UUID
	var order, linePart bool
	for _, list := range lists {
		_, part := selected(ctx, list.node, "part", licenseTypes)
		_, loc := selected(ctx, list.node, "location", licenseTypes)
		_, migration := selected(ctx, list.node, "migration", licenseTypes)
		f, line := selected(ctx, list.node, "orderLine", licenseTypes)
		if line {
			orderLineTypes := []string{"OrderLine", "Node"}
			_, o := selected(ctx, f, "order", orderLineTypes)
			_, p := selected(ctx, f, "part", orderLineTypes)
			order, linePart = order || o, linePart || p
		}
		for _, x := range list.licenses {
			if part {
				numbers = append(numbers, x.PartNumber)
			}
			if loc {
				locs = append(locs, x.LocationID)
			}
			if line && x.FromBin() {
				lines = append(lines, x.OrderLineID)
			}
			if migration && x.MigrationID != uuid.Nil {
				migrations = append(migrations, x.MigrationID)
			}
		}
	}
	if len(migrations) > 0 {
		if err := l.migrations.prefetch(ctx, migrations); err != nil {
			return err
		}
	}
	if len(locs) > 0 {
		if err := l.locations.prefetch(ctx, locs); err != nil {
			return err
		}
	}
	if len(lines) > 0 {
		// A line's order comes with it when the query selects it.
		fetch := l.orderLines.fetch
		if order {
			fetch = func(ctx context.Context, ids []uuid.UUID) ([]*inventory.BinLine, []error) {
				ls, orders, err := r.Services.Inventory.FindLinesAndOrders(ctx, ids)
				if err != nil {
					return make([]*inventory.BinLine, len(ids)), fill(len(ids), err)
				}
				for _, o := range orders {
					if o != nil {
						l.licenseOrders.prime(o.ID, o)
					}
				}
				return ls, nil
			}
		}
		if err := l.orderLines.prefetchWith(ctx, lines, fetch); err != nil {
			return err
		}
		if order || linePart {
			ls, err := l.orderLines.LoadAll(ctx, lines)
			if err != nil {
				return err
			}
			var orders []uuid.UUID
			for _, x := range ls {
				if x != nil {
					orders = append(orders, x.OrderID)
					if linePart {
						numbers = append(numbers, x.PartNumber)
					}
				}
			}
			if order {
				if err := l.licenseOrders.prefetch(ctx, orders); err != nil {
					return err
				}
			}
		}
	}
	return r.prefetchParts(ctx, numbers)
}

// locationLicenses answers Location.attachedLicenses / activatedLicenses.
func (r *Resolver) locationLicenses(ctx context.Context, loc *db.Location, status db.LicenseStatus, first *int, after *string) (*model.LicenseConnection, error) {
	var p *page.Page[db.License]
	var err error
	if after != nil {
		p, err = r.Services.Licenses.LicensesOf(ctx, loc.ID, status, pageArgs(first, after))
	} else {
		p, err = r.loaders(ctx).locationLicenses.Load(ctx, licenseListKey{ID: loc.ID, Status: status, First: deref(first)})
	}
	if err != nil {
		return nil, err
	}
	return r.licenseConnection(ctx, p)
}

func (r *Resolver) fileConnection(ctx context.Context, p *page.Page[db.LicenseFile]) (*model.LicenseFileConnection, error) {
	if node, ok := currentNode(ctx); ok {
		if err := r.prefetchFiles(ctx, ptrs(p.Items), node); err != nil {
			return nil, err
		}
	}
	es, info := edges(p, func(c string, n *db.LicenseFile) model.LicenseFileEdge {
		return model.LicenseFileEdge{Cursor: c, Node: n}
	})
	return &model.LicenseFileConnection{Edges: es, PageInfo: info, Total: p.Total}, nil
}

func (r *Resolver) prefetchFiles(ctx context.Context, files []*db.LicenseFile, node graphql.CollectedField) error {
	if len(files) == 0 {
		return nil
	}
	l := r.loaders(ctx)
	var locs []uuid.UUID
	var numbers []string
	for _, f := range files {
		locs = append(locs, f.LocationID)
		if fs, err := licensefile.Features(f); err == nil {
			for _, e := range fs {
				numbers = append(numbers, e.PartNumber)
			}
		}
	}
	if _, ok := selected(ctx, node, "location", licenseFileTypes); ok {
		if err := l.locations.prefetch(ctx, locs); err != nil {
			return err
		}
	}
	if _, ok := selected(ctx, node, "current", licenseFileTypes); ok {
		if err := l.currentFiles.prefetch(ctx, locs); err != nil {
			return err
		}
	}
	if f, ok := selected(ctx, node, "features", licenseFileTypes); ok && len(numbers) > 0 {
		if _, ok := selected(ctx, f, "part", []string{"Entitlement"}); ok {
			return l.parts.prefetch(ctx, numbers)
		}
	}
	return nil
}

// prefetchLicensePages loads, for a list of locations, the license page
// fields the query selects (LIC-8): one statement per field for the whole
// list.
func (r *Resolver) prefetchLicensePages(ctx context.Context, ids []uuid.UUID, node graphql.CollectedField) error {
	l := r.loaders(ctx)
	keys := func(first int) []firstPageKey {
		out := make([]firstPageKey, len(ids))
		for i, id := range ids {
			out[i] = firstPageKey{ID: id, First: first}
		}
		return out
	}
	// Both license lists in one statement, then what each selects below.
	var lkeys []licenseListKey
	var below []graphql.CollectedField
	var lists []db.LicenseStatus
	for _, lp := range []struct {
		field  string
		status db.LicenseStatus
	}{{"attachedLicenses", db.LicenseAttached}, {"activatedLicenses", db.LicenseActivated}} {
		f, ok := selected(ctx, node, lp.field, locationTypes)
		if !ok {
			continue
		}
		first, ok := firstArg(ctx, f)
		if !ok {
			continue
		}
		for _, id := range ids {
			lkeys = append(lkeys, licenseListKey{ID: id, Status: lp.status, First: first})
		}
		n, _ := nodeOf(ctx, f)
		below, lists = append(below, n), append(lists, lp.status)
	}
	if len(lkeys) > 0 {
		lics, err := pagesItems(ctx, l.locationLicenses, lkeys)
		if err != nil {
			return err
		}
		var all []licensesBelow
		for i, n := range below {
			var of []*db.License
			for _, x := range lics {
				if x.Status == lists[i] {
					of = append(of, x)
				}
			}
			all = append(all, licensesBelow{of, n})
		}
		if err := r.prefetchLicenseLists(ctx, all); err != nil {
			return err
		}
	}
	if f, ok := selected(ctx, node, "licenseFiles", locationTypes); ok {
		if first, ok := firstArg(ctx, f); ok {
			n, below := nodeOf(ctx, f)
			_, current := selected(ctx, node, "currentLicenseFile", locationTypes)
			if _, ok := selected(ctx, n, "current", licenseFileTypes); ok && below {
				current = true
			}
			// The current files come with the first page when either is shown.
			if current {
				if err := l.licenseFiles.prefetchWith(ctx, keys(first), firstPages(r.filesAndCurrent)); err != nil {
					return err
				}
			}
			files, err := pagesItems(ctx, l.licenseFiles, keys(first))
			if err != nil {
				return err
			}
			if below {
				if err := r.prefetchFiles(ctx, files, n); err != nil {
					return err
				}
			}
		}
	}
	if f, ok := selected(ctx, node, "currentLicenseFile", locationTypes); ok {
		if err := l.currentFiles.prefetch(ctx, ids); err != nil {
			return err
		}
		current, err := l.currentFiles.LoadAll(ctx, ids)
		if err != nil {
			return err
		}
		var files []*db.LicenseFile
		for _, c := range current {
			if m := c.Main(); m != nil {
				files = append(files, m)
			}
		}
		if err := r.prefetchFiles(ctx, files, f); err != nil {
			return err
		}
	}
	if f, ok := selected(ctx, node, "entitlements", locationTypes); ok {
		if err := l.entitlements.prefetch(ctx, ids); err != nil {
			return err
		}
		if n, ok := nodeOf(ctx, f); ok {
			if _, ok := selected(ctx, n, "part", []string{"Entitlement"}); ok {
				all, err := l.entitlements.LoadAll(ctx, ids)
				if err != nil {
					return err
				}
				var es []licensefile.Entitlement
				for _, e := range all {
					es = append(es, e...)
				}
				return r.prefetchParts(ctx, partNumbers(es, func(e *licensefile.Entitlement) string { return e.PartNumber }))
			}
		}
	}
	return nil
}

// filesAndCurrent loads the first pages of the locations' license files
// and primes their current files from the same statement.
func (r *Resolver) filesAndCurrent(ctx context.Context, ids []uuid.UUID, first *int) ([]*page.Page[db.LicenseFile], error) {
	pages, current, err := r.Services.Files.FirstFilesAndCurrentOf(ctx, ids, first)
	if err != nil {
		return nil, err
	}
	l := r.loaders(ctx)
	for i, id := range ids {
		l.currentFiles.prime(id, current[i])
	}
	return pages, nil
}

// currentFiles are a location's current license files (CurrentFilesOf).
func (r *Resolver) currentFiles(ctx context.Context, locationID uuid.UUID) (licensefile.CurrentFiles, error) {
	return r.loaders(ctx).currentFiles.Load(ctx, locationID)
}

// signingKeys presents the public keys license files verify against.
func signingKeys(keys format.Keyring) ([]model.LicenseSigningKey, error) {
	out := make([]model.LicenseSigningKey, len(keys))
	for i, k := range keys {
		pem, err := format.MarshalPublicKey(k.Key)
		if err != nil {
			return nil, err
		}
		out[i] = model.LicenseSigningKey{KeyID: k.ID, Algorithm: "Ed25519", PublicKey: base64.StdEncoding.EncodeToString(k.Key), Pem: string(pem)}
	}
	return out, nil
}

// licenseFileReady parses the subscription's arguments for WatchFiles. Its
// errors name the argument they concern (onArguments).
func (r *Resolver) licenseFileReady(ctx context.Context, locationID string, fileID *string) (<-chan *db.LicenseFile, error) {
	locID, err := parseID(locationID, "Location", "locationId")
	if err != nil {
		return nil, onArguments(err)
	}
	fid, err := parseOptionalID(fileID, "LicenseFile", "fileId")
	if err != nil {
		return nil, onArguments(err)
	}
	files, err := r.Services.Files.WatchFiles(ctx, locID, fid)
	return files, onArguments(err)
}
