//go:build !linux

package bench

import "os/exec"

// dieWithParent does nothing where the kernel cannot tie the server's life
// to the bench's: the bench stops it itself.
func dieWithParent(*exec.Cmd) {}
