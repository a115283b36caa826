package page

import "github.com/google/uuid"

// FirstPages splits rows, loaded with at most limit+1 per parent (one
// statement for the lists of many parents, as dataloaders load them), into
// the first page of each parent's list, in the order of parentIDs; totals
// are the lengths of the lists.
func FirstPages[T any](parentIDs []uuid.UUID, rows []T, parent func(*T) uuid.UUID, totals map[uuid.UUID]int, limit int, scope func(uuid.UUID) string, cursor func(*T) Cursor) []*Page[T] {
	by := map[uuid.UUID][]T{}
	for i := range rows {
		id := parent(&rows[i])
		by[id] = append(by[id], rows[i])
	}
	out := make([]*Page[T], len(parentIDs))
	for i, id := range parentIDs {
		out[i] = Build(by[id], limit, scope(id), Known(totals[id]), cursor)
	}
	return out
}
