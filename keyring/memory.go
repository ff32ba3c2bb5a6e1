package keyring

import (
	"context"
	"sync"
)

// memoryStore keeps secrets in process memory. It is for unit tests and the
// demo mode; nothing survives the process.
type memoryStore struct {
	mu      sync.Mutex
	secrets map[string]string
}

// NewMemory returns an empty in-memory Store, safe for concurrent use.
func NewMemory() Store {
	return &memoryStore{secrets: map[string]string{}}
}

func (m *memoryStore) Get(ctx context.Context, key string) (string, error) {
	if err := checkKey(ctx, key); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	secret, ok := m.secrets[key]
	if !ok {
		return "", ErrNotFound
	}
	return secret, nil
}

func (m *memoryStore) Set(ctx context.Context, key, secret string) error {
	if err := checkEntry(ctx, key, secret); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.secrets[key] = secret
	return nil
}

func (m *memoryStore) Delete(ctx context.Context, key string) error {
	if err := checkKey(ctx, key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.secrets, key)
	return nil
}

func (m *memoryStore) Kind() string { return "memory" }
func (m *memoryStore) Secure() bool { return true }
