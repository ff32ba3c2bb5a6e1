package ui

import (
	"strings"
	"testing"

	"oauthdeck/client/coder"
)

func TestMatchRedirect(t *testing.T) {
	t.Parallel()
	uris := []string{"http://127.0.0.1:9876/callback", "https://app.example.com/oauth/cb", "com.example.app:/cb"}
	for _, c := range []struct {
		candidate string
		legacy    bool
		want      int
		why       string
	}{
		{"http://127.0.0.1:9876/callback", false, 0, "exact"},
		{"http://127.0.0.1:53682/callback", false, 0, "only the port differs"},
		{"http://localhost:9876/callback", false, -1, "different URIs"},
		{"http://127.0.0.1:9876/other", false, -1, "closest registered"},
		{"https://app.example.com/oauth/cb", false, 1, "exact"},
		{"https://app.example.com:8443/oauth/cb", false, -1, "no registered URI"},
		{"https://app.example.com/oauth/cb#x", false, -1, "fragment"},
		{"com.example.app:/cb", false, 2, "exact"},
		{"/relative", false, -1, "not an absolute URI"},
		{"http://127.0.0.1:9876/callback/deeper", true, 0, "path under"},
		{"http://127.0.0.1:1234/callback", true, -1, "compares host and port"},
	} {
		got, why := coder.MatchRedirect(uris, c.candidate, c.legacy)
		if got != c.want || !strings.Contains(why, c.why) {
			t.Errorf("%s (legacy %v): %d %q, want %d containing %q", c.candidate, c.legacy, got, why, c.want, c.why)
		}
	}
}

func TestRedirectTesterScreen(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 1)
	api.apps[0].RedirectURIs = []string{"http://127.0.0.1:9876/callback"}
	h := newHarness(t, api, 100, 30)
	h.key("2", "enter", "t")
	h.requireScreen("Would app-00000 accept this redirect_uri?", "Registered:")
	h.typeText("http://127.0.0.1:5555/callback")
	h.requireScreen("✓ accepted", "only the port differs")
	h.send(keyMsg("ctrl+u"))
	h.typeText("http://localhost:9876/callback")
	h.requireScreen("✗ refused", "different URIs")
	h.key("esc")
	h.requireScreen("Client ID")
}
