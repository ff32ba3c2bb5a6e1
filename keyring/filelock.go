package keyring

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofrs/flock"
)

// lockRetryDelay is how often a waiting writer tries the lock again.
const lockRetryDelay = 10 * time.Millisecond

// lockFile takes an exclusive lock on path+".lock" (flock on Unix, LockFileEx
// on Windows, through gofrs/flock) so two oauthdeck processes (say the TUI
// and a CLI command) cannot lose each other's writes to the same file. It
// gives up when ctx ends.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	lock := flock.New(path+".lock", flock.SetPermissions(0o600))
	// TryLockContext answers false only together with an error.
	if _, err := lock.TryLockContext(ctx, lockRetryDelay); err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return nil, fmt.Errorf("waiting for another oauthdeck to finish writing %s: %w", path, err)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() { _ = lock.Unlock() }, nil
}
