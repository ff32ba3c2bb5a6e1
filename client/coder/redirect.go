package coder

import (
	"net/url"
	"strings"
)

// MatchRedirect says whether a redirect_uri sent at authorize would be
// accepted for an app registered with uris, and why. Newer Coder compares
// exactly, except that the port of an http loopback URI may differ (RFC
// 8252 §7.3); v2.30 (legacy) accepts the callback URL's host and port with
// any path under the callback's path.
func MatchRedirect(uris []string, candidate string, legacy bool) (int, string) {
	c, err := url.Parse(candidate)
	if err != nil || c.Scheme == "" {
		return -1, "not an absolute URI"
	}
	if c.Fragment != "" {
		return -1, "has a fragment (#…), which is never allowed"
	}
	if legacy && len(uris) > 0 {
		r, err := url.Parse(uris[0])
		if err != nil {
			return -1, "the registered callback URL does not parse"
		}
		switch {
		case !strings.EqualFold(r.Host, c.Host):
			return -1, "host " + c.Host + " differs from the callback's " + r.Host + " (v2.30 compares host and port)"
		case !strings.HasPrefix(c.Path, r.Path):
			return -1, "path " + c.Path + " is not under the callback's path " + r.Path
		}
		return 0, "accepted by v2.30: same host and port, path under the callback's"
	}
	for i, u := range uris {
		if u == candidate {
			return i, "exact match"
		}
	}
	for i, u := range uris {
		r, err := url.Parse(u)
		if err != nil || r.Scheme != "http" || c.Scheme != "http" || !IsLoopbackHost(r.Hostname()) {
			continue
		}
		if strings.EqualFold(r.Hostname(), c.Hostname()) && r.Path == c.Path && r.RawQuery == c.RawQuery {
			return i, "loopback: only the port differs, which RFC 8252 §7.3 allows"
		}
	}
	near := ""
	for _, u := range uris {
		if r, err := url.Parse(u); err == nil && strings.EqualFold(r.Hostname(), c.Hostname()) {
			near = "; closest registered: " + u
			if IsLoopbackHost(c.Hostname()) && r.Hostname() != c.Hostname() {
				near += " (localhost and 127.0.0.1 are different URIs)"
			}
			break
		}
	}
	if near == "" && IsLoopbackHost(c.Hostname()) {
		for _, u := range uris {
			if r, err := url.Parse(u); err == nil && IsLoopbackHost(r.Hostname()) {
				near = "; " + u + " is registered: localhost, 127.0.0.1 and [::1] are different URIs"
				break
			}
		}
	}
	return -1, "no registered URI matches" + near
}
