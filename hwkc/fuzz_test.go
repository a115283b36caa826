package hwkc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// For any input and any system type, Normalize never panics, and what it accepts is valid for
// the type and normalises to itself, so a stored HWKC compares equal to the same code typed
// again.
func FuzzNormalize(f *testing.F) {
	cat := defaultCatalog(f)
	for _, st := range cat.SystemTypes {
		for _, ex := range st.HwkcExamples {
			f.Add(ex)
			f.Add(" " + asciiLower(ex) + "\n")
		}
		if st.TempKeyFormat != "" {
			f.Add(st.HwkcPrefix + "-150601035832-610-TEMP-KEY")
		}
	}
	for _, seed := range []string{
		"A_3565-A9C3-0842-67EF-2E44-A473-6DI2",
		"A_3565-ACE3-4C8C-5745-F647-08D3-63FK",
		"\tA_3565-ACE3-4C8C-5745-F647-08D3-63FK ",
		"A_3565--A9C3-0842-67EF-2E44-A473-6DI2",
		"A_",
		"A_-",
		"a_3565-a9c3-0842-67ef-2e44-a473-6di2",
		"18CYG-IPS-00000000BJZ02319Qı",
		"1a2\xff",
		"",
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, input string) {
		for _, st := range cat.SystemTypes {
			got, ok := Normalize(st, input)
			if !ok {
				require.Empty(t, got, st.Code)
				continue
			}
			require.True(t, st.ValidHardwareKeyCode(got), "%s: Normalize(%q) = %q", st.Code, input, got)
			again, ok := Normalize(st, got)
			require.True(t, ok, "%s: %q", st.Code, got)
			require.Equal(t, got, again, st.Code)
			if st.ValidHardwareKeyCode(input) {
				require.Equal(t, input, got, "%s: a valid input is kept", st.Code)
			}
		}
	})
}

// For any input, NormalizeMAC never panics, and what it accepts is 12 upper-case hex digits
// that normalise to themselves and that FromMAC accepts.
func FuzzNormalizeMAC(f *testing.F) {
	for _, seed := range []string{
		"6CE4DA01378C",
		"6ce4da01378c",
		"6c:e4:da:01:37:8c",
		"6c-e4-da-01-37-8c",
		"6ce4.da01.378c",
		" 6C:E4:DA:01:37:8C\n",
		"6c:e4-da:01:37:8c",
		"6ce4..da01378c",
		"00:00:00:00:00:00",
		"FFFF.FFFF.FFFF",
		"6ce4da01378\xff",
		"",
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, input string) {
		got, ok := NormalizeMAC(input)
		if !ok {
			require.Empty(t, got)
			return
		}
		require.Len(t, got, 12)
		for i := range len(got) {
			require.True(t, isUpperHex(got[i]), "NormalizeMAC(%q) = %q", input, got)
		}
		again, ok := NormalizeMAC(got)
		require.True(t, ok)
		require.Equal(t, got, again)
		require.NotPanics(t, func() { FromMAC(got) })
	})
}

// For any input, the host-name rules of LOC-8 and LOC-9 never panic, and what they accept is
// lower-case, at most 253 characters and normalises to itself.
func FuzzNormalizeFullComputerName(f *testing.F) {
	is3000 := systemType(f, defaultCatalog(f), "IS3000")
	for _, seed := range []string{
		"HVPC030PBX.DEVNLNEC.LOCAL",
		"Domain.Local",
		" host-1.example.com\t",
		"a..b",
		"-a.b",
		"has space.x",
		"\u212Aey.local",
		"",
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, input string) {
		got, ok := NormalizeFullComputerName(input)
		if !ok {
			require.Empty(t, got)
			return
		}
		require.LessOrEqual(t, len(got), 253)
		require.Equal(t, asciiLower(got), got)
		again, ok := NormalizeFullComputerName(got)
		require.True(t, ok)
		require.Equal(t, got, again)
		require.True(t, is3000.ValidHardwareKeyCode(VirtualFromFCN(got, 0)), "the virtual HWKC of %q", got)
	})
}
