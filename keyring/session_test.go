package keyring

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const (
	deployA = "https://a.example.com"
	deployB = "https://b.example.com"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// coderCLIDir writes a Coder CLI config dir the way the CLI does (0600
// files, trailing newline) and returns it.
func coderCLIDir(t *testing.T, url, session string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "coderv2")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"url": url, "session": session} {
		if content == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// brokenKeyring is a real osStore whose backend fails like a machine with
// no session bus.
func brokenKeyring() Store {
	err := &exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound}
	return newOSWithBackend("svc", time.Second, backend{
		get: func(string, string) (string, error) { return "", err },
		set: func(string, string, string) error { return err },
		del: func(string, string) error { return err },
	})
}

func storeWithSession(t *testing.T, url, token string) Store {
	t.Helper()
	s := NewMemory()
	key, err := SessionKey(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(context.Background(), key, token); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestResolveSessionOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cliDir := coderCLIDir(t, "https://A.example.com/\n", "cli0000000-cccccccccccccccccccccc\n")
	store := storeWithSession(t, deployA, "kr00000000-kkkkkkkkkkkkkkkkkkkkkk")

	tests := []struct {
		name       string
		url        string
		env        map[string]string
		store      Store
		allow      bool
		wantToken  string
		wantURL    string
		wantSource string // substring
		wantErr    string // substring of a NoSessionError
	}{
		{name: "environment beats keyring and CLI", url: deployA,
			env: map[string]string{"CODER_URL": "a.example.com:443", "CODER_SESSION_TOKEN": " env0000000-eeeeeeeeeeeeeeeeeeeeee\n"}, store: store, allow: true,
			wantToken: "env0000000-eeeeeeeeeeeeeeeeeeeeee", wantURL: deployA, wantSource: "environment CODER_SESSION_TOKEN"},
		{name: "environment for another deployment is ignored", url: deployA,
			env: map[string]string{"CODER_URL": deployB, "CODER_SESSION_TOKEN": "env-b"}, store: store, allow: true,
			wantToken: "kr00000000-kkkkkkkkkkkkkkkkkkkkkk", wantURL: deployA, wantSource: "memory"},
		{name: "token without CODER_URL is ignored", url: deployA,
			env: map[string]string{"CODER_SESSION_TOKEN": "env-x"}, store: store,
			wantToken: "kr00000000-kkkkkkkkkkkkkkkkkkkkkk", wantURL: deployA, wantSource: "memory"},
		{name: "malformed environment token is ignored", url: deployA,
			env: map[string]string{"CODER_URL": deployA, "CODER_SESSION_TOKEN": "<html>\n<body>"}, store: store,
			wantToken: "kr00000000-kkkkkkkkkkkkkkkkkkkkkk", wantURL: deployA, wantSource: "memory"},
		{name: "no URL requested takes CODER_URL",
			env: map[string]string{"CODER_URL": "https://B.example.com/", "CODER_SESSION_TOKEN": "env-b"}, store: store,
			wantToken: "env-b", wantURL: deployB, wantSource: "environment"},
		{name: "keyring beats CLI import", url: deployA, store: store, allow: true,
			wantToken: "kr00000000-kkkkkkkkkkkkkkkkkkkkkk", wantURL: deployA, wantSource: "memory"},
		{name: "CLI import only when allowed", url: deployA, store: NewMemory(),
			wantErr: "Coder CLI import not requested"},
		{name: "CLI import when allowed", url: deployA, store: NewMemory(), allow: true,
			wantToken: "cli0000000-cccccccccccccccccccccc", wantURL: deployA, wantSource: "Coder CLI config (" + cliDir + ")"},
		{name: "CLI import for another deployment is refused", url: deployB, store: NewMemory(), allow: true,
			wantErr: "logged in to https://a.example.com, not this deployment"},
		{name: "no URL, import allowed", store: NewMemory(), allow: true,
			wantToken: "cli0000000-cccccccccccccccccccccc", wantURL: deployA, wantSource: "Coder CLI config"},
		{name: "broken keyring, import allowed", url: deployA, store: brokenKeyring(), allow: true,
			wantToken: "cli0000000-cccccccccccccccccccccc", wantURL: deployA, wantSource: "Coder CLI config"},
		{name: "broken keyring is reported", url: deployA, store: brokenKeyring(),
			wantErr: "no D-Bus session bus"},
		{name: "nothing anywhere", url: deployB, store: store,
			wantErr: "no entry in the memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ResolveSession(ctx, ResolveOptions{URL: tt.url, Store: tt.store, Env: envFrom(tt.env),
				AllowCoderCLIImport: tt.allow, CoderConfigDir: cliDir})
			if tt.wantErr != "" {
				var none *NoSessionError
				if !errors.As(err, &none) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, %v; want NoSessionError containing %q", s, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Token != tt.wantToken || s.URL != tt.wantURL || !strings.Contains(s.Source, tt.wantSource) {
				t.Fatalf("got URL %q source %q token match %v; want %q %q", s.URL, s.Source, s.Token == tt.wantToken, tt.wantURL, tt.wantSource)
			}
		})
	}
}

