package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Coder 2.38's rate limits on the OAuth2 surface (security.md): every
// /oauth2 endpoint and both .well-known documents draw on the login limit,
// 60 requests a minute, each endpoint counted on its own, per user when the
// request is signed in and per IP otherwise. An owner may skip it for one
// request with X-Coder-Bypass-Ratelimit. Over the limit: 429 with
// Retry-After, an OAuth2 temporarily_unavailable body on /oauth2.

// DefaultRateLimit is the requests per window of each limited endpoint.
const DefaultRateLimit = 60

// BypassRateLimitHeader is the header an owner sends to skip the limit.
const BypassRateLimitHeader = "X-Coder-Bypass-Ratelimit"

type rateLimiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	windows map[string]rateWindow // endpoint + caller → its current window
	limited int                   // 429s answered
}

type rateWindow struct {
	start time.Time
	count int
}

// rateLimited reports whether path is one of the limited endpoints, and which.
func rateLimited(path string) (string, bool) {
	switch {
	case strings.HasPrefix(path, "/.well-known/oauth-authorization-server"):
		return "/.well-known/oauth-authorization-server", true
	case strings.HasPrefix(path, "/.well-known/oauth-protected-resource"):
		return "/.well-known/oauth-protected-resource", true
	case strings.HasPrefix(path, "/oauth2/clients/"):
		return "/oauth2/clients", true
	case strings.HasPrefix(path, "/oauth2/"):
		return path, true
	}
	return "", false
}

// allow counts one request of caller at endpoint; when over the limit it
// says how long until the window ends.
func (l *rateLimiter) allow(endpoint, caller string) (bool, time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	key := endpoint + " " + caller
	w := l.windows[key]
	if now.Sub(w.start) >= l.window {
		w = rateWindow{start: now}
	}
	w.count++
	l.windows[key] = w
	remaining := max(l.limit-w.count, 0)
	if w.count > l.limit {
		l.limited++
		return false, w.start.Add(l.window).Sub(now), 0
	}
	return true, 0, remaining
}

// rateLimit wraps the limited endpoints when the profile has rate limits.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	if s.limiter == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		endpoint, ok := rateLimited(r.URL.Path)
		if !ok || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		caller := "ip:" + remoteHost(r)
		if sess, fail := s.authenticate(r); fail == nil {
			if sess.user.owner && r.Header.Get(BypassRateLimitHeader) != "" {
				next.ServeHTTP(w, r)
				return
			}
			caller = "user:" + sess.user.id.String()
		}
		allowed, wait, remaining := s.limiter.allow(endpoint, caller)
		h := w.Header()
		h.Set("X-Ratelimit-Limit", strconv.Itoa(s.limiter.limit))
		h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
		if allowed {
			next.ServeHTTP(w, r)
			return
		}
		secs := int((wait + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.Itoa(max(secs, 1)))
		msg := fmt.Sprintf("You've been rate limited for sending more than %d requests in %v.", s.limiter.limit, s.limiter.window)
		if strings.HasPrefix(r.URL.Path, "/oauth2/") {
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "temporarily_unavailable", "error_description": msg})
			return
		}
		writeMessage(w, http.StatusTooManyRequests, msg, "")
	})
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// RateLimits reports whether the server rate-limits its OAuth2 endpoints.
func (s *Server) RateLimits() bool { return s.limiter != nil }

// RateLimitPerMinute is the limit per window (a minute unless Options.RateWindow says otherwise).
func (s *Server) RateLimitPerMinute() int {
	if s.limiter == nil {
		return 0
	}
	return s.limiter.limit
}

// RateLimited is how many requests the rate limit has refused so far.
func (s *Server) RateLimited() int {
	if s.limiter == nil {
		return 0
	}
	s.limiter.mu.Lock()
	defer s.limiter.mu.Unlock()
	return s.limiter.limited
}
