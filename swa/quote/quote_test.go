package quote

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func ptr(t time.Time) *time.Time { return &t }

func TestCompute(t *testing.T) {
	t.Parallel()

	is3000Terms := []int{12, 24, 36, 48, 60}
	tests := []struct {
		name string
		in   Input
		want Quote
	}{
		{
			// The guide's reinstatement chapter: iS3000 licenses first activated 15-12-2014,
			// quoted on 30-06-2015 (SWA-4, SWA-5, SWA-6, SWA-7c).
			name: "GuideIS3000Reinstatement",
			in: Input{
				Today: d("30-06-2015"), Rate: RateOf(is3000Lines), Terms: is3000Terms, Factors: guideFactors,
				FirstActivation: ptr(d("15-12-2014")),
			},
			want: Quote{
				GraceEnd: ptr(d("31-03-2015")),
				Terms: []Term{
					{Months: 12, Units: 66, StartsOn: d("30-06-2015"), EndsOn: d("30-06-2016")},
					{Months: 24, Units: 129, StartsOn: d("30-06-2015"), EndsOn: d("30-06-2017")},
					{Months: 36, Units: 189, StartsOn: d("30-06-2015"), EndsOn: d("30-06-2018")},
					{Months: 48, Units: 251, StartsOn: d("30-06-2015"), EndsOn: d("30-06-2019")},
					{Months: 60, Units: 304, StartsOn: d("30-06-2015"), EndsOn: d("30-06-2020")},
				},
				LapsedMonths: 3, ReinstatementUnits: 17,
			},
		},
		{
			// The guide's SV8300 quote (r = 22) on the SWA-6 example: assigned 26-03-2013 in a
			// grace period ending 30-06-2013.
			name: "GuideSV8300InGrace",
			in: Input{
				Today: d("26-03-2013"), Rate: 220000, Terms: []int{12, 24, 36}, Factors: guideFactors,
				FirstActivation: ptr(d("04-02-2013")),
			},
			want: Quote{
				GraceEnd: ptr(d("30-06-2013")), InGrace: true,
				Terms: []Term{
					{Months: 12, Units: 264, StartsOn: d("01-07-2013"), EndsOn: d("30-06-2014")},
					{Months: 24, Units: 513, StartsOn: d("01-07-2013"), EndsOn: d("30-06-2015")},
					{Months: 36, Units: 753, StartsOn: d("01-07-2013"), EndsOn: d("30-06-2016")},
				},
			},
		},
		{
			name: "LastDayOfGrace",
			in: Input{
				Today: d("30-06-2013"), Rate: 220000, Terms: []int{12}, Factors: guideFactors,
				FirstActivation: ptr(d("04-02-2013")),
			},
			want: Quote{
				GraceEnd: ptr(d("30-06-2013")), InGrace: true,
				Terms: []Term{{Months: 12, Units: 264, StartsOn: d("01-07-2013"), EndsOn: d("30-06-2014")}},
			},
		},
		{
			name: "FirstDayAfterGrace",
			in: Input{
				Today: d("01-07-2013"), Rate: 220000, Terms: []int{12}, Factors: guideFactors,
				FirstActivation: ptr(d("04-02-2013")),
			},
			want: Quote{
				GraceEnd:     ptr(d("30-06-2013")),
				Terms:        []Term{{Months: 12, Units: 264, StartsOn: d("01-07-2013"), EndsOn: d("30-06-2014")}},
				LapsedMonths: 1, ReinstatementUnits: 22,
			},
		},
		{
			name: "NoActivation",
			in:   Input{Today: d("15-05-2015"), Rate: 0, Terms: []int{12}, Factors: guideFactors},
			want: Quote{Terms: []Term{{Months: 12, Units: 0, StartsOn: d("15-05-2015"), EndsOn: d("31-05-2016")}}},
		},
		{
			// The lapse runs from the agreement's end when it ended after the grace period.
			name: "LapsedAfterAgreement",
			in: Input{
				Today: d("30-09-2016"), Rate: 55000, Terms: []int{12}, Factors: guideFactors,
				FirstActivation: ptr(d("15-12-2014")), LastAgreementEnd: ptr(d("30-06-2016")),
			},
			want: Quote{
				GraceEnd:     ptr(d("31-03-2015")),
				Terms:        []Term{{Months: 12, Units: 66, StartsOn: d("30-09-2016"), EndsOn: d("30-09-2017")}},
				LapsedMonths: 3, ReinstatementUnits: 17,
			},
		},
		{
			// An agreement that has not ended yet owes no reinstatement.
			name: "AgreementRunning",
			in: Input{
				Today: d("30-06-2015"), Rate: 55000, Terms: []int{12}, Factors: guideFactors,
				FirstActivation: ptr(d("15-12-2013")), LastAgreementEnd: ptr(d("30-06-2015")),
			},
			want: Quote{
				GraceEnd: ptr(d("31-03-2014")),
				Terms:    []Term{{Months: 12, Units: 66, StartsOn: d("30-06-2015"), EndsOn: d("30-06-2016")}},
			},
		},
		{
			// An agreement without an activation on record still starts the lapse.
			name: "AgreementWithoutActivation",
			in: Input{
				Today: d("15-08-2015"), Rate: 55000, Terms: []int{12}, Factors: guideFactors,
				LastAgreementEnd: ptr(d("30-06-2015")),
			},
			want: Quote{
				Terms:        []Term{{Months: 12, Units: 66, StartsOn: d("15-08-2015"), EndsOn: d("31-08-2016")}},
				LapsedMonths: 2, ReinstatementUnits: 11,
			},
		},
		{
			name: "TermWithoutFactor",
			in: Input{
				Today: d("30-06-2015"), Rate: 55000, Terms: []int{12, 18}, Factors: map[int]Factor{12: One},
			},
			want: Quote{Terms: []Term{
				{Months: 12, Units: 66, StartsOn: d("30-06-2015"), EndsOn: d("30-06-2016")},
				{Months: 18, Units: 99, StartsOn: d("30-06-2015"), EndsOn: d("31-12-2016")},
			}},
		},
		{
			name: "NoTerms",
			in:   Input{Today: d("30-06-2015"), Rate: 55000},
			want: Quote{Terms: []Term{}},
		},
		{
			// Times of day and zones do not move the dates (Day on every input).
			name: "Timestamps",
			in: Input{
				Today: time.Date(2015, 6, 30, 23, 59, 0, 0, time.UTC), Rate: 55000, Terms: []int{60}, Factors: guideFactors,
				FirstActivation: ptr(time.Date(2014, 12, 15, 9, 30, 0, 0, time.FixedZone("CET", 60*60))),
			},
			want: Quote{
				GraceEnd:     ptr(d("31-03-2015")),
				Terms:        []Term{{Months: 60, Units: 304, StartsOn: d("30-06-2015"), EndsOn: d("30-06-2020")}},
				LapsedMonths: 3, ReinstatementUnits: 17,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Compute(tt.in))
		})
	}
}
