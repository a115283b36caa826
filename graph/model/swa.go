package model

import "lms/swa"

// SwaUnitBin is a partner's SWA unit bin (SWA-2): the totals, and the
// filter its orders are listed with.
type SwaUnitBin struct {
	swa.UnitTotals
	Filter swa.UnitFilter
}
