package keyring

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"oauthdeck/sandbox/testenv"
)

// These tests re-run this test binary as a child process. godbus caches the
// session bus connection per process, so a different D-Bus environment, or
// a truly separate reader and writer, needs a separate process.

const helperEnv = "OAUTHDECK_KEYRING_HELPER"

// TestKeyringHelperProcess is the child side; it does nothing in a normal run.
func TestKeyringHelperProcess(t *testing.T) {
	t.Parallel()
	action := os.Getenv(helperEnv)
	if action == "" {
		return
	}
	ctx := context.Background()
	timeout := 10 * time.Second
	if d, err := time.ParseDuration(os.Getenv("HELPER_TIMEOUT")); err == nil {
		timeout = d
	}
	store := NewOS(os.Getenv("HELPER_SERVICE"), timeout)
	key, secret := os.Getenv("HELPER_KEY"), os.Getenv("HELPER_SECRET")
	switch action {
	case "write":
		if err := store.Set(ctx, key, secret); err != nil {
			t.Fatalf("child Set: %v", err)
		}
		fmt.Println("HELPER-RESULT=written")
	case "read":
		got, err := store.Get(ctx, key)
		if err != nil {
			t.Fatalf("child Get: %v", err)
		}
		if got != secret {
			t.Fatalf("child read a different secret (%d bytes, want %d)", len(got), len(secret))
		}
		fmt.Println("HELPER-RESULT=matched")
	case "probe":
		err := Probe(ctx, store)
		if u := (*UnavailableError)(nil); errors.As(err, &u) {
			fmt.Printf("HELPER-RESULT=%s\nHELPER-MESSAGE=%s\n", u.Reason, u.Error())
		} else {
			fmt.Printf("HELPER-RESULT=%v\n", err)
		}
	default:
		t.Fatalf("unknown helper action %q", action)
	}
}

// runHelper runs the child with env (replacing any same-named variables;
// a value of "\x00" removes the variable) and returns its HELPER-RESULT.
func runHelper(t *testing.T, action string, env map[string]string) (result, output string) {
	t.Helper()
	var childEnv []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if _, override := env[name]; !override {
			childEnv = append(childEnv, kv)
		}
	}
	for name, value := range env {
		if value != "\x00" {
			childEnv = append(childEnv, name+"="+value)
		}
	}
	childEnv = append(childEnv, helperEnv+"="+action)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKeyringHelperProcess$", "-test.count=1", "-test.v")
	cmd.Env = childEnv
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper %q failed: %v\n%s", action, err, out)
	}
	for line := range strings.Lines(string(out)) {
		if r, ok := strings.CutPrefix(strings.TrimSpace(line), "HELPER-RESULT="); ok {
			return r, string(out)
		}
	}
	t.Fatalf("helper %q printed no result:\n%s", action, out)
	return "", ""
}

func TestOSKeyringPersistsAcrossProcesses(t *testing.T) {
	t.Parallel()
	store := requireOSKeyring(t)
	service := store.(*osStore).service
	key := "persist " + randomHex(t, 8)
	secret := "persisted-" + randomHex(t, 16)
	env := map[string]string{"HELPER_SERVICE": service, "HELPER_KEY": key, "HELPER_SECRET": secret}

	if r, out := runHelper(t, "write", env); r != "written" {
		t.Fatalf("writer: %s\n%s", r, out)
	}
	if r, out := runHelper(t, "read", env); r != "matched" {
		t.Fatalf("reader in a second process: %s\n%s", r, out)
	}
	// And this third process sees it too, then removes it.
	if got, err := store.Get(context.Background(), key); err != nil || got != secret {
		t.Fatalf("parent Get: %v (match %v)", err, got == secret)
	}
	if err := store.Delete(context.Background(), key); err != nil {
		t.Fatal(err)
	}
}

