package workers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	t.Parallel()
	base := 30 * time.Second
	require.Equal(t, 30*time.Second, backoff(base, 1, 6*time.Hour))
	require.Equal(t, 60*time.Second, backoff(base, 2, 6*time.Hour))
	require.Equal(t, 8*time.Minute, backoff(base, 5, 6*time.Hour))
	require.Equal(t, 6*time.Hour, backoff(base, 40, 6*time.Hour))
}
