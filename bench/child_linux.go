package bench

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill the server when the bench dies, even
// by SIGKILL, so that no server outlives its bench.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
