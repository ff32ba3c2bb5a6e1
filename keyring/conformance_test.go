package keyring

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// randomHex returns n random bytes as hex, for unique keys and secrets.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// uniqueKey returns a key no other test (or earlier run) uses, and deletes
// it from store when the test ends.
func uniqueKey(t testing.TB, store Store, label string) string {
	t.Helper()
	key := fmt.Sprintf("oauthdeck-test %s %s", label, randomHex(t, 8))
	t.Cleanup(func() { _ = store.Delete(context.Background(), key) })
	return key
}

// runStoreConformance checks the behaviour every Store must share. The
// factory returns a fresh store for the memory and file backends and the
// shared real keyring for the OS backend; keys are unique either way.
func runStoreConformance(t *testing.T, newStore func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("missing key is ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Get(ctx, uniqueKey(t, s, "missing"))
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get of a missing key: got %v, want ErrNotFound", err)
		}
	})

	t.Run("set then get round-trips the exact bytes", func(t *testing.T) {
		s := newStore(t)
		for _, secret := range []string{
			"abcdefghij-ABCDEFGHIJKLMNOPQRSTUV",
			`{"access_token":"a\"b","refresh_token":"r/+=="}`,
			"ünïcødé ✓ 秘密",
			"line1\nline2\ttab",
			strings.Repeat("x", MaxSecretBytes),
		} {
			key := uniqueKey(t, s, "roundtrip")
			if err := s.Set(ctx, key, secret); err != nil {
				t.Fatalf("Set(%d bytes): %v", len(secret), err)
			}
			got, err := s.Get(ctx, key)
			if err != nil {
				t.Fatalf("Get after Set: %v", err)
			}
			if got != secret {
				t.Fatalf("Get returned %q, want %q", got, secret)
			}
		}
	})

	t.Run("set overwrites", func(t *testing.T) {
		s := newStore(t)
		key := uniqueKey(t, s, "overwrite")
		for _, secret := range []string{"first-" + randomHex(t, 4), "second-" + randomHex(t, 4)} {
			if err := s.Set(ctx, key, secret); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(ctx, key); err != nil || got != secret {
				t.Fatalf("Get = %q, %v; want %q", got, err, secret)
			}
		}
	})

	t.Run("delete removes only its key and tolerates missing keys", func(t *testing.T) {
		s := newStore(t)
		a, b := uniqueKey(t, s, "del-a"), uniqueKey(t, s, "del-b")
		if err := s.Set(ctx, a, "secret-a"); err != nil {
			t.Fatal(err)
		}
		if err := s.Set(ctx, b, "secret-b"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, a); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Get(ctx, a); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get after Delete: got %v, want ErrNotFound", err)
		}
		if got, err := s.Get(ctx, b); err != nil || got != "secret-b" {
			t.Fatalf("other key after Delete: %q, %v", got, err)
		}
		if err := s.Delete(ctx, a); err != nil {
			t.Fatalf("second Delete of the same key: %v", err)
		}
	})

	t.Run("URL spellings share one session key", func(t *testing.T) {
		s := newStore(t)
		host := "conformance-" + randomHex(t, 4) + ".example.com"
		k1, err := SessionKey("HTTPS://" + strings.ToUpper(host) + ":443/")
		if err != nil {
			t.Fatal(err)
		}
		k2, err := SessionKey("https://" + host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Delete(ctx, k1) })
		if err := s.Set(ctx, k1, "tok"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, k2); err != nil || got != "tok" {
			t.Fatalf("Get via other spelling: %q, %v", got, err)
		}
	})

	t.Run("bad input is refused with a specific error and stores nothing", func(t *testing.T) {
		s := newStore(t)
		key := uniqueKey(t, s, "bad")
		var tooLarge *TooLargeError
		if err := s.Set(ctx, key, strings.Repeat("y", MaxSecretBytes+1)); !errors.As(err, &tooLarge) {
			t.Fatalf("oversized secret: got %v, want *TooLargeError", err)
		} else if tooLarge.Size != MaxSecretBytes+1 || !strings.Contains(err.Error(), "2049 bytes") {
			t.Fatalf("TooLargeError does not say the size: %v", err)
		}
		if err := s.Set(ctx, key, ""); err == nil || !strings.Contains(err.Error(), "empty secret") {
			t.Fatalf("empty secret: got %v", err)
		}
		if err := s.Set(ctx, "", "x"); err == nil || !strings.Contains(err.Error(), "empty key") {
			t.Fatalf("empty key: got %v", err)
		}
		if err := s.Set(ctx, "bad\x1b[31mkey", "x"); err == nil || !strings.Contains(err.Error(), "control") {
			t.Fatalf("control characters in key: got %v", err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a refused Set stored something: %v", err)
		}
	})

	t.Run("cancelled context stops the call", func(t *testing.T) {
		s := newStore(t)
		key := uniqueKey(t, s, "cancel")
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Set(cctx, key, "never"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Set with cancelled context: got %v", err)
		}
		if _, err := s.Get(cctx, key); !errors.Is(err, context.Canceled) {
			t.Fatalf("Get with cancelled context: got %v", err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("cancelled Set stored something: %v", err)
		}
	})

	t.Run("concurrent use", func(t *testing.T) {
		s := newStore(t)
		const workers, rounds = 6, 4
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for w := range workers {
			key := uniqueKey(t, s, fmt.Sprintf("conc-%d", w))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					want := fmt.Sprintf("worker-%d-round-%d", w, r)
					if err := s.Set(ctx, key, want); err != nil {
						errs <- err
						return
					}
					if got, err := s.Get(ctx, key); err != nil || got != want {
						errs <- fmt.Errorf("worker %d: Get = %q, %w; want %q", w, got, err, want)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("probe succeeds and kind is named", func(t *testing.T) {
		s := newStore(t)
		if err := Probe(ctx, s); err != nil {
			t.Fatalf("Probe: %v", err)
		}
		if s.Kind() == "" {
			t.Fatal("Kind is empty")
		}
	})
}

func TestMemoryStoreConformance(t *testing.T) {
	t.Parallel()
	runStoreConformance(t, func(t *testing.T) Store { return NewMemory() })
}

func TestFileStoreConformance(t *testing.T) {
	t.Parallel()
	runStoreConformance(t, func(t *testing.T) Store {
		return NewFile(t.TempDir() + "/sub/secrets.json")
	})
}

func TestOSKeyringConformance(t *testing.T) {
	t.Parallel()
	store := requireOSKeyring(t)
	runStoreConformance(t, func(t *testing.T) Store { return store })
}
