package quote_test

import (
	"fmt"
	"time"

	"lms/swa/quote"
)

// The guide's reinstatement example: an iS3000 location whose licenses were first activated
// on 15-12-2014 is quoted on 30-06-2015, three months after its grace period ended.
func ExampleCompute() {
	firstActivation := time.Date(2014, 12, 15, 0, 0, 0, 0, time.UTC)
	q := quote.Compute(quote.Input{
		Today: time.Date(2015, 6, 30, 0, 0, 0, 0, time.UTC),
		Rate: quote.RateOf([]quote.Line{
			{Weight: 0.5, Quantity: 1}, {Weight: 1.5, Quantity: 1}, {Weight: 0.25, Quantity: 4},
			{Weight: 0.3, Quantity: 2}, {Weight: 0.04, Quantity: 40}, {Weight: 0.3, Quantity: 1},
		}),
		Terms:           []int{12, 24, 36, 48, 60},
		Factors:         map[int]quote.Factor{12: 10000, 24: 9700, 36: 9500, 48: 9500, 60: 9200},
		FirstActivation: &firstActivation,
	})
	fmt.Println("grace ended", q.GraceEnd.Format("02-01-2006"), "in grace:", q.InGrace)
	for _, term := range q.Terms {
		fmt.Printf("%d units for %d months, %s .. %s\n", term.Units, term.Months,
			term.StartsOn.Format("02-01-2006"), term.EndsOn.Format("02-01-2006"))
	}
	fmt.Printf("reinstatement: %d units for %d lapsed months\n", q.ReinstatementUnits, q.LapsedMonths)
	// Output:
	// grace ended 31-03-2015 in grace: false
	// 66 units for 12 months, 30-06-2015 .. 30-06-2016
	// 129 units for 24 months, 30-06-2015 .. 30-06-2017
	// 189 units for 36 months, 30-06-2015 .. 30-06-2018
	// 251 units for 48 months, 30-06-2015 .. 30-06-2019
	// 304 units for 60 months, 30-06-2015 .. 30-06-2020
	// reinstatement: 17 units for 3 lapsed months
}

func ExampleRate_String() {
	fmt.Println(quote.Rate(55000), quote.Rate(220000), quote.WeightOf(0.315))
	// Output: 5.5 22 0.315
}
