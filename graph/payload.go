package graph

import (
	"encoding/json"

	"lms/apperr"
	"lms/graph/model"
	"lms/page"
)

// userErrors splits a service error for a mutation payload: expected
// failures become the payload's errors (never top-level errors, SPEC §12);
// anything else is returned to become a generic top-level error.
func userErrors(err error) ([]apperr.Error, error) {
	if err == nil {
		return []apperr.Error{}, nil
	}
	all := apperr.All(err)
	if all == nil {
		return nil, err
	}
	out := make([]apperr.Error, len(all))
	for i, e := range all {
		out[i] = *e
	}
	return out, nil
}

// edges turns a page into a connection's edges and page info.
func edges[T, E any](p *page.Page[T], edge func(cursor string, node *T) E) ([]E, *model.PageInfo) {
	out := make([]E, len(p.Items))
	for i := range p.Items {
		out[i] = edge(p.Cursors[i], &p.Items[i])
	}
	info := &model.PageInfo{HasNextPage: p.HasNextPage, EndCursor: p.EndCursor()}
	if len(p.Cursors) > 0 {
		info.StartCursor = &p.Cursors[0]
	}
	return out, info
}

func pageArgs(first *int, after *string) page.Args { return page.Args{First: first, After: after} }

// asInt reads an integer argument as gqlgen or the JSON decoder of
// variables left it (the query limits and the list prefetches read `first`
// before the resolver gets it).
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// nonEmpty returns nil for "", so an unset string answers null.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
