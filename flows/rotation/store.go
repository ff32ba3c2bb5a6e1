package rotation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Store keeps rotation states as files in Dir, one per deployment and app,
// or, made by MemoryStore, in memory for as long as the process lives (the
// demo has no config directory, and a wizard closed and reopened there
// still resumes).
type Store struct {
	Dir string
	mem *memStates
}

type memStates struct {
	mu sync.Mutex
	m  map[string]State
}

// MemoryStore is a Store that keeps states in memory only.
func MemoryStore() Store { return Store{mem: &memStates{m: map[string]State{}}} }

func (s Store) path(deployment, appID string) string {
	sum := sha256.Sum256([]byte(deployment + "\x00" + appID))
	return filepath.Join(s.Dir, "rotation-"+hex.EncodeToString(sum[:8])+".json")
}

// maxStateBytes bounds a state file: it holds IDs and times.
const maxStateBytes = 64 << 10

// Load reads the rotation of an app, if one is under way.
func (s Store) Load(deployment, appID string) (State, bool, error) {
	if s.mem != nil {
		s.mem.mu.Lock()
		defer s.mem.mu.Unlock()
		st, ok := s.mem.m[s.path(deployment, appID)]
		return st, ok, nil
	}
	p := s.path(deployment, appID)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, false, nil
	}
	if err != nil {
		return State{}, false, fmt.Errorf("reading the rotation state: %w", err)
	}
	var st State
	if len(b) > maxStateBytes || json.Unmarshal(b, &st) != nil || st.AppID != appID || st.Deployment != deployment {
		return State{}, false, fmt.Errorf("the rotation state %s is not one this version wrote; remove it to start again", p)
	}
	return st, true, nil
}

// Save writes the state (mode 0600, replaced whole).
func (s Store) Save(st State) error {
	if s.mem != nil {
		s.mem.mu.Lock()
		defer s.mem.mu.Unlock()
		s.mem.m[s.path(st.Deployment, st.AppID)] = st
		return nil
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("saving the rotation state: %w", err)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	p := s.path(st.Deployment, st.AppID)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving the rotation state: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("saving the rotation state: %w", err)
	}
	return nil
}

// Remove forgets the rotation of an app.
func (s Store) Remove(deployment, appID string) error {
	if s.mem != nil {
		s.mem.mu.Lock()
		defer s.mem.mu.Unlock()
		delete(s.mem.m, s.path(deployment, appID))
		return nil
	}
	err := os.Remove(s.path(deployment, appID))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the rotation state: %w", err)
	}
	return nil
}
