package swa_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// day is a date at noon UTC, for the services' clocks.
func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

// sipNetServer is the guide's iS3000 example location ("SIP@Net Server"):
// its six activated licenses rate 5.5 units a month.
var sipNetServer = []part{
	{"960026138000", 1}, {"EU920000", 1}, {"960025871000", 4}, {"960026036000", 2}, {"EU920014", 40}, {"EU92067151", 1},
}

type quoteAnswer struct {
	MonthlyRate        string
	Status             string
	GraceEndsOn        *string
	InGrace            bool
	LapsedMonths       int
	ReinstatementUnits int
	UnitsAvailable     int
	Terms              []struct {
		Months, Units    int
		StartsOn, EndsOn *string
	}
}

func swaQuote(t *testing.T, env *lmstest.Env, user, locationID string) quoteAnswer {
	t.Helper()
	var got struct{ SwaQuote quoteAnswer }
	env.Query(t, user, `query($id: ID!) { swaQuote(locationId: $id) { monthlyRate status graceEndsOn inGrace lapsedMonths reinstatementUnits unitsAvailable terms { months units startsOn endsOn } } }`,
		map[string]any{"id": locationID}).Decode(t, &got)
	return got.SwaQuote
}

// TestReinstatementExample is the guide's "SWA Activation outside Grace
// period" example: licenses first activated 15-12-2014, quoted on
// 30-06-2015 (grace ended 31-03-2015, 3 months lapsed): 304 units for 60
// months plus 17 units reinstatement; the agreement (suffix W) runs to
// 30-06-2020.
func TestReinstatementExample(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{Config: func(c *server.Config) { c.SwaCoolingOff = time.Hour }})
	svc := env.Server.Graph.Services
	svc.Licenses.Now = func() time.Time { return day("2014-12-15") }
	svc.Swa.Now = func() time.Time { return day("2015-06-30") }

	loc := activatedLocation(t, env, lmstest.DealerY, "IS3000", "SIP@Net Server", "aa0014SA2792654321AA", sipNetServer...)
	shipUnits(t, env, lmstest.DealerY, "SO-SWA-1", 400, "2016-01-31")

	q := swaQuote(t, env, lmstest.DealerY, loc)
	require.Equal(t, "5.5", q.MonthlyRate)
	require.Equal(t, "NONE", q.Status)
	require.Equal(t, "2015-03-31", *q.GraceEndsOn)
	require.False(t, q.InGrace)
	require.Equal(t, 3, q.LapsedMonths)
	require.Equal(t, 17, q.ReinstatementUnits)
	require.Equal(t, 400, q.UnitsAvailable)
	var units []int
	for _, term := range q.Terms {
		units = append(units, term.Units)
	}
	require.Equal(t, []int{66, 129, 189, 251, 304, 0}, units)
	require.Equal(t, "2020-06-30", *q.Terms[4].EndsOn)

	act, errs := assign(t, env, lmstest.DealerY, loc, 60, "")
	require.Empty(t, errs)
	require.Equal(t, "PENDING", act.Status)
	require.Equal(t, 321, act.Units)
	require.Equal(t, 17, act.ReinstatementUnits)
	b := bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{400, 321, 79}, []int{b.UnAllocated, b.Allocated, b.Available})

	ag, errs := processNow(t, env, lmstest.DealerY, act.ID)
	require.Empty(t, errs)
	require.Regexp(t, `^50IS0-[A-Z]{4}[0-9]{5}-W$`, ag.Number)
	require.Equal(t, "2015-06-30", ag.StartsOn)
	require.Equal(t, "2020-06-30", ag.EndsOn)
	require.Equal(t, 321, ag.Units)
	b = bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{79, 0, 79}, []int{b.UnAllocated, b.Allocated, b.Available})
	require.Equal(t, 321, b.Orders.Edges[0].Node.Consumed)

	var got struct {
		Node struct {
			Swa []struct {
				Status      string
				MonthlyRate string
				Agreement   *struct{ Number string }
			}
		}
	}
	env.Query(t, lmstest.DealerY, `query($id: ID!) { node(id: $id) { ... on Location { swa { status monthlyRate agreement { number } } } } }`,
		map[string]any{"id": loc}).Decode(t, &got)
	require.Len(t, got.Node.Swa, 1)
	require.Equal(t, "ACTIVE", got.Node.Swa[0].Status)
	require.Equal(t, ag.Number, got.Node.Swa[0].Agreement.Number)

	mailTo(t, env, lmstest.DealerY, "SWA activated", ag.Number)
}
