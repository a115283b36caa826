package graph

import (
	"context"

	"lms/db"
	"lms/graph/model"
	"lms/location"
	"lms/page"
)

// locationConnection answers a page of locations, prefetching what the query
// selects below them.
func (r *Resolver) locationConnection(ctx context.Context, p *page.Page[db.Location]) (*model.LocationConnection, error) {
	if node, ok := currentNode(ctx); ok {
		if err := r.prefetchLocations(ctx, ptrs(p.Items), node); err != nil {
			return nil, err
		}
	}
	es, info := edges(p, func(c string, n *db.Location) model.LocationEdge { return model.LocationEdge{Cursor: c, Node: n} })
	return &model.LocationConnection{Edges: es, PageInfo: info, Total: p.Total}, nil
}

func addressOf(in *model.AddressInput) db.Address {
	if in == nil {
		return db.Address{}
	}
	return db.Address{Street: deref(in.Street), City: deref(in.City), State: deref(in.State), Country: deref(in.Country), Zip: deref(in.Zip)}
}

func addressUpdate(in *model.AddressInput) location.AddressUpdate {
	if in == nil {
		return location.AddressUpdate{}
	}
	return location.AddressUpdate{Street: in.Street, City: in.City, State: in.State, Country: in.Country, Zip: in.Zip}
}
