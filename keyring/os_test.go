package keyring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"oauthdeck/sandbox/testenv"

	"github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"
)

// requireOSKeyring returns a real OS keyring store under a service name
// unique to this test binary, or skips (fails in CI) with the reason.
func requireOSKeyring(t testing.TB) Store {
	t.Helper()
	service := testenv.KeyringService(t)
	store := NewOS(service, 10*time.Second)
	if err := Probe(context.Background(), store); err != nil {
		testenv.Missing(t, "the OS keyring", testenv.KeyringInstall, err)
	}
	t.Cleanup(func() { _ = gokeyring.DeleteAll(service) })
	return store
}

// blockingBackend blocks every call until release is closed and counts
// the calls that reached it.
type blockingBackend struct {
	release chan struct{}
	calls   atomic.Int32
}

func (b *blockingBackend) backend() backend {
	wait := func() { b.calls.Add(1); <-b.release }
	return backend{
		get: func(string, string) (string, error) { wait(); return "late", nil },
		set: func(string, string, string) error { wait(); return nil },
		del: func(string, string) error { wait(); return nil },
	}
}

// waitUnstuck polls until no abandoned backend goroutine of s is running.
func waitUnstuck(t *testing.T, s *osStore) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.stuck.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d keyring goroutines still running after the backend returned", s.stuck.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOSStoreTimesOutOnBlockedBackend(t *testing.T) {
	t.Parallel()
	bb := &blockingBackend{release: make(chan struct{})}
	s := newOSWithBackend("svc", 20*time.Millisecond, bb.backend())

	// The backend only returns once release is closed, which happens after
	// Get returns: so Get returning at all proves the timeout fired.
	_, err := s.Get(context.Background(), "k")
	var timeout *TimeoutError
	if !errors.As(err, &timeout) || timeout.Op != "get" {
		t.Fatalf("got %v, want a *TimeoutError for get", err)
	}
	var unavailable *UnavailableError
	if !errors.As(err, &unavailable) || unavailable.Reason != ReasonTimeout || !CanFallBack(err) {
		t.Fatalf("got %v, want an UnavailableError with ReasonTimeout", err)
	}
	if !strings.Contains(err.Error(), "timed out after 20ms") || !strings.Contains(err.Error(), "plain-file") {
		t.Fatalf("message lacks the timeout or the way forward: %v", err)
	}
	if err := s.Set(context.Background(), "k", "v"); !errors.As(err, &timeout) || timeout.Op != "set" {
		t.Fatalf("Set: got %v, want a *TimeoutError naming set", err)
	}
	if got := s.stuck.Load(); got != 2 {
		t.Fatalf("stuck calls = %d, want the 2 blocked ones", got)
	}
	close(bb.release)
	waitUnstuck(t, s) // the goroutines exit once the backend returns
}

func TestOSStoreContextCancelBeatsTimeout(t *testing.T) {
	t.Parallel()
	bb := &blockingBackend{release: make(chan struct{})}
	s := newOSWithBackend("svc", time.Hour, bb.backend())
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for bb.calls.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, err := s.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	close(bb.release)
	waitUnstuck(t, s)
}

func TestOSStoreRefusesToPileUpBlockedCalls(t *testing.T) {
	t.Parallel()
	bb := &blockingBackend{release: make(chan struct{})}
	s := newOSWithBackend("svc", time.Millisecond, bb.backend())
	ctx := context.Background()
	for range maxStuck {
		if _, err := s.Get(ctx, "k"); !CanFallBack(err) {
			t.Fatalf("blocked Get: %v", err)
		}
	}
	_, err := s.Get(ctx, "k")
	var unavailable *UnavailableError
	if !errors.As(err, &unavailable) || unavailable.Reason != ReasonBusy {
		t.Fatalf("got %v, want ReasonBusy once %d calls are stuck", err, maxStuck)
	}
	if got := bb.calls.Load(); got != maxStuck {
		t.Fatalf("backend reached %d times, want %d (the busy call must not reach it)", got, maxStuck)
	}
	close(bb.release)
	waitUnstuck(t, s)
	// The 1 ms limit was for the calls meant to block; an answer that comes
	// at once gets room (a loaded machine may not run it within 1 ms).
	s.timeout = 10 * time.Second
	if got, err := s.Get(ctx, "k"); err != nil || got != "late" {
		t.Fatalf("after the keyring recovered: %q, %v", got, err)
	}
}

func TestOSStoreMapsNotFound(t *testing.T) {
	t.Parallel()
	var deleted atomic.Int32
	s := newOSWithBackend("svc", time.Second, backend{
		get: func(string, string) (string, error) { return "", gokeyring.ErrNotFound },
		set: func(string, string, string) error { return nil },
		del: func(string, string) error { deleted.Add(1); return gokeyring.ErrNotFound },
	})
	if _, err := s.Get(context.Background(), "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get: got %v, want our ErrNotFound", err)
	}
	if err := s.Delete(context.Background(), "k"); err != nil || deleted.Load() != 1 {
		t.Fatalf("Delete of a missing item: %v (backend calls %d)", err, deleted.Load())
	}
}

