package coder

import (
	"strconv"
	"strings"
	"testing"
)

// Coder 2.38's redirect-URI rules in their final form (callback-url-schemes.md).
func TestRedirectURIRules(t *testing.T) {
	t.Parallel()
	for raw, wantProblem := range map[string]string{
		"http://127.0.0.1:9876/callback":                   "",
		"http://localhost/cb":                              "",
		"http://[::1]:1234/cb":                             "",
		"http://app.localhost:3000/cb":                     "",
		"http://example.com/cb":                            "only allowed for loopback",
		"https://example.com/cb":                           "",
		"com.example.app:/callback":                        "",
		"com.example.app://callback":                       "",
		"com.example.app:callback":                         "path or authority",
		"urn:ietf:wg:oauth:2.0:oob":                        "",
		"javascript:alert(1)":                              "not allowed",
		"data:text/html,x":                                 "not allowed",
		"file:///etc/passwd":                               "not allowed",
		"ftp://example.com/x":                              "not allowed",
		"https://example.com/cb#frag":                      "fragment",
		"https://example.com/" + strings.Repeat("a", 2049): "2048",
	} {
		got := RedirectURI(raw)
		if (wantProblem == "") != (got == "") || !strings.Contains(got, wantProblem) {
			t.Errorf("RedirectURI(%.60q) = %q, want %q", raw, got, wantProblem)
		}
	}
	var lines []string
	for i := range 33 {
		lines = append(lines, "https://example.com/cb"+strconv.Itoa(i))
	}
	if got := RedirectURIs(strings.Join(lines[:32], "\n")); got != "" {
		t.Errorf("32 redirect URIs refused: %s", got)
	}
	if got := RedirectURIs(strings.Join(lines, "\n")); !strings.Contains(got, "32") {
		t.Errorf("33 redirect URIs: %q", got)
	}
}
