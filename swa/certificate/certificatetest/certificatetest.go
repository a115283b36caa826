// Package certificatetest reads back the text of a certificate PDF, for
// tests that check what a certificate says rather than how it looks: the
// document information (title, dates), the number of pages, and every
// line of text with its position. It understands the PDFs package
// certificate writes (fpdf, Unicode fonts, compressed page content), not
// PDFs in general.
package certificatetest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Document is what a certificate PDF says.
type Document struct {
	// Pages is the page count.
	Pages int
	// Info is the document information dictionary's text entries: Title,
	// Subject, Author, Creator, Producer, CreationDate, ModDate.
	Info map[string]string
	// Lines is every line of text of every page, in drawing order.
	Lines []string
	texts []text
}

// text is a line of text drawn at x, y (points from the bottom left).
type text struct {
	x, y float64
	s    string
}

// Rows joins the lines drawn on the same baseline with "|", left to
// right, in drawing order of the first: a label and its value read
// "Customer|Tons Business".
func (d *Document) Rows() []string {
	var ys []float64
	byY := map[float64][]text{}
	for _, t := range d.texts {
		y := math.Round(t.y*10) / 10
		if _, ok := byY[y]; !ok {
			ys = append(ys, y)
		}
		byY[y] = append(byY[y], t)
	}
	out := make([]string, len(ys))
	for i, y := range ys {
		row := byY[y]
		parts := make([]string, len(row))
		for j, t := range row {
			parts[j] = t.s
		}
		// Drawn left to right already; keep that order.
		out[i] = strings.Join(parts, "|")
	}
	return out
}

var (
	countRe    = regexp.MustCompile(`/Type /Pages\s*/Kids \[[^\]]*\]\s*/Count (\d+)`)
	contentsRe = regexp.MustCompile(`/Contents (\d+) 0 R`)
	infoRe     = regexp.MustCompile(`/(Title|Subject|Author|Creator|Producer|CreationDate|ModDate|Keywords) \(`)
	lengthRe   = regexp.MustCompile(`/Length (\d+)`)
	textRe     = regexp.MustCompile(`BT (-?[\d.]+) (-?[\d.]+) Td \(`)
)

// Read parses pdf.
func Read(pdf []byte) (*Document, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, fmt.Errorf("not a PDF")
	}
	d := &Document{Info: map[string]string{}}
	m := countRe.FindSubmatch(pdf)
	if m == nil {
		return nil, fmt.Errorf("no page tree")
	}
	d.Pages, _ = strconv.Atoi(string(m[1]))
	for _, m := range infoRe.FindAllSubmatchIndex(pdf, -1) {
		s, _, err := literal(pdf[m[1]:])
		if err != nil {
			return nil, fmt.Errorf("info %s: %w", pdf[m[2]:m[3]], err)
		}
		d.Info[string(pdf[m[2]:m[3]])] = decodeText(s, true)
	}
	for _, m := range contentsRe.FindAllSubmatch(pdf, -1) {
		content, err := stream(pdf, string(m[1]))
		if err != nil {
			return nil, err
		}
		if err := d.readContent(content); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// readContent collects the text a page's content stream draws.
func (d *Document) readContent(content []byte) error {
	for _, m := range textRe.FindAllSubmatchIndex(content, -1) {
		x, _ := strconv.ParseFloat(string(content[m[2]:m[3]]), 64)
		y, _ := strconv.ParseFloat(string(content[m[4]:m[5]]), 64)
		s, n, err := literal(content[m[1]:])
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(content[m[1]+n:], []byte("Tj")) {
			return fmt.Errorf("text at %d is not drawn with Tj", m[0])
		}
		t := text{x: x, y: y, s: decodeText(s, false)}
		d.texts = append(d.texts, t)
		d.Lines = append(d.Lines, t.s)
	}
	return nil
}

// stream returns the decoded content of object id's stream.
func stream(pdf []byte, id string) ([]byte, error) {
	start := bytes.Index(pdf, []byte("\n"+id+" 0 obj\n"))
	if start < 0 {
		return nil, fmt.Errorf("object %s not found", id)
	}
	rest := pdf[start:]
	at := bytes.Index(rest, []byte("stream\n"))
	if at < 0 {
		return nil, fmt.Errorf("object %s has no stream", id)
	}
	dict := rest[:at]
	m := lengthRe.FindSubmatch(dict)
	if m == nil {
		return nil, fmt.Errorf("object %s has no length", id)
	}
	n, _ := strconv.Atoi(string(m[1]))
	body := rest[at+len("stream\n"):]
	if len(body) < n {
		return nil, fmt.Errorf("object %s is cut short", id)
	}
	body = body[:n]
	if !bytes.Contains(dict, []byte("/FlateDecode")) {
		return body, nil
	}
	r, err := zlib.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", id, err)
	}
	return io.ReadAll(r)
}

// literal reads a PDF literal string whose opening parenthesis is just
// before b, and returns its bytes and how much of b it took, up to and
// including the closing parenthesis.
func literal(b []byte) ([]byte, int, error) {
	var out []byte
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\\':
			i++
			if i == len(b) {
				return nil, 0, fmt.Errorf("string ends in an escape")
			}
			switch e := b[i]; e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v, j := 0, i
				for ; j < len(b) && j < i+3 && b[j] >= '0' && b[j] <= '7'; j++ {
					v = v*8 + int(b[j]-'0')
				}
				out = append(out, byte(v))
				i = j - 1
			default:
				out = append(out, e)
			}
		case '(':
			depth++
			out = append(out, c)
		case ')':
			if depth == 0 {
				return out, i + 1, nil
			}
			depth--
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return nil, 0, fmt.Errorf("unterminated string")
}

// decodeText decodes a string of a Unicode font (UTF-16BE, no byte order
// mark), or, with info, a text string of the information dictionary:
// UTF-16BE after a byte order mark, else as it stands (ASCII).
func decodeText(b []byte, info bool) string {
	if info {
		if !bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
			return string(b)
		}
		b = b[2:]
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}
