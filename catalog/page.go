package catalog

import (
	"slices"
	"strings"

	"lms/page"
)

// PageParts returns one page of the catalog's parts ordered by number,
// optionally only those that attach to systemType and those whose number or
// name contains search (case-insensitive).
// Errors: VALIDATION_FAILED (page arguments).
func PageParts(c *Catalog, args page.Args, systemType, search string) (*page.Page[Part], error) {
	search = strings.ToLower(strings.TrimSpace(search))
	parts := make([]Part, 0, len(c.Parts))
	for _, p := range c.Parts {
		if systemType != "" && !p.AllowedOn(systemType) {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(p.Number+" "+p.Name), search) {
			continue
		}
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(a, b Part) int { return strings.Compare(a.Number, b.Number) })
	return page.ByKey(parts, args, "catalog/"+systemType+"/"+search, func(p *Part) string { return p.Number })
}