// startPrivateBus runs a dbus-daemon with its own config. With activation
// it may start gnome-keyring (never unlocked, in a throwaway data dir).
func startPrivateBus(t *testing.T, activation bool) string {
	t.Helper()
	testenv.Tool(t, "dbus-daemon", "dbus-daemon")
	testenv.Tool(t, "gnome-keyring-daemon", "gnome-keyring")
	dir := t.TempDir()
	servicedirs := ""
	if activation {
		servicedirs = "<standard_session_servicedirs/>"
	}
	config := fmt.Sprintf(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  %s
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`, filepath.Join(dir, "bus"), servicedirs)
	configPath := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"data", "runtime"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+configPath, "--nofork", "--print-address=1")
	// Activated services inherit this environment: a fresh, empty keyring home.
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_RUNTIME_DIR="+filepath.Join(dir, "runtime"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(line)
}

// silentSecretService owns the Secret Service name and takes every call
// without answering until the test ends: a keyring that hangs.
type silentSecretService struct{ release chan struct{} }

func (s silentSecretService) OpenSession(string, dbus.Variant) (dbus.Variant, dbus.ObjectPath, *dbus.Error) {
	<-s.release
	return dbus.MakeVariant(""), "/", nil
}

func (s silentSecretService) Unlock([]dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	<-s.release
	return nil, "/", nil
}

func (s silentSecretService) SearchItems(map[string]string) ([]dbus.ObjectPath, []dbus.ObjectPath, *dbus.Error) {
	<-s.release
	return nil, nil, nil
}

func startSilentSecretService(t *testing.T, addr string) {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	svc := silentSecretService{release: make(chan struct{})}
	t.Cleanup(func() { close(svc.release); _ = conn.Close() })
	if err := conn.Export(svc, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.secrets", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning org.freedesktop.secrets: %v %v", reply, err)
	}
}

// startUnlockedKeyring starts gnome-keyring on a private bus, unlocked with
// a password (which creates its login collection), and waits until it owns
// the Secret Service name. It exits when the bus is killed at cleanup.
func startUnlockedKeyring(t *testing.T) string {
	t.Helper()
	addr := startPrivateBus(t, false)
	dir := t.TempDir()
	cmd := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets")
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+addr, "XDG_DATA_HOME="+dir, "XDG_RUNTIME_DIR="+dir)
	cmd.Stdin = strings.NewReader("test-keyring-pw")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gnome-keyring-daemon --unlock: %v\n%s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := busSendOut(addr, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
			"string:org.freedesktop.secrets")
		if strings.Contains(out, "boolean true") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("gnome-keyring did not claim org.freedesktop.secrets")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return addr
}

// busSendOut calls method over dbus-send on the bus at addr.
func busSendOut(addr, dest, path, method string, args ...string) (string, error) {
	argv := append([]string{"--bus=" + addr, "--print-reply", "--dest=" + dest, path, method}, args...)
	out, err := exec.Command("dbus-send", argv...).CombinedOutput()
	return string(out), err
}

func busSend(t *testing.T, addr, dest, path, method string, args ...string) {
	t.Helper()
	if out, err := busSendOut(addr, dest, path, method, args...); err != nil {
		t.Fatalf("dbus-send %s: %v\n%s", method, err, out)
	}
}

func helperLine(out, prefix string) string {
	for line := range strings.Lines(out) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			return v
		}
	}
	return ""
}

// TestOSKeyringRealFailuresAreClassified drives the real go-keyring into
// each broken environment and checks the reason the user would see.
func TestOSKeyringRealFailuresAreClassified(t *testing.T) {
	t.Parallel()
	t.Run("bus address points to a dead socket", func(t *testing.T) {
		dead := "unix:path=" + filepath.Join(t.TempDir(), "no-such-bus")
		r, out := runHelper(t, "probe", map[string]string{"DBUS_SESSION_BUS_ADDRESS": dead, "HELPER_SERVICE": "oauthdeck-probe"})
		if r != string(ReasonNoSessionBus) {
			t.Fatalf("got %q, want %q\n%s", r, ReasonNoSessionBus, out)
		}
	})
	t.Run("no bus address and no dbus-launch", func(t *testing.T) {
		if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
			t.Skip("a per-user bus socket exists, which godbus would find by itself")
		}
		r, out := runHelper(t, "probe", map[string]string{
			"DBUS_SESSION_BUS_ADDRESS": "\x00", "PATH": t.TempDir(), "HELPER_SERVICE": "oauthdeck-probe"})
		if r != string(ReasonNoSessionBus) || !strings.Contains(out, "dbus-run-session") {
			t.Fatalf("got %q, want %q with a hint\n%s", r, ReasonNoSessionBus, out)
		}
	})
	t.Run("bus without a Secret Service", func(t *testing.T) {
		addr := startPrivateBus(t, false)
		r, out := runHelper(t, "probe", map[string]string{"DBUS_SESSION_BUS_ADDRESS": addr, "HELPER_SERVICE": "oauthdeck-probe"})
		if r != string(ReasonNoSecretService) {
			t.Fatalf("got %q, want %q\n%s", r, ReasonNoSecretService, out)
		}
	})
	t.Run("locked over D-Bus", func(t *testing.T) {
		addr := startUnlockedKeyring(t)
		env := map[string]string{"DBUS_SESSION_BUS_ADDRESS": addr, "HELPER_SERVICE": "oauthdeck-locked-test",
			"HELPER_KEY": "k", "HELPER_SECRET": "s3cret"}
		if r, out := runHelper(t, "write", env); r != "written" {
			t.Fatalf("write on the unlocked keyring: %q\n%s", r, out)
		}
		busSend(t, addr, "org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
			"array:objpath:/org/freedesktop/secrets/collection/login")
		start := time.Now()
		r, out := runHelper(t, "probe", env)
		if r != string(ReasonLocked) {
			t.Fatalf("got %q after %s, want %q\n%s", r, time.Since(start).Round(time.Millisecond), ReasonLocked, out)
		}
		msg := helperLine(out, "HELPER-MESSAGE=")
		t.Logf("after %s: %s", time.Since(start).Round(time.Millisecond), msg)
		if strings.Contains(msg, "\n") || !strings.Contains(strings.ToLower(msg), "unlock") {
			t.Fatalf("the message gives no cause and fix in one line: %q", msg)
		}
	})
	t.Run("a Secret Service that never answers", func(t *testing.T) {
		addr := startPrivateBus(t, false)
		startSilentSecretService(t, addr)
		start := time.Now()
		r, out := runHelper(t, "probe", map[string]string{"DBUS_SESSION_BUS_ADDRESS": addr,
			"HELPER_SERVICE": "oauthdeck-slow-test", "HELPER_TIMEOUT": "400ms"})
		took := time.Since(start)
		if r != string(ReasonTimeout) {
			t.Fatalf("got %q after %s, want %q\n%s", r, took.Round(time.Millisecond), ReasonTimeout, out)
		}
		t.Logf("after %s: %s", took.Round(time.Millisecond), helperLine(out, "HELPER-MESSAGE="))
	})
	t.Run("gnome-keyring activated but never unlocked", func(t *testing.T) {
		addr := startPrivateBus(t, true)
		r, out := runHelper(t, "probe", map[string]string{"DBUS_SESSION_BUS_ADDRESS": addr, "HELPER_SERVICE": "oauthdeck-probe"})
		if r != string(ReasonLocked) {
			t.Fatalf("got %q, want %q\n%s", r, ReasonLocked, out)
		}
	})
}

// TestOSKeyringItemsAreVisibleToOtherClients checks with libsecret's
// secret-tool that our items are ordinary Secret Service items (service and
// username attributes), and that a deletion made elsewhere is seen here.
func TestOSKeyringItemsAreVisibleToOtherClients(t *testing.T) {
	t.Parallel()
	store := requireOSKeyring(t)
	testenv.Tool(t, "secret-tool", "libsecret-tools")
	service := store.(*osStore).service
	key, err := SessionKey("https://interop-" + randomHex(t, 4) + ".example.com")
	if err != nil {
		t.Fatal(err)
	}
	secret := "interop-" + randomHex(t, 12)
	ctx := context.Background()
	if err := store.Set(ctx, key, secret); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("secret-tool", "lookup", "service", service, "username", key).Output()
	if err != nil || strings.TrimSpace(string(out)) != secret {
		t.Fatalf("secret-tool lookup: err %v, matched %v", err, strings.TrimSpace(string(out)) == secret)
	}
	if out, err := exec.Command("secret-tool", "clear", "service", service, "username", key).CombinedOutput(); err != nil {
		t.Fatalf("secret-tool clear: %v\n%s", err, out)
	}
	if _, err := store.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after an external delete: got %v, want ErrNotFound", err)
	}
}