func TestResolveSessionKeepsKeyringFailureForCaller(t *testing.T) {
	t.Parallel()
	_, err := ResolveSession(context.Background(), ResolveOptions{URL: deployA, Store: brokenKeyring(), Env: envFrom(nil)})
	var u *UnavailableError
	if !errors.As(err, &u) || u.Reason != ReasonNoSessionBus {
		t.Fatalf("got %v; want the UnavailableError reachable with errors.As", err)
	}
	if _, err := ResolveSession(context.Background(), ResolveOptions{URL: "ftp://x", Env: envFrom(nil)}); err == nil {
		t.Fatal("bad URL accepted")
	}
}

func TestResolveSessionFindsCLIDirFromEnvironment(t *testing.T) {
	cliDir := coderCLIDir(t, deployA, "cli0000000-cccccccccccccccccccccc")
	s, err := ResolveSession(context.Background(), ResolveOptions{URL: deployA, AllowCoderCLIImport: true,
		Env: envFrom(map[string]string{"CODER_CONFIG_DIR": cliDir})})
	if err != nil || !strings.Contains(s.Source, cliDir) {
		t.Fatalf("CODER_CONFIG_DIR not honoured: %v, %v", s, err)
	}
	base := filepath.Dir(cliDir) // .../coderv2 lives under an XDG_CONFIG_HOME
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		d, err := DefaultCoderConfigDir(envFrom(map[string]string{"XDG_CONFIG_HOME": base, "HOME": "/nonexistent"}))
		if err != nil || d != cliDir {
			t.Fatalf("DefaultCoderConfigDir with XDG_CONFIG_HOME = %q, %v; want %q", d, err, cliDir)
		}
		d, err = DefaultCoderConfigDir(envFrom(map[string]string{"HOME": "/home/u"}))
		if err != nil || d != "/home/u/.config/coderv2" {
			t.Fatalf("DefaultCoderConfigDir with HOME only = %q, %v", d, err)
		}
	}
	t.Setenv("CODER_CONFIG_DIR", cliDir)
	if d, err := DefaultCoderConfigDir(nil); err != nil || d != cliDir {
		t.Fatalf("nil env must read the process environment: %q, %v", d, err)
	}
	if _, err := DefaultCoderConfigDir(envFrom(nil)); err == nil || !strings.Contains(err.Error(), "CODER_CONFIG_DIR") {
		t.Fatalf("no HOME, no XDG: %v", err)
	}
}

