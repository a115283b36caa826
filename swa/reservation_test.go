package swa_test

// SWA reservations (SWA-13, issue 15 item 5): the pending assignments a
// dealer and its distributor see, the distributor's cancel, and the
// escalation to the license desk — through HTTP.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
)

// A distributor lists the pending assignments of the dealer it ships to
// and its own, first due first, with each location named though it may
// not read the location itself; never another dealer's, whichever dealer
// it names. A dealer lists its own, another distributor nothing, the
// license desk all; activated assignments are not listed. Cursors are the
// caller's, and an assignment by id reads as the list does.
func TestSwaReservationsList(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	c := newClock(env, "2030-02-15")
	wes := distributorW(t, env)
	y := sv8100Sites(t, env, lmstest.DealerY, "Yara reserved", 3)
	z := sv8100Site(t, env, lmstest.DealerZ, "Zoe reserved")
	x := sv8100Site(t, env, lmstest.Distributor, "Ed reserved")
	for _, u := range []string{lmstest.DealerY, lmstest.DealerZ, lmstest.Distributor} {
		shipUnits(t, env, u, "SO-RES-"+u, 100, "2031-12-31")
	}
	// One a minute, so that each is due a minute after the one before.
	pending := map[string]string{}
	for _, a := range []struct{ user, name, location string }{
		{lmstest.DealerY, "y0", y[0].ID}, {lmstest.DealerZ, "z", z.ID}, {lmstest.DealerY, "y1", y[1].ID},
		{lmstest.Distributor, "x", x.ID}, {lmstest.DealerY, "y2", y[2].ID},
	} {
		act, errs := assign(t, env, a.user, a.location, 12, "")
		require.Empty(t, errs)
		pending[a.name] = act.ID
		c.advance(time.Minute)
	}
	_, errs := processNow(t, env, lmstest.DealerY, pending["y2"])
	require.Empty(t, errs)
	yara, zoe, ed := lmstest.PartnerID(t, env, lmstest.DealerY), lmstest.PartnerID(t, env, lmstest.DealerZ), lmstest.PartnerID(t, env, lmstest.Distributor)

	got, _ := listReservations(t, env, lmstest.Distributor, nil)
	require.Equal(t, []string{pending["y0"], pending["y1"], pending["x"]}, activationIDs(got), "the dealer's and its own, first due first")
	r := got[0]
	require.Equal(t, struct{ ID, Name string }{yara, "Dealer Y"}, r.Dealer)
	require.Equal(t, y[0].Name, r.LocationName)
	require.Equal(t, y[0].HardwareKeyCode, r.HardwareKeyCode)
	require.Equal(t, "Yara reserved customer", r.CustomerName)
	require.Equal(t, "SV8100", r.SystemType.Code)
	require.Equal(t, "PENDING", r.Activation.Status)
	require.Equal(t, 24, r.Activation.Units)
	require.Equal(t, "23:55", r.Activation.TimeLeft, "assigned 5 minutes ago")
	require.Equal(t, lmstest.DealerY, r.Activation.RequestedBy.Email, "the distributor sees the dealer's users")
	require.Equal(t, "SV8100", r.Activation.Application.Code)
	require.Nil(t, r.Activation.Location, "but not the dealer's location")
	require.Empty(t, r.Activation.Escalations)
	require.Equal(t, "Distributor X", got[2].Dealer.Name)
	require.Equal(t, x.Name, got[2].Activation.Location.Name, "its own location it reads")

	t.Run("one dealer", func(t *testing.T) {
		got, _ := listReservations(t, env, lmstest.Distributor, yara)
		require.Equal(t, []string{pending["y0"], pending["y1"]}, activationIDs(got))
		got, _ = listReservations(t, env, lmstest.Distributor, zoe)
		require.Empty(t, got, "naming a dealer it does not ship to shows nothing")
		got, _ = listReservations(t, env, lmstest.DealerY, zoe)
		require.Empty(t, got)
		got, _ = listReservations(t, env, lmstest.Admin, zoe)
		require.Equal(t, []string{pending["z"]}, activationIDs(got), "the license desk names any partner")
	})

	t.Run("tenants", func(t *testing.T) {
		got, _ := listReservations(t, env, lmstest.DealerY, nil)
		require.Equal(t, []string{pending["y0"], pending["y1"]}, activationIDs(got))
		require.Equal(t, y[0].Name, got[0].Activation.Location.Name)
		require.Equal(t, "Yara reserved customer", got[0].Activation.Location.Customer.Name)
		got, _ = listReservations(t, env, lmstest.DealerZ, nil)
		require.Equal(t, []string{pending["z"]}, activationIDs(got))
		got, _ = listReservations(t, env, wes, nil)
		require.Empty(t, got, "a distributor without an allowance sees nothing")
		got, _ = listReservations(t, env, lmstest.Admin, nil)
		require.Equal(t, []string{pending["y0"], pending["z"], pending["y1"], pending["x"]}, activationIDs(got))
		codes, _ := topLevel(t, env, lmstest.DealerY2, reservationsPage, nil)
		require.Equal(t, []string{"FORBIDDEN"}, codes, "the SWA_ADMIN role is needed")
		got, _ = listReservations(t, env, lmstest.DealerY, ed)
		require.Empty(t, got, "a dealer naming its distributor sees nothing of it")
	})

	t.Run("by id", func(t *testing.T) {
		const q = `query($id: ID!) { node(id: $id) { ... on SwaActivation { id status location { name } } } }`
		read := func(user, id string) map[string]any {
			var got struct{ Node map[string]any }
			env.Query(t, user, q, map[string]any{"id": id}).Decode(t, &got)
			return got.Node
		}
		require.Equal(t, map[string]any{"id": pending["y0"], "status": "PENDING", "location": nil}, read(lmstest.Distributor, pending["y0"]))
		require.Equal(t, "ACTIVATED", read(lmstest.Distributor, pending["y2"])["status"], "the dealer's outcome too")
		require.Nil(t, read(lmstest.Distributor, pending["z"]))
		require.Nil(t, read(wes, pending["y0"]))
		require.Nil(t, read(lmstest.DealerY, pending["x"]), "a dealer does not reach its distributor's")
	})

	t.Run("pages", func(t *testing.T) {
		page := func(user string, after any) (reservationsAnswer, []string) {
			resp := env.Query(t, user, reservationsPage, map[string]any{"first": 2, "after": after})
			var got reservationsAnswer
			if len(resp.Errors) > 0 {
				return got, []string{resp.Errors[0].Code()}
			}
			resp.Decode(t, &got)
			return got, nil
		}
		first, _ := page(lmstest.Distributor, nil)
		require.Len(t, first.SwaReservations.Edges, 2)
		require.True(t, first.SwaReservations.PageInfo.HasNextPage)
		require.Equal(t, 3, first.SwaReservations.TotalCount)
		next, _ := page(lmstest.Distributor, *first.SwaReservations.PageInfo.EndCursor)
		require.Len(t, next.SwaReservations.Edges, 1)
		require.Equal(t, pending["x"], next.SwaReservations.Edges[0].Node.Activation.ID)
		require.False(t, next.SwaReservations.PageInfo.HasNextPage)
		_, codes := page(lmstest.DealerY, *first.SwaReservations.PageInfo.EndCursor)
		require.Equal(t, []string{"VALIDATION_FAILED"}, codes, "a cursor is its tenant's")
	})
}

