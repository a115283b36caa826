package graph

import (
	"lms/db"
	"lms/graph/model"
	"lms/page"
)

func locationConnection(p *page.Page[db.Location]) *model.LocationConnection {
	es, info := edges(p, func(c string, n *db.Location) model.LocationEdge { return model.LocationEdge{Cursor: c, Node: n} })
	return &model.LocationConnection{Edges: es, PageInfo: info}
}

func addressOf(in *model.AddressInput) db.Address {
	if in == nil {
		return db.Address{}
	}
	return db.Address{Street: deref(in.Street), City: deref(in.City), State: deref(in.State), Country: deref(in.Country), Zip: deref(in.Zip)}
}
