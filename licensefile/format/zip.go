package format

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// MaxZipSize is the largest license zip Verify reads (10 MiB); anything bigger is refused before
// it is parsed. Build never produces a zip near it.
const MaxZipSize = 10 << 20

// maxEntrySize is the largest entry Verify reads and Build writes (1 MiB).
const maxEntrySize = 1 << 20

// zipEntry is one stored file of a license zip.
type zipEntry struct {
	name     string
	modified time.Time
	data     []byte
}

// Zip header constants (APPNOTE.TXT 4.3). The zip is written by hand instead of with
// archive/zip because Verify compares a rebuilt zip byte for byte: a file issued today must
// still verify after archive/zip changes what it writes (it already adds an extended
// timestamp extra field whenever FileHeader.Modified is set).
const (
	localHeaderSignature   = 0x04034b50
	centralHeaderSignature = 0x02014b50
	endOfCentralSignature  = 0x06054b50
	versionMadeBy          = 20 // upper byte 0: MS-DOS attributes; 2.0
	versionNeeded          = 10 // 1.0 is enough for stored files
	methodStore            = 0
)

// writeZip packs entries, in order, as stored (uncompressed) files with DOS timestamps and no
// extra fields, comments, data descriptors or attributes, so the bytes depend on the entries
// alone.
func writeZip(entries []zipEntry) ([]byte, error) {
	if len(entries) > 0xffff {
		return nil, fmt.Errorf("zip: %d entries is too many", len(entries))
	}
	var out, central []byte
	le := binary.LittleEndian
	for _, e := range entries {
		if len(e.data) > maxEntrySize {
			return nil, fmt.Errorf("zip: %s is %d bytes, more than the %d byte limit", e.name, len(e.data), maxEntrySize)
		}
		if len(e.name) == 0 || len(e.name) > 0xffff {
			return nil, fmt.Errorf("zip: bad entry name %q", e.name)
		}
		date, tm, err := dosTime(e.modified)
		if err != nil {
			return nil, fmt.Errorf("zip: %s: %w", e.name, err)
		}
		crc := crc32.ChecksumIEEE(e.data)
		size := uint32(len(e.data))
		offset := uint32(len(out))

		out = le.AppendUint32(out, localHeaderSignature)
		out = le.AppendUint16(out, versionNeeded)
		out = le.AppendUint16(out, 0) // flags
		out = le.AppendUint16(out, methodStore)
		out = le.AppendUint16(out, tm)
		out = le.AppendUint16(out, date)
		out = le.AppendUint32(out, crc)
		out = le.AppendUint32(out, size) // compressed
		out = le.AppendUint32(out, size) // uncompressed
		out = le.AppendUint16(out, uint16(len(e.name)))
		out = le.AppendUint16(out, 0) // extra length
		out = append(out, e.name...)
		out = append(out, e.data...)

		central = le.AppendUint32(central, centralHeaderSignature)
		central = le.AppendUint16(central, versionMadeBy)
		central = le.AppendUint16(central, versionNeeded)
		central = le.AppendUint16(central, 0) // flags
		central = le.AppendUint16(central, methodStore)
		central = le.AppendUint16(central, tm)
		central = le.AppendUint16(central, date)
		central = le.AppendUint32(central, crc)
		central = le.AppendUint32(central, size)
		central = le.AppendUint32(central, size)
		central = le.AppendUint16(central, uint16(len(e.name)))
		central = le.AppendUint16(central, 0) // extra length
		central = le.AppendUint16(central, 0) // comment length
		central = le.AppendUint16(central, 0) // disk number start
		central = le.AppendUint16(central, 0) // internal attributes
		central = le.AppendUint32(central, 0) // external attributes
		central = le.AppendUint32(central, offset)
		central = append(central, e.name...)
	}
	centralOffset := uint32(len(out))
	out = append(out, central...)
	out = le.AppendUint32(out, endOfCentralSignature)
	out = le.AppendUint16(out, 0) // this disk
	out = le.AppendUint16(out, 0) // disk with the central directory
	out = le.AppendUint16(out, uint16(len(entries)))
	out = le.AppendUint16(out, uint16(len(entries)))
	out = le.AppendUint32(out, uint32(len(central)))
	out = le.AppendUint32(out, centralOffset)
	out = le.AppendUint16(out, 0) // comment length
	return out, nil
}

// dosTime encodes t (in UTC) as a zip's MS-DOS date and time, which have a 2-second
// resolution and hold the years 1980 to 2107.
func dosTime(t time.Time) (date, tm uint16, err error) {
	t = t.UTC()
	if t.Year() < 1980 || t.Year() > 2107 {
		return 0, 0, fmt.Errorf("time %s cannot be stored in a zip (years 1980 to 2107)", t.Format(time.RFC3339))
	}
	date = uint16(t.Day() | int(t.Month())<<5 | (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 | t.Minute()<<5 | t.Hour()<<11)
	return date, tm, nil
}

// readZip returns the names and contents of the entries of b, in central directory order. It
// reads only what a license file can hold: stored entries of at most maxEntrySize bytes. The
// caller checks the metadata by rebuilding the zip, so only names and contents are returned.
func readZip(b []byte) ([]zipEntry, error) {
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	if len(r.File) == 0 || len(r.File) > 3 {
		return nil, fmt.Errorf("%d entries, a license zip has 1 to 3", len(r.File))
	}
	entries := make([]zipEntry, 0, len(r.File))
	for _, f := range r.File {
		if f.Method != zip.Store {
			// Refusing compression also keeps a small zip from inflating into a huge one.
			return nil, fmt.Errorf("%s is compressed (method %d); license files are stored uncompressed", f.Name, f.Method)
		}
		if f.UncompressedSize64 > maxEntrySize || f.CompressedSize64 > maxEntrySize {
			return nil, fmt.Errorf("%s is larger than %d bytes", f.Name, maxEntrySize)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxEntrySize+1))
		_ = rc.Close() // reading from memory: Close cannot fail in a way that matters here
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if len(data) > maxEntrySize {
			return nil, fmt.Errorf("%s is larger than %d bytes", f.Name, maxEntrySize)
		}
		entries = append(entries, zipEntry{name: f.Name, data: data})
	}
	return entries, nil
}
