package hwkc

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"lms/catalog"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// Golden outputs of the generators. Stored HWKCs were generated with these algorithms, so a
// change here is a change of every future code for the same input: it needs a migration plan,
// not a new golden value.
const (
	goldenFromMAC        = "35903E505F908239AEE673EA83yy" // FromMAC("6CE4DA01378C")
	goldenFromIP         = "35708ACF5EF2E0542451B9D51DvV" // FromIP(10.0.0.1, goldenLocationID)
	goldenVirtualFromFCN = "aa0016HN850614866900AA"       // VirtualFromFCN("hvpc030pbx.devnlnec.local", 0)
	goldenFromDomain     = "3CB794168E9C"                 // FromDomain("domain.local", 0)
)

var goldenLocationID = uuid.MustParse("7c1f2a52-8f0e-4a7b-9d3c-2b6e5f4a1c90")

func TestTempKey(t *testing.T) {
	t.Parallel()

	cat := defaultCatalog(t)
	srMgc := systemType(t, cat, "SR_MGC")
	sv9500 := systemType(t, cat, "SV9500")
	cet := time.FixedZone("CET", 3600)

	tests := []struct {
		name   string
		prefix string
		t      time.Time
		n      int
		want   string
	}{
		{"guide sr-mgc", "22", time.Date(2012, 11, 26, 6, 46, 36, 0, time.UTC), 613, "22-121126064636-613-TEMP-KEY"},
		{"guide sr-mgc 2", "22", time.Date(2013, 3, 20, 2, 57, 26, 0, time.UTC), 607, "22-130320025726-607-TEMP-KEY"},
		{"guide sv9500", "35", time.Date(2015, 6, 1, 3, 58, 32, 0, time.UTC), 610, "35-150601035832-610-TEMP-KEY"},
		{"rendered in utc", "22", time.Date(2012, 11, 26, 7, 46, 36, 999, cet), 613, "22-121126064636-613-TEMP-KEY"},
		{"n zero-padded", "35", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), 7, "35-300102030405-007-TEMP-KEY"},
		{"n zero", "22", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), 0, "22-300102030405-000-TEMP-KEY"},
		{"n 999", "22", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), 999, "22-300102030405-999-TEMP-KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got := TempKey(tt.prefix, tt.t, tt.n)
			require.Equal(t, tt.want, got)
			switch tt.prefix {
			case "22": // LOC-5: the SR-MGC child's temp key is its HWKC.
				require.True(t, srMgc.ValidTempKey(got))
				require.True(t, srMgc.ValidHardwareKeyCode(got))
			case "35": // LOC-6: the Standard Server holds it until "Create HKC".
				require.True(t, sv9500.ValidTempKey(got))
				require.False(t, sv9500.ValidHardwareKeyCode(got))
			}
		})
	}
}

func TestTempKeyPanicsOnBadN(t *testing.T) {
	t.Parallel()

	for _, n := range []int{-1, 1000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()

			require.Panics(t, func() { TempKey("22", time.Now(), n) })
		})
	}
}

func TestFromIP(t *testing.T) {
	t.Parallel()

	sv9500 := systemType(t, defaultCatalog(t), "SV9500")
	ip := netip.MustParseAddr("10.0.0.1")
	otherLocation := uuid.MustParse("0b9e5a3c-1d2f-4e6a-8b7c-9d0e1f2a3b4c")

	tests := []struct {
		name     string
		ip       string
		location uuid.UUID
		sameAs   bool // whether the code equals the golden one
	}{
		{"golden", "10.0.0.1", goldenLocationID, true},
		{"ipv4-mapped ipv6", "::ffff:10.0.0.1", goldenLocationID, true},
		{"other ip", "10.0.0.2", goldenLocationID, false},
		{"other location", "10.0.0.1", otherLocation, false},
		{"ipv6", "2001:db8::1", goldenLocationID, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got := FromIP(netip.MustParseAddr(tt.ip), tt.location)
			require.Equal(t, got, FromIP(netip.MustParseAddr(tt.ip), tt.location), "deterministic")
			require.Len(t, got, 28)
			require.True(t, strings.HasPrefix(got, "35"))
			require.True(t, sv9500.ValidHardwareKeyCode(got))
			require.True(t, ValidCheckLetters(got))
			require.Equal(t, tt.sameAs, got == goldenFromIP, "got %s", got)
		})
	}
	require.Equal(t, goldenFromIP, FromIP(ip, goldenLocationID))
	require.Panics(t, func() { FromIP(netip.Addr{}, goldenLocationID) })
}

