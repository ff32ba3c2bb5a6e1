package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// SeedApps adds n apps named seed-00001… (callback http://127.0.0.1:9876/callback)
// straight into the store, for benchmarks and list-heavy UI tests. It returns
// their ids in name order.
func (s *Server) SeedApps(n int) []string {
	ids := make([]string, 0, n)
	now := s.now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	for i := 1; i <= n; i++ {
		a := &app{
			id: uuid.New(), name: fmt.Sprintf("seed-%05d", i),
			redirectURIs: []string{"http://127.0.0.1:9876/callback"},
			createdAt:    now.Add(time.Duration(i) * time.Microsecond),
		}
		s.store.apps[a.id] = a
		ids = append(ids, a.id.String())
	}
	return ids
}

// AppNames lists, sorted, the names of the apps whose name starts with
// prefix, read straight from the store: what tests check is left behind.
func (s *Server) AppNames(prefix string) []string {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var names []string
	for _, a := range s.store.sortedApps(func(a *app) bool { return strings.HasPrefix(a.name, prefix) }) {
		names = append(names, a.name)
	}
	return names
}

// SeedApp adds one app straight to the store (no HTTP round trip), with a
// client secret when withSecret is set, and returns the app's ID and the
// secret's full value (shown once, as the API would). Names and redirect
// URIs are the caller's: they are not validated as the API validates them.
func (s *Server) SeedApp(name string, redirectURIs []string, icon string, withSecret bool) (id, secret string) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	a := &app{id: uuid.New(), name: name, icon: icon, redirectURIs: append([]string(nil), redirectURIs...), createdAt: s.now()}
	s.store.apps[a.id] = a
	if withSecret {
		secret, _ = s.addSecretLocked(a.id)
	}
	return a.id.String(), secret
}
