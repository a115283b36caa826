package location_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// customersTree asks for customers with their partner, their locations and
// those locations' customer, parent and children: every relation a
// front end's customer overview follows. The page sizes keep its estimated
// cost under the query limit (graph.DefaultLimits).
const customersTree = `{ customers(first: 50) { edges { node { id name partner { name }
  locations(first: 10) { edges { node { id name hardwareKeyCode systemType { code name } customer { name } parent { id }
    children(first: 10) { edges { node { id name hardwareKeyCode parent { name } } } } } } } } } } }`

type customersTreeAnswer struct {
	Customers struct {
		Edges []struct {
			Node struct {
				ID, Name  string
				Partner   struct{ Name string }
				Locations struct {
					Edges []struct {
						Node struct {
							ID, Name, HardwareKeyCode string
							SystemType                struct{ Code, Name string }
							Customer                  struct{ Name string }
							Parent                    *struct{ ID string }
							Children                  struct {
								Edges []struct {
									Node struct {
										ID, Name, HardwareKeyCode string
										Parent                    struct{ Name string }
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

// locationsTree lists locations with their customer, parent and children.
const locationsTree = `{ locations(first: 100) { edges { node { name customer { name } parent { name }
  children(first: 10) { edges { node { name } } } systemType { code } } } } }`

type locationsTreeAnswer struct {
	Locations struct {
		Edges []struct {
			Node struct {
				Name     string
				Customer struct{ Name string }
				Parent   *struct{ Name string }
				Children struct {
					Edges []struct{ Node struct{ Name string } }
				}
				SystemType struct{ Code string }
			}
		}
	}
}

// populate gives user's partner customers customers with perCustomer SV8500
// locations each (and so as many LMC children), through the API.
func populate(t *testing.T, env *lmstest.Env, user, prefix string, customers, perCustomer int) {
	t.Helper()
	for i := range customers {
		c := createCustomer(t, env, user, fmt.Sprintf("%s Customer %02d", prefix, i))
		for j := range perCustomer {
			sv8500(t, env, user, c, fmt.Sprintf("%s Site %02d-%d", prefix, i, j))
		}
	}
}

// The N+1 guard: listing 3 or 50 customers with their locations and
// children, or 6 or 100 locations with their relations, runs the same number
// of SQL statements. Dealer Z holds the small data set, Dealer Y the large.
func TestListsHaveNoNPlusOne(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	start := time.Now()
	populate(t, env, lmstest.DealerZ, "Small", 3, 1)
	populate(t, env, lmstest.DealerY, "Large", 50, 3)
	t.Logf("created 53 customers and 153 locations (with their LMC children) through the API in %s", time.Since(start))

	t.Run("customers", func(t *testing.T) {
		t.Parallel()
		small := env.Query(t, lmstest.DealerZ, customersTree, nil)
		large := env.Query(t, lmstest.DealerY, customersTree, nil)
		for _, tc := range []struct {
			resp              *lmstest.Response
			owner, prefix     string
			customers, perCus int
		}{
			{small, "Dealer Z", "Small", 3, 1},
			{large, "Dealer Y", "Large", 50, 3},
		} {
			var got customersTreeAnswer
			tc.resp.Decode(t, &got)
			require.Len(t, got.Customers.Edges, tc.customers)
			for i, ce := range got.Customers.Edges {
				c := ce.Node
				require.Equal(t, fmt.Sprintf("%s Customer %02d", tc.prefix, i), c.Name)
				require.Equal(t, tc.owner, c.Partner.Name)
				require.Len(t, c.Locations.Edges, tc.perCus, c.Name)
				for j, le := range c.Locations.Edges {
					l := le.Node
					require.Equal(t, fmt.Sprintf("%s Site %02d-%d", tc.prefix, i, j), l.Name)
					require.Equal(t, "SV8500", l.SystemType.Code)
					require.Equal(t, "SV8500", l.SystemType.Name)
					require.Equal(t, c.Name, l.Customer.Name)
					require.Nil(t, l.Parent)
					require.Len(t, l.Children.Edges, 1, l.Name)
					lmc := l.Children.Edges[0].Node
					require.Equal(t, l.Name+"_LMC", lmc.Name)
					require.Equal(t, "LM"+l.HardwareKeyCode, lmc.HardwareKeyCode)
					require.Equal(t, l.Name, lmc.Parent.Name)
				}
			}
		}
		t.Logf("customers tree: %d statements for 3 customers, %d for 50", small.Statements(), large.Statements())
		require.Positive(t, small.Statements())
		require.Equal(t, small.Statements(), large.Statements(), "statement count must not grow with the list")
	})

	t.Run("customers with totals", func(t *testing.T) {
		t.Parallel()
		// totalCount at every level: one COUNT for the customers; each
		// customer's locations and each location's children are counted
		// with their first pages, in the statements that load them.
		counted := strings.ReplaceAll(customersTree, "edges {", "totalCount edges {")
		small := env.Query(t, lmstest.DealerZ, counted, nil)
		large := env.Query(t, lmstest.DealerY, counted, nil)
		plain := env.Query(t, lmstest.DealerY, customersTree, nil)
		for _, tc := range []struct {
			resp              *lmstest.Response
			customers, perCus int
		}{{small, 3, 1}, {large, 50, 3}} {
			var got struct {
				Customers struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Locations struct {
								TotalCount int
								Edges      []struct {
									Node struct {
										Children struct{ TotalCount int }
									}
								}
							}
						}
					}
				}
			}
			tc.resp.Decode(t, &got)
			require.Equal(t, tc.customers, got.Customers.TotalCount)
			for _, ce := range got.Customers.Edges {
				require.Equal(t, tc.perCus, ce.Node.Locations.TotalCount)
				for _, le := range ce.Node.Locations.Edges {
					require.Equal(t, 1, le.Node.Children.TotalCount, "the LMC child")
				}
			}
		}
		t.Logf("customers tree with totals: %d statements for 3 customers, %d for 50, %d for 50 without totals",
			small.Statements(), large.Statements(), plain.Statements())
		require.Equal(t, small.Statements(), large.Statements(), "statement count must not grow with the list")
		require.Equal(t, plain.Statements()+1, large.Statements(), "the totals cost one statement, the customers' count")
	})

	t.Run("locations", func(t *testing.T) {
		t.Parallel()
		small := env.Query(t, lmstest.DealerZ, locationsTree, nil)
		large := env.Query(t, lmstest.DealerY, locationsTree, nil)
		for _, tc := range []struct {
			resp   *lmstest.Response
			prefix string
			n      int
		}{
			{small, "Small", 6},
			{large, "Large", 100},
		} {
			var got locationsTreeAnswer
			tc.resp.Decode(t, &got)
			require.Len(t, got.Locations.Edges, tc.n)
			parents, children := 0, 0
			for _, e := range got.Locations.Edges {
				l := e.Node
				require.Contains(t, l.Customer.Name, tc.prefix+" Customer ")
				if l.Parent == nil {
					parents++
					require.Equal(t, "SV8500", l.SystemType.Code)
					require.Len(t, l.Children.Edges, 1, l.Name)
					require.Equal(t, l.Name+"_LMC", l.Children.Edges[0].Node.Name)
				} else {
					children++
					require.Equal(t, "LMC", l.SystemType.Code)
					require.Equal(t, l.Parent.Name+"_LMC", l.Name)
					require.Empty(t, l.Children.Edges)
				}
			}
			// By name, every site is followed by its LMC child.
			require.Equal(t, tc.n/2, parents)
			require.Equal(t, tc.n/2, children)
		}
		t.Logf("locations tree: %d statements for 6 locations, %d for 100", small.Statements(), large.Statements())
		require.Positive(t, small.Statements())
		require.Equal(t, small.Statements(), large.Statements(), "statement count must not grow with the list")
	})
}