func TestImportCoderCLI(t *testing.T) {
	t.Parallel()
	t.Run("trims and normalises", func(t *testing.T) {
		u, tok, err := ImportCoderCLI(coderCLIDir(t, "  HTTPS://Coder.Example.com:443/ \n", "\tabcdefghij-0123456789012345678901\r\n"))
		if err != nil || u != "https://coder.example.com" || tok != "abcdefghij-0123456789012345678901" {
			t.Fatalf("got %q %q %v", u, tok, err)
		}
	})
	t.Run("no url file", func(t *testing.T) {
		_, _, err := ImportCoderCLI(t.TempDir())
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "coder login <url>") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("no session file", func(t *testing.T) {
		_, _, err := ImportCoderCLI(coderCLIDir(t, deployA, ""))
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no session file") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("garbage session", func(t *testing.T) {
		_, _, err := ImportCoderCLI(coderCLIDir(t, deployA, "<html>\n<body>Sign in</body>"))
		if err == nil || !strings.Contains(err.Error(), "spaces or control characters") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("bad url", func(t *testing.T) {
		_, _, err := ImportCoderCLI(coderCLIDir(t, "ftp://x", "tok"))
		if err == nil || !strings.Contains(err.Error(), "http or https") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestSessionStringMasksToken(t *testing.T) {
	t.Parallel()
	s := Session{URL: deployA, Token: "supersecret-token", Source: "memory"}
	for _, out := range []string{s.String(), fmt.Sprintf("%v", s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s)} {
		if strings.Contains(out, "supersecret") || !strings.Contains(out, deployA) {
			t.Fatalf("printed session: %q", out)
		}
	}
}

func TestSaveAndDeleteSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("keyring store", func(t *testing.T) {
		store, cfg := NewMemory(), &Config{}
		if err := SaveSession(ctx, store, cfg, "A.example.com", "admin", " tok0000000-tttttttttttttttttttttt\n"); err != nil {
			t.Fatal(err)
		}
		d, ok := cfg.Find(deployA)
		if !ok || d.Username != "admin" || d.TokenStore != TokenStoreKeyring || cfg.Current != deployA || d.AddedAt.IsZero() {
			t.Fatalf("config after save: %+v", cfg)
		}
		s, err := ResolveSession(ctx, ResolveOptions{URL: deployA, Store: store, Env: envFrom(nil)})
		if err != nil || s.Token != "tok0000000-tttttttttttttttttttttt" {
			t.Fatalf("resolve after save: %v", err)
		}
		if err := DeleteSession(ctx, store, cfg, deployA); err != nil {
			t.Fatal(err)
		}
		if _, ok := cfg.Find(deployA); ok || cfg.Current != "" {
			t.Fatalf("config after delete: %+v", cfg)
		}
		if _, err := ResolveSession(ctx, ResolveOptions{URL: deployA, Store: store, Env: envFrom(nil)}); err == nil {
			t.Fatal("session still resolvable after delete")
		}
	})
	t.Run("file store is recorded as file", func(t *testing.T) {
		cfg := &Config{}
		if err := SaveSession(ctx, NewFile(filepath.Join(t.TempDir(), "s.json")), cfg, deployB, "", "tok"); err != nil {
			t.Fatal(err)
		}
		if d, _ := cfg.Find(deployB); d.TokenStore != TokenStoreFile {
			t.Fatalf("%+v", d)
		}
	})
	t.Run("keyring failure leaves config alone and allows fallback", func(t *testing.T) {
		cfg := &Config{}
		err := SaveSession(ctx, brokenKeyring(), cfg, deployA, "admin", "tok")
		if !CanFallBack(err) || !strings.Contains(err.Error(), "saving the session for "+deployA) {
			t.Fatalf("got %v", err)
		}
		if len(cfg.Deployments) != 0 || cfg.Current != "" {
			t.Fatalf("config changed on failure: %+v", cfg)
		}
		cfg.Deployments = []Deployment{{URL: deployA}}
		if err := DeleteSession(ctx, brokenKeyring(), cfg, deployA); !CanFallBack(err) || len(cfg.Deployments) != 1 {
			t.Fatalf("delete on broken keyring: %v, %+v", err, cfg)
		}
	})
	t.Run("bad tokens are refused", func(t *testing.T) {
		for _, tok := range []string{"", "  ", "two words", "<html>\n</html>", strings.Repeat("t", MaxSecretBytes+1)} {
			store := NewMemory()
			if err := SaveSession(ctx, store, &Config{}, deployA, "", tok); err == nil {
				t.Fatalf("token %q accepted", tok)
			}
		}
	})
}
