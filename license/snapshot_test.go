package license_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/db"
	"lms/license"
	"lms/lmstest"
	"lms/location"
)

// historyQuery is a location's history as a front end shows it.
const historyQuery = `query($id: ID!) { node(id: $id) { ... on Location { history(first: 10) { totalCount edges { node {
  id kind changedAt systemType { code } hardwareKeyCode newSystemType { code } newHardwareKeyCode reason
  licenses { partNumber partName quantity status softwareKeyCode purchaseOrder salesOrder attachedAt activatedAt } } } } } } }`

type historyAnswer struct {
	Node *struct {
		History struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Kind, HardwareKeyCode, NewHardwareKeyCode, Reason string
					SystemType, NewSystemType                             struct{ Code string }
					Licenses                                              []struct {
						PartNumber, PartName, Status, SoftwareKeyCode, PurchaseOrder, SalesOrder string
						Quantity                                                                 int
						ActivatedAt                                                              *time.Time
					}
				}
			}
		}
	}
}

// record keeps a history entry of the location of user's partner in one
// transaction, under the location's system lock, as a hardware replacement
// or a migration does, with the snapshot licenses gives (nil: Snapshot's).
func record(t *testing.T, env *lmstest.Env, user, locationID string, licenses []db.HistoryLicense) {
	t.Helper()
	ctx := context.Background()
	a, err := env.Server.Tokens.Authenticate(ctx, env.Tokens[user])
	require.NoError(t, err)
	require.NoError(t, env.DB.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys, err := location.LockSystem(actor.With(ctx, a), tx, a, lmstest.UUIDOf(t, locationID), "locationId")
		if err != nil {
			return err
		}
		if licenses == nil {
			if licenses, err = license.Snapshot(ctx, tx, sys.Location.ID); err != nil {
				return err
			}
		}
		return location.RecordHistory(ctx, tx, &db.LocationHistory{
			LocationID: sys.Location.ID, PartnerID: sys.Location.PartnerID, Kind: db.SystemMigrated,
			SystemType: sys.Location.SystemType, HardwareKeyCode: sys.Location.HardwareKeyCode,
			NewSystemType: sys.Location.SystemType, NewHardwareKeyCode: "19" + randomHex(10),
			Reason: "test", Licenses: licenses, ChangedBy: &a.User.ID,
		})
	}))
}

// A snapshot keeps the attached and activated licenses with the orders and
// dates they had; the location's history shows it to its partner only
// (HWR-1, MIG-2).
func TestSnapshotInHistory(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
	lines := ship(t, env, lmstest.DealerY, "SO-SNAP", "PO-SNAP", line{"BE107573", 2}, line{"BE107585", 3})
	lics := mustAttach(t, env, lmstest.DealerY, loc.ID, sel{Line: lines["BE107573"]}, sel{Line: lines["BE107585"]})
	var port apiLicense
	for _, l := range lics {
		if l.Part.Number == "BE107573" {
			port = l
		}
	}
	mustActivate(t, env, lmstest.DealerY, loc.ID, port)
	record(t, env, lmstest.DealerY, loc.ID, nil)

	var got historyAnswer
	env.Query(t, lmstest.DealerY, historyQuery, map[string]any{"id": loc.ID}).Decode(t, &got)
	require.Equal(t, 1, got.Node.History.TotalCount)
	e := got.Node.History.Edges[0].Node
	require.Equal(t, "MIGRATED", e.Kind)
	require.Equal(t, "SV8100", e.SystemType.Code)
	require.Equal(t, loc.HardwareKeyCode, e.HardwareKeyCode)
	require.Len(t, e.Licenses, 2)
	require.Equal(t, "BE107573", e.Licenses[0].PartNumber, "by part number")
	require.Equal(t, "ACTIVATED", e.Licenses[0].Status)
	require.NotNil(t, e.Licenses[0].ActivatedAt)
	require.Equal(t, "BE107585", e.Licenses[1].PartNumber)
	require.Equal(t, "ATTACHED", e.Licenses[1].Status)
	require.Nil(t, e.Licenses[1].ActivatedAt)
	for _, l := range e.Licenses {
		require.Equal(t, "PO-SNAP", l.PurchaseOrder)
		require.Equal(t, "SO-SNAP", l.SalesOrder)
		require.NotEmpty(t, l.PartName)
		require.NotEmpty(t, l.SoftwareKeyCode)
	}

	// The entry is a node of its own; another partner sees neither it nor
	// the location.
	var node struct{ Node *struct{ Kind string } }
	q := `query($id: ID!) { node(id: $id) { ... on LocationHistoryEntry { kind } } }`
	env.Query(t, lmstest.DealerY, q, map[string]any{"id": e.ID}).Decode(t, &node)
	require.Equal(t, "MIGRATED", node.Node.Kind)
	env.Query(t, lmstest.DealerZ, q, map[string]any{"id": e.ID}).Decode(t, &node)
	require.Nil(t, node.Node)
	var other historyAnswer
	env.Query(t, lmstest.DealerZ, historyQuery, map[string]any{"id": loc.ID}).Decode(t, &other)
	require.Nil(t, other.Node)
}

// A history entry costs the same statements whatever the licenses its
// snapshot holds: 5 or 200.
func TestHistoryStatements(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	read := func(n int) int {
		t.Helper()
		loc := createLocation(t, env, lmstest.DealerY, "SV8100", map[string]any{"hardwareKeyCode": "19" + randomHex(10)})
		lics := make([]db.HistoryLicense, n)
		for i := range lics {
			at := time.Date(2014, 4, 16, 10, 0, i, 0, time.UTC)
			lics[i] = db.HistoryLicense{
				PartNumber: "BE107585", PartName: "LK-SYS-IP-TERMINAL-1-LIC", Quantity: 1, Status: db.LicenseActivated,
				SoftwareKeyCode: fmt.Sprintf("%020d", i), PurchaseOrder: "PO-1", SalesOrder: "SO-1", AttachedAt: at, ActivatedAt: &at,
			}
		}
		record(t, env, lmstest.DealerY, loc.ID, lics)
		record(t, env, lmstest.DealerY, loc.ID, lics)
		resp := env.Query(t, lmstest.DealerY, historyQuery, map[string]any{"id": loc.ID})
		var got historyAnswer
		resp.Decode(t, &got)
		require.Equal(t, 2, got.Node.History.TotalCount)
		require.Len(t, got.Node.History.Edges[0].Node.Licenses, n)
		return resp.Statements()
	}
	small, large := read(5), read(200)
	t.Logf("Location.history: %d statements with 5 licenses per entry, %d with 200", small, large)
	require.Equal(t, small, large)
}
