package graph

import (
	"github.com/google/uuid"
)

// newDemoLicensesLeftLoader batches Location.demoLicensesLeft (LIC-8,
// LIC-10): one statement for every location of a request.
func (r *Resolver) newDemoLicensesLeftLoader() *loader[uuid.UUID, *int] {
	return newLoader(batch(r.Services.Files.DemoLicensesLeftOf))
}
