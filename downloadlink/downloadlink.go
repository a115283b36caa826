// Package downloadlink signs and checks the download links LMS puts in
// emails (LIC-6, EXT-3, the SWA certificate of issue 15): a person who
// receives a mail clicks the link in a browser, which cannot send the API's
// bearer header, so the link itself carries the grant. A link names one
// object (one license file generation, one SWA agreement version), what it
// is for (its Purpose) and until when it works, and is signed with an
// HMAC-SHA256 key only the server holds:
//
//	<PublicURL>/license-files/<id>?expires=<unix seconds>&sig=<base64url HMAC>
//	<PublicURL>/swa-certificates/<id>?expires=<unix seconds>&sig=<base64url HMAC>
//
// It grants nothing else: not the object's other versions, not another
// purpose's object with the same id, not the API. The package is pure (no
// database, no HTTP); the service owning the object serves and audits the
// download.
package downloadlink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"lms/apperr"
)

// Validity is how long an emailed link works after the mail is written.
// Afterwards the recipient signs in to download the file or certificate.
const Validity = 14 * 24 * time.Hour

// KeyLabel is the label the link key is derived under from the license
// signing key (licensefile.Signer.DeriveSecret), so that a link signature
// can never be mistaken for anything else that key makes.
const KeyLabel = "lms/download-link/v1"

// Purpose says what a link downloads; it is signed with the id, so a link
// for one kind of object is refused for another with the same id.
type Purpose string

// Purposes of links.
const (
	// LicenseFile is the purpose of a link to one license file generation.
	LicenseFile Purpose = "license-file"
	// SwaCertificate is the purpose of a link to the PDF certificate of one
	// SWA agreement version.
	SwaCertificate Purpose = "swa-certificate"
)

// Query parameters of a link.
const (
	expiresParam = "expires"
	sigParam     = "sig"
)

// messageVersion starts every signed message; a new message layout gets a
// new version, so old signatures never verify under it.
const messageVersion = "lms-download-link/v1"

// minKeySize is the least secret NewKey takes: the size of the HMAC.
const minKeySize = sha256.Size

// Errors of a refused link. Both are FORBIDDEN: the link grants nothing.
var (
	// ErrInvalid is a link this server did not sign for this object: a
	// changed or cut signature, another object's id, a malformed expiry, or
	// a signature under a key that has since been rotated.
	ErrInvalid = apperr.New(apperr.Forbidden, "this download link is not valid")
	// ErrExpired is a genuine link whose time is up.
	ErrExpired = apperr.New(apperr.Forbidden, "this download link has expired")
)

// Key signs and checks links. The zero Key is unusable; build one with
// NewKey.
type Key struct {
	secret []byte
}

// NewKey returns a key over secret, which must be at least 32 bytes, secret,
// and the same in every process that serves downloads (derive it from the
// license signing key; see KeyLabel).
func NewKey(secret []byte) (*Key, error) {
	if len(secret) < minKeySize {
		return nil, fmt.Errorf("downloadlink: key has %d bytes; at least %d are needed", len(secret), minKeySize)
	}
	return &Key{secret: append([]byte(nil), secret...)}, nil
}

// Link is the signed part of a download link: its expiry and signature.
type Link struct {
	// Expires is the first moment the link no longer works (whole seconds).
	Expires time.Time
	Sig     []byte
}

// Sign returns the link to the object id for purpose that works until
// expires (cut to whole seconds).
func (k *Key) Sign(purpose Purpose, id uuid.UUID, expires time.Time) Link {
	expires = time.Unix(expires.Unix(), 0).UTC()
	return Link{Expires: expires, Sig: k.mac(purpose, id, expires)}
}

// Verify checks that l is a link this key signed for purpose and id and
// that it still works at now. Errors: ErrInvalid, ErrExpired (only for a
// genuine link, so that an expiry is never reported for a forged one).
func (k *Key) Verify(purpose Purpose, id uuid.UUID, l Link, now time.Time) error {
	if !hmac.Equal(l.Sig, k.mac(purpose, id, l.Expires)) {
		return ErrInvalid
	}
	if !now.Before(l.Expires) {
		return ErrExpired
	}
	return nil
}

// mac is the HMAC-SHA256 of the versioned message naming purpose, id and
// expiry.
func (k *Key) mac(purpose Purpose, id uuid.UUID, expires time.Time) []byte {
	h := hmac.New(sha256.New, k.secret)
	fmt.Fprintf(h, "%s\n%s\n%s\n%d", messageVersion, purpose, id, expires.Unix())
	return h.Sum(nil)
}

// Query returns the link's query string, "expires=…&sig=…".
func (l Link) Query() string {
	return url.Values{
		expiresParam: {strconv.FormatInt(l.Expires.Unix(), 10)},
		sigParam:     {base64.RawURLEncoding.EncodeToString(l.Sig)},
	}.Encode()
}

// Present reports whether a request's query carries a link (either of its
// parameters), so that the server answers it as a link, valid or not.
func Present(q url.Values) bool {
	return q.Has(expiresParam) || q.Has(sigParam)
}

// Parse reads a link from a request's query. Errors: ErrInvalid when a
// parameter is missing, repeated or malformed.
func Parse(q url.Values) (Link, error) {
	exp, sig := q[expiresParam], q[sigParam]
	if len(exp) != 1 || len(sig) != 1 {
		return Link{}, ErrInvalid
	}
	unix, err := strconv.ParseInt(exp[0], 10, 64)
	if err != nil || unix <= 0 || strconv.FormatInt(unix, 10) != exp[0] {
		return Link{}, ErrInvalid
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(sig[0])
	if err != nil || len(b) != sha256.Size {
		return Link{}, ErrInvalid
	}
	return Link{Expires: time.Unix(unix, 0).UTC(), Sig: b}, nil
}
