package keyring

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// DefaultTimeout bounds each OS keyring call when NewOS is given zero. A
// healthy Secret Service answers in milliseconds; a pending unlock prompt
// can block for ever.
const DefaultTimeout = 3 * time.Second

// maxStuck caps keyring calls still running after their caller gave up,
// so a keyring that hangs cannot pile up goroutines without bound.
const maxStuck = 4

// backend is the slice of go-keyring that osStore uses. Tests swap in a
// slow or failing one instead of go-keyring's global MockInit.
type backend struct {
	get func(service, user string) (string, error)
	set func(service, user, secret string) error
	del func(service, user string) error
	// stuck counts calls given up on whose goroutine has not returned. It
	// belongs to the backend, not the store: go-keyring is process-global,
	// so every store built by NewOS shares one count.
	stuck *atomic.Int32
}

var goKeyringBackend = backend{
	get:   gokeyring.Get,
	set:   gokeyring.Set,
	del:   gokeyring.Delete,
	stuck: new(atomic.Int32),
}

// osStore keeps each secret as one OS keyring item: service is the store's
// service name, user is the key.
type osStore struct {
	service string
	timeout time.Duration
	backend backend
	stuck   *atomic.Int32 // = backend.stuck
}

// NewOS returns a Store backed by the OS keyring (Secret Service on Linux,
// Keychain on macOS, Credential Manager on Windows). Every call returns
// within timeout (DefaultTimeout if zero) or the context's deadline.
func NewOS(service string, timeout time.Duration) Store {
	return newOSWithBackend(service, timeout, goKeyringBackend)
}

func newOSWithBackend(service string, timeout time.Duration, b backend) *osStore {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if b.stuck == nil {
		b.stuck = new(atomic.Int32)
	}
	return &osStore{service: service, timeout: timeout, backend: b, stuck: b.stuck}
}

func (s *osStore) Get(ctx context.Context, key string) (string, error) {
	if err := checkKey(ctx, key); err != nil {
		return "", err
	}
	var secret string
	err := s.call(ctx, "get", func() error {
		var err error
		secret, err = s.backend.get(s.service, key)
		return err
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

func (s *osStore) Set(ctx context.Context, key, secret string) error {
	if err := checkEntry(ctx, key, secret); err != nil {
		return err
	}
	return s.call(ctx, "set", func() error { return s.backend.set(s.service, key, secret) })
}

func (s *osStore) Delete(ctx context.Context, key string) error {
	if err := checkKey(ctx, key); err != nil {
		return err
	}
	err := s.call(ctx, "delete", func() error { return s.backend.del(s.service, key) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func (s *osStore) Kind() string { return osKeyringKind(runtime.GOOS) }
func (s *osStore) Secure() bool { return true }

func osKeyringKind(goos string) string {
	switch goos {
	case "darwin":
		return "OS keyring (macOS Keychain)"
	case "windows":
		return "OS keyring (Windows Credential Manager)"
	default:
		return "OS keyring (Secret Service)"
	}
}

// call runs op in a goroutine and waits for it, the timeout or ctx,
// whichever comes first. go-keyring cannot be cancelled, so a call we stop
// waiting for is "stuck" until the keyring answers; its result channel is
// buffered so it never blocks on the way out. Once maxStuck calls are stuck
// new ones fail at once instead of piling up.
func (s *osStore) call(ctx context.Context, opName string, op func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.stuck.Load() >= maxStuck {
		return &UnavailableError{Op: opName, Reason: ReasonBusy,
			Hint: "the keyring may be waiting for an unlock prompt; answer it or restart the keyring daemon, then try again"}
	}
	var mu sync.Mutex
	finished, abandoned := false, false
	done := make(chan error, 1)
	go func() {
		err := op()
		mu.Lock()
		finished = true
		if abandoned {
			s.stuck.Add(-1)
		}
		mu.Unlock()
		done <- err
	}()
	// abandon reports whether op is still running and, if so, marks it stuck.
	abandon := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			return false
		}
		abandoned = true
		s.stuck.Add(1)
		return true
	}
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return classify(opName, err)
	case <-timer.C:
		if !abandon() {
			return classify(opName, <-done)
		}
		return classify(opName, &TimeoutError{Op: opName, After: s.timeout})
	case <-ctx.Done():
		if !abandon() {
			return classify(opName, <-done)
		}
		return ctx.Err()
	}
}
