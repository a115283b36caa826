package license_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// TestBinByPart: the bin by part totals a part over its orders and pages
// through the lines holding it, oldest first, with cursors bound to the
// caller (LIC-2, SPEC §12).
func TestBinByPart(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true})
	ship(t, env, lmstest.DealerZ, "SO-Z", "PO-Z", line{"BE107585", 5})
	var want []string
	for i, po := range []string{"PO-A", "PO-B", "PO-C"} {
		lines := ship(t, env, lmstest.DealerY, "SO-"+po, po, line{"BE107585", 10 * (i + 1)}, line{"BE107573", 1})
		want = append(want, lines["BE107585"])
	}
	const q = `query($after: String) { licenseBin(filter: {search: "BE107585"}) { parts { edges { node {
	  part { number } available lines(first: 1, after: $after) { totalCount edges { cursor node { id purchaseOrder available } } pageInfo { hasNextPage endCursor } } } } } } }`
	type answer struct {
		LicenseBin struct {
			Parts struct {
				Edges []struct {
					Node struct {
						Part      struct{ Number string }
						Available int
						Lines     struct {
							TotalCount int
							Edges      []struct {
								Node struct {
									ID, PurchaseOrder string
									Available         int
								}
							}
							PageInfo struct {
								HasNextPage bool
								EndCursor   *string
							}
						}
					}
				}
			}
		}
	}
	var got []string
	var after any
	for {
		var a answer
		env.Query(t, lmstest.DealerY, q, map[string]any{"after": after}).Decode(t, &a)
		require.Len(t, a.LicenseBin.Parts.Edges, 1, "the search keeps only BE107585")
		p := a.LicenseBin.Parts.Edges[0].Node
		require.Equal(t, "BE107585", p.Part.Number)
		require.Equal(t, 60, p.Available)
		require.Equal(t, 3, p.Lines.TotalCount)
		for _, e := range p.Lines.Edges {
			got = append(got, e.Node.ID)
		}
		if !p.Lines.PageInfo.HasNextPage {
			break
		}
		after = *p.Lines.PageInfo.EndCursor
		resp := env.Query(t, lmstest.DealerZ, q, map[string]any{"after": after})
		require.NotEmpty(t, resp.Errors, "another partner cannot use the cursor")
		require.Equal(t, "VALIDATION_FAILED", resp.Errors[0].Code())
	}
	require.Equal(t, want, got, "every line once, oldest first")
}
