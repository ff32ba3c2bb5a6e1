package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The 2.38 rate limit: per endpoint and per caller, 429 with Retry-After
// and the body each tree uses, an owner's bypass header honoured and a
// member's ignored, a fresh window after the old one ends, and none on the
// profiles of releases without it or when switched off.
func TestRateLimits(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := startSandbox(t, Options{RateLimit: 3, Now: clock})
	meta := req{method: "GET", path: "/.well-known/oauth-authorization-server"}
	for i := range 3 {
		if r := call(t, s, meta); r.status != http.StatusOK || r.header.Get("X-Ratelimit-Remaining") != strconv.Itoa(2-i) {
			t.Fatalf("request %d: %d, remaining %q", i+1, r.status, r.header.Get("X-Ratelimit-Remaining"))
		}
	}
	r := call(t, s, meta)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "60" || !strings.Contains(r.text(), `"message"`) {
		t.Fatalf("4th discovery request: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.text())
	}
	// Each endpoint has its own count; /oauth2 answers in OAuth2's words.
	if r := call(t, s, req{method: "GET", path: "/.well-known/oauth-protected-resource"}); r.status != http.StatusOK {
		t.Fatalf("another endpoint: %d", r.status)
	}
	rev := req{method: "POST", path: "/oauth2/revoke", form: map[string][]string{"token": {"x"}}}
	for range 3 {
		call(t, s, rev)
	}
	if r := call(t, s, rev); r.status != http.StatusTooManyRequests || !strings.Contains(r.text(), `"temporarily_unavailable"`) {
		t.Fatalf("4th revoke: %d %s", r.status, r.text())
	}
	// Signed in, the caller is the user, not the IP; an owner may bypass.
	owner := req{method: "GET", path: meta.path, session: s.AdminSessionToken()}
	for range 3 {
		call(t, s, owner)
	}
	if r := call(t, s, owner); r.status != http.StatusTooManyRequests {
		t.Fatalf("the owner without the bypass: %d", r.status)
	}
	owner.headers = map[string]string{BypassRateLimitHeader: "true"}
	if r := call(t, s, owner); r.status != http.StatusOK {
		t.Fatalf("the owner with the bypass: %d", r.status)
	}
	_, member, err := s.CreateUser("m@example.com", "member", "pw-pw-pw-pw", false)
	if err != nil {
		t.Fatal(err)
	}
	m := req{method: "GET", path: meta.path, session: member, headers: map[string]string{BypassRateLimitHeader: "true"}}
	for range 3 {
		call(t, s, m)
	}
	if r := call(t, s, m); r.status != http.StatusTooManyRequests {
		t.Fatalf("a member's bypass header was honoured: %d", r.status)
	}
	if got := s.RateLimited(); got != 4 {
		t.Errorf("RateLimited = %d, want 4", got)
	}
	// The next window starts afresh; the rest of the API is not limited.
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if r := call(t, s, meta); r.status != http.StatusOK {
		t.Fatalf("a new window: %d", r.status)
	}
	for range 5 {
		if r := call(t, s, req{method: "GET", path: "/api/v2/buildinfo"}); r.status != http.StatusOK {
			t.Fatalf("buildinfo limited: %d", r.status)
		}
	}

	for _, opts := range []Options{{Compat: CompatV230, RateLimit: 3}, {Compat: CompatV236, RateLimit: 3}, {RateLimit: -1}} {
		s := startSandbox(t, opts)
		for i := range 5 {
			if r := call(t, s, meta); r.status != http.StatusOK {
				t.Fatalf("%s (limit %d): request %d answered %d", opts.Compat, opts.RateLimit, i+1, r.status)
			}
		}
	}
}
