//go:build windows

package flows

import "os/exec"

// ownGroup: on Windows the command is ended on its own (CommandContext's
// default); its children may outlive it.
func ownGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
