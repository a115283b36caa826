package format_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
)

// sv8100Demo is a demo file of an SV8100 (LIC-10): every feature, mostly unlimited, for 30 days.
func sv8100Demo() format.Payload {
	expires := issuedAt.Add(30 * 24 * time.Hour)
	return format.Payload{
		LocationID:      locationID,
		SystemType:      "SV8100",
		SystemName:      "SV8100",
		HardwareKeyCode: "190400324412",
		Features: []format.Feature{
			{PartNumber: "BE107585", Name: "LK-SYS-IP-TERMINAL-1-LIC", Stacking: format.StackingQuantity, Unlimited: true},
			{PartNumber: "BE107573", Name: "LK-SYS-256 PORT LIC", Stacking: format.StackingQuantity, Quantity: 1},
			{PartNumber: "BE114045", Name: "System software R10", Stacking: format.StackingVersion, Version: 10},
		},
		IssuedAt:  issuedAt,
		Sequence:  4,
		ExpiresAt: &expires,
	}
}

func TestFeature_Amount(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		feature format.Feature
		want    string
	}{
		{name: "Quantity", feature: format.Feature{Stacking: format.StackingQuantity, Quantity: 120}, want: "120"},
		{name: "Version", feature: format.Feature{Stacking: format.StackingVersion, Version: 6}, want: "V6"},
		{name: "Unlimited", feature: format.Feature{Stacking: format.StackingQuantity, Unlimited: true}, want: "unlimited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tt.want, tt.feature.Amount())
		})
	}
}

// A demo file verifies like any other, with its expiry and unlimited features as signed, and
// its .lic shows them in the canonical JSON.
func TestBuildVerify_Demo(t *testing.T) {
	t.Parallel()

	f, err := format.Build(testSigner(), format.LayoutSVI, sv8100Demo())
	require.NoError(t, err)
	got, err := format.Verify(f.Zip, testKeyring())
	require.NoError(t, err)
	require.Equal(t, f, got)

	p := got.Payloads[0]
	require.NotNil(t, p.ExpiresAt)
	require.Equal(t, time.Date(2025, time.July, 3, 8, 15, 30, 0, time.UTC), *p.ExpiresAt)
	require.True(t, p.Features[1].Unlimited, "features are sorted: BE107585 is second")
	require.Zero(t, p.Features[1].Quantity)

	lic := string(readEntries(t, f.Zip)[0].data)
	require.Contains(t, lic, `"stacking":"QUANTITY","unlimited":true}`)
	require.Contains(t, lic, `"sequence":4,"expiresAt":"2025-07-03T08:15:30Z"}`)

	// A file that does not expire says nothing about it, and a limited feature nothing about
	// limits: files issued before demo files existed keep their bytes.
	plain, err := format.Build(testSigner(), format.LayoutSVI, sv8100())
	require.NoError(t, err)
	plainLic := string(readEntries(t, plain.Zip)[0].data)
	require.NotContains(t, plainLic, "expiresAt")
	require.NotContains(t, plainLic, "unlimited")
}

// The expiry is signed: moving it, removing it or making a feature unlimited breaks the
// signature, so a demo file cannot be turned into a permanent one.
func TestVerify_DemoTampered(t *testing.T) {
	t.Parallel()

	f, err := format.Build(testSigner(), format.LayoutSVI, sv8100Demo())
	require.NoError(t, err)
	entries := readEntries(t, f.Zip)

	tests := []struct {
		name     string
		old, new string
	}{
		{name: "ExpiryMoved", old: `"expiresAt":"2025-07-03T08:15:30Z"`, new: `"expiresAt":"2125-07-03T08:15:30Z"`},
		{name: "ExpiryRemoved", old: `,"expiresAt":"2025-07-03T08:15:30Z"`, new: ``},
		{name: "LimitLifted", old: `"quantity":1}`, new: `"unlimited":true}`},
		{name: "LimitAdded", old: `"unlimited":true}`, new: `"quantity":9999}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			changed := append([]entry(nil), entries...)
			require.Contains(t, string(changed[0].data), tt.old)
			changed[0].data = []byte(strings.Replace(string(changed[0].data), tt.old, tt.new, 1))
			got, err := format.Verify(storeZip(t, changed), testKeyring())
			require.ErrorIs(t, err, format.ErrSignature)
			require.Nil(t, got)
		})
	}
}

func TestPayload_Expired(t *testing.T) {
	t.Parallel()

	demo := sv8100Demo()
	expires := *demo.ExpiresAt
	tests := []struct {
		name    string
		payload format.Payload
		now     time.Time
		want    bool
	}{
		{name: "NoExpiry", payload: sv8100(), now: time.Date(2999, time.January, 1, 0, 0, 0, 0, time.UTC), want: false},
		{name: "BeforeExpiry", payload: demo, now: expires.Add(-time.Second), want: false},
		{name: "AtExpiry", payload: demo, now: expires, want: true},
		{name: "AfterExpiry", payload: demo, now: expires.Add(time.Hour), want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tt.want, tt.payload.Expired(tt.now))
		})
	}
}
