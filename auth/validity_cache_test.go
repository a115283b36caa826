package auth

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// The validity cache answers within the time to live only, forgets on
// demand, caches nothing with a zero time to live, and stays bounded.
func TestValidityCache(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	id := uuid.New()

	cases := []struct {
		name      string
		ttl       time.Duration
		at        time.Duration // after t0
		forget    bool
		wantValid bool
		wantOK    bool
	}{
		{name: "fresh", ttl: 5 * time.Second, at: 4 * time.Second, wantValid: true, wantOK: true},
		{name: "expired", ttl: 5 * time.Second, at: 5 * time.Second},
		{name: "forgotten", ttl: 5 * time.Second, at: time.Second, forget: true},
		{name: "zero time to live", ttl: 0, at: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c validityCache
			c.put(id, true, t0, tc.ttl)
			if tc.forget {
				c.forget(id)
			}
			valid, ok := c.get(id, t0.Add(tc.at))
			require.Equal(t, tc.wantOK, ok)
			require.Equal(t, tc.wantValid, valid)
		})
	}

	t.Run("bounded", func(t *testing.T) {
		t.Parallel()
		var c validityCache
		for i := range maxCachedTokens {
			ttl := time.Hour
			if i%2 == 0 {
				ttl = time.Second
			}
			c.put(uuid.New(), true, t0, ttl)
		}
		// Full: the expired half goes.
		c.put(id, false, t0.Add(time.Minute), time.Hour)
		require.Len(t, c.entries, maxCachedTokens/2+1)
		valid, ok := c.get(id, t0.Add(time.Minute))
		require.True(t, ok)
		require.False(t, valid)
		// Full of live answers: all go.
		for len(c.entries) < maxCachedTokens {
			c.put(uuid.New(), true, t0.Add(time.Minute), time.Hour)
		}
		c.put(uuid.New(), true, t0.Add(time.Minute), time.Hour)
		require.Len(t, c.entries, 1)
	})
}
