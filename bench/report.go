package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
)

// Result is one measure over the rounds: its median and spread, the goal
// issue 14 sets for it (empty when none) and whether the median meets it
// (null when there is no goal).
type Result struct {
	Scenario string  `json:"scenario"`
	Measure  string  `json:"measure"`
	Unit     string  `json:"unit"`
	Median   float64 `json:"median"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Goal     string  `json:"goal"`
	Met      *bool   `json:"met"`
}

// goal is a bound a measure's median must stay on the right side of.
type goal struct {
	set, atLeast bool
	value        float64
}

func atLeast(v float64) goal { return goal{set: true, atLeast: true, value: v} }
func atMost(v float64) goal  { return goal{set: true, value: v} }

// noGoal marks a measure reported for context.
var noGoal goal

// Units of the measures.
const (
	unitRate       = "req/s"
	unitTxRate     = "tx/s"
	unitMs         = "ms"
	unitRatio      = "×"
	unitStatements = "statements"
	unitMB         = "MB"
)

// measure summarises the values a measure took over the rounds.
func measure(scenario, name, unit string, values []float64, g goal) Result {
	r := Result{Scenario: scenario, Measure: name, Unit: unit}
	if len(values) > 0 {
		s := slices.Sorted(slices.Values(values))
		r.Median, r.Min, r.Max = median(s), s[0], s[len(s)-1]
	}
	if g.set {
		op, met := "≤", r.Median <= g.value
		if g.atLeast {
			op, met = "≥", r.Median >= g.value
		}
		r.Goal, r.Met = op+" "+formatValue(g.value, unit), &met
	}
	return r
}

// median of sorted values (the mean of the middle two for an even count).
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// formatValue writes a value with its unit, to the precision that matters.
func formatValue(v float64, unit string) string {
	switch unit {
	case unitRate, unitTxRate, unitStatements:
		return strconv.FormatFloat(v, 'f', 0, 64) + " " + unit
	case unitRatio:
		return strconv.FormatFloat(v, 'f', 2, 64) + unit
	default:
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
	}
}

// WriteTable prints results as one table: scenario, measure, median,
// spread (min–max over the rounds), goal, met.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tmeasure\tmedian\tspread\tgoal\tmet")
	for _, r := range results {
		met := ""
		if r.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*r.Met]
		}
		spread := formatValue(r.Min, r.Unit) + " – " + formatValue(r.Max, r.Unit)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Scenario, r.Measure, formatValue(r.Median, r.Unit), spread, r.Goal, met)
	}
	return tw.Flush()
}

// WriteJSON prints results as a JSON array of Result.
func WriteJSON(w io.Writer, results []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

// series collects a measure's value per round, by measure name.
type series map[string][]float64

func newSeries() series { return series{} }

func (s series) add(name string, v float64) { s[name] = append(s[name], v) }
