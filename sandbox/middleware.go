package sandbox

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

const csrfCookie = "csrf_token"

// common adds the headers every Coder response carries, counts requests,
// bounds bodies and answers CORS preflights.
func (s *Server) common(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h := w.Header()
		h.Set("X-Coder-Build-Version", s.version())
		h.Set("X-Coder-Request-Id", uuid.NewString())
		h.Set("X-Content-Type-Options", "nosniff")
		h.Add("Vary", "Origin")
		h.Add("Vary", "Cookie")
		if c, err := r.Cookie(csrfCookie); err != nil || c.Value == "" {
			v := randomAlnum(43)
			http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
			// Handlers see the token this response hands out (consent form).
			r.AddCookie(&http.Cookie{Name: csrfCookie, Value: v})
		}
		if strings.HasPrefix(r.URL.Path, "/api/v2/") {
			h.Set("X-Ratelimit-Limit", "512")
			h.Set("X-Ratelimit-Remaining", "511")
			h.Set("X-Ratelimit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).Truncate(time.Minute).Unix(), 10))
		}
		if r.Header.Get("Origin") != "" && s.corsPath(r.URL.Path) {
			h.Set("Access-Control-Allow-Origin", "*")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", strings.ToUpper(r.Header.Get("Access-Control-Request-Method")))
				if allowed := allowedCORSHeaders(r.Header.Get("Access-Control-Request-Headers")); allowed != "" {
					h.Set("Access-Control-Allow-Headers", allowed)
				}
				h.Set("Access-Control-Max-Age", "86400")
				w.WriteHeader(http.StatusOK)
				return
			}
			h.Set("Access-Control-Expose-Headers", "Content-Type, Authorization, X-Api-Key, Mcp-Session-Id, Mcp-Protocol-Version")
		}
		if s.b.noStoreTree && (strings.HasPrefix(r.URL.Path, "/oauth2/") || strings.HasPrefix(r.URL.Path, "/api/v2/oauth2-provider/")) {
			h.Set("Cache-Control", "no-store")
			h.Set("Pragma", "no-cache")
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// allowedCORSHeaders echoes the requested headers Coder allows, in
// canonical form.
func allowedCORSHeaders(requested string) string {
	allowed := map[string]bool{
		"accept": true, "authorization": true, "content-type": true, "x-api-key": true,
		"mcp-session-id": true, "mcp-protocol-version": true, "coder-session-token": true,
	}
	var out []string
	for _, p := range strings.Split(requested, ",") {
		p = strings.TrimSpace(p)
		if allowed[strings.ToLower(p)] {
			out = append(out, http.CanonicalHeaderKey(p))
		}
	}
	return strings.Join(out, ", ")
}

// csrfFrom is the request's CSRF cookie value, or the one this response
// just issued: common appends that after any empty cookie the browser sent,
// so the last non-empty value wins.
func csrfFrom(r *http.Request) string {
	v := ""
	for _, c := range r.CookiesNamed(csrfCookie) {
		if c.Value != "" {
			v = c.Value
		}
	}
	return v
}

// validCSRF checks the consent form's csrf_token against the cookie.
func validCSRF(r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		return false
	}
	want, got := csrfFrom(r), r.PostForm.Get("csrf_token")
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func (s *Server) version() string { return s.b.version }
