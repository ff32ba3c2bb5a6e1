package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"oauthdeck/keyring"
)

// lockedStore is an OS keyring that is there but locked: every call fails
// the way keyring.NewOS reports a locked collection.
type lockedStore struct{}

var errLocked = &keyring.UnavailableError{Op: "get", Reason: keyring.ReasonLocked,
	Hint: "unlock your login keyring (or start gnome-keyring-daemon --unlock)", Err: errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'")}

func (lockedStore) Get(ctx context.Context, key string) (string, error) { return "", errLocked }
func (lockedStore) Set(ctx context.Context, key, secret string) error   { return errLocked }
func (lockedStore) Delete(ctx context.Context, key string) error        { return errLocked }
func (lockedStore) Kind() string                                        { return "OS keyring (Secret Service)" }
func (lockedStore) Secure() bool                                        { return true }

func TestLockedKeyringAtStartIsExplained(t *testing.T) {
	srv := hostileServer(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.json")
	cfg := &keyring.Config{}
	if err := cfg.Upsert(keyring.Deployment{URL: srv.URL, Username: "admin", TokenStore: keyring.TokenStoreKeyring}); err != nil {
		t.Fatal(err)
	}
	cfg.Current = srv.URL
	if err := cfg.Save(cfgPath); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CODER_SESSION_TOKEN", "")
	t.Setenv("CODER_URL", "")
	h := newRealHarness(t, Deps{Store: lockedStore{}, ConfigPath: cfgPath}, 140, 30)
	h.waitScreen("No usable session for "+srv.URL, "locked")
	h.requireScreen("no deployment") // nothing was half-opened
}

func TestLockedKeyringOnSaveOffersPlainFile(t *testing.T) {
	srv := hostileServer(t)
	dir := t.TempDir()
	t.Setenv("OAUTHDECK_CONFIG_DIR", dir)
	t.Setenv("CODER_URL", "")
	t.Setenv("CODER_SESSION_TOKEN", "")
	cfgPath := filepath.Join(dir, "config.json")
	h := newRealHarness(t, Deps{Store: lockedStore{}, ConfigPath: cfgPath}, 120, 30)
	h.key("n")
	h.typeText(srv.URL)
	h.key("tab", "tab")
	h.typeText("abcdefghij-0123456789abcdefghijkl")
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("OS keyring unavailable", "plain file")
	h.key("n") // refuse: nothing is written anywhere
	p, _ := keyring.DefaultSecretsFilePath()
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("secrets file written without consent: %v", err)
	}
	h.requireScreen("Add a deployment", "locked")
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("OS keyring unavailable")
	h.key("y")
	h.waitScreen("Signed in to " + srv.URL)
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("plain-file fallback: %v %v", fi, err)
	}
	h.requireScreen("plain file")

	// Next start: the token is found in the plain file, not the locked keyring.
	h2 := newRealHarness(t, Deps{Store: lockedStore{}, ConfigPath: cfgPath}, 120, 30)
	h2.waitScreen("In use: "+srv.URL, "plain file (")
}

func TestServerDiesMidScreen(t *testing.T) {
	t.Parallel()
	srv := hostileServer(t)
	h := newRealHarness(t, Deps{InitialURL: srv.URL, InitialToken: "tok-test"}, 120, 30)
	h.key("2")
	h.waitScreen("1 of 1")
	srv.CloseClientConnections()
	srv.Close()
	h.key("r")
	h.waitScreen("Cannot reach the deployment", "Press r to retry")
	h.key("enter") // the old row is gone; nothing to open, nothing breaks
	h.key("3")
	h.key("r")
	h.waitScreen("Cannot reach the deployment")
}
