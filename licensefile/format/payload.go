package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// FormatVersion is the version of the license file format this package writes and reads. A
// payload with FormatVersion 0 is written with this version; any other version is refused.
const FormatVersion = 1

// Stacking kinds of a Feature (LIC-9): QUANTITY parts sum up, VERSION parts take the maximum.
const (
	StackingQuantity = "QUANTITY"
	StackingVersion  = "VERSION"
)

// Feature is one stacked entitlement line.
type Feature struct {
	PartNumber string `json:"partNumber"`
	Name       string `json:"name"`
	Stacking   string `json:"stacking"`           // "QUANTITY" or "VERSION"
	Quantity   int    `json:"quantity,omitempty"` // QUANTITY parts
	Version    int    `json:"version,omitempty"`  // VERSION parts
	// Unlimited grants a QUANTITY part without limit, with Quantity 0: a demo file opens every
	// feature of its system type (LIC-10), and a count would only be a guess at "as many as the
	// system can use". It comes last and is omitted when false, so the files issued before it
	// existed keep their canonical encoding and still verify.
	Unlimited bool `json:"unlimited,omitempty"`
}

// Payload is the signed content of one .lic file.
type Payload struct {
	FormatVersion            int       `json:"formatVersion"`
	LocationID               string    `json:"locationId"`
	SystemType               string    `json:"systemType"` // catalog code, e.g. "SV8100"
	SystemName               string    `json:"systemName"` // catalog name
	HardwareKeyCode          string    `json:"hardwareKeyCode"`
	SecondaryHardwareKeyCode string    `json:"secondaryHardwareKeyCode,omitempty"`
	ProductKey               string    `json:"productKey,omitempty"`
	Features                 []Feature `json:"features"`
	IssuedAt                 time.Time `json:"issuedAt"`
	Sequence                 int       `json:"sequence"` // generation number of the location's file (1, 2, ...)
	// ExpiresAt is when a demo file stops working (LIC-10); nil for a file that never expires.
	// It is part of the signed JSON like every other field, so it cannot be moved or removed
	// without breaking the signature.
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// Expired reports whether the payload has an expiry and now is at or after it.
func (p Payload) Expired(now time.Time) bool {
	return p.ExpiresAt != nil && !now.Before(*p.ExpiresAt)
}

// fileKeyPattern is what an HWKC or product key may look like. These keys name the zip and its
// entries, so they must be harmless as file names on every OS (no separators, no "..", no
// leading dot or dash); every HWKC and product key format of the catalog fits.
var fileKeyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// The DOS date/time fields of a zip entry only hold the years 1980 to 2107.
var (
	minIssuedAt = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)
	maxIssuedAt = time.Date(2108, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// normalize returns p in the form that is signed: times in UTC truncated to whole seconds (the
// JSON then has no fraction or offset) and features sorted by part number. It copies the
// features and the expiry, so the caller's payload is left as it was.
func normalize(p Payload) Payload {
	p.IssuedAt = p.IssuedAt.UTC().Truncate(time.Second)
	if p.ExpiresAt != nil {
		t := p.ExpiresAt.UTC().Truncate(time.Second)
		p.ExpiresAt = &t
	}
	p.Features = slices.Clone(p.Features)
	slices.SortStableFunc(p.Features, func(a, b Feature) int { return strings.Compare(a.PartNumber, b.PartNumber) })
	return p
}

// canonicalJSON is the signed form of a normalised payload: the JSON encoding with fields in
// struct order, without HTML escaping (so "&" in a feature name stays readable) and without the
// encoder's trailing newline.
func canonicalJSON(p Payload) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decodePayload parses the JSON line of a .lic file and accepts it only when it is exactly the
// canonical encoding of what it decodes to: unknown or duplicate fields, another field order,
// other whitespace or escapes, unsorted features or non-UTC times are all refused.
func decodePayload(line []byte) (Payload, error) {
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Payload{}, fmt.Errorf("payload: %w", err)
	}
	if dec.More() {
		return Payload{}, errors.New("payload: data after the JSON object")
	}
	if p.FormatVersion != FormatVersion {
		return Payload{}, fmt.Errorf("payload: format version %d is not supported (this program reads version %d)", p.FormatVersion, FormatVersion)
	}
	canon, err := canonicalJSON(normalize(p))
	if err != nil {
		return Payload{}, err
	}
	if !bytes.Equal(canon, line) {
		return Payload{}, errors.New("payload: JSON is not in canonical form")
	}
	return normalize(p), nil
}

// validate reports everything wrong with one normalised payload, joined in one error.
func validate(p Payload) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if p.FormatVersion != FormatVersion {
		add("format version %d is not supported (want %d)", p.FormatVersion, FormatVersion)
	}
	checkText := func(field, s string, required bool) {
		switch {
		case s == "" && required:
			add("%s is empty", field)
		case !utf8.ValidString(s):
			add("%s is not valid UTF-8", field)
		case strings.ContainsFunc(s, unicode.IsControl):
			// Control characters would break the line-oriented .log and verify output.
			add("%s %q contains control characters", field, s)
		}
	}
	checkKey := func(field, s string, required bool) {
		if s == "" {
			if required {
				add("%s is empty", field)
			}
			return
		}
		if !fileKeyPattern.MatchString(s) {
			add("%s %q may only hold letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit) because it names the file", field, s)
		}
	}
	checkText("location id", p.LocationID, true)
	checkText("system type", p.SystemType, true)
	checkText("system name", p.SystemName, false)
	checkKey("hardware key code", p.HardwareKeyCode, true)
	checkKey("secondary hardware key code", p.SecondaryHardwareKeyCode, false)
	checkKey("product key", p.ProductKey, false)
	if p.Sequence < 1 {
		add("sequence %d is less than 1", p.Sequence)
	}
	if p.IssuedAt.Before(minIssuedAt) || !p.IssuedAt.Before(maxIssuedAt) {
		add("issued at %s is not between 1980 and 2107 (zip timestamps cannot hold it)", p.IssuedAt.Format(time.RFC3339))
	}
	if p.ExpiresAt != nil && !p.ExpiresAt.After(p.IssuedAt) {
		add("expires at %s is not after issued at %s", p.ExpiresAt.Format(time.RFC3339), p.IssuedAt.Format(time.RFC3339))
	}
	if len(p.Features) == 0 {
		add("no features")
	}
	for i, f := range p.Features {
		where := fmt.Sprintf("feature %d (%q)", i+1, f.PartNumber)
		checkText(where+": part number", f.PartNumber, true)
		checkText(where+": name", f.Name, false)
		// Features are sorted, so a repeated part number is next to its twin. Stacking
		// (LIC-9) makes one line per part; two lines would leave the device to guess.
		if i > 0 && f.PartNumber == p.Features[i-1].PartNumber && f.PartNumber != "" {
			add("%s: part number listed twice; stack it into one line", where)
		}
		switch f.Stacking {
		case StackingQuantity:
			switch {
			case f.Unlimited && f.Quantity != 0:
				add("%s: unlimited QUANTITY part must not have a quantity, got %d", where, f.Quantity)
			case !f.Unlimited && f.Quantity <= 0:
				add("%s: QUANTITY part needs a quantity > 0, got %d", where, f.Quantity)
			}
			if f.Version != 0 {
				add("%s: QUANTITY part must not have a version, got %d", where, f.Version)
			}
		case StackingVersion:
			if f.Version <= 0 {
				add("%s: VERSION part needs a version > 0, got %d", where, f.Version)
			}
			if f.Quantity != 0 {
				add("%s: VERSION part must not have a quantity, got %d", where, f.Quantity)
			}
			if f.Unlimited {
				add("%s: VERSION part cannot be unlimited", where)
			}
		default:
			add("%s: stacking %q is neither %s nor %s", where, f.Stacking, StackingQuantity, StackingVersion)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// validatePayloads checks the normalised payloads of one file for layout.
func validatePayloads(layout Layout, ps []Payload) error {
	switch layout {
	case LayoutSVI:
		if len(ps) != 1 {
			return fmt.Errorf("layout %s takes exactly one payload, got %d", layout, len(ps))
		}
	case LayoutBX:
		if len(ps) != 1 && len(ps) != 2 {
			return fmt.Errorf("layout %s takes one or two payloads, got %d", layout, len(ps))
		}
	default:
		return fmt.Errorf("unknown layout %q (want %s or %s)", layout, LayoutSVI, LayoutBX)
	}
	for i, p := range ps {
		if err := validate(p); err != nil {
			return fmt.Errorf("payload %d: %w", i+1, err)
		}
	}
	if len(ps) == 2 {
		// A redundant pair is one generation of a primary and its secondary (each its own
		// location, so the location ids differ); the common sequence keeps a unit's .lic from
		// being packed next to a unit of another generation.
		a, b := ps[0], ps[1]
		if a.Sequence != b.Sequence {
			return fmt.Errorf("redundant pair: sequences differ (%d, %d)", a.Sequence, b.Sequence)
		}
		if fileKey(a) == fileKey(b) {
			return fmt.Errorf("redundant pair: both units are named %q; give each its own product key", fileKey(a))
		}
	}
	return nil
}

// fileKey is the key a BX unit's .lic is named after: its product key, or its HWKC when it has
// none.
func fileKey(p Payload) string {
	if p.ProductKey != "" {
		return p.ProductKey
	}
	return p.HardwareKeyCode
}