// A distributor cancels a pending assignment of the dealer it ships to:
// the units go back to the dealer's orders they came from, both partners'
// trails show it, and the activation job, run afterwards, does nothing. A
// distributor without an allowance, and another dealer, get NOT_FOUND as
// for a missing assignment; "Process immediately" stays the dealer's.
func TestDistributorCancelsDealersReservation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, Config: func(c *server.Config) {
		c.SwaCoolingOff = time.Hour
		c.FetchPollInterval = 10 * time.Millisecond
	}})
	wes := distributorW(t, env)
	sites := sv8100Sites(t, env, lmstest.DealerY, "Cancelled by Ed", 2)
	shipUnits(t, env, lmstest.DealerY, "SO-FIRST", 10, "2099-06-30")
	shipUnits(t, env, lmstest.DealerY, "SO-LAST", 100, "2099-12-31")
	act, errs := assign(t, env, lmstest.DealerY, sites[0].ID, 12, "")
	require.Empty(t, errs)
	other, errs := assign(t, env, lmstest.DealerY, sites[1].ID, 12, "")
	require.Empty(t, errs)
	balances := func() map[string][3]int {
		out := map[string][3]int{}
		for so, o := range requireUnitsConserved(t, env) {
			out[so] = [3]int{o.Available, o.Allocated, o.Consumed}
		}
		return out
	}
	require.Equal(t, map[string][3]int{"SO-FIRST": {0, 10, 0}, "SO-LAST": {62, 38, 0}}, balances(), "24 + 24 units, first-expiring first")

	for _, user := range []string{wes, lmstest.DealerZ} {
		_, foreign := cancel(t, env, user, act.ID)
		_, missing := cancel(t, env, user, missingID("SwaActivation"))
		require.Equal(t, []string{"NOT_FOUND"}, codes(foreign), user)
		require.Equal(t, missing, foreign, "%s: another partner's assignment answers like a missing one", user)
	}
	_, errs = processNow(t, env, lmstest.Distributor, other.ID)
	require.Equal(t, []string{"NOT_FOUND"}, codes(errs), "the distributor does not process its dealer's assignment")

	got, errs := cancel(t, env, lmstest.Distributor, act.ID)
	require.Empty(t, errs)
	require.Equal(t, "CANCELLED", got.Status)
	require.Equal(t, map[string][3]int{"SO-FIRST": {10, 0, 0}, "SO-LAST": {76, 24, 0}}, balances(),
		"the units are back on the dealer's orders they came from")
	b := bin(t, env, lmstest.DealerY)
	require.Equal(t, []int{110, 24, 86}, []int{b.UnAllocated, b.Allocated, b.Available})
	_, errs = cancel(t, env, lmstest.Distributor, act.ID)
	require.Equal(t, []string{"NOT_APPLICABLE"}, codes(errs), "cancelled once")
	for _, user := range []string{lmstest.Distributor, lmstest.DealerY} {
		require.Contains(t, auditActions(t, env, user, act.ID), "swa.cancel", user)
	}
	require.NotContains(t, auditActions(t, env, lmstest.DealerZ, act.ID), "swa.cancel")
	left, _ := listReservations(t, env, lmstest.Distributor, nil)
	require.Equal(t, []string{other.ID}, activationIDs(left))

	// The activation job, run now, finds the assignment cancelled.
	id := lmstest.UUIDOf(t, act.ID)
	job := activationJob(t, env, id)
	_, err := env.Server.Jobs.JobRetry(ctx, job)
	require.NoError(t, err)
	waitJob(t, env, job, "the cancelled assignment's activation job", completed)
	require.Equal(t, "CANCELLED", activationStatus(t, env, lmstest.DealerY, act.ID))
	require.Zero(t, count(t, env, `SELECT count(*) FROM swa_agreements WHERE activation_id = ?`, id))
	require.Zero(t, count(t, env, `SELECT count(*) FROM audit_events WHERE action = 'swa.activate'`))
	require.Equal(t, map[string][3]int{"SO-FIRST": {10, 0, 0}, "SO-LAST": {76, 24, 0}}, balances(), "nothing taken")
}

