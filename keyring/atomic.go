package keyring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// maxFileBytes bounds what the file store and config loader will read, so a
// wrong path (a log, a disk image) fails clearly instead of eating memory.
const maxFileBytes = 1 << 20

// fileLockTimeout bounds the wait for another process writing the same file.
const fileLockTimeout = 5 * time.Second

// lockForUpdate serialises read-modify-write of path across processes (the
// TUI and a CLI command, say), creating its directory if needed. It waits at
// most fileLockTimeout, or until ctx ends.
func lockForUpdate(ctx context.Context, path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating directory for %s: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, fileLockTimeout)
	defer cancel()
	return lockFile(ctx, path)
}

// writeFileAtomic replaces path with data: it writes a 0600 temp file in the
// same directory (created 0700 if missing), syncs it and renames it over
// path, so a crash leaves either the old file or the new one, never half.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating directory %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmpName := tmp.Name()
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close() // the write already failed; that error is the one to report
			_ = os.Remove(tmpName)
		}
	}()
	// CreateTemp already uses 0600; Chmod makes it explicit and survives umask.
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	committed = true
	if err := syncDirOf(dir); err != nil {
		return fmt.Errorf("wrote %s, but the directory did not sync (the new file may not survive a crash): %w", path, err)
	}
	return nil
}

// syncDirOf is syncDir; a test replaces it to see a failed sync reported.
var syncDirOf = syncDir

// syncDir makes a rename in dir durable. Where a directory cannot be synced
// (Windows; filesystems answering EINVAL or ENOTSUP) that is not an error:
// the rename is as durable there as it can be made.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	syncErr := d.Sync()
	closeErr := d.Close()
	if syncErr != nil && !errors.Is(syncErr, syscall.EINVAL) && !errors.Is(syncErr, syscall.ENOTSUP) {
		return syncErr
	}
	return closeErr
}

// readFileLimited reads path, refusing files larger than maxFileBytes.
// A missing file returns an error satisfying errors.Is(err, fs.ErrNotExist).
func readFileLimited(path string) ([]byte, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = f.Close() }() // opened read-only: closing cannot lose data
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, info, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, info, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return nil, info, fmt.Errorf("%s is larger than %d bytes", path, maxFileBytes)
	}
	return data, info, nil
}
