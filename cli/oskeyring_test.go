package cli_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"oauthdeck/keyring"
	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

// TestLoginRealOSKeyring logs in with the real OS keyring (gnome-keyring in
// CI) and logs out again, under a throwaway service name
// (OAUTHDECK_KEYRING_SERVICE), so a developer's own entries are never touched.
func TestLoginRealOSKeyring(t *testing.T) {
	t.Parallel()
	service := testenv.KeyringService(t)
	osStore := keyring.NewOS(service, 5*time.Second)
	if err := keyring.Probe(context.Background(), osStore); err != nil {
		testenv.Missing(t, "the OS keyring", testenv.KeyringInstall, err)
	}
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.store = nil // the real OS keyring
	h.env["OAUTHDECK_KEYRING_SERVICE"] = service
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
