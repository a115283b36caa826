package certificate_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/swa/certificate"
	"lms/swa/certificate/certificatetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// guide is the guide's example: SV 8300 assigned on 26-03-2013 for 12
// months, agreement 50180-EVGY45796-N from 01-07-2013 to 30-06-2014.
func guide() certificate.Certificate {
	return certificate.Certificate{
		AgreementNumber: "50180-EVGY45796-N", CustomerName: "Tons Business", LocationName: "SV8300 system Home",
		SystemTypeName: "SV8300", HardwareKeyCode: "18CYG-IPS-000000008J300643e", ApplicationName: "SV 8300",
		StartsOn: time.Date(2013, time.July, 1, 0, 0, 0, 0, time.UTC), EndsOn: time.Date(2014, time.June, 30, 0, 0, 0, 0, time.UTC),
		TermMonths: 12, Units: 264, PartnerName: "Dealer Y GmbH",
		// 00:30 in Berlin is the day before in UTC, the date shown.
		IssuedAt: time.Date(2013, time.March, 27, 0, 30, 0, 0, time.FixedZone("CET", 3600)),
	}
}

// reinstated is the guide's iS3000 example, reinstated for 60 months with
// 304 + 17 units, with a reference note and names beyond ASCII.
func reinstated() certificate.Certificate {
	return certificate.Certificate{
		AgreementNumber: "50IS0-FHTY11751-W", CustomerName: "Müller & Söhne (Łódź)", LocationName: `Büro "Nord" <2>`,
		SystemTypeName: "iS3000", HardwareKeyCode: "aa00145A2792654321AA", ApplicationName: "iS3000",
		StartsOn: time.Date(2015, time.June, 30, 0, 0, 0, 0, time.UTC), EndsOn: time.Date(2020, time.June, 30, 0, 0, 0, 0, time.UTC),
		TermMonths: 60, Units: 321, ReinstatementUnits: 17, ReferenceNote: "Kunde 4711 / Заказ 12",
		PartnerName: "Ed Austria", IssuedAt: time.Date(2015, time.June, 30, 14, 12, 5, 0, time.UTC),
	}
}

// The certificate holds the agreement version's facts, in the order and
// words of the golden text, and its bytes are those of the golden PDF:
// rendering is deterministic (run go test ./swa/certificate -update after
// an intended change, and look at the PDF).
func TestRenderGolden(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		c    certificate.Certificate
		want []string
	}{
		{
			name: "50180-EVGY45796-N",
			c:    guide(),
			want: []string{
				"Agreement 50180-EVGY45796-N", "Agreement number|50180-EVGY45796-N", "Customer|Tons Business",
				"Location|SV8300 system Home", "System|SV8300", "Hardware Key Code|18CYG-IPS-000000008J300643e",
				"Application|SV 8300", "Start date|1 July 2013", "End date|30 June 2014", "Term|12 months",
				"SWA units|264", "Partner|Dealer Y GmbH", "Issued on|26 March 2013",
			},
		},
		{
			name: "50IS0-FHTY11751-W",
			c:    reinstated(),
			want: []string{
				"Customer|Müller & Söhne (Łódź)", `Location|Büro "Nord" <2>`, "Term|60 months",
				"SWA units|321 (304 for the term + 17 reinstatement fee)", "Reference|Kunde 4711 / Заказ 12",
				"Issued on|30 June 2015",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			b, err := certificate.Render(tt.c)
			require.NoError(t, err)
			require.True(t, bytes.HasPrefix(b, []byte("%PDF-")))
			doc, err := certificatetest.Read(b)
			require.NoError(t, err)
			require.Equal(t, 1, doc.Pages)
			require.Equal(t, "SWA certificate "+tt.c.AgreementNumber, doc.Info["Title"])
			require.Equal(t, "D:"+tt.c.IssuedAt.UTC().Format("20060102150405"), doc.Info["CreationDate"])
			require.Equal(t, doc.Info["CreationDate"], doc.Info["ModDate"])
			rows := strings.Join(doc.Rows(), "\n")
			for _, w := range tt.want {
				require.Contains(t, rows, w)
			}
			requireGolden(t, tt.name+".txt", []byte(rows+"\n"))
			requireGolden(t, tt.name+".pdf", b)
		})
	}
}

// Two renders of one version are the same bytes; the issue moment is the
// only clock the PDF knows.
func TestRenderIsDeterministic(t *testing.T) {
	t.Parallel()

	a, err := certificate.Render(guide())
	require.NoError(t, err)
	b, err := certificate.Render(guide())
	require.NoError(t, err)
	require.Equal(t, a, b)

	later := guide()
	later.IssuedAt = later.IssuedAt.Add(time.Second)
	c, err := certificate.Render(later)
	require.NoError(t, err)
	require.NotEqual(t, a, c)
}

// The longest names LMS takes (200 characters) still fit one page, and
// characters the PDF cannot carry (beyond the Basic Multilingual Plane,
// control characters) become '?' instead of breaking the text, and any
// space a plain one.
func TestRenderLongAndUnusualText(t *testing.T) {
	t.Parallel()

	c := guide()
	c.CustomerName = runes(strings.Repeat("Ürünler Ltd. ", 16), 200)
	c.LocationName = runes(strings.Repeat("Филиал ", 29), 200)
	c.ReferenceNote = "Ticket 🎫 42\tdone\u00a0now\x07"
	c.PartnerName = runes(strings.Repeat("Distributor X ", 15), 200)
	b, err := certificate.Render(c)
	require.NoError(t, err)
	doc, err := certificatetest.Read(b)
	require.NoError(t, err)
	require.Equal(t, 1, doc.Pages)
	text := strings.Join(doc.Lines, " ")
	require.Contains(t, text, "Ticket ? 42 done now?")
	require.Contains(t, text, "Филиал Филиал")
	require.Contains(t, text, "Ürünler Ltd.")
}

// runes is the first n characters of s.
func runes(s string, n int) string { return string([]rune(s)[:n]) }

func TestFileName(t *testing.T) {
	t.Parallel()

	tests := []struct{ number, want string }{
		{"50180-EVGY45796-N", "SWA-50180-EVGY45796-N.pdf"},
		{"50IS0-FHTY11751-R02", "SWA-50IS0-FHTY11751-R02.pdf"},
		{`50"1/2\3;Ä-N`, "SWA-50_1_2_3__-N.pdf"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, certificate.FileName(tt.number))
	}
}

// requireGolden compares got with testdata/name, or rewrites that file when
// the test runs with -update.
func requireGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./swa/certificate -update to create it")
	require.True(t, bytes.Equal(want, got), "%s differs; if the change is intended, run go test ./swa/certificate -update", path)
}

// Rendering is done at each download: it parses the two fonts and
// subsets them.
func BenchmarkRender(b *testing.B) {
	c := guide()
	for b.Loop() {
		if _, err := certificate.Render(c); err != nil {
			b.Fatal(err)
		}
	}
}
