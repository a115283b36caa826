package mailtest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"slices"
	"strings"
)

// Received is a message the server accepted, parsed with the standard
// library. Parsing is best effort: a field the message lacks, or that cannot
// be parsed, is left empty, and Raw always holds the data as transmitted.
type Received struct {
	// From and To are the envelope (MAIL FROM and RCPT TO), not headers.
	From string
	To   []string
	// Subject is the decoded Subject header.
	Subject string
	// MessageID is the Message-ID header without its angle brackets, as
	// given in mail.Message.MessageID.
	MessageID string
	// Text and HTML are the first text/plain and text/html parts (or the
	// whole body of a single-part message), transfer-decoded, assumed UTF-8,
	// with "\r\n" turned into "\n".
	Text string
	HTML string
	// Raw is the message as received after DATA, with CRLF line endings.
	Raw []byte
}

func parseReceived(from string, to []string, raw []byte) Received {
	r := Received{From: from, To: slices.Clone(to), Raw: raw}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return r
	}
	r.Subject = msg.Header.Get("Subject")
	if s, err := new(mime.WordDecoder).DecodeHeader(r.Subject); err == nil {
		r.Subject = s
	}
	r.MessageID = strings.Trim(strings.TrimSpace(msg.Header.Get("Message-Id")), "<>")
	_ = r.readPart(msg.Header, msg.Body) // keep what was read before an error
	return r
}

type header interface{ Get(key string) string }

// readPart fills Text and HTML from a part, descending into multiparts.
func (r *Received) readPart(h header, body io.Reader) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart leaves decoding to readPart, for every encoding alike.
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := r.readPart(p.Header, p); err != nil {
				return err
			}
		}
	}
	if disposition, _, _ := mime.ParseMediaType(h.Get("Content-Disposition")); disposition == "attachment" {
		return nil
	}
	target := map[string]*string{"text/plain": &r.Text, "text/html": &r.HTML}[mediaType]
	if target == nil || *target != "" {
		return nil
	}
	b, err := io.ReadAll(decodeTransfer(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		return err
	}
	*target = strings.ReplaceAll(string(b), "\r\n", "\n")
	return nil
}

func decodeTransfer(encoding string, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, body) // skips line breaks
	default:
		return body
	}
}

func cloneReceived(in []Received) []Received {
	out := make([]Received, len(in))
	for i, r := range in {
		r.To = slices.Clone(r.To)
		r.Raw = slices.Clone(r.Raw)
		out[i] = r
	}
	return out
}
