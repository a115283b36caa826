package location_test

import (
	"fmt"
	"maps"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// Requests that race for the same Hardware Key Code through the HTTP API: the
// database decides, so exactly one wins an entered code (LOC-2), generated
// codes are generated again, and a parent gets one redundant secondary.
func TestConcurrentCreateLocation(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{})
	const n = 8

	createLocationIn := func(in map[string]any) mutationResult {
		return postMutation(env, lmstest.DealerY, "createLocation", in)
	}

	t.Run("SameHardwareKeyCode", func(t *testing.T) {
		t.Parallel()
		const code = "22CC538207AFD058020640CD57xO"
		cust := createCustomer(t, env, lmstest.DealerY, "Race Same Code")

		results := lmstest.Together(n, func(i int) mutationResult {
			return createLocationIn(map[string]any{
				"customerId": cust, "name": fmt.Sprintf("Racer %d", i), "systemType": "SV8500", "hardwareKeyCode": code,
			})
		})
		won := 0
		for i, r := range results {
			require.NoError(t, r.Err, "request %d", i)
			if r.HardwareKeyCode != "" {
				won++
				require.Empty(t, r.Codes, "request %d", i)
				require.Equal(t, code, r.HardwareKeyCode)
				continue
			}
			require.Equal(t, []string{"DUPLICATE_HARDWARE_KEYCODE"}, r.Codes, "request %d", i)
		}
		require.Equal(t, 1, won, "exactly one request registers the code: %+v", results)

		// One location and its LMC child exist, and one EULA went out.
		require.ElementsMatch(t, []string{code, "LM" + code}, searchLocations(t, env, lmstest.DealerY, code).hardwareKeyCodes())
		winner := findByHWKC(t, env, lmstest.DealerY, code)
		require.NotNil(t, winner)
		require.Equal(t, []string{"LM" + code}, childrenOf(winner))
		eulaFor(t, env, "eula@racesamecode.example", code)
		require.Len(t, eulaSubjects(t, env, lmstest.DealerY, code), 1)
	})

	t.Run("DifferentHardwareKeyCodes", func(t *testing.T) {
		t.Parallel()
		codes := []string{"22E76E11299790C8CA0724859BI4", "22E768917A924054910F10599AIG"}
		cust := createCustomer(t, env, lmstest.DealerY, "Race Two Codes")

		results := lmstest.Together(len(codes), func(i int) mutationResult {
			return createLocationIn(map[string]any{
				"customerId": cust, "name": fmt.Sprintf("SV8500 %d", i), "systemType": "SV8500", "hardwareKeyCode": codes[i],
			})
		})
		for i, r := range results {
			require.NoError(t, r.Err, "request %d", i)
			require.Empty(t, r.Codes, "request %d", i)
			require.Equal(t, codes[i], r.HardwareKeyCode)
			loc := findByHWKC(t, env, lmstest.DealerY, codes[i])
			require.NotNil(t, loc)
			require.Equal(t, []string{"LM" + codes[i]}, childrenOf(loc))
			eulaFor(t, env, "eula@racetwocodes.example", codes[i])
		}
	})

	// Generated codes that collide are generated again, so every request
	// succeeds with a code of its own.
	for _, tt := range []struct {
		name   string
		in     map[string]any
		format string
	}{
		{"SameFullComputerName", map[string]any{"systemType": "IS3000", "fullComputerName": "race.devnlnec.local"}, `^aa0016HN\d{12}AA$`},
		{"SameDomainName", map[string]any{"systemType": "THREE_C", "domainName": "race.local"}, `^3C[0-9A-F]{10}$`},
		{"TemporaryKeys", map[string]any{"systemType": "SV9500"}, `^35-\d{12}-\d{3}-TEMP-KEY$`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cust := createCustomer(t, env, lmstest.DealerY, "Race "+tt.name)
			results := lmstest.Together(n, func(i int) mutationResult {
				in := map[string]any{"customerId": cust, "name": fmt.Sprintf("%s %d", tt.name, i)}
				maps.Copy(in, tt.in)
				return createLocationIn(in)
			})
			seen := map[string]bool{}
			for i, r := range results {
				require.NoError(t, r.Err, "request %d", i)
				require.Empty(t, r.Codes, "request %d", i)
				require.Regexp(t, tt.format, r.HardwareKeyCode)
				require.False(t, seen[r.HardwareKeyCode], "code %s generated twice", r.HardwareKeyCode)
				seen[r.HardwareKeyCode] = true
			}
		})
	}

	t.Run("OneRedundantSecondary", func(t *testing.T) {
		t.Parallel()
		cust := createCustomer(t, env, lmstest.DealerY, "Race Secondary")
		primary := mustCreateLocation(t, env, lmstest.DealerY, map[string]any{
			"customerId": cust, "name": "BX9000", "systemType": "BX_OVOC", "hardwareKeyCode": "358744541284500",
		})

		results := lmstest.Together(n, func(i int) mutationResult {
			return postMutation(env, lmstest.DealerY, "createChildLocation", map[string]any{
				"parentId": primary.ID, "kind": "REDUNDANT", "name": fmt.Sprintf("Secondary %d", i),
				"hardwareKeyCode": fmt.Sprintf("3587445412845%02d", 10+i), "confirmed": true,
			})
		})
		var won []string
		for i, r := range results {
			require.NoError(t, r.Err, "request %d", i)
			if r.HardwareKeyCode != "" {
				won = append(won, r.HardwareKeyCode)
				continue
			}
			require.Equal(t, []string{"ALREADY_EXISTS"}, r.Codes, "request %d", i)
		}
		require.Len(t, won, 1, "exactly one secondary: %+v", results)
		require.Equal(t, won, childrenOf(getLocation(t, env, lmstest.DealerY, primary.ID)))
	})

	// Two SV9500 Appliances entered at the same moment with each other's
	// primary and secondary HWKC: one of them gets both codes, the other is
	// told DUPLICATE_HARDWARE_KEYCODE. Each round races several such pairs;
	// the requests must never fail with an internal error (e.g. a database
	// deadlock between the two reservations).
	t.Run("SwappedPrimaryAndSecondary", func(t *testing.T) {
		t.Parallel()
		const rounds, pairs = 20, 4
		cust := createCustomer(t, env, lmstest.DealerY, "Race Swapped Codes")
		code := func(tag string, round, pair int) string { return fmt.Sprintf("35%s%018d%03d%03d", tag, 0, round, pair) }

		for round := range rounds {
			results := lmstest.Together(2*pairs, func(i int) mutationResult {
				a, b := code("AA", round, i/2), code("BB", round, i/2)
				if i%2 == 1 {
					a, b = b, a
				}
				return createLocationIn(map[string]any{
					"customerId": cust, "name": fmt.Sprintf("Appliance %d-%d", round, i), "systemType": "SV9500",
					"hardwareKeyCode": a, "secondaryHardwareKeyCode": b,
				})
			})
			for pair := range pairs {
				first, second := results[2*pair], results[2*pair+1]
				require.NoError(t, first.Err, "round %d pair %d", round, pair)
				require.NoError(t, second.Err, "round %d pair %d", round, pair)
				require.ElementsMatch(t, [][]string{{}, {"DUPLICATE_HARDWARE_KEYCODE"}}, [][]string{first.Codes, second.Codes},
					"round %d pair %d: one wins, one is told the code is taken", round, pair)
				a := findByHWKC(t, env, lmstest.DealerY, code("AA", round, pair))
				b := findByHWKC(t, env, lmstest.DealerY, code("BB", round, pair))
				require.NotNil(t, a)
				require.NotNil(t, b)
				require.Equal(t, a.ID, b.ID, "the winner holds both codes")
			}
		}
	})
}
