package bench

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"lms/db"
	"lms/server"
)

// partnerView is what a partner's user sees of its generated data.
const partnerView = `{
  viewer { partner { id } }
  locations(first: 20) { totalCount edges { node { hardwareKeyCode
    attachedLicenses(first: 1) { totalCount }
    activatedLicenses(first: 50) { totalCount edges { node { softwareKeyCode part { number } } } }
    entitlements { edges { node { part { number } quantity } } }
    currentLicenseFile { version status features { part { number } quantity } } } } }
  licenseBin { purchaseOrders(first: 10) { totalCount edges { node { lines(first: 4) { edges { node { part { number } available } } } } } } } }`

// TestGenerate: the rows COPY writes are what the application would have
// written. A generated partner's user sees, through the API, its
// locations with their licenses, entitlements and current files, and its
// bin; every line ships what its licenses hold plus what is left (LIC-15).
func TestGenerate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := testDatabase(t)
	require.NoError(t, createDatabase(ctx, url))
	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	sc := Scale{Name: "test", Partners: 4, Locations: 40, Licenses: 850, Clients: 2, MemoryClients: []int{2},
		Activations: 2, ActivationClients: 1, SwaAssignments: 1}
	f, err := Generate(ctx, pool, GenerateOpts{Scale: sc, Rounds: 1})
	require.NoError(t, err)
	require.Len(t, f.Partners, 4)
	require.Len(t, f.AttachLocations, 2)
	require.Len(t, f.Ready, 1)
	require.Len(t, f.Ready[0].Attached, 2*2+2)
	require.Len(t, f.Swa, 2)

	var unbalanced int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM order_lines AS ol
		WHERE ol.shipped <> ol.available + (SELECT coalesce(sum(quantity), 0) FROM licenses WHERE order_line_id = ol.id)`).Scan(&unbalanced))
	require.Zero(t, unbalanced, "LIC-15: shipped = available + attached + activated")

	c := newClient(startTestServer(t, url))
	total := 0
	for _, p := range f.Partners {
		resp, err := c.post(ctx, p.Token, request(partnerView, nil))
		require.NoError(t, err)
		var got struct {
			Viewer    struct{ Partner struct{ ID string } }
			Locations struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						HardwareKeyCode   string
						AttachedLicenses  struct{ TotalCount int }
						ActivatedLicenses struct {
							TotalCount int
							Edges      []struct {
								Node struct {
									SoftwareKeyCode string
									Part            struct{ Number string }
								}
							}
						}
						Entitlements struct {
							Edges []struct {
								Node struct {
									Part     struct{ Number string }
									Quantity int
								}
							}
						}
						CurrentLicenseFile *struct {
							Version  int
							Status   string
							Features []struct {
								Part     struct{ Number string }
								Quantity int
							}
						}
					}
				}
			}
			LicenseBin struct {
				PurchaseOrders struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Lines struct {
								Edges []struct {
									Node struct {
										Part      struct{ Number string }
										Available int
									}
								}
							}
						}
					}
				}
			}
		}
		require.NoError(t, json.Unmarshal(resp.Data, &got))
		require.Equal(t, globalID("Partner", p.ID), got.Viewer.Partner.ID)
		require.Equal(t, p.Locations, got.Locations.TotalCount)
		licenses := 0
		for _, e := range got.Locations.Edges {
			l := e.Node
			require.Regexp(t, `^19[0-9A-F]{10}$`, l.HardwareKeyCode)
			licenses += l.AttachedLicenses.TotalCount + l.ActivatedLicenses.TotalCount
			stacked := map[string]int{}
			for _, a := range l.ActivatedLicenses.Edges {
				require.Regexp(t, `^[0-9A-Z]{2}19[0-9A-Z]{16}$`, a.Node.SoftwareKeyCode)
				stacked[a.Node.Part.Number]++
			}
			entitled := map[string]int{}
			for _, en := range l.Entitlements.Edges {
				entitled[en.Node.Part.Number] = en.Node.Quantity
			}
			require.Equal(t, stacked, entitled, "entitlements stack the activated licenses")
			require.NotNil(t, l.CurrentLicenseFile)
			require.Equal(t, 1, l.CurrentLicenseFile.Version)
			require.Equal(t, "READY", l.CurrentLicenseFile.Status)
			granted := map[string]int{}
			for _, g := range l.CurrentLicenseFile.Features {
				granted[g.Part.Number] = g.Quantity
			}
			require.Equal(t, stacked, granted, "the current file grants the activated licenses")
		}
		require.Equal(t, p.Licenses, licenses)
		total += licenses
		require.Equal(t, (p.Licenses+licensesPerOrder-1)/licensesPerOrder, got.LicenseBin.PurchaseOrders.TotalCount)
		for _, o := range got.LicenseBin.PurchaseOrders.Edges {
			require.Len(t, o.Node.Lines.Edges, 4)
			for _, l := range o.Node.Lines.Edges {
				require.Equal(t, backgroundAvailable, l.Node.Available)
			}
		}
	}
	require.Equal(t, sc.Licenses, total)
}

// startTestServer runs the API (no workers) in the test's process on the
// database at url and returns its base URL.
func startTestServer(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d, err := db.Open(ctx, url)
	require.NoError(t, err)
	s, err := server.NewWithDB(ctx, server.Config{
		DatabaseURL: url, SkipMigrate: true, HTTPAddr: "127.0.0.1:0", Env: "development", API: true,
		MaxBodyBytes: 1 << 20, ShutdownTimeout: 5 * time.Second, FetchPollInterval: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, d)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
		d.Close()
	})
	select {
	case <-s.Ready:
	case err := <-done:
		t.Fatalf("server stopped before it was ready: %v", err)
	}
	return "http://" + s.Addr().String()
}