// The error values below are the exact shapes go-keyring v0.2.8 and godbus
// produce (test-infra.md §1); each must land in the right class.
func TestOSStoreClassifiesBackendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		reason   Reason
		hintWord string
	}{
		{"no bus, no dbus-launch", &exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound}, ReasonNoSessionBus, "dbus-run-session"},
		{"dead bus socket", &net.OpError{Op: "dial", Net: "unix", Addr: &net.UnixAddr{Name: "/run/x/bus", Net: "unix"},
			Err: os.NewSyscallError("connect", syscall.ENOENT)}, ReasonNoSessionBus, "not running"},
		{"no secret service", dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown",
			Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, ReasonNoSecretService, "gnome-keyring"},
		{"no secret service (pointer)", &dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown",
			Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, ReasonNoSecretService, "KeePassXC"},
		{"never unlocked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ReasonLocked, "no unlocked default keyring"},
		{"locked login keyring", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'"), ReasonLocked, "login keyring is locked"},
		{"unsupported platform", gokeyring.ErrUnsupportedPlatform, ReasonUnsupported, "plain-file"},
		{"something else", errors.New("org.freedesktop.DBus.Error.NoReply: did not receive a reply"), ReasonOther, "secret-tool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOSWithBackend("svc", time.Second, backend{
				get: func(string, string) (string, error) { return "", tt.err },
				set: func(string, string, string) error { return tt.err },
				del: func(string, string) error { return tt.err },
			})
			for op, call := range map[string]func() error{
				"get":    func() error { _, err := s.Get(context.Background(), "k"); return err },
				"set":    func() error { return s.Set(context.Background(), "k", "v") },
				"delete": func() error { return s.Delete(context.Background(), "k") },
			} {
				err := call()
				var u *UnavailableError
				if !errors.As(err, &u) {
					t.Fatalf("%s: got %T %v, want *UnavailableError", op, err, err)
				}
				if u.Op != op || u.Reason != tt.reason || !reflect.DeepEqual(u.Err, tt.err) {
					t.Fatalf("%s: got op %q reason %q (wraps %v), want %q %q", op, u.Op, u.Reason, u.Err, op, tt.reason)
				}
				if !strings.Contains(err.Error(), tt.hintWord) || !strings.Contains(err.Error(), string(tt.reason)) {
					t.Fatalf("%s: message lacks reason or hint %q: %v", op, tt.hintWord, err)
				}
			}
		})
	}
}

func TestOSStoreMapsDataTooBig(t *testing.T) {
	t.Parallel()
	s := newOSWithBackend("svc", time.Second, backend{
		set: func(string, string, string) error { return gokeyring.ErrSetDataTooBig },
	})
	err := s.Set(context.Background(), "k", "v")
	var tooLarge *TooLargeError
	if !errors.As(err, &tooLarge) || CanFallBack(err) {
		t.Fatalf("got %v, want *TooLargeError (not a fallback case)", err)
	}
	if !strings.Contains(err.Error(), fmt.Sprint(MaxSecretBytes)) {
		t.Fatalf("message does not state the limit: %v", err)
	}
}

func TestOSKeyringKindNamesThePlatform(t *testing.T) {
	t.Parallel()
	for goos, want := range map[string]string{"linux": "Secret Service", "darwin": "Keychain", "windows": "Credential Manager"} {
		if got := osKeyringKind(goos); !strings.HasPrefix(got, "OS keyring") || !strings.Contains(got, want) {
			t.Errorf("osKeyringKind(%q) = %q", goos, got)
		}
	}
}

// Only calls that were given up on count towards maxStuck: many slow but
// healthy calls at once must all succeed.
func TestOSStoreAllowsManyConcurrentHealthyCalls(t *testing.T) {
	t.Parallel()
	const n = 3 * maxStuck
	var arrived atomic.Int32
	allArrived := make(chan struct{})
	s := newOSWithBackend("svc", 30*time.Second, backend{
		get: func(string, string) (string, error) {
			if arrived.Add(1) == n {
				close(allArrived)
			}
			<-allArrived // every call is in the backend at the same time
			return "ok", nil
		},
	})
	errs := make(chan error, n)
	for range n {
		go func() { _, err := s.Get(context.Background(), "k"); errs <- err }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent healthy call: %v", err)
		}
	}
}

func TestOSStoresShareTheStuckCount(t *testing.T) {
	t.Parallel()
	if NewOS("a", 0).(*osStore).stuck != NewOS("b", 0).(*osStore).stuck {
		t.Fatal("stores from NewOS keep separate stuck counts over one global go-keyring")
	}
	bb := &blockingBackend{release: make(chan struct{})}
	b := bb.backend()
	b.stuck = new(atomic.Int32)
	first, second := newOSWithBackend("a", time.Millisecond, b), newOSWithBackend("b", time.Millisecond, b)
	for range maxStuck {
		_, _ = first.Get(context.Background(), "k")
	}
	var u *UnavailableError
	if _, err := second.Get(context.Background(), "k"); !errors.As(err, &u) || u.Reason != ReasonBusy {
		t.Fatalf("second store: got %v, want ReasonBusy", err)
	}
	close(bb.release)
	waitUnstuck(t, first)
}
