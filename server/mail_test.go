package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"lms/db"
	"lms/lmstest"
	"lms/mail"
	"lms/notify"
)

const grantMutation = `mutation($in: GrantShippingAllowanceInput!) {
  grantShippingAllowance(input: $in) { shippingAllowance { id distributor { name } dealer { name } } errors { code message field } }
}`

type grantData struct {
	GrantShippingAllowance struct {
		ShippingAllowance *struct {
			ID          string
			Distributor struct{ Name string }
			Dealer      struct{ Name string }
		}
		Errors []struct{ Code, Message string }
	}
}

// partnerIDs returns the global ids of the seeded partners by name.
func partnerIDs(t *testing.T, env *lmstest.Env) map[string]string {
	t.Helper()
	var got struct {
		Partners struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	env.Query(t, lmstest.Admin, `{ partners(first: 250) { edges { node { id name } } } }`, nil).Decode(t, &got)
	ids := map[string]string{}
	for _, e := range got.Partners.Edges {
		ids[e.Node.Name] = e.Node.ID
	}
	return ids
}

func emailRows(t *testing.T, env *lmstest.Env) []db.Email {
	t.Helper()
	var rows []db.Email
	require.NoError(t, env.DB.Bun.NewSelect().Model(&rows).Order("created_at").Scan(context.Background()))
	return rows
}

// jobsDone subscribes to the worker's River events of jobs that finish
// (completed, cancelled, or failed). Call it before the change that
// enqueues the jobs.
func jobsDone(t *testing.T, env *lmstest.Env) <-chan *river.Event {
	t.Helper()
	events, cancel := env.Server.Worker.Subscribe(river.EventKindJobCompleted, river.EventKindJobCancelled, river.EventKindJobFailed)
	t.Cleanup(cancel)
	return events
}

// waitFinal waits until River reports a job of the given kind in a final
// state and returns that state: River runs no further attempt of it.
func waitFinal(t *testing.T, events <-chan *river.Event, kind string) rivertype.JobState {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			require.True(t, ok, "River event subscription ended")
			switch ev.Job.State {
			case rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
				if ev.Job.Kind == kind {
					return ev.Job.State
				}
			}
		case <-deadline:
			t.Fatalf("no %s job reached a final state in 10s", kind)
		}
	}
}

