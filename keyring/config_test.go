package keyring

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConfigRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cfgdir", "config.json")
	cfg, err := LoadConfig(path)
	if err != nil || len(cfg.Deployments) != 0 {
		t.Fatalf("missing file: %+v, %v", cfg, err)
	}
	added := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	if err := cfg.Upsert(Deployment{URL: "HTTPS://A.example.com/", Username: "admin", AddedAt: added, LastUsed: added}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Upsert(Deployment{URL: "https://b.example.com", TokenStore: TokenStoreFile}); err != nil {
		t.Fatal(err)
	}
	later := added.Add(time.Hour)
	if err := cfg.Upsert(Deployment{URL: "https://a.example.com:443", Username: "owner", AddedAt: later, LastUsed: later}); err != nil {
		t.Fatal(err)
	}
	cfg.Current = "https://a.example.com"
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		info, _ := os.Stat(path)
		if info.Mode().Perm() != 0o600 {
			t.Fatalf("config mode %04o", info.Mode().Perm())
		}
	}

	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Deployments) != 2 || got.Current != "https://a.example.com" {
		t.Fatalf("loaded %+v", got)
	}
	a, ok := got.Find("a.example.com")
	if !ok || a.Username != "owner" || a.TokenStore != TokenStoreKeyring || !a.AddedAt.Equal(added) || !a.LastUsed.Equal(later) {
		t.Fatalf("upsert did not keep AddedAt / update the rest: %+v", a)
	}
	if b, _ := got.Find("https://b.example.com"); b.TokenStore != TokenStoreFile {
		t.Fatalf("b: %+v", b)
	}
	if err := got.Upsert(Deployment{URL: "https://c.example.com", TokenStore: "clipboard"}); err == nil {
		t.Fatal("unknown token store accepted")
	}
	if !got.Remove("HTTPS://A.EXAMPLE.COM") || got.Current != "" || len(got.Deployments) != 1 {
		t.Fatalf("Remove: %+v", got)
	}
	if got.Remove("https://a.example.com") {
		t.Fatal("second Remove reported success")
	}
}

func TestConfigCorruptFileIsNeverOverwritten(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"not json":        "deployments = [ oops",
		"html":            "<!DOCTYPE html><html>502 Bad Gateway</html>",
		"wrong types":     `{"deployments": "a string"}`,
		"bad url":         `{"version":1,"deployments":[{"url":"ftp://x","token_store":"keyring"}]}`,
		"newer format":    `{"version":99,"deployments":[]}`,
		"truncated write": `{"version":1,"deployments":[{"url":"https://a.example.com"`,
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(path)
			var corrupt *CorruptFileError
			if !errors.As(err, &corrupt) || corrupt.Path != path {
				t.Fatalf("LoadConfig: got %v, want *CorruptFileError", err)
			}
			if !strings.Contains(err.Error(), path+".bak") {
				t.Fatalf("error gives no way forward: %v", err)
			}
			fresh := &Config{}
			_ = fresh.Upsert(Deployment{URL: "https://new.example.com"})
			if err := fresh.Save(path); !errors.As(err, &corrupt) {
				t.Fatalf("Save over a corrupt file: got %v, want refusal", err)
			}
			if data, _ := os.ReadFile(path); string(data) != content {
				t.Fatalf("corrupt file changed: %q", data)
			}
		})
	}
}

func TestDefaultPathsHonourEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OAUTHDECK_CONFIG_DIR", dir)
	if p, err := DefaultConfigPath(); err != nil || p != filepath.Join(dir, "config.json") {
		t.Fatalf("DefaultConfigPath = %q, %v", p, err)
	}
	if p, err := DefaultSecretsFilePath(); err != nil || p != filepath.Join(dir, "secrets.json") {
		t.Fatalf("DefaultSecretsFilePath = %q, %v", p, err)
	}
	t.Setenv("OAUTHDECK_CONFIG_DIR", "")
	if p, err := DefaultConfigPath(); err == nil && !strings.HasSuffix(p, filepath.Join("oauthdeck", "config.json")) {
		t.Fatalf("DefaultConfigPath without env = %q", p)
	}
}

func TestUpdateConfigConcurrentWritersLoseNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	const writers = 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := UpdateConfig(context.Background(), path, func(c *Config) error {
				return c.Upsert(Deployment{URL: fmt.Sprintf("https://d%d.example.com", i)})
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := LoadConfig(path)
	if err != nil || len(cfg.Deployments) != writers {
		t.Fatalf("%d deployments survived (%v), want %d", len(cfg.Deployments), err, writers)
	}
	// A failing change saves nothing.
	_, err = UpdateConfig(context.Background(), path, func(c *Config) error {
		c.Deployments = nil
		return fmt.Errorf("changed my mind")
	})
	if err == nil || err.Error() != "changed my mind" {
		t.Fatalf("got %v", err)
	}
	if cfg, _ := LoadConfig(path); len(cfg.Deployments) != writers {
		t.Fatalf("a failed change was saved")
	}
}
