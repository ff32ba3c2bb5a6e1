package keyring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sync"
)

// fileStore keeps secrets as a JSON object {key: secret} in one file with
// mode 0600. It is the explicit, insecure fallback: used only when the user
// asks for it or confirms it after the OS keyring failed.
type fileStore struct {
	path string
	mu   sync.Mutex // serialises read-modify-write within this process
}

// NewFile returns a plain-file Store at path. Nothing is created until the
// first Set.
func NewFile(path string) Store {
	return &fileStore{path: path}
}

func (f *fileStore) Kind() string { return "plain file (" + f.path + ")" }
func (f *fileStore) Secure() bool { return false }

func (f *fileStore) Get(ctx context.Context, key string) (string, error) {
	if err := checkKey(ctx, key); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	secrets, err := f.load()
	if err != nil {
		return "", err
	}
	secret, ok := secrets[key]
	if !ok {
		return "", ErrNotFound
	}
	return secret, nil
}

func (f *fileStore) Set(ctx context.Context, key, secret string) error {
	if err := checkEntry(ctx, key, secret); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	unlock, err := lockForUpdate(ctx, f.path)
	if err != nil {
		return err
	}
	defer unlock()
	secrets, err := f.load()
	if err != nil {
		return err
	}
	secrets[key] = secret
	return f.save(secrets)
}

func (f *fileStore) Delete(ctx context.Context, key string) error {
	if err := checkKey(ctx, key); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	secrets, err := f.load()
	if err != nil {
		return err
	}
	if _, ok := secrets[key]; !ok {
		return nil // nothing to do; do not create the file
	}
	unlock, err := lockForUpdate(ctx, f.path)
	if err != nil {
		return err
	}
	defer unlock()
	if secrets, err = f.load(); err != nil { // reread under the lock
		return err
	}
	if _, ok := secrets[key]; !ok {
		return nil // nothing to do; do not create the file
	}
	delete(secrets, key)
	return f.save(secrets)
}

// load reads the secrets file. A missing file is an empty store; a file
// others can read, or one that is not a JSON object of strings, is an error.
func (f *fileStore) load() (map[string]string, error) {
	data, info, err := readFileLimited(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	// Windows has no POSIX mode bits; its ACLs are out of scope here.
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, &InsecureFileError{Path: f.path, Mode: fmt.Sprintf("%04o", info.Mode().Perm())}
	}
	secrets := map[string]string{}
	if len(data) == 0 {
		return secrets, nil
	}
	if err := json.Unmarshal(data, &secrets); err != nil {
		return nil, &CorruptFileError{Path: f.path, What: "secrets file", Err: err}
	}
	if secrets == nil { // the file held JSON null
		secrets = map[string]string{}
	}
	return secrets, nil
}

func (f *fileStore) save(secrets map[string]string) error {
	data, err := json.MarshalIndent(secrets, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(f.path, append(data, '\n'))
}
