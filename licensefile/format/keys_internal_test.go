package format

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// defaultKeyPath is tested with its environment passed in, so the test can run in parallel
// (t.Setenv cannot).
func TestDefaultKeyPath(t *testing.T) {
	t.Parallel()

	configDir := func() (string, error) { return filepath.FromSlash("/home/dev/.config"), nil }
	noConfigDir := func() (string, error) { return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME are defined") }
	tests := []struct {
		name      string
		env       string
		configDir func() (string, error)
		want      string
		wantErr   string
	}{
		{name: "Env", env: "/etc/lms/key.pem", configDir: noConfigDir, want: "/etc/lms/key.pem"},
		{name: "UserConfigDir", configDir: configDir, want: filepath.FromSlash("/home/dev/.config/lms/license-signing-key.pem")},
		{name: "Neither", configDir: noConfigDir, wantErr: "no place for the signing key (set LMS_LICENSE_KEY_FILE)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			getenv := func(name string) string {
				if name == KeyFileEnv {
					return tt.env
				}
				return ""
			}
			got, err := defaultKeyPath(getenv, tt.configDir)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
