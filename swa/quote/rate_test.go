package quote

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// The guide's iS3000 location (reinstatement chapter) at the catalog's weights: r = 5.5.
var is3000Lines = []Line{
	{Weight: 0.5, Quantity: 1},   // 960026138000 Lic 071 - SIP@Net on Server
	{Weight: 1.5, Quantity: 1},   // EU920000 Lic 001 - SIP@Net Server 96 Ext
	{Weight: 0.25, Quantity: 4},  // 960025871000 Lic 059 - ISG 10 channels
	{Weight: 0.3, Quantity: 2},   // 960026036000 Lic 069 - SIP Ext 10 seats
	{Weight: 0.04, Quantity: 40}, // EU920014 Lic 081 - Gateway Extension
	{Weight: 0.3, Quantity: 1},   // EU92067151 Lic 073 - SIP@Net Q1-2015 96 Ext
}

// The catalog's SWA-4 term factors.
var guideFactors = map[int]Factor{12: 10000, 24: 9700, 36: 9500, 48: 9500, 60: 9200}

func TestWeightOf(t *testing.T) {
	t.Parallel()

	tests := []struct {
		weight float64
		want   Rate
	}{
		{0, 0},
		{0.0001, 1},
		{0.005, 50},
		{0.04, 400},
		{0.315, 3150}, // 0.315 × 10000 is 3150.0000000000005 in floats
		{0.1 + 0.2, 3000},
		{1.5, 15000},
		{22, 220000},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, WeightOf(tt.weight), "%v", tt.weight)
	}
}

func TestFactorOf(t *testing.T) {
	t.Parallel()

	tests := []struct {
		factor float64
		want   Factor
	}{
		{1, One},
		{0.975, 9750},
		{0.97, 9700},
		{0.95, 9500},
		{0.92, 9200},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, FactorOf(tt.factor), "%v", tt.factor)
	}
}

func TestRateOf(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		lines []Line
		want  Rate
	}{
		{"None", nil, 0},
		{"IS3000Guide", is3000Lines, 55000},
		{"NotRounded", []Line{{Weight: 0.315, Quantity: 1}, {Weight: 5.2, Quantity: 1}}, 55150},
		// Float sums of 0.1 drift (0.1 × 3 ≠ 0.3); the rate does not.
		{"TenthsAddUpExactly", []Line{{Weight: 0.1, Quantity: 1}, {Weight: 0.1, Quantity: 1}, {Weight: 0.1, Quantity: 1}}, 3000},
		{"ZeroQuantity", []Line{{Weight: 2, Quantity: 0}}, 0},
		{"FreeOfCharge", []Line{{Weight: 0, Quantity: 5}, {Weight: 0.05, Quantity: 440}}, 220000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, RateOf(tt.lines))
		})
	}
}

func TestRateString(t *testing.T) {
	t.Parallel()

	tests := []struct {
		rate Rate
		want string
	}{
		{0, "0"},
		{55000, "5.5"},
		{220000, "22"},
		{3150, "0.315"},
		{1, "0.0001"},
		{10001, "1.0001"},
		{-55000, "-5.5"},
		{math.MinInt64, "-922337203685477.5808"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.rate.String(), "%d", int64(tt.rate))
	}
}

func TestUnits(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		rate   Rate
		months int
		factor Factor
		want   int
	}{
		// SWA-4, the guide's iS3000 quote at r = 5.5.
		{"IS3000_12", 55000, 12, 10000, 66},
		{"IS3000_24", 55000, 24, 9700, 129}, // 132 × 0.97 = 128.04
		{"IS3000_36", 55000, 36, 9500, 189}, // 188.1
		{"IS3000_48", 55000, 48, 9500, 251}, // 250.8
		{"IS3000_60", 55000, 60, 9200, 304}, // 303.6
		// SWA-4, the guide's SV8300 quote at r = 22.
		{"SV8300_12", 220000, 12, 10000, 264},
		{"SV8300_24", 220000, 24, 9700, 513}, // 512.16
		{"SV8300_36", 220000, 36, 9500, 753}, // 752.4
		// 0.97 × 132 is 129, whether the 132 is a rate or rate × months.
		{"132At0.97", 1320000, 1, 9700, 129},
		// Exact products are not rounded up: 0.07 × 100 is 7.000000000000001 in floats.
		{"ExactProduct", WeightOf(0.07), 100, One, 7},
		{"ExactWithFactor", 250000, 12, 9500, 285},
		{"SmallestFraction", 1, 1, 1, 1},
		{"ZeroRate", 0, 60, 9200, 0},
		{"ZeroMonths", 55000, 0, 9200, 0},
		{"Large", math.MaxInt64, 1, One, 922337203685478},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Units(tt.rate, tt.months, tt.factor))
		})
	}
}

