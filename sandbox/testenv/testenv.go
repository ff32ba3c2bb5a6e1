// Package testenv holds the one rule for test prerequisites (a real OS
// keyring, tmux, chromium, the tools of the Coder approach script): where
// CI=true, as .ci/run and every CI service set it, a missing prerequisite
// fails the test; anywhere else the test skips. Either way the message is
// one line that says what is missing and how to install it.
//
// It lives beside the sandbox because both exist only for tests and demos;
// it imports nothing of oauthdeck's, so every package's tests may use it.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Strict reports that missing prerequisites fail rather than skip.
func Strict() bool { return os.Getenv("CI") == "true" }

// Missing stops the test because what is not usable (err says why):
// install says how to get it.
func Missing(t testing.TB, what, install string, err error) {
	t.Helper()
	msg := what + " is not usable (" + err.Error() + "); " + install
	if Strict() {
		t.Fatal(msg + " [required because CI=true]")
	}
	t.Skip(msg + " [skipped; CI=true makes this fail]")
}

// Tool returns the path of a program the test needs, or stops the test
// (Missing) naming the Debian package that has it.
func Tool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, "install it: apt-get install -y --no-install-recommends "+debianPackage, err)
	}
	return p
}
