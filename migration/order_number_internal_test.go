package migration

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The guide's MIGSU_2019071769 is the 69th migration of 17 July 2019; the
// number has two digits, a third after the 99th, so numbers stay unique.
func TestOrderNumber(t *testing.T) {
	t.Parallel()
	day := time.Date(2019, time.July, 17, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		n    int
		want string
	}{
		{1, "MIGSU_2019071701"},
		{69, "MIGSU_2019071769"},
		{99, "MIGSU_2019071799"},
		{100, "MIGSU_20190717100"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, orderNumber(day, tt.n))
	}
}
