package quote

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// d returns the civil date written dd-mm-yyyy, the way the guide writes dates.
func d(s string) time.Time {
	t, err := time.Parse("02-01-2006", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDay(t *testing.T) {
	t.Parallel()

	cet := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"Midnight", d("30-06-2015"), d("30-06-2015")},
		{"LateUTC", time.Date(2015, 6, 30, 23, 59, 59, 999, time.UTC), d("30-06-2015")},
		// The UTC date counts, not the zone's.
		{"ZoneAhead", time.Date(2015, 7, 1, 0, 30, 0, 0, cet), d("30-06-2015")},
		{"ZoneBehind", time.Date(2015, 6, 30, 23, 30, 0, 0, time.FixedZone("", -2*60*60)), d("01-07-2015")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Day(tt.in)
			require.Equal(t, tt.want, got)
			require.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestGraceEnd(t *testing.T) {
	t.Parallel()

	tests := []struct {
		firstActivation, want string
	}{
		{"15-12-2014", "31-03-2015"}, // SWA-5, the guide's example
		// Q1 → end of Q2.
		{"01-01-2015", "30-06-2015"},
		{"31-03-2015", "30-06-2015"},
		// Q2 → end of Q3.
		{"01-04-2015", "30-09-2015"},
		{"30-06-2015", "30-09-2015"},
		// Q3 → end of Q4.
		{"01-07-2015", "31-12-2015"},
		{"10-08-2023", "31-12-2023"},
		{"30-09-2023", "31-12-2023"},
		// Q4 → end of Q1 of the next year.
		{"01-10-2023", "31-03-2024"},
		{"31-12-2023", "31-03-2024"},
		// Leap years.
		{"01-01-2024", "30-06-2024"},
		{"29-02-2024", "30-06-2024"},
		{"15-11-2099", "31-03-2100"},
	}
	for _, tt := range tests {
		t.Run(tt.firstActivation, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, d(tt.want), GraceEnd(d(tt.firstActivation)))
		})
	}

	// A timestamp late on the last day of a quarter is still in that quarter (UTC).
	require.Equal(t, d("30-06-2015"), GraceEnd(time.Date(2015, 3, 31, 23, 59, 0, 0, time.UTC)))
}

func TestTermDates(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name               string
		today, graceEnd    string // graceEnd "" is no grace period
		months             int
		wantStart, wantEnd string
	}{
		// SWA-6, the guide's example: assigned within grace, the term starts after it.
		{"GuideInGrace", "26-03-2013", "30-06-2013", 12, "01-07-2013", "30-06-2014"},
		// The guide's iS3000 reinstatement: outside grace, the term starts today.
		{"GuideOutsideGrace", "30-06-2015", "31-03-2015", 60, "30-06-2015", "30-06-2020"},
		{"LastDayOfGrace", "30-06-2013", "30-06-2013", 12, "01-07-2013", "30-06-2014"},
		{"DayAfterGrace", "01-07-2013", "30-06-2013", 12, "01-07-2013", "30-06-2014"},
		{"NoGrace", "15-05-2015", "", 12, "15-05-2015", "31-05-2016"},
		{"ThirtySixMonths", "26-03-2013", "30-06-2013", 36, "01-07-2013", "30-06-2016"},
		// One month from the end of January ends in February, not in March.
		{"Jan31", "31-01-2015", "", 1, "31-01-2015", "28-02-2015"},
		{"Jan31Leap", "31-01-2016", "", 1, "31-01-2016", "29-02-2016"},
		{"Jan30", "30-01-2015", "", 1, "30-01-2015", "28-02-2015"},
		{"Jan29", "29-01-2015", "", 1, "29-01-2015", "28-02-2015"},
		{"Jan28", "28-01-2015", "", 1, "28-01-2015", "28-02-2015"},
		{"Feb1", "01-02-2015", "", 1, "01-02-2015", "28-02-2015"},
		{"Dec31TwoMonths", "31-12-2015", "", 2, "31-12-2015", "29-02-2016"},
		{"Feb29TwelveMonths", "29-02-2016", "", 12, "29-02-2016", "28-02-2017"},
		{"Mar31OneMonth", "31-03-2015", "", 1, "31-03-2015", "30-04-2015"},
		{"NoMonths", "15-05-2015", "", 0, "15-05-2015", "14-05-2015"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var graceEnd time.Time
			if tt.graceEnd != "" {
				graceEnd = d(tt.graceEnd)
			}
			start, end := TermDates(d(tt.today), graceEnd, tt.months)
			require.Equal(t, d(tt.wantStart), start, "start")
			require.Equal(t, d(tt.wantEnd), end, "end")
		})
	}

	// Times of day do not move the dates.
	start, end := TermDates(time.Date(2013, 3, 26, 17, 0, 0, 0, time.UTC), time.Date(2013, 6, 30, 12, 0, 0, 0, time.UTC), 12)
	require.Equal(t, d("01-07-2013"), start)
	require.Equal(t, d("30-06-2014"), end)
}

func TestLapsedMonths(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name               string
		lapsedSince, today string
		want               int
	}{
		{"Guide", "31-03-2015", "30-06-2015", 3}, // SWA-7c
		{"Before", "31-03-2015", "15-03-2015", 0},
		{"SameDay", "31-03-2015", "31-03-2015", 0},
		{"OneDay", "31-03-2015", "01-04-2015", 1},
		{"OneMonth", "31-03-2015", "30-04-2015", 1},
		{"OneMonthAndADay", "31-03-2015", "01-05-2015", 2},
		{"ThreeMonthsAndADay", "31-03-2015", "01-07-2015", 4},
		{"ShortMonth", "31-01-2015", "28-02-2015", 1},
		{"YearWrap", "30-09-2014", "30-06-2015", 9},
		{"Years", "31-03-2010", "30-06-2015", 63},
		{"LeapDay", "31-01-2016", "29-02-2016", 1},
		// Lapses from another day of the month count whole months from the day after.
		{"MidMonthExact", "14-05-2015", "14-06-2015", 1},
		{"MidMonthAndADay", "14-05-2015", "15-06-2015", 2},
		// From 31-01, a month ends on 28-02 (clamped, as in TermDates); 28-02 starts a second.
		{"FromJan31", "30-01-2015", "27-02-2015", 1},
		{"FromJan31NextMonth", "30-01-2015", "28-02-2015", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, LapsedMonths(d(tt.lapsedSince), d(tt.today)))
		})
	}
}
