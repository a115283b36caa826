// Package certificate lays out the PDF certificate of one version of a
// Software Assurance agreement (issue 15): the page a dealer hands the
// customer as proof that an application of a location is covered by SWA
// from one day to another. Every version of an agreement — N new, W
// reinstated, R01, R02, … renewed (SWA-3, SWA-10) — has a certificate of
// its own.
//
// The package is pure: Render turns a Certificate into the same bytes every
// time (the PDF's dates are the version's issue moment, nothing is drawn at
// random), so a certificate is made again at each download instead of being
// stored, and a test can compare it with a golden file. The text is set in
// the Go fonts, which cover Latin, Greek and Cyrillic; the PDF carries the
// text as Unicode, so it can be searched and copied.
package certificate

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Certificate is what the certificate of one agreement version says.
type Certificate struct {
	// AgreementNumber is the number with its version's suffix,
	// 50180-EVGY45796-N (SWA-3).
	AgreementNumber string
	CustomerName    string
	LocationName    string
	// SystemTypeName is the location's system, e.g. "SV8300".
	SystemTypeName  string
	HardwareKeyCode string
	// ApplicationName is the application the agreement covers, e.g.
	// "SV 8300" (SWA-3).
	ApplicationName string
	// StartsOn and EndsOn are the version's first and last day (SWA-6);
	// they are calendar dates and are shown as given.
	StartsOn, EndsOn time.Time
	TermMonths       int
	// Units is everything the version took from the SWA unit bin, the
	// reinstatement fee (ReinstatementUnits, SWA-7) included.
	Units              int
	ReinstatementUnits int
	// ReferenceNote is the partner's reference (the customer number); left
	// out when empty.
	ReferenceNote string
	// PartnerName is the dealer or distributor who holds the agreement.
	PartnerName string
	// IssuedAt is when the version was issued (its agreement row was
	// written): the certificate shows its UTC date, and it is the PDF's
	// creation and modification date.
	IssuedAt time.Time
}

// FileName is the name a certificate is downloaded as:
// SWA-50180-EVGY45796-N.pdf. Characters other than letters, digits, '-'
// and '_' become '_', so the name is safe in a Content-Disposition header
// and on any file system.
func FileName(agreementNumber string) string {
	safe := strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return r
		}
		return '_'
	}, agreementNumber)
	return "SWA-" + safe + ".pdf"
}

// Page geometry in millimetres (A4 portrait) and colours.
const (
	pageWidth   = 210.0
	margin      = 20.0
	labelWidth  = 48.0
	valueWidth  = pageWidth - 2*margin - labelWidth
	lineHeight  = 5.6
	rowPadding  = 2.2
	fontFamily  = "go"
	dateLayout  = "2 January 2006"
	titleSize   = 24
	numberSize  = 15
	bodySize    = 11
	labelSize   = 9
	footnoteSz  = 8.5
	bandHeight  = 14.0
	creatorName = "LMS License Management Server"
)

var (
	ink   = [3]int{31, 41, 55}
	muted = [3]int{107, 114, 128}
	brand = [3]int{31, 58, 95}
	rule  = [3]int{221, 225, 230}
)

// Render lays out c on one A4 page and returns the PDF. The same c gives
// the same bytes.
func Render(c Certificate) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	issued := c.IssuedAt.UTC()
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetCatalogSort(true)
	// The number alone, in plain (not UTF-16) text: it is ASCII by SWA-3,
	// and a search of the raw file finds it.
	pdf.SetTitle("SWA certificate "+c.AgreementNumber, !isASCII(c.AgreementNumber))
	pdf.SetSubject(clean(fmt.Sprintf("Software Assurance for %s at %s (%s)", c.ApplicationName, c.LocationName, c.CustomerName)), true)
	pdf.SetAuthor(clean(c.PartnerName), true)
	pdf.SetCreator(creatorName, false)
	pdf.SetLang("en")
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.AddPage()

	l := &layout{pdf: pdf}
	l.header(c)
	l.details(c)
	l.footer(c)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render SWA certificate %s: %w", c.AgreementNumber, err)
	}
	return buf.Bytes(), nil
}

// layout draws the parts of the page, top to bottom.
type layout struct{ pdf *fpdf.Fpdf }

func (l *layout) color(c [3]int)                  { l.pdf.SetTextColor(c[0], c[1], c[2]) }
func (l *layout) font(style string, size float64) { l.pdf.SetFont(fontFamily, style, size) }

