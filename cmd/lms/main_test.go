package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// asCommand makes the test binary run as the lms command: tests start it
// with this variable set and lms's arguments.
const asCommand = "LMS_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// `lms migrate` and `lms serve` started without a reachable PostgreSQL end
// with a message that names the URL tried and how to start one.
func TestUnreachableDatabaseSaysHowToStartOne(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	require.NoError(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	url := fmt.Sprintf("postgres://lms:s3cret@127.0.0.1:%d/lms?sslmode=disable", port)

	for _, tc := range []struct {
		name string
		args []string
		env  []string
	}{
		{"migrate", []string{"migrate"}, nil},
		{"seed", []string{"seed"}, nil},
		{"serve", []string{"serve"}, nil},
		{"serve without migrating", []string{"serve"}, []string{"LMS_SKIP_MIGRATE=true"}},
		{"serve -database-url", []string{"serve", "-database-url", url}, []string{"DATABASE_URL=postgres://postgres@127.0.0.1:5432/unused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(exe, tc.args...)
			cmd.Env = append(os.Environ(), asCommand+"=1", "DATABASE_URL="+url, "LMS_ENV=development",
				"LMS_HTTP_ADDR=127.0.0.1:0", "LMS_LICENSE_KEY_FILE="+filepath.Join(t.TempDir(), "key.pem"))
			cmd.Env = append(cmd.Env, tc.env...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "%s", out)
			require.Equal(t, 1, exit.ExitCode(), "%s", out)
			msg := string(out)
			require.Contains(t, msg, fmt.Sprintf("lms: cannot reach PostgreSQL at postgres://lms:xxxxx@127.0.0.1:%d/lms?sslmode=disable", port))
			require.NotContains(t, msg, "s3cret")
			for _, how := range []string{"sudo systemctl start postgresql", "pg_ctlcluster <version> main start", "docker compose up", "DATABASE_URL"} {
				require.Contains(t, msg, how)
			}
		})
	}
}
