//go:build !unix

package keyring

import "context"

// lockFile is a no-op where flock is unavailable; writes stay atomic, but
// two processes writing at once may lose one update.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	return func() {}, nil
}
