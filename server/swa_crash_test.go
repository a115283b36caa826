package server_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
	"lms/server"
	"lms/swa"
)

// TestSwaActivationCrashRecovery kills (SIGKILL) an `lms serve` process
// while it activates two SWA assignments whose cooling-off has ended
// (SWA-8): A before its transaction committed, B after it committed but
// before River recorded its job as completed. Another process rescues
// both jobs: A is activated once, B is left alone — one agreement, one
// swa.activate audit event and one "SWA activated" email per user of the
// partner each, and each order's units taken once. It takes about as long
// as TestCrashRecovery's subtests (River's rescue), in parallel with them.
func TestSwaActivationCrashRecovery(t *testing.T) {
	t.Parallel()
	bin := buildLMS(t)
	var dbURL string
	env := lmstest.New(t, lmstest.Opts{NoWorkers: true, Config: func(c *server.Config) {
		dbURL = c.DatabaseURL
		// Due at once: the lms process's scheduler makes the jobs
		// available at its first tick.
		c.SwaCoolingOff = time.Millisecond
	}})
	ctx := context.Background()
	locA, locB := swaLocation(t, env, "34000000000A"), swaLocation(t, env, "34000000000B")
	// A takes the first-expiring order whole, B the other: each activation
	// can be held on its own order's row lock.
	shipSwaUnits(t, env, "SO-SWA-A", "2099-01-01")
	shipSwaUnits(t, env, "SO-SWA-B", "2099-01-02")
	actA, actB := assignSwa(t, env, locA), assignSwa(t, env, locB)
	requireUnitsOf(t, env, "SO-SWA-A", 0, 12, 0)
	requireUnitsOf(t, env, "SO-SWA-B", 0, 12, 0)

	// Both jobs lock their assignment, then wait for their order.
	lockA := lmstest.LockRow(t, env.DB.SQL, "SELECT 1 FROM swa_unit_orders WHERE sales_order = 'SO-SWA-A' FOR UPDATE")
	lockB := lmstest.LockRow(t, env.DB.SQL, "SELECT 1 FROM swa_unit_orders WHERE sales_order = 'SO-SWA-B' FOR UPDATE")
	first := startLMS(t, bin, dbURL, env.SMTP)
	blockedA := lockA.WaitBlocking(t, 1, recoveryDeadline)
	lockB.WaitBlocking(t, 1, recoveryDeadline)
	runningA, runningB := swaJob(t, env, actA), swaJob(t, env, actB)
	require.Equal(t, rivertype.JobStateRunning, runningA.State)
	require.Equal(t, rivertype.JobStateRunning, runningB.State)
	// B activates once its job row is locked: River's completion then
	// waits on the job row.
	jobLockB := lmstest.LockRow(t, env.DB.SQL, "SELECT 1 FROM river_job WHERE id = $1 FOR UPDATE", runningB.ID)
	lockB.Release(t)
	completionB := jobLockB.WaitBlocking(t, 1, recoveryDeadline)
	require.Equal(t, "ACTIVATED", activationStatus(t, env, actB))
	require.Equal(t, "PENDING", activationStatus(t, env, actA))

	killed := first.kill(t)
	// The killed process's backends end with it: B's completion as if it
	// had never been sent, A's transaction uncommitted.
	jobLockB.Terminate(t, completionB, recoveryDeadline)
	jobLockB.Release(t)
	lockA.Terminate(t, blockedA, recoveryDeadline)
	lockA.Release(t)
	require.Equal(t, "PENDING", activationStatus(t, env, actA))
	requireUnitsOf(t, env, "SO-SWA-A", 0, 12, 0)
	require.Equal(t, rivertype.JobStateRunning, swaJob(t, env, actB).State)

	startLMS(t, bin, dbURL, env.SMTP)
	waitFor(t, "both activation jobs to be completed", func() bool {
		return swaJob(t, env, actA).State == rivertype.JobStateCompleted && swaJob(t, env, actB).State == rivertype.JobStateCompleted
	})
	logRecovery(t, "swa_activate A (interrupted)", *runningA.AttemptedAt, killed, swaJob(t, env, actA))
	logRecovery(t, "swa_activate B (activated before the kill)", *runningB.AttemptedAt, killed, swaJob(t, env, actB))

	for _, act := range []uuid.UUID{actA, actB} {
		require.Equal(t, "ACTIVATED", activationStatus(t, env, act))
		var agreements, audits int
		var number string
		require.NoError(t, env.DB.SQL.QueryRowContext(ctx,
			`SELECT count(*), min(number || '-' || suffix) FROM swa_agreements WHERE activation_id = $1`, act).Scan(&agreements, &number))
		require.Equal(t, 1, agreements)
		require.NoError(t, env.DB.SQL.QueryRowContext(ctx,
			`SELECT count(*) FROM audit_events WHERE action = 'swa.activate' AND $1 = ANY(object_ids)`, "SwaActivation:"+act.String()).Scan(&audits))
		require.Equal(t, 1, audits)
		var recipients []string
		require.NoError(t, env.DB.Bun.NewSelect().Table("emails").Column("recipient").
			Where("template = 'swa_activated'").Where("subject LIKE ?", "%"+number+"%").Order("recipient").Scan(ctx, &recipients))
		require.Equal(t, []string{lmstest.DealerY, lmstest.DealerY2}, recipients, "SWA activated emails of %s", number)
		for _, rcpt := range recipients {
			lmstest.MailTo(t, env, rcpt, "SWA activated", number)
		}
	}
	requireUnitsOf(t, env, "SO-SWA-A", 0, 0, 12)
	requireUnitsOf(t, env, "SO-SWA-B", 0, 0, 12)
	sent := map[string]int{}
	for _, m := range env.SMTP.Messages() {
		if strings.HasPrefix(m.Subject, "SWA activated: ") {
			sent[strings.Fields(m.Subject)[2]+" to "+strings.Join(m.To, ",")]++
		}
	}
	require.Len(t, sent, 4)
	for k, n := range sent {
		require.Equal(t, 1, n, "SWA activated mails %s", k)
	}
}

