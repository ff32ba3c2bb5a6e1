package keyring

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// A writer that cannot get the lock in time says who holds it up, and gets
// it once the other writer lets go.
func TestLockWaitTimesOut(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	other := flock.New(path + ".lock") // another process's lock: its own open file
	if ok, err := other.TryLock(); !ok || err != nil {
		t.Fatalf("taking the lock: %v %v", ok, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := lockFile(ctx, path)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting for another oauthdeck") {
		t.Fatalf("err = %v, want a deadline naming the other writer", err)
	}
	if err := other.Unlock(); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	unlock()
}

// A directory that does not sync after the rename is reported, and the
// new content is in place (the rename happened).
func TestAtomicWriteReportsDirectorySyncFailure(t *testing.T) {
	saved := syncDirOf
	t.Cleanup(func() { syncDirOf = saved })
	syncDirOf = func(string) error { return errors.New("input/output error") }
	path := filepath.Join(t.TempDir(), "config.json")
	err := writeFileAtomic(path, []byte(`{"v":2}`))
	if err == nil || !strings.Contains(err.Error(), "did not sync") || !strings.Contains(err.Error(), "input/output error") {
		t.Fatalf("err = %v, want the failed directory sync reported", err)
	}
	if got, _ := os.ReadFile(path); string(got) != `{"v":2}` {
		t.Fatalf("file holds %q", got)
	}
	// The real syncDir fails on a directory that is gone.
	if err := syncDir(filepath.Join(t.TempDir(), "gone")); err == nil {
		t.Error("syncDir of a missing directory succeeded")
	}
}