// header is the brand band, the title, the agreement number and what the
// certificate certifies.
func (l *layout) header(c Certificate) {
	pdf := l.pdf
	pdf.SetFillColor(brand[0], brand[1], brand[2])
	pdf.Rect(0, 0, pageWidth, bandHeight, "F")

	pdf.SetXY(margin, bandHeight+14)
	l.font("", labelSize)
	l.color(muted)
	pdf.CellFormat(0, lineHeight, strings.ToUpper(creatorName), "", 1, "L", false, 0, "")
	l.font("B", titleSize)
	l.color(ink)
	pdf.CellFormat(0, 12, "Software Assurance Certificate", "", 1, "L", false, 0, "")
	l.font("B", numberSize)
	l.color(brand)
	pdf.CellFormat(0, 9, "Agreement "+clean(c.AgreementNumber), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	l.font("", bodySize)
	l.color(ink)
	pdf.MultiCell(0, lineHeight, fmt.Sprintf(
		"This certifies that Software Assurance (SWA) covers the application below at the customer's location from %s to %s.",
		day(c.StartsOn), day(c.EndsOn)), "", "L", false)
	pdf.Ln(6)
}

// details is the table of the agreement version's facts.
func (l *layout) details(c Certificate) {
	units := fmt.Sprint(c.Units)
	if c.ReinstatementUnits > 0 {
		units = fmt.Sprintf("%d (%d for the term + %d reinstatement fee)", c.Units, c.Units-c.ReinstatementUnits, c.ReinstatementUnits)
	}
	rows := [][2]string{
		{"Agreement number", c.AgreementNumber},
		{"Customer", c.CustomerName},
		{"Location", c.LocationName},
		{"System", c.SystemTypeName},
		{"Hardware Key Code", c.HardwareKeyCode},
		{"Application", c.ApplicationName},
		{"Start date", day(c.StartsOn)},
		{"End date", day(c.EndsOn)},
		{"Term", months(c.TermMonths)},
		{"SWA units", units},
	}
	if c.ReferenceNote != "" {
		rows = append(rows, [2]string{"Reference", c.ReferenceNote})
	}
	rows = append(rows, [2]string{"Partner", c.PartnerName}, [2]string{"Issued on", day(c.IssuedAt.UTC())})

	pdf := l.pdf
	pdf.SetDrawColor(rule[0], rule[1], rule[2])
	pdf.SetLineWidth(0.3)
	right := pageWidth - margin
	pdf.Line(margin, pdf.GetY(), right, pdf.GetY())
	for _, r := range rows {
		top := pdf.GetY() + rowPadding
		// The label's baseline is the value's first: fpdf sets a line's
		// baseline 0.3 font sizes below the middle of its cell.
		pdf.SetXY(margin, top+0.3*(bodySize-labelSize)/pdf.GetConversionRatio())
		l.font("", labelSize)
		l.color(muted)
		pdf.CellFormat(labelWidth, lineHeight, r[0], "", 0, "L", false, 0, "")
		pdf.SetXY(margin+labelWidth, top)
		l.font("", bodySize)
		l.color(ink)
		pdf.MultiCell(valueWidth, lineHeight, clean(r[1]), "", "L", false)
		bottom := pdf.GetY() + rowPadding
		pdf.Line(margin, bottom, right, bottom)
		pdf.SetY(bottom)
	}
}

// footer says when the certificate was issued and how versions are told
// apart.
func (l *layout) footer(c Certificate) {
	pdf := l.pdf
	pdf.Ln(8)
	l.font("", footnoteSz)
	l.color(muted)
	pdf.MultiCell(0, 4.4, fmt.Sprintf(
		"Issued by LMS on %s. Every version of an agreement has a certificate of its own: "+
			"the suffix of the agreement number says which (N new, W reinstated, R01, R02, … renewed). "+
			"The latest version's dates are the ones in force.",
		day(c.IssuedAt.UTC())), "", "L", false)
}

func day(t time.Time) string { return t.Format(dateLayout) }

func months(n int) string {
	if n == 1 {
		return "1 month"
	}
	return fmt.Sprintf("%d months", n)
}

// clean makes s printable by the PDF's fonts: spaces of any kind (a tab, a
// no-break space) become plain spaces, and characters outside Unicode's
// Basic Multilingual Plane, which the PDF's text encoding cannot carry, and
// control characters other than a line break become '?'.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r <= 0xFFFF && unicode.IsPrint(r):
			return r
		case unicode.IsSpace(r):
			return ' '
		}
		return '?'
	}, s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
