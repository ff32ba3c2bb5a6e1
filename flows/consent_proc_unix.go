//go:build !windows

package flows

import (
	"os/exec"
	"syscall"
)

// ownGroup runs cmd in a process group of its own, so that ending it ends
// whatever the shell started too (a headless browser, a background curl).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
}

// killGroup ends cmd's process group, the shell's children included. After
// the shell has exited its group may live on in them; a group that is gone
// already is not an error.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		return err
	}
	return nil
}
