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
		a := s.addAppLocked(AppSeed{Name: fmt.Sprintf("seed-%05d", i), RedirectURIs: []string{"http://127.0.0.1:9876/callback"}},
			now.Add(time.Duration(i)*time.Microsecond))
		ids = append(ids, a.id.String())
	}
	return ids
}

// AppSeed is an app as a deployment's history leaves it, for the demo's
// estate and for tests: registered through DCR or not, public or not, with
// secrets last used at given times. What the profile's apps cannot carry
// (a scope before 2.38, a public client where there are none, a last use
// where the version never records one) is dropped,
// as the real server of that version would never have stored it. Names and
// redirect URIs are not validated: seeding can make apps the API refuses
// today, as older versions stored them.
type AppSeed struct {
	Name         string
	Icon         string
	RedirectURIs []string
	Scope        string
	Public       bool
	Dynamic      bool
	Secrets      []SecretSeed
}

// SecretSeed is one client secret of a seeded app; LastUsed zero means
// never used.
type SecretSeed struct{ LastUsed time.Time }

// Seed adds one app straight to the store (no HTTP round trip) and returns
// its ID and the full values of its secrets (shown once, as the API would).
func (s *Server) Seed(spec AppSeed) (id string, secrets []string) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	a := s.addAppLocked(spec, s.now())
	if a.public {
		return a.id.String(), nil
	}
	for _, ss := range spec.Secrets {
		full, secID := s.addSecretLocked(a.id)
		if !ss.LastUsed.IsZero() && s.b.secretLastUsed {
			at := ss.LastUsed
			s.store.secrets[secID].lastUsed = &at
		}
		secrets = append(secrets, full)
	}
	return a.id.String(), secrets
}

// addAppLocked stores an app made from spec; the caller holds s.store.mu.
func (s *Server) addAppLocked(spec AppSeed, created time.Time) *app {
	a := &app{
		id: uuid.New(), name: spec.Name, icon: spec.Icon, createdAt: created,
		redirectURIs: append([]string(nil), spec.RedirectURIs...),
		public:       s.b.publicClients && spec.Public,
	}
	if !s.b.appRedirectURIs && len(a.redirectURIs) > 1 {
		a.redirectURIs = a.redirectURIs[:1] // only the callback URL
	}
	if s.b.appRedirectURIs {
		a.scope = spec.Scope
	}
	if spec.Dynamic {
		method := "client_secret_basic"
		if a.public {
			method = "none"
		}
		a.reg = &registration{issuedAt: created.Unix(), tokenHash: hashSecret(randomAlnum(regTokenLen)), meta: clientMetadata{
			RedirectURIs: a.redirectURIs, ClientName: spec.Name, GrantTypes: []string{"authorization_code", "refresh_token"},
			ResponseTypes: []string{"code"}, TokenEndpointAuthMethod: method,
		}}
	}
	s.store.apps[a.id] = a
	return a
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
