package hwkc

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/catalog"
)

// defaultCatalog returns the catalog shipped in the binary, the one whose formats these rules
// must fit.
func defaultCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()

	cat, err := catalog.Default()
	require.NoError(t, err)
	return cat
}

func systemType(t testing.TB, cat *catalog.Catalog, code string) catalog.SystemType {
	t.Helper()

	st, ok := cat.SystemType(code)
	require.True(t, ok, "system type %s", code)
	return st
}

// Every example of every system type is stored as typed for its own type and refused by some
// other type, so normalisation never widens a format into "anything goes".
func TestNormalizeCatalogExamples(t *testing.T) {
	t.Parallel()

	cat := defaultCatalog(t)
	for _, st := range cat.SystemTypes {
		require.NotEmpty(t, st.HwkcExamples, st.Code)
		for _, ex := range st.HwkcExamples {
			t.Run(st.Code+"/"+ex, func(t *testing.T) {
				t.Parallel()

				got, ok := Normalize(st, ex)
				require.True(t, ok)
				require.Equal(t, ex, got)

				var refusedBy []string
				for _, other := range cat.SystemTypes {
					if other.Code == st.Code {
						continue
					}
					if _, ok := Normalize(other, ex); !ok {
						refusedBy = append(refusedBy, other.Code)
					}
				}
				require.NotEmpty(t, refusedBy, "no other system type refuses %q", ex)
			})
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()

	cat := defaultCatalog(t)
	tests := []struct {
		name       string
		systemType string
		input      string
		want       string // "" means refused
	}{
		// LOC-2: SV9500 Appliance QR codes lose "A_" and their dashes.
		{"qr code", "SV9500", "A_3565-A9C3-0842-67EF-2E44-A473-6DI2", "3565A9C3084267EF2E44A4736DI2"},
		{"qr code 2", "SV9500", "A_3565-ACE3-4C8C-5745-F647-08D3-63FK", "3565ACE34C8C5745F64708D363FK"},
		{"qr code with spaces", "SV9500", " A_3565-ACE3-4C8C-5745-F647-08D3-63FK\t", "3565ACE34C8C5745F64708D363FK"},
		{"qr code stripped already", "SV9500", "3565A9C3084267EF2E44A4736DI2", "3565A9C3084267EF2E44A4736DI2"},
		{"qr code empty group", "SV9500", "A_3565--A9C3-0842-67EF-2E44-A473-6DI2", ""},
		{"qr code trailing dash", "SV9500", "A_3565-A9C3-0842-67EF-2E44-A473-6DI2-", ""},
		{"qr code bad character", "SV9500", "A_3565-A9C3-0842-67EF-2E44-A473-6D_2", ""},
		{"qr code too short", "SV9500", "A_3565-A9C3-0842-67EF-2E44-A473-6DI", ""},
		{"qr code lower-case prefix", "SV9500", "a_3565-A9C3-0842-67EF-2E44-A473-6DI2", ""},
		{"qr code of another type", "SV9300", "A_3565-A9C3-0842-67EF-2E44-A473-6DI2", ""},
		{"sv9500 mixed case kept", "SV9500", "35G00N470108E0S0A8832EF2d3Po", "35G00N470108E0S0A8832EF2d3Po"},

		// Surrounding whitespace.
		{"whitespace", "SV8100", "  190400324412\n", "190400324412"},
		{"tabs and carriage return", "SV8100", "\t190400324412\r\n", "190400324412"},
		{"inner space", "SV8100", "190400 324412", ""},

		// Lower-case hex for an upper-case-hex format.
		{"lower-case hex sl2100", "SL2100", "3810004626ad", "3810004626AD"},
		{"lower-case hex sv8100", "SV8100", "190400324a12", "190400324A12"},
		{"lower-case hex 3c", "THREE_C", "3cb6ce81eece", "3CB6CE81EECE"},
		{"lower-case pari", "IP_DECT", " 1009fffe ", "1009FFFE"},
		{"lower-case mobicall", "MOBICALL_MASTER", "1a2f", "1A2F"},
		{"lower-case bx ovoc", "BX_OVOC", "66e55234a97a", "66E55234A97A"},
		{"non-ascii letter not upper-cased", "SV8300", "18CYG-IPS-00000000BJZ02319Qı", ""},

		// Mixed-case formats keep what was typed.
		{"sv8500 example kept", "SV8500", "22CC538207AFD058020640CD57xO", "22CC538207AFD058020640CD57xO"},
		{"sv8500 lower case kept", "SV8500", "22cc538207afd058020640cd57xo", "22cc538207afd058020640cd57xo"},
		{"sv8300 lower case kept", "SV8300", "18CYG-IPS-00000000BJ300642rC", "18CYG-IPS-00000000BJ300642rC"},
		{"is3000 kept", "IS3000", "aa0024IC960002104009xxx12345AA", "aa0024IC960002104009xxx12345AA"},
		{"is3000 upper-cased prefix refused", "IS3000", "AA0014SA2792883418AA", ""},
		{"is3000 lower-case suffix refused", "IS3000", "aa0014SA2792883418aa", ""},

		// Temporary keys.
		{"sr-mgc temp key", "SR_MGC", "22-121126064636-613-TEMP-KEY", "22-121126064636-613-TEMP-KEY"},
		{"sr-mgc lower-case temp key", "SR_MGC", "22-121126064636-613-temp-key", "22-121126064636-613-TEMP-KEY"},
		{"sv9500 temp key is not an hwkc", "SV9500", "35-150601035832-610-TEMP-KEY", ""},

		// Wrong system type.
		{"sv8100 key for sv9100 cp10", "SV9100_CP10", "190400324412", ""},
		{"cp20 key for cp10", "SV9100_CP10", "441018029547", ""},
		{"mobicall key for um4730", "UM4730", "1A2F", ""},
		{"empty", "SV8100", "", ""},
		{"only whitespace", "SV8100", " \t\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			st := systemType(t, cat, tt.systemType)
			got, ok := Normalize(st, tt.input)
			if tt.want == "" {
				require.False(t, ok, "got %q", got)
				require.Empty(t, got)
				return
			}
			require.True(t, ok)
			require.Equal(t, tt.want, got)
			require.True(t, st.ValidHardwareKeyCode(got))
		})
	}
}

func TestFormatHint(t *testing.T) {
	t.Parallel()

	cat := defaultCatalog(t)
	tests := []struct {
		name string
		st   catalog.SystemType
		want string
	}{
		{"sv8100", systemType(t, cat, "SV8100"), "expected format ^19[0-9A-F]{10}$, for example 190400324412"},
		{"first example", systemType(t, cat, "SV9100_CP10"), "expected format ^34[0-9A-F]{10}$, for example 340209224568"},
		{"no examples", catalog.SystemType{Code: "NEW", HwkcFormat: "^X[0-9]{3}$"}, "expected format ^X[0-9]{3}$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tt.want, FormatHint(tt.st))
		})
	}
}