// activationStatus is an assignment's status read by id.
func activationStatus(t *testing.T, env *lmstest.Env, user, id string) string {
	t.Helper()
	var got struct{ Node struct{ Status string } }
	env.Query(t, user, `query($id: ID!) { node(id: $id) { ... on SwaActivation { status } } }`, map[string]any{"id": id}).Decode(t, &got)
	return got.Node.Status
}

// A distributor escalates its dealer's pending assignment to the license
// desk: the escalation is recorded on the assignment, the desk's user gets
// an email over SMTP (recorded in emails), and both partners' trails show
// it; the dealer may escalate too. A retry with the idempotency key has one
// effect. Another tenant gets NOT_FOUND, an activated or cancelled
// assignment NOT_APPLICABLE, a missing reason VALIDATION_FAILED.
func TestEscalateSwaReservation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	wes := distributorW(t, env)
	sites := sv8100Sites(t, env, lmstest.DealerY, "Escalated", 3)
	shipUnits(t, env, lmstest.DealerY, "SO-ESC", 100, "2099-12-31")
	acts := make([]*activation, len(sites))
	for i, s := range sites {
		var errs []userError
		acts[i], errs = assign(t, env, lmstest.DealerY, s.ID, 12, "")
		require.Empty(t, errs)
	}
	act := acts[0]
	const reason = "The customer's purchase order names 24 months, not 12"

	p := escalate(t, env, lmstest.Distributor, act.ID, "  "+reason+" ", "esc-1")
	require.Empty(t, p.Errors)
	require.Equal(t, "PENDING", p.Activation.Status, "an escalation leaves the assignment pending")
	require.Equal(t, reason, p.Escalation.Reason)
	require.Equal(t, struct{ Name, Email, PartnerName string }{"Ed Distributor", lmstest.Distributor, "Distributor X"}, p.Escalation.EscalatedBy)
	require.Equal(t, []escalation{*p.Escalation}, p.Activation.Escalations)

	m := lmstest.MailTo(t, env, lmstest.Admin, "SWA escalation", sites[0].Name, "of Dealer Y")
	for _, s := range []string{reason, "Ed Distributor of Distributor X", sites[0].HardwareKeyCode, "24"} {
		require.Contains(t, m.Text, s)
	}
	mails := func() int {
		return count(t, env, `SELECT count(*) FROM emails WHERE template = 'swa_escalation' AND recipient = ?`, lmstest.Admin)
	}
	require.Equal(t, 1, mails())
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM emails WHERE template = 'swa_escalation'`), "to the license desk only")
	for _, user := range []string{lmstest.DealerY, lmstest.Admin} {
		require.Equal(t, []string{"swa.escalate", "swa.assign"}, auditActions(t, env, user, act.ID), user)
	}
	require.Equal(t, []string{"swa.escalate"}, auditActions(t, env, lmstest.Distributor, act.ID), "the distributor's trail has its own")
	require.Empty(t, auditActions(t, env, lmstest.DealerZ, act.ID))

	t.Run("retry", func(t *testing.T) {
		again := escalate(t, env, lmstest.Distributor, act.ID, reason, "esc-1")
		require.Empty(t, again.Errors)
		require.Equal(t, p.Escalation, again.Escalation, "the first answer")
		reused := escalate(t, env, lmstest.Distributor, act.ID, "another reason", "esc-1")
		require.Equal(t, []string{"IDEMPOTENCY_KEY_REUSED"}, codes(reused.Errors))
		require.Equal(t, 1, count(t, env, `SELECT count(*) FROM swa_escalations`))
		require.Equal(t, 1, mails())
	})

	t.Run("the dealer escalates too", func(t *testing.T) {
		d := escalate(t, env, lmstest.DealerY, act.ID, "Please call us", "")
		require.Empty(t, d.Errors)
		got, _ := listReservations(t, env, lmstest.DealerY, nil)
		require.Equal(t, act.ID, got[0].Activation.ID)
		var by []string
		for _, e := range got[0].Activation.Escalations {
			by = append(by, e.EscalatedBy.PartnerName+": "+e.Reason)
		}
		require.Equal(t, []string{"Distributor X: " + reason, "Dealer Y: Please call us"}, by, "the dealer sees its distributor's escalation")
		lmstest.MailTo(t, env, lmstest.Admin, "SWA escalation", sites[0].Name)
		require.Equal(t, 2, mails())
	})

	t.Run("refused", func(t *testing.T) {
		for _, user := range []string{wes, lmstest.DealerZ} {
			foreign := escalate(t, env, user, act.ID, reason, "")
			missing := escalate(t, env, user, missingID("SwaActivation"), reason, "")
			require.Equal(t, []string{"NOT_FOUND"}, codes(foreign.Errors), user)
			require.Equal(t, missing, foreign, "%s: another partner's assignment answers like a missing one", user)
		}
		blank := escalate(t, env, lmstest.Distributor, act.ID, "  ", "")
		require.Equal(t, []string{"VALIDATION_FAILED"}, codes(blank.Errors))
		require.Equal(t, []string{"input", "reason"}, blank.Errors[0].Field)
		long := escalate(t, env, lmstest.Distributor, act.ID, strings.Repeat("x", 2001), "")
		require.Equal(t, []string{"VALIDATION_FAILED"}, codes(long.Errors))
		require.Equal(t, []string{"FORBIDDEN"}, codes(escalate(t, env, lmstest.DealerY2, act.ID, reason, "").Errors), "without the SWA_ADMIN role")
		require.Equal(t, []string{"FORBIDDEN"}, codes(escalate(t, env, lmstest.Admin, act.ID, reason, "").Errors), "the desk escalates to nobody")

		_, errs := processNow(t, env, lmstest.DealerY, acts[1].ID)
		require.Empty(t, errs)
		_, errs = cancel(t, env, lmstest.Distributor, acts[2].ID)
		require.Empty(t, errs)
		for i, what := range map[int]string{1: "activated", 2: "cancelled"} {
			e := escalate(t, env, lmstest.Distributor, acts[i].ID, reason, "")
			require.Equal(t, []string{"NOT_APPLICABLE"}, codes(e.Errors), what)
			require.Contains(t, e.Errors[0].Message, what)
		}
		require.Equal(t, 2, count(t, env, `SELECT count(*) FROM swa_escalations`), "none refused was recorded")
		require.Equal(t, 2, mails())
	})
}

// The N+1 guard of the SWA reservations page (SWA-13): 3 and 30 pending
// assignments, escalated and not, with their dealer, system type, user,
// application, location and escalations, are read with the same number of
// SQL statements by the distributor, the dealer and the license desk.
func TestSwaReservationsStatements(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, NoSMTP: true})
	shipUnits(t, env, lmstest.DealerY, "SO-RES-STMT", 5000, "2099-12-31")
	// Every other assignment, in the order they are due, is escalated.
	assigned := 0
	reserve := func(tag string, n int) {
		for _, loc := range activatedLocations(t, env, tag, n, 1) {
			a, err := postAssign(env, lmstest.DealerY, loc, 12)
			require.NoError(t, err)
			require.Empty(t, a.Errors)
			assigned++
			if assigned%2 == 1 {
				e := escalate(t, env, lmstest.Distributor, a.Activation.ID, fmt.Sprint("look at ", loc), "")
				require.Empty(t, e.Errors)
			}
		}
	}
	read := func(n int) map[string]int {
		out := map[string]int{}
		for _, user := range []string{lmstest.Distributor, lmstest.DealerY, lmstest.Admin} {
			got, statements := listReservations(t, env, user, nil)
			require.Len(t, got, n, user)
			for i, r := range got {
				require.Equal(t, "Dealer Y", r.Dealer.Name)
				require.Equal(t, "SV9100_CP10", r.SystemType.Code)
				require.Equal(t, lmstest.DealerY, r.Activation.RequestedBy.Email)
				require.Equal(t, "SV9100", r.Activation.Application.Code)
				require.Equal(t, user == lmstest.Distributor, r.Activation.Location == nil, user)
				require.Len(t, r.Activation.Escalations, 1-i%2, "%s %s", user, r.LocationName)
			}
			out[user] = statements
		}
		return out
	}
	reserve("RES-S", 3)
	small := read(3)
	reserve("RES-L", 27)
	large := read(30)
	t.Logf("swaReservations: statements for 3 reservations %v, for 30 %v", small, large)
	for user, n := range small {
		require.Positive(t, n)
		require.Equal(t, n, large[user], "%s: the statements do not grow with the reservations", user)
	}
}
