package server

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// LMS_CORS_ORIGINS takes exact origins only.
func TestParseOrigins(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want []string
		err  bool
	}{
		{in: "", want: nil},
		{in: "https://app.example.com", want: []string{"https://app.example.com"}},
		{in: " https://App.Example.com , http://localhost:5173,", want: []string{"https://app.example.com", "http://localhost:5173"}},
		{in: "https://app.example.com/", err: true},
		{in: "https://app.example.com/ui", err: true},
		{in: "app.example.com", err: true},
		{in: "*", err: true},
		{in: "https://*.example.com", err: true},
		{in: "ftp://app.example.com", err: true},
		{in: "https://user@app.example.com", err: true},
	}
	for _, tc := range cases {
		got, err := parseOrigins(tc.in)
		if tc.err {
			require.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}
