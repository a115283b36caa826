package quote

import "time"

// Day returns the civil date of t in UTC, as a time.Time at 00:00 UTC. Every function of this
// package passes its dates through Day, so a timestamp and the date column it came from give
// the same answer.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// GraceEnd returns the last day of a location's grace period (SWA-5): the last day of the
// calendar quarter after the quarter of the first license activation. The guide: first
// activation 15-12-2014 → 31-03-2015.
func GraceEnd(firstActivation time.Time) time.Time {
	first := Day(firstActivation)
	// The quarter's first month (1, 4, 7, 10), then the last month of the next quarter.
	quarterStart := (first.Month()-1)/3*3 + 1
	// Day 0 of the month after is the last day of that month; time.Date carries month 13… into
	// the next year.
	return time.Date(first.Year(), quarterStart+6, 0, 0, 0, 0, 0, time.UTC)
}

// TermDates returns the first and last day of a term of the given months assigned on today
// (SWA-6). Assigned within the grace period (today on or before graceEnd) the term starts the
// day after the grace period ends, otherwise it starts today; a zero graceEnd means the
// location has no grace period. The term ends on the last day of the month in which its months
// end: start + months months - 1 day, then to the end of that month. The guide: assigned
// 26-03-2013 within a grace period ending 30-06-2013, 12 months → 01-07-2013 .. 30-06-2014.
//
// A month added to the 29th, 30th or 31st ends on the last day of a shorter month, so a term
// of one month from 31-01 ends on 28-02 (29-02 in a leap year). months below 1 give an empty
// term: end is the day before start.
func TermDates(today, graceEnd time.Time, months int) (start, end time.Time) {
	start = Day(today)
	if !graceEnd.IsZero() && !start.After(Day(graceEnd)) {
		start = Day(graceEnd).AddDate(0, 0, 1)
	}
	if months < 1 {
		return start, start.AddDate(0, 0, -1)
	}
	last := addMonths(start, months).AddDate(0, 0, -1)
	return start, endOfMonth(last)
}

// LapsedMonths returns the months a location has been outside SWA on today (SWA-7c): whole
// months, rounded up, from the day after lapsedSince (the end of the grace period or of the
// last agreement) to the day after today, so that today counts as a lapsed day. It is 0 when
// today is on or before lapsedSince. The guide: grace ended 31-03-2015, today 30-06-2015 → 3.
func LapsedMonths(lapsedSince, today time.Time) int {
	return wholeMonths(Day(lapsedSince).AddDate(0, 0, 1), Day(today).AddDate(0, 0, 1))
}

// wholeMonths returns the months from the date from to the date to (excluded), rounded up; 0
// when to is not after from.
func wholeMonths(from, to time.Time) int {
	if !to.After(from) {
		return 0
	}
	// from + (n-1) months lies in an earlier month than to, so it is before to; the answer
	// is n or n+1.
	n := monthsBetween(from, to)
	if addMonths(from, n).Before(to) {
		n++
	}
	return n
}

// addMonths adds n months to a date, keeping its day of the month where the target month has
// it and taking the month's last day where it does not (31-01 + 1 month = 28-02). time.AddDate
// would carry into the month after (03-03) instead.
func addMonths(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return time.Date(first.Year(), first.Month(), min(t.Day(), endOfMonth(first).Day()), 0, 0, 0, 0, time.UTC)
}

// endOfMonth returns the last day of t's month.
func endOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC)
}

// monthsBetween returns the number of calendar-month boundaries from a to b (b's month minus
// a's month, across years).
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}
