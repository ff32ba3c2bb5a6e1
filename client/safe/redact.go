package safe

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// redactSalt is random per process: markers correlate within one run but
// cannot be matched against a dictionary of known secrets, or across runs.
var redactSalt = func() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}()

const markerPrefix = "‹redacted:"

// IsMarked reports that v starts with a redaction marker.
func IsMarked(v string) bool { return strings.HasPrefix(v, markerPrefix) }

// Marker returns the marker that replaces secret in recorded and
// logged text: a short salted hash, equal for equal secrets in this process.
func Marker(secret string) string {
	mac := hmac.New(sha256.New, redactSalt)
	mac.Write([]byte(secret))
	return markerPrefix + hex.EncodeToString(mac.Sum(nil)[:3]) + "›"
}

// secretNames are the form, query and JSON member names whose values are
// secrets: the one list (SecretName, Redact and the request previews use it).
var secretNames = []string{"client_secret", "client_secret_full", "code", "code_verifier", "refresh_token",
	"access_token", "token", "password", "session_token", "registration_access_token", "coder_session_token",
	"id_token", "device_code"}

var secretFields = strings.Join(secretNames, "|")

// SecretName reports that a parameter or member of this name holds a secret.
func SecretName(name string) bool { return slices.Contains(secretNames, strings.ToLower(name)) }

var (
	// Header lines in free text ("Authorization: Bearer x").
	headerSecretRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\b(authorization|proxy-authorization|coder-session-token|cookie|set-cookie)(\s*:\s*)([^\r\n"']*)`)
	})
	// The user info of a URL ("https://user:password@host"): the authority
	// runs to the first "/", "?" or "#", and its last "@" ends the user info.
	userinfoRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)([^/?#\s"'<>]+)@`) })
	// An auth scheme followed by credentials.
	schemeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Za-z][A-Za-z0-9!#$%&*+.^_|~-]*)(\s+)(\S.*)$`) })
)

// Redact returns s with every known secret shape replaced (tokens, codes,
// client secrets, verifiers, passwords in form/JSON/query/header text and
// in a URL's user info). It is idempotent, so already-redacted text can be passed again.
func Redact(s string) string {
	if s == "" {
		return s
	}
	// Each rule runs only when the text has what its pattern cannot match
	// without (a literal it needs): most text carries no secret, and the
	// patterns cost ~300 ns a byte when they run (BenchmarkRedact).
	lower := strings.ToLower(s)
	named := false
	for _, n := range secretNames { // the one list: a new name is pre-tested too
		if strings.Contains(lower, n) {
			named = true
			break
		}
	}
	if named && strings.IndexByte(s, '=') >= 0 {
		s = redactFormPairs(s)
	}
	if named && strings.IndexByte(s, '"') >= 0 {
		s = redactJSONPairs(s)
	}
	if strings.IndexByte(s, ':') >= 0 && headerNameBeforeColon(lower) {
		s = replaceSubmatches(headerSecretRE(), s, func(g []string) string {
			return g[1] + g[2] + redactHeaderValue(g[1], g[3])
		})
	}
	if strings.Contains(s, "://") && strings.IndexByte(s, '@') >= 0 {
		s = replaceSubmatches(userinfoRE(), s, func(g []string) string {
			return g[1] + redactUserinfo(g[2]) + "@"
		})
	}
	s = redactCoderSecrets(s)
	s = redactAPIKeys(s)
	return s
}

// headerNameBeforeColon is headerSecretRE's pre-test: somewhere a name it
// looks for is followed, after spaces, by ':'. JSON such as the metadata's
// "authorization_endpoint" has the name but not the colon, and is not
// scanned by the expression.
func headerNameBeforeColon(lower string) bool {
	for i := 0; i < len(lower); i++ {
		if lower[i] >= 0x80 {
			return true // case folding beyond ToLower (the long s): the expression decides
		}
	}
	for _, name := range []string{"authorization", "coder-session-token", "cookie"} {
		for from := 0; ; {
			i := strings.Index(lower[from:], name)
			if i < 0 {
				break
			}
			if j := skipSpace(lower, from+i+len(name)); j < len(lower) && lower[j] == ':' {
				return true
			}
			from += i + 1
		}
	}
	return false
}

// markValue replaces a non-empty, not yet redacted value by its marker,
// hashing the decoded value so that one secret gets one marker whether it
// was seen in a form, a JSON body or a header.
func markValue(v string, decode func(string) string) string {
	if v == "" || strings.HasPrefix(v, markerPrefix) || isURL(decode(v)) {
		return v // a URL is not a secret (endpoints.token); its parts are scrubbed by the other rules
	}
	return Marker(decode(v))
}

// redactUserinfo keeps a user name, which helps a reader, and masks the
// password; a lone user info may itself be a token, so it is masked whole.
func redactUserinfo(info string) string {
	if strings.Contains(info, markerPrefix) {
		return info
	}
	if user, password, ok := strings.Cut(info, ":"); ok {
		return user + ":" + markValue(password, unescapeForm)
	}
	return Marker(unescapeForm(info))
}

func unescapeForm(v string) string {
	if d, err := url.QueryUnescape(v); err == nil {
		return d
	}
	return v
}

func unescapeJSON(v string) string {
	var d string
	if json.Unmarshal([]byte(`"`+v+`"`), &d) == nil {
		return d
	}
	return v
}

// redactHeaderValue masks a sensitive header's value, keeping what helps a
// reader: the auth scheme, and cookie names and attributes.
func redactHeaderValue(name, v string) string {
	v = strings.TrimRight(v, " \t")
	if v == "" || strings.Contains(v, markerPrefix) {
		return v
	}
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		if m := schemeRE().FindStringSubmatch(v); m != nil {
			return m[1] + m[2] + Marker(m[3])
		}
		return Marker(v)
	case "cookie":
		parts := strings.Split(v, ";")
		for i, p := range parts {
			parts[i] = redactCookiePair(p)
		}
		return strings.Join(parts, ";")
	case "set-cookie":
		parts := strings.SplitN(v, ";", 2)
		parts[0] = redactCookiePair(parts[0])
		return strings.Join(parts, ";")
	}
	return Marker(v)
}

func redactCookiePair(p string) string {
	name, value, ok := strings.Cut(p, "=")
	if !ok {
		return Marker(strings.TrimSpace(p))
	}
	return name + "=" + markValue(value, func(s string) string { return s })
}

// isURL reports an absolute http(s) URL: an address, never a secret itself.
func isURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// sensitiveHeaders are replaced whole (minus scheme/cookie names) when recorded.
var sensitiveHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Coder-Session-Token": true,
	"Cookie":              true,
	"Set-Cookie":          true,
}

// SecretHeader reports that a header of this name carries credentials.
func SecretHeader(name string) bool { return sensitiveHeaders[http.CanonicalHeaderKey(name)] }

// Header copies h with every secret redacted.
func Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for name, values := range h {
		canon := http.CanonicalHeaderKey(name)
		vs := make([]string, len(values))
		for i, v := range values {
			if sensitiveHeaders[canon] {
				vs[i] = redactHeaderValue(canon, v)
			} else {
				vs[i] = Redact(v)
			}
		}
		out[canon] = vs
	}
	return out
}

// replaceSubmatches is ReplaceAllStringFunc with access to the groups.
func replaceSubmatches(re *regexp.Regexp, s string, fn func(groups []string) string) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		groups := make([]string, len(m)/2)
		for i := range groups {
			if m[2*i] >= 0 {
				groups[i] = s[m[2*i]:m[2*i+1]]
			}
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(fn(groups))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