func TestFromMAC(t *testing.T) {
	t.Parallel()

	sv9500 := systemType(t, defaultCatalog(t), "SV9500")
	tests := []struct {
		name string
		mac  string
	}{
		{"guide", "6CE4DA01378C"},
		{"other", "001B21A3C4D5"},
		{"one bit off", "6CE4DA01378D"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		got := FromMAC(tt.mac)
		require.Equal(t, got, FromMAC(tt.mac), "deterministic")
		require.Len(t, got, 28)
		require.True(t, strings.HasPrefix(got, "35"))
		require.True(t, sv9500.ValidHardwareKeyCode(got), got)
		require.True(t, ValidCheckLetters(got), got)
		require.NotContains(t, seen, got, "same code as %s", seen[got])
		seen[got] = tt.mac
	}
	require.Equal(t, goldenFromMAC, FromMAC("6CE4DA01378C"))

	for _, bad := range []string{"6ce4da01378c", "6C:E4:DA:01:37:8C", "", "000000000000"} {
		t.Run("panics/"+bad, func(t *testing.T) {
			t.Parallel()

			require.Panics(t, func() { FromMAC(bad) })
		})
	}
}

func TestVirtualFromFCN(t *testing.T) {
	t.Parallel()

	is3000 := systemType(t, defaultCatalog(t), "IS3000")
	const fcn = "hvpc030pbx.devnlnec.local"

	require.Equal(t, goldenVirtualFromFCN, VirtualFromFCN(fcn, 0))
	require.NotEqual(t, VirtualFromFCN(fcn, 0), VirtualFromFCN("hvpc031pbx.devnlnec.local", 0))

	seen := map[string]int{}
	for attempt := range 100 {
		got := VirtualFromFCN(fcn, attempt)
		require.Equal(t, got, VirtualFromFCN(fcn, attempt), "deterministic")
		require.Len(t, got, 22)
		require.True(t, strings.HasPrefix(got, "aa0016HN"), got)
		require.True(t, strings.HasSuffix(got, "AA"), got)
		_, err := strconv.ParseUint(got[8:20], 10, 64)
		require.NoError(t, err, got)
		require.True(t, is3000.ValidHardwareKeyCode(got), got)
		require.NotContains(t, seen, got, "attempt %d repeats attempt %d", attempt, seen[got])
		seen[got] = attempt
	}
}

func TestFromDomain(t *testing.T) {
	t.Parallel()

	cat := defaultCatalog(t)
	threeC := systemType(t, cat, "THREE_C")
	threeCCat2 := systemType(t, cat, "THREE_C_CAT2")
	const domain = "domain.local"

	require.Equal(t, goldenFromDomain, FromDomain(domain, 0))
	require.NotEqual(t, FromDomain(domain, 0), FromDomain("domain.locals", 0))

	seen := map[string]int{}
	for attempt := range 100 {
		got := FromDomain(domain, attempt)
		require.Equal(t, got, FromDomain(domain, attempt), "deterministic")
		require.True(t, threeC.ValidHardwareKeyCode(got), got)
		require.True(t, threeCCat2.ValidHardwareKeyCode(got), got)
		require.NotContains(t, seen, got, "attempt %d repeats attempt %d", attempt, seen[got])
		seen[got] = attempt
	}
}

func TestLMC(t *testing.T) {
	t.Parallel()

	cat := defaultCatalog(t)
	lmc := systemType(t, cat, "LMC")

	tests := []struct {
		parent string
		want   string
	}{
		{"aa0014SA2792885418AA", "LMIS0014SA2792885418"},
		{"aa0014SA2792883418AA", "LMIS0014SA2792883418"},
		{"aa0024IC960002104009xxx12345AA", "LMIS0024IC960002104009xxx12345"},
		{"22CC538207AFD058020640CD57xO", "LM22CC538207AFD058020640CD57xO"},
		{"18CYG-IPS-00000000BJZ02319QK", "LM18CYG-IPS-00000000BJZ02319QK"},
		{"35-150601035832-610-TEMP-KEY", "LM35-150601035832-610-TEMP-KEY"},
		{goldenFromIP, "LM" + goldenFromIP},
		{"aaAA", "LMIS"},
		{"aAA", "LMaAA"},
	}
	for _, tt := range tests {
		t.Run(tt.parent, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tt.want, LMC(tt.parent))
		})
	}

	// LOC-4: the LMC code of every parent that gets an LMC child fits the LMC format.
	for _, st := range cat.SystemTypes {
		if !st.HasFlag(catalog.FlagLmcChild) && !st.HasFlag(catalog.FlagLmcByHand) {
			continue
		}
		parents := slices.Clone(st.HwkcExamples)
		if st.TempKeyFormat != "" {
			parents = append(parents, TempKey(st.HwkcPrefix, time.Date(2015, 6, 1, 3, 58, 32, 0, time.UTC), 610))
		}
		for _, parent := range parents {
			t.Run(st.Code+"/"+parent, func(t *testing.T) {
				t.Parallel()

				got := LMC(parent)
				require.True(t, lmc.ValidHardwareKeyCode(got), "LMC(%q) = %q", parent, got)
			})
		}
	}
}

