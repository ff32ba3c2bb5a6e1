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
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
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

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Binary builds the oauthdeck command once per test process (CGO off, as
// it ships) and returns its path; the end-to-end tests of every package use
// it. A failed build fails the test with the compiler's output.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "oauthdeck-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "oauthdeck")
		goBin, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("the go tool is not in PATH: %w", err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		build := exec.CommandContext(ctx, goBin, "build", "-o", buildPath, "oauthdeck")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// RemoveBinary deletes what Binary built; call it from TestMain after m.Run.
func RemoveBinary() {
	if buildPath != "" {
		_ = os.RemoveAll(filepath.Dir(buildPath))
	}
}

// KeyringInstall says how to get a usable OS keyring for the tests.
const KeyringInstall = "install gnome-keyring and libsecret-tools and run the tests inside an unlocked session (see .ci/run)"

// KeyringService is a throwaway OS keyring service name
// ("oauthdeck-test-<random>"): tests never write a developer's own entries,
// which live under "oauthdeck".
func KeyringService(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "oauthdeck-test-" + hex.EncodeToString(b)
}
