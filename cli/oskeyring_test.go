package cli_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// TestLoginRealOSKeyring logs in with the real OS keyring (gnome-keyring in
// CI) and logs out again. It runs only where a throwaway keyring is
// guaranteed (OAUTHDECK_REQUIRE_KEYRING=1, set by .ci/run), so it never
// touches a developer's own keyring; there it must not skip.
func TestLoginRealOSKeyring(t *testing.T) {
	if os.Getenv("OAUTHDECK_REQUIRE_KEYRING") != "1" {
		t.Skip("set OAUTHDECK_REQUIRE_KEYRING=1 inside a throwaway keyring session to run")
	}
	osStore := keyring.NewOS("oauthdeck", 5*time.Second)
	if err := keyring.Probe(context.Background(), osStore); err != nil {
		t.Fatalf("OAUTHDECK_REQUIRE_KEYRING=1 but the OS keyring is unavailable: %v", err)
	}
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.store = nil // the real OS keyring
	key := sessionKey(t, srv.URL())
	t.Cleanup(func() { osStore.Delete(context.Background(), key) })

	r := h.run(srv.AdminSessionToken(), "login", srv.URL())
	if r.code != 0 {
		t.Fatalf("login: %s", r.stderr)
	}
	if got, err := osStore.Get(context.Background(), key); err != nil || got != srv.AdminSessionToken() {
		t.Fatalf("OS keyring holds %q, %v", got, err)
	}
	mustContain(t, h.ok("", "status"), "Token from:", osStore.Kind())
	h.ok("", "logout")
	if _, err := osStore.Get(context.Background(), key); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("logout left the token in the OS keyring: %v", err)
	}
}
