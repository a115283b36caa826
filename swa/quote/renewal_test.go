package quote

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRenewalQuote(t *testing.T) {
	t.Parallel()
	r := WeightOf(5.5) // the guide's iS3000 location: 66 units for 12 months, 129 for 24
	item := func(currentEnd string) RenewalItem {
		it := RenewalItem{Rate: r, Factors: guideFactors, MaxMonths: 36}
		if currentEnd != "" {
			it.CurrentEnd = d(currentEnd)
		}
		return it
	}
	tests := []struct {
		name        string
		in          RenewalInput
		wantEnd     time.Time
		want        []RenewalLine
		wantUnits   int
		wantFailure string
	}{
		{
			// An active agreement renews from the day after it ends to the last day of the
			// month 12 months after the activation moment.
			name:      "ActiveTwelveMonths",
			in:        RenewalInput{Today: d("06-12-2026"), Activation: d("06-12-2026"), Months: 12, Items: []RenewalItem{item("31-12-2026")}},
			wantEnd:   d("31-12-2027"),
			want:      []RenewalLine{{StartsOn: d("01-01-2027"), EndsOn: d("31-12-2027"), Months: 12, Units: 66}},
			wantUnits: 66,
		},
		{
			// Expired on 30-09-2026: it renews from the activation moment, 12 months and 26
			// days rounded up to 13 (factor 1: the longest term not longer is 12), plus 3
			// lapsed months of reinstatement (SWA-7c: ceil(3 × 5.5) = 17).
			name:    "ExpiredWithReinstatement",
			in:      RenewalInput{Today: d("06-12-2026"), Activation: d("06-12-2026"), Months: 12, Items: []RenewalItem{item("30-09-2026")}},
			wantEnd: d("31-12-2027"),
			want: []RenewalLine{{StartsOn: d("06-12-2026"), EndsOn: d("31-12-2027"), Months: 13,
				LapsedMonths: 3, ReinstatementUnits: 17, Units: 72 + 17}},
			wantUnits: 89,
		},
		{
			// Co-terming: three agreements end on one date; 24 months or more get f(24).
			name: "CoTermedFactors",
			in: RenewalInput{Today: d("06-12-2026"), Activation: d("06-12-2026"), Months: 24,
				Items: []RenewalItem{item("31-12-2026"), item("31-12-2027"), item("31-01-2027")}},
			wantEnd: d("31-12-2028"),
			want: []RenewalLine{
				{StartsOn: d("01-01-2027"), EndsOn: d("31-12-2028"), Months: 24, Units: 129},
				{StartsOn: d("01-01-2028"), EndsOn: d("31-12-2028"), Months: 12, Units: 66},
				{StartsOn: d("01-02-2027"), EndsOn: d("31-12-2028"), Months: 23, Units: 127}, // ceil(5.5 × 23)
			},
			wantUnits: 129 + 66 + 127,
		},
		{
			// The guide's failure: a 3C agreement that runs to 30-06-2017 cannot end in 05/2017;
			// the other location renews.
			name: "GuideDesiredEndBeforeStart",
			in: RenewalInput{Today: d("15-05-2016"), Activation: d("15-05-2016"), Months: 12,
				Items: []RenewalItem{item("30-06-2017"), item("31-05-2016")}},
			wantEnd: d("31-05-2017"),
			want: []RenewalLine{
				{StartsOn: d("01-07-2017"), EndsOn: d("31-05-2017"),
					Failure: "DesiredEndMonth is earlier than SWAStartDate: DesiredEndMonth=2017/05, SWAStartDate=2017-07-01"},
				{StartsOn: d("01-06-2016"), EndsOn: d("31-05-2017"), Months: 12, Units: 66},
			},
			wantUnits: 66,
		},
		{
			// The common end may not lie more than 5 years from today (MAX SWA).
			name: "MaxSwa",
			in: RenewalInput{Today: d("06-12-2026"), Activation: d("01-06-2029"), Months: 36,
				Items: []RenewalItem{item("31-05-2029")}},
			wantEnd: d("30-06-2032"),
			want: []RenewalLine{{StartsOn: d("01-06-2029"), EndsOn: d("30-06-2032"),
				Failure: "MAX SWA exceeded: an agreement may not run past 2031-12-06 (5 years from today)"}},
			wantFailure: "at least one location must renew for 12 months or more; the longest renewal here covers 0",
		},
		{
			// At least one location must cover 12 months: 6 and 11 months are not enough.
			name: "NoTwelveMonths",
			in: RenewalInput{Today: d("06-12-2026"), Activation: d("06-12-2026"), Months: 12,
				Items: []RenewalItem{item("30-06-2027"), item("31-01-2027")}},
			wantEnd: d("31-12-2027"),
			want: []RenewalLine{
				{StartsOn: d("01-07-2027"), EndsOn: d("31-12-2027"), Months: 6, Units: 33},
				{StartsOn: d("01-02-2027"), EndsOn: d("31-12-2027"), Months: 11, Units: 61},
			},
			wantFailure: "at least one location must renew for 12 months or more; the longest renewal here covers 11",
		},
		{
			// A duration beyond the application's longest renewal, a location without an
			// agreement and one whose assignment cools off fail on their own.
			name: "DurationAndNoAgreement",
			in: RenewalInput{Today: d("06-12-2026"), Activation: d("06-12-2026"), Months: 48,
				Items: []RenewalItem{item("31-12-2026"), item(""), {CurrentEnd: d("31-12-2026"), CoolingOff: true}}},
			wantEnd: d("31-12-2030"),
			want: []RenewalLine{
				{StartsOn: d("01-01-2027"), EndsOn: d("31-12-2030"), Failure: "the duration must be 1 to 36 months for this application"},
				{Failure: "no Software Assurance agreement to renew"},
				{Failure: "an assignment of Software Assurance is in its cooling-off period; process or cancel it first"},
			},
			wantFailure: "at least one location must renew for 12 months or more; the longest renewal here covers 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := RenewalQuote(tt.in)
			require.Equal(t, tt.wantEnd, got.EndsOn)
			require.Equal(t, tt.want, got.Lines)
			require.Equal(t, tt.wantUnits, got.Units)
			require.Equal(t, tt.wantFailure, got.Failure)
		})
	}
}
