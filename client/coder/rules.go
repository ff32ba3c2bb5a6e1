// Package coder holds Coder's rules for OAuth2 apps as its server enforces
// them (app names, redirect URIs and how an authorize redirect_uri is
// matched) and the features each version has, so the console and the CLI
// can check early and say why. The server stays the judge: its own
// validation messages are shown too. The sandbox keeps its own copy of these
// rules on purpose (an oracle shares no code with what it tests).
package coder

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

var appNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`) })

const (
	maxAppNameLen     = 32
	maxRedirectURIs   = 32
	maxRedirectURILen = 2048
	oobRedirectURI    = "urn:ietf:wg:oauth:2.0:oob"
)

// AppName returns "" or what is wrong with an app name.
func AppName(name string) string {
	switch {
	case name == "":
		return "a name is required"
	case len(name) > maxAppNameLen:
		return "at most 32 characters (this has " + strconv.Itoa(len(name)) + ")"
	case name == "new" || name == "create":
		return "“new” and “create” are reserved"
	case !appNamePattern().MatchString(name):
		return "letters and digits in groups joined by single hyphens (e.g. my-app-2); no spaces, no leading/trailing hyphen"
	}
	return ""
}

// SplitRedirects reads one URI per line (blank lines ignored).
func SplitRedirects(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// RedirectURIs returns "" or the first problem, naming the line.
func RedirectURIs(text string) string {
	uris := SplitRedirects(text)
	if len(uris) == 0 {
		return "at least one redirect URI is required (the first is the default callback)"
	}
	if len(uris) > maxRedirectURIs {
		return "at most 32 redirect URIs (this has " + strconv.Itoa(len(uris)) + ")"
	}
	seen := map[string]int{}
	for i, u := range uris {
		if msg := RedirectURI(u); msg != "" {
			return "line " + strconv.Itoa(i+1) + ": " + msg
		}
		if j, dup := seen[u]; dup {
			return "line " + strconv.Itoa(i+1) + " repeats line " + strconv.Itoa(j+1)
		}
		seen[u] = i
	}
	return ""
}

// RedirectURI checks one redirect URI against Coder's rules and
// RFC 8252 (loopback http only).
func RedirectURI(raw string) string {
	if len(raw) > maxRedirectURILen {
		return "longer than 2048 bytes"
	}
	if raw == oobRedirectURI {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "not a URI: " + err.Error()
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme == "":
		return "needs a scheme (https://…, or http://127.0.0.1:PORT/… for a local client)"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "must not contain a fragment (#…)"
	case scheme == "javascript" || scheme == "data" || scheme == "file" || scheme == "ftp":
		return scheme + ": URIs are not allowed"
	case scheme == "http":
		// 2.38: the three loopback hosts (any port) or, for a confidential
		// app such as those the apps API makes, a .localhost subdomain
		// (exact port).
		if !IsLoopbackHost(u.Hostname()) && !strings.HasSuffix(strings.ToLower(u.Hostname()), ".localhost") {
			return "http is only allowed for loopback (localhost, 127.0.0.1, [::1], or a .localhost subdomain); use https"
		}
		return ""
	case scheme == "https":
		if u.Host == "" {
			return "https URI needs a host"
		}
		return ""
	}
	// A private-use scheme needs a path or authority: com.example.app:/callback,
	// not the bare com.example.app:callback (Coder 2.38, RFC 8252 §7.1).
	if u.Host == "" && u.Path == "" {
		return "a custom scheme needs a path or authority (com.example.app:/callback, not com.example.app:callback)"
	}
	return ""
}

// IsLoopbackHost reports localhost or a loopback IP (RFC 8252 §7.3, §8.3).
func IsLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
