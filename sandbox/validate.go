package sandbox

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

var appNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`) })

// validAppName is Coder's oauth2_app_name tag (codersdk.NameValid).
func validAppName(name string) bool {
	return len(name) >= 1 && len(name) <= 32 && appNameRE().MatchString(name) && name != "new" && name != "create"
}

// validHTTPURL is the validator's http_url tag: an http(s) URL with a host.
func validHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}

func tagFailure(tag, value string) string {
	return fmt.Sprintf("Validation failed for tag %q with value: \"%s\"", tag, value)
}

// isLoopbackRedirectHost: hosts for which plain http is allowed (RFC 8252).
func isLoopbackRedirectHost(host string, allowDotLocalhost bool) bool {
	h := strings.ToLower(host)
	if h == "localhost" || (allowDotLocalhost && strings.HasSuffix(h, ".localhost")) {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// exactLoopbackHost is the narrower set whose port may vary at authorize.
func exactLoopbackHost(host string) bool {
	switch strings.ToLower(host) {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

var blockedSchemes = map[string]bool{"javascript": true, "data": true, "file": true, "ftp": true, "vbscript": true}

// redirectURIProblem describes what is wrong with a redirect URI, or "" when
// it is acceptable. public clients may not use *.localhost or mailto/tel/sms.
func redirectURIProblem(raw string, public bool) string {
	if raw == "urn:ietf:wg:oauth:2.0:oob" {
		return ""
	}
	if len(raw) > 2048 {
		return "is longer than 2048 bytes"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "is not a valid URL"
	}
	if u.Scheme == "" {
		return "must have a scheme"
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "must not contain a fragment component"
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case blockedSchemes[scheme]:
		return fmt.Sprintf("uses the blocked scheme %q", scheme)
	case public && (scheme == "mailto" || scheme == "tel" || scheme == "sms"):
		return fmt.Sprintf("uses the scheme %q, which public clients may not use", scheme)
	case scheme == "https":
		if u.Host == "" {
			return "must have a host"
		}
	case scheme == "http":
		if u.Host == "" {
			return "must have a host"
		}
		if !isLoopbackRedirectHost(u.Hostname(), !public) {
			return "must use https scheme for non-localhost URLs"
		}
	default:
		// Private-use scheme (native apps): needs a path or an authority.
		if u.Host == "" && u.Path == "" && u.Opaque == "" {
			return "uses a custom scheme and needs a path or an authority"
		}
	}
	return ""
}

// normalizeRedirectURIs applies main's rules: at most 32 entries, each
// valid, duplicates removed, order kept. It returns the validation entries
// on failure.
func normalizeRedirectURIs(uris []string, public bool) ([]string, []validation) {
	if len(uris) > 32 {
		return nil, []validation{{"redirect_uris", fmt.Sprintf("at most 32 redirect URIs are allowed, got %d", len(uris))}}
	}
	seen := map[string]bool{}
	var out []string
	var vs []validation
	for i, raw := range uris {
		if p := redirectURIProblem(raw, public); p != "" {
			vs = append(vs, validation{"redirect_uris", fmt.Sprintf("redirect URI %d %s", i+1, p)})
			continue
		}
		if !seen[raw] {
			seen[raw] = true
			out = append(out, raw)
		}
	}
	return out, vs
}

func coveredByComposite(sc string, allowed map[string]bool) bool {
	for composite, names := range compositeCovers {
		if allowed[composite] && slices.Contains(names, sc) {
			return true
		}
	}
	return false
}

// unknownScopes lists the scope names not in the catalogue.
func unknownScopes(scope string) []string {
	var bad []string
	for _, sc := range strings.Fields(scope) {
		if !knownScope[sc] {
			bad = append(bad, sc)
		}
	}
	return bad
}

// compositeCovers is what a composite scope covers besides itself, as far
// as upstream documents it (SCOPES.md's coverage table for
// coder:workspaces.access); the rest of Coder's rbac composites are not
// modelled, so they cover only their own name here.
var compositeCovers = map[string][]string{
	"coder:workspaces.access": {"workspace:ssh", "template:read"},
}

// scopeCovered reports whether every requested scope is in the allowed set.
// coder:all covers everything; a composite covers its documented names.
func scopeCovered(requested, allowed string) bool {
	set := map[string]bool{}
	for _, sc := range strings.Fields(allowed) {
		set[sc] = true
	}
	if set["coder:all"] {
		return true
	}
	for _, sc := range strings.Fields(requested) {
		if set[sc] || coveredByComposite(sc, set) {
			continue
		}
		// resource:* covers resource:action.
		if res, _, ok := strings.Cut(sc, ":"); ok && set[res+":*"] {
			continue
		}
		return false
	}
	return true
}
