package keyring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestFileStoreCreatesPrivateFileAndDir(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes only")
	}
	dir := filepath.Join(t.TempDir(), "new")
	path := filepath.Join(dir, "secrets.json")
	s := NewFile(path)
	if s.Secure() || s.Kind() != "plain file ("+path+")" {
		t.Fatalf("Secure=%v Kind=%q", s.Secure(), s.Kind())
	}
	if err := s.Delete(context.Background(), "absent"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Delete of a missing key created the file: %v", err)
	}
	if err := s.Set(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s mode = %04o, want %04o", p, got, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "secrets.json" && e.Name() != "secrets.json.lock" {
			t.Fatalf("temp file left behind: %s", e.Name())
		}
	}
}

func TestFileStoreRefusesReadableFile(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes only")
	}
	path := filepath.Join(t.TempDir(), "secrets.json")
	if err := os.WriteFile(path, []byte(`{"k":"leaked?"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o666} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		s := NewFile(path)
		_, err := s.Get(context.Background(), "k")
		var insecure *InsecureFileError
		if !errors.As(err, &insecure) {
			t.Fatalf("mode %04o: got %v, want *InsecureFileError", mode, err)
		}
		if !strings.Contains(err.Error(), "chmod 600 "+path) {
			t.Fatalf("no way forward in %v", err)
		}
		if err := s.Set(context.Background(), "k2", "v"); !errors.As(err, &insecure) {
			t.Fatalf("Set on an insecure file: got %v", err)
		}
	}
	data, _ := os.ReadFile(path)
	if string(data) != `{"k":"leaked?"}` {
		t.Fatalf("refused file was modified: %q", data)
	}
}

func TestFileStoreCorruptFileIsKept(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secrets.json")
	for _, content := range []string{"<html>oops</html>", `["a list"]`, `{"k": 42}`, "{\"k\":\"v\""} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		s := NewFile(path)
		_, err := s.Get(context.Background(), "k")
		var corrupt *CorruptFileError
		if !errors.As(err, &corrupt) || !strings.Contains(err.Error(), "will not overwrite") {
			t.Fatalf("content %q: got %v, want *CorruptFileError", content, err)
		}
		if err := s.Set(context.Background(), "k", "new"); !errors.As(err, &corrupt) {
			t.Fatalf("Set over a corrupt file: got %v", err)
		}
		if data, _ := os.ReadFile(path); string(data) != content {
			t.Fatalf("corrupt file was overwritten: %q", data)
		}
	}
}

func TestFileStoreRejectsNonFilesAndHugeFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := NewFile(dir).Get(context.Background(), "k"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("directory as secrets file: %v", err)
	}
	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, make([]byte, maxFileBytes+10), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFile(huge).Get(context.Background(), "k"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("huge secrets file: %v", err)
	}
}

func TestFileStorePersistsAcrossInstances(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secrets.json")
	if err := NewFile(path).Set(context.Background(), "k", "kept"); err != nil {
		t.Fatal(err)
	}
	if got, err := NewFile(path).Get(context.Background(), "k"); err != nil || got != "kept" {
		t.Fatalf("second instance: %q, %v", got, err)
	}
}

// Two stores on one path stand in for two processes: each opens its own
// lock file description, so flock excludes them as it would across
// processes. Without the lock, read-modify-write loses keys.
func TestFileStoreWritersDoNotLoseUpdates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secrets.json")
	stores := []Store{NewFile(path), NewFile(path), NewFile(path)}
	const perStore = 15
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*perStore)
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range perStore {
				if err := s.Set(context.Background(), fmt.Sprintf("k-%d-%d", i, j), "v"); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]string
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	if len(all) != len(stores)*perStore {
		t.Fatalf("%d keys survived, want %d", len(all), len(stores)*perStore)
	}
}
