package sandbox

import (
	"fmt"
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