func TestNormalizeHostNames(t *testing.T) {
	t.Parallel()

	label63 := strings.Repeat("a", 63)
	name253 := strings.Repeat(label63+".", 3) + strings.Repeat("b", 61) // 3*64 + 61 = 253
	name254 := name253 + "c"
	require.Len(t, name253, 253)
	require.Len(t, name254, 254)

	tests := []struct {
		name  string
		input string
		want  string // "" means refused
	}{
		{"guide fcn", "HVPC030PBX.DEVNLNEC.LOCAL", "hvpc030pbx.devnlnec.local"},
		{"domain", "Domain.Local", "domain.local"},
		{"surrounding whitespace", " \tHost-1.Example.COM\n", "host-1.example.com"},
		{"single label", "PBX01", "pbx01"},
		{"digits only", "123.456", "123.456"},
		{"inner dash", "a-b.c--d", "a-b.c--d"},
		{"label of 63", label63 + ".x", label63 + ".x"},
		{"253 characters", name253, name253},

		{"empty", "", ""},
		{"only whitespace", "  ", ""},
		{"empty label", "a..b", ""},
		{"leading dot", ".a.b", ""},
		{"trailing dot", "a.b.", ""},
		{"label starts with dash", "-a.b", ""},
		{"label ends with dash", "a-.b", ""},
		{"inner space", "has space.x", ""},
		{"underscore", "has_underscore.x", ""},
		{"label of 64", label63 + "a.x", ""},
		{"254 characters", name254, ""},
		{"non-ascii", "hôst.local", ""},
		{"kelvin sign is not k", "\u212Aey.local", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			for _, normalize := range []func(string) (string, bool){NormalizeFullComputerName, NormalizeDomainName} {
				got, ok := normalize(tt.input)
				if tt.want == "" {
					require.False(t, ok, "got %q", got)
					require.Empty(t, got)
					continue
				}
				require.True(t, ok)
				require.Equal(t, tt.want, got)
			}
		})
	}
}

func TestNormalizeMAC(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		input string
		want  string // "" means refused
	}{
		{"plain upper", "6CE4DA01378C", "6CE4DA01378C"},
		{"plain lower", "6ce4da01378c", "6CE4DA01378C"},
		{"colons", "6c:e4:da:01:37:8c", "6CE4DA01378C"},
		{"dashes", "6c-e4-da-01-37-8c", "6CE4DA01378C"},
		{"cisco", "6ce4.da01.378c", "6CE4DA01378C"},
		{"mixed case", "6C:e4:DA:01:37:8c", "6CE4DA01378C"},
		{"surrounding whitespace", "\t 6C-E4-DA-01-37-8C \n", "6CE4DA01378C"},

		{"empty", "", ""},
		{"too short", "6CE4DA01378", ""},
		{"too long", "6CE4DA01378C0", ""},
		{"not hex", "6CE4DA01378G", ""},
		{"mixed separators", "6c:e4-da:01:37:8c", ""},
		{"dots in pairs", "6c.e4.da.01.37.8c", ""},
		{"colons in fours", "6ce4:da01:378c", ""},
		{"cisco with dashes", "6ce4-da01-378c", ""},
		{"misplaced separator", "6ce:4da:01:37:8c", ""},
		{"doubled separator", "6ce4..da01378c", ""},
		{"inner space", "6C E4 DA 01 37 8C", ""},
		{"sign", "+6CE4DA01378", ""},
		{"all zero", "00:00:00:00:00:00", ""},
		{"broadcast", "ff:ff:ff:ff:ff:ff", ""},
		{"broadcast cisco", "FFFF.FFFF.FFFF", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got, ok := NormalizeMAC(tt.input)
			if tt.want == "" {
				require.False(t, ok, "got %q", got)
				require.Empty(t, got)
				return
			}
			require.True(t, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestForms(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in   string
		want []string
	}{
		{" 190400324412\n", []string{"190400324412"}},
		{"1009fffe", []string{"1009fffe", "1009FFFE"}},
		{"A_3565-A9C3-0842-67EF-2E44-A473-6DI2", []string{"A_3565-A9C3-0842-67EF-2E44-A473-6DI2", "3565A9C3084267EF2E44A4736DI2"}},
		{"A_3565-a9c3", []string{"A_3565-a9c3", "3565a9c3", "A_3565-A9C3"}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, Forms(tt.in), "Forms(%q)", tt.in)
	}
}