func TestValidCheckLetters(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		code string
		want bool
	}{
		{"from mac", goldenFromMAC, true},
		{"from ip", goldenFromIP, true},
		{"vendor code", "35G00N470108E0S0A8832EF2d3Po", false},
		{"too short", goldenFromMAC[:27], false},
		{"too long", goldenFromMAC + "A", false},
		{"foreign character", "35903E505F908239AEE673EA8-yy", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tt.want, ValidCheckLetters(tt.code))
		})
	}
}

// Every single mistyped character of a generated code, and every swap of two different
// neighbouring characters among its first 26 or of its 2 check letters, is caught.
func TestCheckLettersCatchTypos(t *testing.T) {
	t.Parallel()

	for _, code := range []string{goldenFromMAC, goldenFromIP, FromMAC("001B21A3C4D5")} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()

			for i := range len(code) {
				for _, c := range []byte(codeAlphabet) {
					if c == code[i] {
						continue
					}
					typo := code[:i] + string(c) + code[i+1:]
					require.False(t, ValidCheckLetters(typo), "typo %s not caught", typo)
				}
			}
			for i := range len(code) - 1 {
				// At 25 a body character swaps with a check letter: not guaranteed.
				if i == 25 || code[i] == code[i+1] {
					continue
				}
				swapped := code[:i] + string(code[i+1]) + string(code[i]) + code[i+2:]
				require.False(t, ValidCheckLetters(swapped), "swap %s not caught", swapped)
			}
		})
	}
}

func TestIsTempKey(t *testing.T) {
	t.Parallel()

	key := TempKey("35", time.Date(2015, 6, 1, 3, 58, 32, 0, time.UTC), 610)
	require.True(t, IsTempKey(key))
	require.True(t, IsTempKey(LMC(key)), "the LMC code of a temp-key parent")
	require.False(t, IsTempKey("35G00N470108E0S0A8832EF2d3Po"))
	require.False(t, IsTempKey(LMC("35G00N470108E0S0A8832EF2d3Po")))
}
