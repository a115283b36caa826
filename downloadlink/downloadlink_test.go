package downloadlink_test

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/downloadlink"
)

func newKey(t *testing.T, fill byte) *downloadlink.Key {
	t.Helper()
	k, err := downloadlink.NewKey(bytes.Repeat([]byte{fill}, 32))
	require.NoError(t, err)
	return k
}

func TestNewKeyRefusesShortSecrets(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 31} {
		_, err := downloadlink.NewKey(make([]byte, n))
		require.Error(t, err, "%d bytes", n)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	key, otherKey := newKey(t, 1), newKey(t, 2)
	id, otherID := uuid.New(), uuid.New()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	link := key.Sign(downloadlink.LicenseFile, id, now.Add(downloadlink.Validity))
	flipped := bytes.Clone(link.Sig)
	flipped[0] ^= 1

	tests := []struct {
		name    string
		key     *downloadlink.Key
		purpose downloadlink.Purpose
		id      uuid.UUID
		link    downloadlink.Link
		now     time.Time
		want    error
	}{
		{"genuine", key, downloadlink.LicenseFile, id, link, now, nil},
		{"genuine until the last second", key, downloadlink.LicenseFile, id, link, link.Expires.Add(-time.Second), nil},
		{"expired at its expiry", key, downloadlink.LicenseFile, id, link, link.Expires, downloadlink.ErrExpired},
		{"expired later", key, downloadlink.LicenseFile, id, link, link.Expires.Add(30 * 24 * time.Hour), downloadlink.ErrExpired},
		{"another object's id", key, downloadlink.LicenseFile, otherID, link, now, downloadlink.ErrInvalid},
		{"another purpose", key, "protect-dat", id, link, now, downloadlink.ErrInvalid},
		{"an SWA certificate with the file's id", key, downloadlink.SwaCertificate, id, link, now, downloadlink.ErrInvalid},
		{"a changed bit of the signature", key, downloadlink.LicenseFile, id, downloadlink.Link{Expires: link.Expires, Sig: flipped}, now, downloadlink.ErrInvalid},
		{"a cut signature", key, downloadlink.LicenseFile, id, downloadlink.Link{Expires: link.Expires, Sig: link.Sig[:16]}, now, downloadlink.ErrInvalid},
		{"no signature", key, downloadlink.LicenseFile, id, downloadlink.Link{Expires: link.Expires}, now, downloadlink.ErrInvalid},
		{"an extended expiry", key, downloadlink.LicenseFile, id, downloadlink.Link{Expires: link.Expires.Add(time.Hour), Sig: link.Sig}, now, downloadlink.ErrInvalid},
		{"an expired forgery says invalid, not expired", key, downloadlink.LicenseFile, id, downloadlink.Link{Expires: now.Add(-time.Hour), Sig: link.Sig}, now, downloadlink.ErrInvalid},
		{"another key (after a rotation)", otherKey, downloadlink.LicenseFile, id, link, now, downloadlink.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.key.Verify(tt.purpose, tt.id, tt.link, tt.now)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestSignIsStableAndWholeSeconds(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("0b6f1f5e-2c1d-4b7e-9a39-5d1f0e3c2a11")
	at := time.Date(2026, 12, 15, 12, 0, 0, 999_000_000, time.FixedZone("CET", 3600))
	a := newKey(t, 1).Sign(downloadlink.LicenseFile, id, at)
	b := newKey(t, 1).Sign(downloadlink.LicenseFile, id, at.Truncate(time.Second))
	require.Equal(t, a, b, "the same key (another process) signs the same link")
	require.Equal(t, time.UTC, a.Expires.Location())
	require.Equal(t, at.Unix(), a.Expires.Unix())
	require.Zero(t, a.Expires.Nanosecond())
}

func TestQueryRoundTrip(t *testing.T) {
	t.Parallel()
	key := newKey(t, 1)
	id := uuid.New()
	link := key.Sign(downloadlink.LicenseFile, id, time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC))
	q, err := url.ParseQuery(link.Query())
	require.NoError(t, err)
	require.True(t, downloadlink.Present(q))
	got, err := downloadlink.Parse(q)
	require.NoError(t, err)
	require.Equal(t, link, got)
	require.NoError(t, key.Verify(downloadlink.LicenseFile, id, got, link.Expires.Add(-time.Minute)))
	require.Equal(t, "expires=1797336000&sig="+base64.RawURLEncoding.EncodeToString(link.Sig), link.Query())
}

func TestParse(t *testing.T) {
	t.Parallel()
	sig := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	exp := strconv.FormatInt(time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC).Unix(), 10)

	tests := []struct {
		name    string
		query   string
		present bool
		ok      bool
	}{
		{"a link", "expires=" + exp + "&sig=" + sig, true, true},
		{"no link", "", false, false},
		{"other parameters only", "download=1", false, false},
		{"no signature", "expires=" + exp, true, false},
		{"no expiry", "sig=" + sig, true, false},
		{"two signatures", "expires=" + exp + "&sig=" + sig + "&sig=" + sig, true, false},
		{"two expiries", "expires=" + exp + "&expires=" + exp + "&sig=" + sig, true, false},
		{"an expiry that is not a number", "expires=tomorrow&sig=" + sig, true, false},
		{"a signed expiry", "expires=%2B" + exp + "&sig=" + sig, true, false},
		{"a leading zero", "expires=0" + exp + "&sig=" + sig, true, false},
		{"a negative expiry", "expires=-1&sig=" + sig, true, false},
		{"padded base64", "expires=" + exp + "&sig=" + sig + "%3D", true, false},
		{"standard base64", "expires=" + exp + "&sig=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), true, false},
		{"a short signature", "expires=" + exp + "&sig=" + sig[:20], true, false},
		{"a long signature", "expires=" + exp + "&sig=" + sig + "AAAA", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			require.Equal(t, tt.present, downloadlink.Present(q))
			_, err = downloadlink.Parse(q)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, downloadlink.ErrInvalid)
		})
	}
}
