package location_test

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// The guide's "BX / OVOC" (LOC-10): a hardware product (BX500/800/1000) is
// created with its serial number as HWKC and its delivery serial as product
// key; a software product (BX9000, OVOC) with its machine id and no product
// key, and a redundant one gets its secondary as a child location.
func TestFlowBX(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})

	t.Run("Hardware", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "BX Hardware Customer")

		bx := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "BX500 Hilversum", "systemType": "BX_OVOC",
			"hardwareKeyCode": "9551484", "productKey": "DT2729220", "customerEmail": "bx@hw.example",
		})
		require.Equal(t, "BX_OVOC", bx.SystemType.Code)
		require.Equal(t, "9551484", bx.HardwareKeyCode)
		require.NotNil(t, bx.ProductKey)
		require.Equal(t, "DT2729220", *bx.ProductKey)
		require.Equal(t, "ENTERED", bx.HardwareKeyCodeSource)
		require.Empty(t, bx.Children.Edges)
		eulaFor(t, env, "bx@hw.example", "9551484")
		require.Equal(t, bx, getLocation(t, env, lmstest.DealerY, bx.ID))

		eight := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "BX1000 Utrecht", "systemType": "BX_OVOC",
			"hardwareKeyCode": "95514840", "productKey": "dt2729221",
		})
		require.Equal(t, "DT2729221", *eight.ProductKey, "the product key is stored in capitals")

		for _, tt := range []struct {
			name string
			in   map[string]any
		}{
			{"without product key", map[string]any{"hardwareKeyCode": "9551485"}},
			{"with a bad product key", map[string]any{"hardwareKeyCode": "9551486", "productKey": "XX1"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				in := map[string]any{"customerId": cust, "name": tt.name, "systemType": "BX_OVOC"}
				maps.Copy(in, tt.in)
				_, errs := createLocation(t, env, lmstest.DealerY, in)
				requireOnlyError(t, errs, "VALIDATION_FAILED", "productKey")
			})
		}

		_, errs := createChild(t, env, lmstest.DealerY, map[string]any{
			"parentId": bx.ID, "kind": "REDUNDANT", "name": "BX500 secondary", "hardwareKeyCode": "9551487", "confirmed": true,
		})
		requireOnlyError(t, errs, "NOT_APPLICABLE", "kind")
		require.Empty(t, getLocation(t, env, lmstest.DealerY, bx.ID).Children.Edges)
	})

	t.Run("SoftwareRedundant", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "BX Software Customer")

		primary := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "3-BX9000-Redundant", "systemType": "BX_OVOC", "hardwareKeyCode": "358744541284567",
			"customerEmail": "no.email@available.example", "vertical": "EDUCATION",
			"address": map[string]any{"street": "Olympia 4", "city": "Hilversum", "state": "Noord-Holland", "country": "Netherlands", "zip": "1213NT"},
		})
		require.Equal(t, "358744541284567", primary.HardwareKeyCode)
		require.Nil(t, primary.ProductKey, "filled in at the first activation")
		require.Empty(t, primary.Children.Edges)
		eulaFor(t, env, "no.email@available.example", "358744541284567")

		_, errs := createLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "BX9000 with key", "systemType": "BX_OVOC", "hardwareKeyCode": "358744541284569", "productKey": "DT2729222",
		})
		requireOnlyError(t, errs, "VALIDATION_FAILED", "productKey")

		ovoc := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "OVOC", "systemType": "BX_OVOC", "hardwareKeyCode": "66E55234A97A",
		})
		require.Nil(t, ovoc.ProductKey)

		secondary := map[string]any{
			"parentId": primary.ID, "kind": "REDUNDANT", "name": "BX-OVOC-redundant", "hardwareKeyCode": "358744541284568",
		}
		_, errs = createChild(t, env, lmstest.DealerY, secondary)
		requireOnlyError(t, errs, "VALIDATION_FAILED", "confirmed")

		_, errs = createChild(t, env, lmstest.DealerY, map[string]any{
			"parentId": primary.ID, "kind": "REDUNDANT", "name": "BX-OVOC-redundant", "hardwareKeyCode": "358744541284567", "confirmed": true,
		})
		requireOnlyError(t, errs, "DUPLICATE_HARDWARE_KEYCODE", "hardwareKeyCode")

		_, errs = createChild(t, env, lmstest.DealerY, map[string]any{
			"parentId": primary.ID, "kind": "REDUNDANT", "name": "BX-OVOC-redundant", "hardwareKeyCode": "35874454128456", "confirmed": false,
		})
		requireOnlyError(t, errs, "VALIDATION_FAILED", "confirmed")
		require.Empty(t, getLocation(t, env, lmstest.DealerY, primary.ID).Children.Edges)

		secondary["confirmed"] = true
		child, errs := createChild(t, env, lmstest.DealerY, secondary)
		require.Empty(t, errs)
		require.Equal(t, "REDUNDANT", *child.ChildKind)
		require.Equal(t, "BX_OVOC", child.SystemType.Code)
		require.Equal(t, "358744541284568", child.HardwareKeyCode)
		require.Equal(t, "BX-OVOC-redundant", child.Name)
		require.Equal(t, "ENTERED", child.HardwareKeyCodeSource)
		require.Nil(t, child.ProductKey)
		require.NotNil(t, child.Parent)
		require.Equal(t, primary.ID, child.Parent.ID)
		require.Equal(t, "3-BX9000-Redundant", child.Parent.Name)
		require.Equal(t, cust, child.Customer.ID)
		require.Equal(t, primary.Address, child.Address)
		require.Equal(t, "no.email@available.example", child.CustomerEmail)
		eulaFor(t, env, "no.email@available.example", "358744541284568")
		require.Equal(t, child, getLocation(t, env, lmstest.DealerY, child.ID))

		parent := getLocation(t, env, lmstest.DealerY, primary.ID)
		require.Len(t, parent.Children.Edges, 1)
		require.Equal(t, child.ID, parent.Children.Edges[0].Node.ID)
		require.Equal(t, "REDUNDANT", *parent.Children.Edges[0].Node.ChildKind)
		require.Equal(t, primary.ID, parent.Children.Edges[0].Node.Parent.ID)
		found := findByHWKC(t, env, lmstest.DealerY, "358744541284568")
		require.NotNil(t, found)
		require.Equal(t, child.ID, found.ID)

		_, errs = createChild(t, env, lmstest.DealerY, map[string]any{
			"parentId": primary.ID, "kind": "REDUNDANT", "name": "Third", "hardwareKeyCode": "358744541284566", "confirmed": true,
		})
		requireOnlyError(t, errs, "ALREADY_EXISTS", "kind")
		_, errs = createChild(t, env, lmstest.DealerY, map[string]any{
			"parentId": child.ID, "kind": "REDUNDANT", "name": "Child of child", "hardwareKeyCode": "358744541284565", "confirmed": true,
		})
		requireOnlyError(t, errs, "NOT_APPLICABLE", "parentId")
		require.Equal(t, []string{"358744541284568"}, childrenOf(getLocation(t, env, lmstest.DealerY, primary.ID)))
	})
}
