package quote

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// scale is the fixed-point denominator of Rate and Factor: both are held in ten-thousandths,
// the precision of the catalog's numeric(10,4) weights and numeric(6,4) factors.
const scale = 10_000

// Rate is a monthly SWA rate in ten-thousandths of a unit (5.5 units a month = Rate(55000)).
// Holding it as an integer keeps SWA-4's sums and products exact: a quote never depends on how
// a float happens to round.
type Rate int64

// Factor is a term factor in ten-thousandths (0.97 = Factor(9700)).
type Factor int64

// One is the factor of a term without a discount (f(12) = 1.00, SWA-4).
const One Factor = scale

// WeightOf converts a catalog SWA weight (numeric(10,4), read as a float64) into an exact Rate:
// the weight of one license a month, rounded to the nearest ten-thousandth.
func WeightOf(w float64) Rate { return Rate(math.Round(w * scale)) }

// FactorOf converts a catalog term factor (numeric(6,4), read as a float64) into an exact
// Factor, rounded to the nearest ten-thousandth.
func FactorOf(f float64) Factor { return Factor(math.Round(f * scale)) }

// String writes the rate in units with the fewest decimals that show it exactly: "5.5", "22",
// "0.315".
func (r Rate) String() string {
	// The magnitude is taken in uint64, where it fits even for the smallest Rate.
	sign, mag := "", uint64(r)
	if r < 0 {
		sign, mag = "-", -mag
	}
	whole, frac := mag/scale, mag%scale
	if frac == 0 {
		return sign + strconv.FormatUint(whole, 10)
	}
	return sign + strconv.FormatUint(whole, 10) + "." + strings.TrimRight(fmt.Sprintf("%04d", frac), "0")
}

// Line is one activated license counted in a rate: its part's catalog SWA weight and the
// quantity activated on the location.
type Line struct {
	Weight   float64
	Quantity int
}

// RateOf returns the monthly rate r of SWA-4: Σ weight × quantity over the location's activated
// licenses of one application. The sum is not rounded to whole units; only Units and
// Reinstatement round, up, at the end.
func RateOf(lines []Line) Rate {
	var r Rate
	for _, l := range lines {
		r += WeightOf(l.Weight) * Rate(l.Quantity)
	}
	return r
}

// Units returns the units a term of the given months costs at rate r with term factor f:
// ceil(r × months × f) (SWA-4). The product is formed in 128 bits and divided once, so 0.97 ×
// 132 gives 129, never 128 or 130 as a float product might.
//
// r, months and f must not be negative (the catalog refuses negative weights and factors).
// Units panics when they are, or when the units would not fit an int64, which no real system
// comes near (it takes a rate beyond 10¹⁵ units a month).
func Units(r Rate, months int, f Factor) int {
	if r < 0 || months < 0 || f < 0 {
		panic(fmt.Sprintf("quote.Units(%d, %d, %d): negative argument", r, months, f))
	}
	hi, rm := bits.Mul64(uint64(r), uint64(months))
	if hi != 0 {
		panic(fmt.Sprintf("quote.Units(%d, %d, %d): overflow", r, months, f))
	}
	// r × months × f is in 10⁻⁸ units; Div64 needs hi below the divisor.
	hi, lo := bits.Mul64(rm, uint64(f))
	if hi >= scale*scale {
		panic(fmt.Sprintf("quote.Units(%d, %d, %d): overflow", r, months, f))
	}
	q, rem := bits.Div64(hi, lo, scale*scale)
	if rem != 0 {
		q++
	}
	if q > math.MaxInt64 {
		panic(fmt.Sprintf("quote.Units(%d, %d, %d): overflow", r, months, f))
	}
	return int(q)
}

// Reinstatement returns the reinstatement fee of SWA-7(c): ceil(lapsedMonths × r) units, for a
// location that comes back under SWA after its grace period or agreement lapsed.
func Reinstatement(r Rate, lapsedMonths int) int { return Units(r, lapsedMonths, One) }
