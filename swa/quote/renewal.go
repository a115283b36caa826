package quote

import (
	"fmt"
	"time"
)

// MaxSwaYears bounds how far from today a renewed agreement may run (SWA-10 "MAX SWA").
const MaxSwaYears = 5

// MinCoTermMonths is what at least one renewed agreement must cover (SWA-10: "at least one
// location should have 12 months renewal").
const MinCoTermMonths = 12

// RenewalItem is one agreement to renew (a location's, for one application) as of the quote.
type RenewalItem struct {
	// Rate is the location's monthly rate for the application (SWA-4).
	Rate Rate
	// CurrentEnd is the last day of the agreement's current version, active or expired; zero
	// when the location has no agreement for the application, which cannot be renewed.
	CurrentEnd time.Time
	// Factors are the catalog term factors by months; MaxMonths the application's longest
	// renewal duration (catalog maxRenewalMonths).
	Factors   map[int]Factor
	MaxMonths int
	// CoolingOff reports an assignment of SWA in its cooling-off period (SWA-8): the item
	// cannot renew until it is processed or cancelled.
	CoolingOff bool
}

// RenewalInput is a renewal quote's question (SWA-10): renew Items, co-termed to end Months
// months after the Activation moment, as asked on Today.
type RenewalInput struct {
	Today, Activation time.Time
	Months            int
	Items             []RenewalItem
}

// RenewalLine is the quote of one item: the dates and units of its renewal, or why it fails.
type RenewalLine struct {
	StartsOn, EndsOn time.Time
	// Months are the whole months from StartsOn to EndsOn, rounded up.
	Months int
	// LapsedMonths and ReinstatementUnits are the SWA-7c fee of an expired agreement, renewed
	// from the activation moment.
	LapsedMonths, ReinstatementUnits int
	// Units is what the renewal takes, reinstatement included.
	Units int
	// Failure, when not empty, says why the item cannot be renewed (in the guide's words
	// where it has them); the other fields are then zero but for StartsOn and EndsOn.
	Failure string
}

// Renewal is the answer to a RenewalInput.
type Renewal struct {
	// EndsOn is the common end date of every renewed agreement.
	EndsOn time.Time
	// Lines are the items' quotes, in the input's order.
	Lines []RenewalLine
	// Units is the total of the lines that do not fail.
	Units int
	// Failure, when not empty, fails the whole quote: no line covers MinCoTermMonths.
	Failure string
}

// RenewalQuote computes a co-termed renewal (SWA-10). The common end is the last day of the
// month Months months after the activation moment. Each item renews from the day after its
// agreement ends, or, when that is before the activation moment (the agreement has expired),
// from the activation moment plus the reinstatement fee of the lapsed months (SWA-7c). Its
// months are the whole months from its start to the common end, rounded up, and its units
// ceil(r × months × f), f the factor of the longest catalog term not longer than those months
// (1 below the shortest). An item fails when the common end is before its start, when the
// common end is more than MaxSwaYears years from today, when Months exceeds its application's
// longest renewal, when it has no agreement, or when an assignment of it is cooling off; the
// quote fails when no line covers
// MinCoTermMonths. Months below 1 fail every item.
func RenewalQuote(in RenewalInput) Renewal {
	activation := Day(in.Activation)
	today := Day(in.Today)
	r := Renewal{EndsOn: endOfMonth(addMonths(activation, in.Months))}
	maxEnd := addMonths(today, 12*MaxSwaYears)
	longest := 0
	for _, it := range in.Items {
		l := renewalLine(it, activation, r.EndsOn, maxEnd, in.Months)
		if l.Failure == "" {
			r.Units += l.Units
			longest = max(longest, l.Months)
		}
		r.Lines = append(r.Lines, l)
	}
	if longest < MinCoTermMonths {
		r.Units = 0
		r.Failure = fmt.Sprintf("at least one location must renew for %d months or more; the longest renewal here covers %d", MinCoTermMonths, longest)
	}
	return r
}

func renewalLine(it RenewalItem, activation, end, maxEnd time.Time, months int) RenewalLine {
	switch {
	case it.CoolingOff:
		return RenewalLine{Failure: "an assignment of Software Assurance is in its cooling-off period; process or cancel it first"}
	case it.CurrentEnd.IsZero():
		return RenewalLine{Failure: "no Software Assurance agreement to renew"}
	}
	l := RenewalLine{StartsOn: Day(it.CurrentEnd).AddDate(0, 0, 1), EndsOn: end}
	expired := l.StartsOn.Before(activation)
	if expired {
		l.StartsOn = activation
	}
	switch {
	case months < 1 || months > it.MaxMonths:
		l.Failure = fmt.Sprintf("the duration must be 1 to %d months for this application", it.MaxMonths)
	case end.Before(l.StartsOn):
		l.Failure = fmt.Sprintf("DesiredEndMonth is earlier than SWAStartDate: DesiredEndMonth=%s, SWAStartDate=%s",
			end.Format("2006/01"), l.StartsOn.Format(time.DateOnly))
	case end.After(maxEnd):
		l.Failure = fmt.Sprintf("MAX SWA exceeded: an agreement may not run past %s (%d years from today)",
			maxEnd.Format(time.DateOnly), MaxSwaYears)
	}
	if l.Failure != "" {
		return l
	}
	l.Months = wholeMonths(l.StartsOn, end.AddDate(0, 0, 1))
	l.Units = Units(it.Rate, l.Months, factorFor(it.Factors, l.Months))
	if expired {
		l.LapsedMonths = LapsedMonths(it.CurrentEnd, activation)
		l.ReinstatementUnits = Reinstatement(it.Rate, l.LapsedMonths)
		l.Units += l.ReinstatementUnits
	}
	return l
}

// factorFor is the factor of the longest term in factors not longer than months, or One.
func factorFor(factors map[int]Factor, months int) Factor {
	f, best := One, 0
	for m, v := range factors {
		if m <= months && m > best {
			f, best = v, m
		}
	}
	return f
}