// swaLocation has Dealer Y create an SV 9100 location with an activated
// BE114044 license (1 SWA unit a month) and returns its global id.
func swaLocation(t *testing.T, env *lmstest.Env, hwkc string) string {
	t.Helper()
	shipped := lmstest.Mutate[struct {
		Order *struct {
			Lines struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		Errors []lmstest.UserError
	}](t, env, lmstest.Admin, "shipLicenseOrder", "order { lines(first: 1) { edges { node { id } } } }", map[string]any{
		"partnerId": lmstest.PartnerID(t, env, lmstest.DealerY), "salesOrder": "SO-" + hwkc, "purchaseOrder": "PO-" + hwkc,
		"lines": []map[string]any{{"partNumber": "BE114044", "quantity": 1}},
	})
	require.Empty(t, shipped.Errors)
	cust := lmstest.Mutate[struct {
		Customer *struct{ ID string }
		Errors   []lmstest.UserError
	}](t, env, lmstest.DealerY, "createCustomer", "customer { id }", map[string]any{"name": "Customer of " + hwkc, "eulaEmail": "eula@customer.example"})
	require.Empty(t, cust.Errors)
	loc := lmstest.Mutate[struct {
		Location *struct{ ID string }
		Errors   []lmstest.UserError
	}](t, env, lmstest.DealerY, "createLocation", "location { id }", map[string]any{
		"customerId": cust.Customer.ID, "name": "SWA crash " + hwkc, "systemType": "SV9100_CP10", "hardwareKeyCode": hwkc, "dealerEmail": "desk@dealer.example",
	})
	require.Empty(t, loc.Errors)
	att := lmstest.Mutate[struct {
		Licenses []struct{ ID string }
		Errors   []lmstest.UserError
	}](t, env, lmstest.DealerY, "attachLicenses", "licenses { id }", map[string]any{
		"locationId": loc.Location.ID, "lines": []map[string]any{{"lineId": shipped.Order.Lines.Edges[0].Node.ID}},
	})
	require.Empty(t, att.Errors)
	act := lmstest.Mutate[struct{ Errors []lmstest.UserError }](t, env, lmstest.DealerY, "activateLicenses", "licenses { id }", map[string]any{
		"locationId": loc.Location.ID, "licenseIds": []string{att.Licenses[0].ID}, "acceptAgreement": true,
	})
	require.Empty(t, act.Errors)
	return loc.Location.ID
}

// shipSwaUnits ships 12 SWA units to Dealer Y, a year's worth for an
// swaLocation.
func shipSwaUnits(t *testing.T, env *lmstest.Env, so, expires string) {
	t.Helper()
	p := lmstest.Mutate[struct{ Errors []lmstest.UserError }](t, env, lmstest.Admin, "shipSwaUnits", "order { id }", map[string]any{
		"partnerId": lmstest.PartnerID(t, env, lmstest.DealerY), "salesOrder": so, "purchaseOrder": "PO-" + so, "quantity": 12, "expiresOn": expires,
	})
	require.Empty(t, p.Errors)
}

// assignSwa assigns SWA for 12 months to a location and returns the
// assignment's database id.
func assignSwa(t *testing.T, env *lmstest.Env, locationID string) uuid.UUID {
	t.Helper()
	p := lmstest.Mutate[struct {
		Activation *struct{ ID, Status string }
		Errors     []lmstest.UserError
	}](t, env, lmstest.DealerY, "assignSwa", "activation { id status }", map[string]any{"locationId": locationID, "termMonths": 12, "authoriseUnits": true})
	require.Empty(t, p.Errors)
	require.Equal(t, "PENDING", p.Activation.Status)
	ref, err := base64.RawURLEncoding.DecodeString(p.Activation.ID)
	require.NoError(t, err)
	key, ok := strings.CutPrefix(string(ref), "SwaActivation:")
	require.True(t, ok, "global id %s", p.Activation.ID)
	return uuid.MustParse(key)
}

// swaJob returns the activation job of an assignment.
func swaJob(t *testing.T, env *lmstest.Env, activationID uuid.UUID) *rivertype.JobRow {
	t.Helper()
	var id int64
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT id FROM river_job WHERE kind = $1 AND args->>'activation_id' = $2`,
		swa.ActivateArgs{}.Kind(), activationID.String()).Scan(&id))
	job, err := env.Server.Jobs.JobGet(context.Background(), id)
	require.NoError(t, err)
	return job
}

func activationStatus(t *testing.T, env *lmstest.Env, id uuid.UUID) string {
	t.Helper()
	var status string
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT status FROM swa_activations WHERE id = $1`, id).Scan(&status))
	return status
}

// requireUnitsOf checks an SWA unit order's available, allocated and
// consumed units.
func requireUnitsOf(t *testing.T, env *lmstest.Env, so string, available, allocated, consumed int) {
	t.Helper()
	var got [3]int
	require.NoError(t, env.DB.SQL.QueryRow(`SELECT available, allocated, consumed FROM swa_unit_orders WHERE sales_order = $1`, so).
		Scan(&got[0], &got[1], &got[2]))
	require.Equal(t, [3]int{available, allocated, consumed}, got, "available, allocated, consumed of %s", so)
}
