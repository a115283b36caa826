package lmstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"lms/licensefile/format"
)

// lmsBinary is the lms command Verify builds, once per test process.
var lmsBinary struct {
	once sync.Once
	path string
	err  error
}

// Verify runs the real `lms verify` command, as a user would, on a license
// file (its zip and file name) with the public key of e's signing key, and
// returns what it printed and its error. The command is built once per test
// process; a package that calls Verify ends its TestMain with
// RemoveBuiltCommand.
func Verify(t testing.TB, e *Env, zip []byte, name string) (string, error) {
	t.Helper()
	lmsBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "lms-bin")
		if err != nil {
			lmsBinary.err = err
			return
		}
		lmsBinary.path = filepath.Join(dir, "lms")
		if out, err := exec.Command("go", "build", "-o", lmsBinary.path, "lms/cmd/lms").CombinedOutput(); err != nil {
			lmsBinary.err = err
			t.Log(string(out))
		}
	})
	if lmsBinary.err != nil {
		t.Fatalf("build lms: %v", lmsBinary.err)
	}
	dir := t.TempDir()
	pub, err := format.MarshalPublicKey(e.Server.Graph.Services.Files.Keys[0].Key)
	if err != nil {
		t.Fatalf("public key: %v", err)
	}
	keyFile, file := filepath.Join(dir, "key.pem"), filepath.Join(dir, name)
	if err := os.WriteFile(keyFile, pub, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, zip, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lmsBinary.path, "verify", "-key", keyFile, file).CombinedOutput()
	return string(out), err
}

// RemoveBuiltCommand removes the lms command Verify built, if any.
func RemoveBuiltCommand() {
	if lmsBinary.path != "" {
		_ = os.RemoveAll(filepath.Dir(lmsBinary.path))
	}
}