func TestUnitsFloatCeilWouldBeWrong(t *testing.T) {
	t.Parallel()

	// The reason for integers: the float product of an exact case lands above the integer.
	// (Variables, so that the compiler does not fold the constants exactly.)
	weight, months := 0.07, 100.0
	require.Equal(t, 8.0, math.Ceil(weight*months))
	require.Equal(t, 7, Units(WeightOf(0.07), 100, One))
}

func TestUnitsPanics(t *testing.T) {
	t.Parallel()

	require.Panics(t, func() { Units(-1, 12, One) })
	require.Panics(t, func() { Units(55000, -1, One) })
	require.Panics(t, func() { Units(55000, 12, -1) })
	require.Panics(t, func() { Units(math.MaxInt64, math.MaxInt64, One) })
	require.Panics(t, func() { Units(math.MaxInt64, 1<<40, One) })       // rate × months
	require.Panics(t, func() { Units(math.MaxInt64, 1, math.MaxInt64) }) // × factor
	require.Panics(t, func() { Units(math.MaxInt64, 1, 150_000_000) })   // units above MaxInt64
}

func TestReinstatement(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		rate   Rate
		lapsed int
		want   int
	}{
		{"Guide", 55000, 3, 17}, // SWA-7c: ceil(3 × 5.5)
		{"NotLapsed", 55000, 0, 0},
		{"Even", 55000, 2, 11},
		{"Whole", 220000, 1, 22},
		{"Fraction", 3150, 1, 1},
		{"ExactProduct", WeightOf(0.07), 100, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Reinstatement(tt.rate, tt.lapsed))
		})
	}
}

// FuzzUnits checks that Units never under-charges nor charges a unit too many: with p = r ×
// months × f in 10⁻⁸ units, Units × 10⁸ ≥ p and (Units - 1) × 10⁸ < p.
func FuzzUnits(f *testing.F) {
	f.Add(int64(55000), 24, int64(9700))
	f.Add(int64(220000), 36, int64(9500))
	f.Add(int64(1320000), 1, int64(9700))
	f.Add(int64(700), 100, int64(10000))
	f.Add(int64(0), 0, int64(0))
	f.Add(int64(1), 1, int64(1))
	f.Add(int64(999_999_999_999), 1200, int64(10000))
	f.Fuzz(func(t *testing.T, r int64, months int, factor int64) {
		// Rates up to 10⁸ units a month, terms up to 100 years, factors in [0, 1].
		r = int64(uint64(r) % 1_000_000_000_000)
		months = int(uint64(months) % 1201)
		factor = int64(uint64(factor) % 10001)

		got := Units(Rate(r), months, Factor(factor))
		p := new(big.Int).Mul(big.NewInt(r), big.NewInt(int64(months)))
		p.Mul(p, big.NewInt(factor))
		charged := new(big.Int).Mul(big.NewInt(int64(got)), big.NewInt(scale*scale))
		require.GreaterOrEqual(t, charged.Cmp(p), 0, "Units(%d, %d, %d) = %d under-charges", r, months, factor, got)
		charged.Sub(charged, big.NewInt(scale*scale))
		require.Negative(t, charged.Cmp(p), "Units(%d, %d, %d) = %d charges a unit too many", r, months, factor, got)
	})
}