func jobCount(t *testing.T, env *lmstest.Env, kind string) int {
	t.Helper()
	var n int
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT count(*) FROM river_job WHERE kind = $1`, kind).Scan(&n))
	return n
}

// A committed change sends exactly one email per recipient, received by the
// SMTP server; a change that fails after enqueuing its email leaves no job,
// no record and sends nothing (§9).
func TestMailIsSentOnlyForCommittedChanges(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	ids := partnerIDs(t, env)
	done := jobsDone(t, env)

	// A failing change: the email is enqueued in the transaction, then a
	// later step fails and everything rolls back.
	notifier := env.Server.Graph.Services.Notify
	errLater := errors.New("a later step of the change failed")
	err := env.DB.Bun.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := notifier.Enqueue(ctx, tx, notify.Recipient{Email: "zoe@dealer-z.example"}, mail.ShippingAllowanceGranted{DealerName: "Dealer Z", DistributorName: "Distributor X"}); err != nil {
			return err
		}
		require.Equal(t, 1, countInTx(t, ctx, tx))
		return errLater
	})
	require.ErrorIs(t, err, errLater)
	require.Equal(t, 0, jobCount(t, env, "send_email"))
	require.Empty(t, emailRows(t, env))

	// The same through the API: a refused grant (Dealer Y already has one)
	// enqueues nothing.
	var refused grantData
	env.Query(t, lmstest.Admin, grantMutation, map[string]any{"in": map[string]any{"distributorId": ids["Distributor X"], "dealerId": ids["Dealer Y"]}}).Decode(t, &refused)
	require.Equal(t, "ALREADY_EXISTS", refused.GrantShippingAllowance.Errors[0].Code)
	require.Equal(t, 0, jobCount(t, env, "send_email"))

	// A successful change: exactly one email to Dealer Z's only user.
	ok := grantToDealerZ(t, env, ids)
	require.Equal(t, "Dealer Z", ok.GrantShippingAllowance.ShippingAllowance.Dealer.Name)

	msgs := env.SMTP.WaitForMessages(t, 1, 10*time.Second)
	require.Equal(t, []string{lmstest.DealerZ}, msgs[0].To)
	require.Contains(t, msgs[0].Subject, "Distributor X")
	require.Contains(t, msgs[0].Text, "Dealer Z")
	require.NotEmpty(t, msgs[0].HTML)

	lmstest.Eventually(t, 5*time.Second, func() bool {
		rows := emailRows(t, env)
		return len(rows) == 1 && rows[0].Status == db.EmailSent
	}, "email recorded as sent")
	// Its one job is done for good, so no duplicate delivery can follow.
	require.Equal(t, rivertype.JobStateCompleted, waitFinal(t, done, "send_email"))
	require.Equal(t, 1, jobCount(t, env, "send_email"))
	require.Len(t, env.SMTP.Messages(), 1)
	rows := emailRows(t, env)
	require.Equal(t, 1, rows[0].Attempts)
	require.NotNil(t, rows[0].SentAt)

	// The dealer can list what was sent to it; others cannot see it.
	var listed struct {
		Emails struct {
			Edges []struct {
				Node struct {
					Recipient, Template, Status string
					Attempts                    int
				}
			}
		}
	}
	env.Query(t, lmstest.DealerZ, `{ emails { edges { node { recipient template status attempts sentAt } } } }`, nil).Decode(t, &listed)
	require.Len(t, listed.Emails.Edges, 1)
	require.Equal(t, "SENT", listed.Emails.Edges[0].Node.Status)
	require.Equal(t, "shipping_allowance_granted", listed.Emails.Edges[0].Node.Template)
	env.Query(t, lmstest.DealerY, `{ emails { edges { node { recipient } } } }`, nil).Decode(t, &listed)
	require.Empty(t, listed.Emails.Edges)
}

// grantToDealerZ has the admin grant Distributor X an allowance for Dealer Z,
// which emails Dealer Z's only user.
func grantToDealerZ(t *testing.T, env *lmstest.Env, ids map[string]string) grantData {
	t.Helper()
	var ok grantData
	env.Query(t, lmstest.Admin, grantMutation, map[string]any{"in": map[string]any{"distributorId": ids["Distributor X"], "dealerId": ids["Dealer Z"]}}).Decode(t, &ok)
	require.Empty(t, ok.GrantShippingAllowance.Errors)
	return ok
}

func countInTx(t *testing.T, ctx context.Context, tx bun.Tx) int {
	t.Helper()
	var n int
	require.NoError(t, tx.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'send_email'`).Scan(&n))
	return n
}

// An SMTP server that answers 451 twice and then accepts: the email arrives
// once and its record shows three attempts.
func TestTemporarySMTPFailureIsRetried(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	ids := partnerIDs(t, env)
	env.SMTP.FailNext(2, 451)

	grantToDealerZ(t, env, ids)

	msgs := env.SMTP.WaitForMessages(t, 1, 15*time.Second)
	require.Equal(t, []string{lmstest.DealerZ}, msgs[0].To)
	lmstest.Eventually(t, 5*time.Second, func() bool {
		rows := emailRows(t, env)
		return len(rows) == 1 && rows[0].Status == db.EmailSent
	}, "email recorded as sent")
	rows := emailRows(t, env)
	require.Equal(t, 3, rows[0].Attempts)
	require.Equal(t, 3, env.SMTP.Attempts())
	require.Len(t, env.SMTP.Messages(), 1)
}

// A permanent failure (550) stops at once and is recorded as FAILED.
func TestPermanentSMTPFailureStops(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	ids := partnerIDs(t, env)
	env.SMTP.FailNext(1, 550)
	done := jobsDone(t, env)

	grantToDealerZ(t, env, ids)

	lmstest.Eventually(t, 10*time.Second, func() bool {
		rows := emailRows(t, env)
		return len(rows) == 1 && rows[0].Status == db.EmailFailed
	}, "email recorded as failed")
	waitFinal(t, done, "send_email") // no further attempt follows
	rows := emailRows(t, env)
	require.Equal(t, 1, rows[0].Attempts)
	require.Contains(t, rows[0].LastError, "550")
	require.Empty(t, env.SMTP.Messages())
	var state string
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT state FROM river_job WHERE kind = 'send_email'`).Scan(&state))
	require.Equal(t, "cancelled", state)
}

// Without an SMTP server, emails are recorded and not sent.
func TestMailWithoutSMTPIsRecorded(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	ids := partnerIDs(t, env)
	grantToDealerZ(t, env, ids)
	lmstest.Eventually(t, 10*time.Second, func() bool {
		rows := emailRows(t, env)
		return len(rows) == 1 && rows[0].Status == db.EmailRecorded
	}, "email recorded")
}
