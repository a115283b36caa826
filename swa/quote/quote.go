// Package quote holds the pure calculations of Software Assurance (SPEC.md §8): the monthly
// rate and the units of a term (SWA-4), the grace period (SWA-5), a term's dates (SWA-6) and the
// reinstatement fee (SWA-7c). It reads no database and no clock: the caller passes today and a
// snapshot of the location (its rate, first activation, last agreement) and the catalog (terms,
// factors), so every rule is table-tested here and the swa service around it only loads, locks
// and writes.
//
// Arithmetic is exact: rates and factors are integers in ten-thousandths, and units are rounded
// up once, from the exact product. Dates are civil dates, a time.Time at 00:00 UTC (see Day).
//
// The rules are fitted to the user guide's two quotes, which only ceil(r × m × f(m)) with an
// unrounded rate reproduces: 264/513/753 units for 12/24/36 months at r = 22 (SV8300), and
// 66/129/189/251/304 units for 12…60 months plus 17 units reinstatement at r = 5.5 (iS3000).
package quote

import "time"

// Term is one term of a quote: its length, what it costs and the dates the agreement would get.
type Term struct {
	Months, Units    int
	StartsOn, EndsOn time.Time
}

// Input is what a quote is computed from: today, the location's rate for one application, the
// application's catalog terms and factors, and the location's SWA history.
type Input struct {
	Today time.Time
	Rate  Rate
	// Terms are the application's allowed terms in months (catalog), ascending.
	Terms []int
	// Factors are the catalog term factors by months; a term without one uses One.
	Factors map[int]Factor
	// FirstActivation is the first license activation of the application on the location;
	// nil when there has been none yet (and so no grace period).
	FirstActivation *time.Time
	// LastAgreementEnd is the last day of the location's latest agreement for the
	// application; nil when it never had one.
	LastAgreementEnd *time.Time
}

// Quote is the answer to an Input.
type Quote struct {
	// GraceEnd is the last day of the grace period (SWA-5); nil without an activation.
	GraceEnd *time.Time
	// InGrace reports whether today is on or before GraceEnd.
	InGrace bool
	// Terms are the input's terms, in its order, with their units and dates (SWA-4, SWA-6).
	Terms []Term
	// LapsedMonths and ReinstatementUnits are the reinstatement fee (SWA-7c), due when today
	// is past both the grace period and the last agreement's end; 0 and 0 otherwise. The lapse
	// counts from the later of the two.
	LapsedMonths, ReinstatementUnits int
}

// Compute returns the quote of in (SWA-4..SWA-7). It covers a location without a pending or
// active agreement; refusing an assignment over one (NOT_APPLICABLE) is the caller's rule.
func Compute(in Input) Quote {
	today := Day(in.Today)
	var q Quote
	var graceEnd time.Time
	if in.FirstActivation != nil {
		graceEnd = GraceEnd(*in.FirstActivation)
		q.GraceEnd = &graceEnd
		q.InGrace = !today.After(graceEnd)
	}

	q.Terms = make([]Term, 0, len(in.Terms))
	for _, months := range in.Terms {
		f, ok := in.Factors[months]
		if !ok {
			f = One
		}
		start, end := TermDates(today, graceEnd, months)
		q.Terms = append(q.Terms, Term{Months: months, Units: Units(in.Rate, months, f), StartsOn: start, EndsOn: end})
	}

	// SWA-7c: the lapse runs from the later of the grace end and the last agreement's end.
	lapsedSince := graceEnd
	if in.LastAgreementEnd != nil && Day(*in.LastAgreementEnd).After(lapsedSince) {
		lapsedSince = Day(*in.LastAgreementEnd)
	}
	if !lapsedSince.IsZero() {
		q.LapsedMonths = LapsedMonths(lapsedSince, today)
		q.ReinstatementUnits = Reinstatement(in.Rate, q.LapsedMonths)
	}
	return q
}
