package sandbox

import (
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The store is a single mutex-guarded set of maps. Every secret is kept as
// a SHA-256 digest, like Coder's database.

type user struct {
	id        uuid.UUID
	email     string
	username  string
	name      string
	salt      string
	password  digest
	owner     bool
	createdAt time.Time
	updatedAt time.Time
}

type app struct {
	id           uuid.UUID
	name         string
	icon         string
	redirectURIs []string // [0] is the callback_url
	scope        string   // main: space-separated allowlist; "" = none
	createdAt    time.Time
	public       bool          // token_endpoint_auth_method "none" (main)
	reg          *registration // non-nil for dynamically registered apps
}

func (a *app) callbackURL() string {
	if len(a.redirectURIs) == 0 {
		return ""
	}
	return a.redirectURIs[0]
}

type appSecret struct {
	id        uuid.UUID
	appID     uuid.UUID
	prefix    string
	hash      digest
	truncated string
	createdAt time.Time
	lastUsed  *time.Time
}

type authCode struct {
	prefix      string
	hash        digest
	appID       uuid.UUID
	userID      uuid.UUID
	expiresAt   time.Time
	challenge   string
	method      string
	resource    string
	redirectURI string // main: the explicit redirect_uri the code is bound to
	scope       string
}

const (
	loginPassword = "password"
	loginOAuth2   = "oauth2_provider_app"
)

// apiKey is a session token or an OAuth2 access token.
type apiKey struct {
	id        string
	hash      digest
	userID    uuid.UUID
	loginType string
	expiresAt time.Time
	appID     uuid.UUID // OAuth2 keys only
	secretID  uuid.UUID // OAuth2 keys: the client secret used; uuid.Nil for public clients
	audience  string
	scope     string
}

type refreshToken struct {
	prefix    string
	hash      digest
	keyID     string
	appID     uuid.UUID
	secretID  uuid.UUID
	userID    uuid.UUID
	expiresAt time.Time
	audience  string
	scope     string
}

type store struct {
	mu      sync.Mutex
	orgID   uuid.UUID
	users   map[uuid.UUID]*user
	apps    map[uuid.UUID]*app
	secrets map[uuid.UUID]*appSecret
	codes   map[string]*authCode     // by prefix
	keys    map[string]*apiKey       // by id
	refresh map[string]*refreshToken // by prefix
	dcrOn   bool
	audit   []auditEntry // oldest first, bounded by maxAuditEntries
}

func newStore() *store {
	return &store{
		orgID:   uuid.New(),
		users:   map[uuid.UUID]*user{},
		apps:    map[uuid.UUID]*app{},
		secrets: map[uuid.UUID]*appSecret{},
		codes:   map[string]*authCode{},
		keys:    map[string]*apiKey{},
		refresh: map[string]*refreshToken{},
	}
}

// The helpers below assume s.mu is held.

func (s *store) userByEmail(email string) *user {
	for _, u := range s.users {
		if u.email == email {
			return u
		}
	}
	return nil
}

// sortedApps lists apps by name, then creation time, then id.
func (s *store) sortedApps(keep func(*app) bool) []*app {
	out := make([]*app, 0, len(s.apps))
	for _, a := range s.apps {
		if keep == nil || keep(a) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].name != out[j].name {
			return out[i].name < out[j].name
		}
		if !out[i].createdAt.Equal(out[j].createdAt) {
			return out[i].createdAt.Before(out[j].createdAt)
		}
		return out[i].id.String() < out[j].id.String()
	})
	return out
}

// appsWithTokens is the set of apps the user holds an OAuth2 token for.
func (s *store) appsWithTokens(userID uuid.UUID) map[uuid.UUID]bool {
	held := map[uuid.UUID]bool{}
	for _, k := range s.keys {
		if k.loginType == loginOAuth2 && k.userID == userID {
			held[k.appID] = true
		}
	}
	return held
}

func (s *store) secretsOf(appID uuid.UUID) []*appSecret {
	var out []*appSecret
	for _, sec := range s.secrets {
		if sec.appID == appID {
			out = append(out, sec)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].createdAt.Equal(out[j].createdAt) {
			return out[i].createdAt.Before(out[j].createdAt)
		}
		return out[i].id.String() < out[j].id.String()
	})
	return out
}

// secretByValue finds a stored client secret by its full value; appID
// uuid.Nil means any app (v2.30's cross-client leniency).
func (s *store) secretByValue(value string, appID uuid.UUID) *appSecret {
	prefix, _, ok := parseFormattedSecret(value)
	if !ok {
		return nil
	}
	for _, sec := range s.secrets {
		if sec.prefix == prefix && sec.hash.matches(value) && (appID == uuid.Nil || sec.appID == appID) {
			return sec
		}
	}
	return nil
}

// deleteKey removes an API key and any refresh token paired with it
// (Coder cascades the refresh row from the key).
func (s *store) deleteKey(id string) {
	delete(s.keys, id)
	for p, rt := range s.refresh {
		if rt.keyID == id {
			delete(s.refresh, p)
		}
	}
}

// deleteOAuthTokens removes every OAuth2 key (and refresh token) and code
// matching the filter.
func (s *store) deleteOAuthTokens(match func(appID, userID, secretID uuid.UUID) bool) {
	for id, k := range s.keys {
		if k.loginType == loginOAuth2 && match(k.appID, k.userID, k.secretID) {
			s.deleteKey(id)
		}
	}
	for p, rt := range s.refresh {
		if match(rt.appID, rt.userID, rt.secretID) {
			delete(s.refresh, p)
		}
	}
}

func (s *store) deleteCodes(appID, userID uuid.UUID) {
	for p, c := range s.codes {
		if c.appID == appID && (userID == uuid.Nil || c.userID == userID) {
			delete(s.codes, p)
		}
	}
}

// deleteApp cascades to secrets, codes and tokens, like the database does.
func (s *store) deleteApp(id uuid.UUID) {
	delete(s.apps, id)
	for sid, sec := range s.secrets {
		if sec.appID == id {
			delete(s.secrets, sid)
		}
	}
	s.deleteCodes(id, uuid.Nil)
	s.deleteOAuthTokens(func(appID, _, _ uuid.UUID) bool { return appID == id })
}

// deleteSecret also kills the tokens issued with that secret.
func (s *store) deleteSecret(id uuid.UUID) {
	delete(s.secrets, id)
	s.deleteOAuthTokens(func(_, _, secretID uuid.UUID) bool { return secretID == id })
}
