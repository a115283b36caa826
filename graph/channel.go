package graph

import (
	"context"

	"github.com/google/uuid"

	"lms/db"
	"lms/graph/model"
	"lms/inventory"
	"lms/page"
)

var licenseReturnTypes = []string{"LicenseReturn", "Node"}

// orderFilter decodes the filter of orders and resoldOrders.
func orderFilter(in *model.OrderFilter) (inventory.OrderFilter, error) {
	if in == nil {
		return inventory.OrderFilter{}, nil
	}
	id, err := parseOptionalID(in.PartnerID, "Partner", "filter.partnerId")
	return inventory.OrderFilter{Search: deref(in.Search), PartnerID: id}, err
}

// returnConnection answers a page of license returns, prefetching what the
// query selects below them.
func (r *Resolver) returnConnection(ctx context.Context, p *page.Page[db.LicenseReturn]) (*model.LicenseReturnConnection, error) {
	if node, ok := currentNode(ctx); ok && len(p.Items) > 0 {
		l := r.loaders(ctx)
		var partners, lines, users []uuid.UUID
		var numbers []string
		for _, x := range p.Items {
			partners = append(partners, x.DealerID, x.DistributorID)
			lines = append(lines, x.OrderLineID, x.SourceLineID)
			numbers = append(numbers, x.PartNumber)
			if x.ReturnedBy != nil {
				users = append(users, *x.ReturnedBy)
			}
		}
		_, dealer := selected(ctx, node, "dealer", licenseReturnTypes)
		_, distributor := selected(ctx, node, "distributor", licenseReturnTypes)
		_, line := selected(ctx, node, "orderLine", licenseReturnTypes)
		_, source := selected(ctx, node, "sourceLine", licenseReturnTypes)
		_, part := selected(ctx, node, "part", licenseReturnTypes)
		_, user := selected(ctx, node, "returnedBy", licenseReturnTypes)
		for _, f := range []struct {
			want bool
			load func() error
		}{
			{dealer || distributor, func() error { return l.partners.prefetch(ctx, partners) }},
			{line || source, func() error { return l.orderLines.prefetch(ctx, lines) }},
			{part, func() error { return l.parts.prefetch(ctx, numbers) }},
			{user && len(users) > 0, func() error { return l.users.prefetch(ctx, users) }},
		} {
			if f.want {
				if err := f.load(); err != nil {
					return nil, err
				}
			}
		}
	}
	es, info := edges(p, func(c string, n *db.LicenseReturn) model.LicenseReturnEdge {
		return model.LicenseReturnEdge{Cursor: c, Node: n}
	})
	return &model.LicenseReturnConnection{Edges: es, PageInfo: info, Total: p.Total}, nil
}
