package ui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/flows"
)

// hostile holds the terminal attacks a server could put in a string:
// colour, cursor movement and screen clearing, an OSC 52 clipboard write,
// an OSC 8 hyperlink, a C1 CSI, and a bidi override.
const hostile = "evil\x1b[31mRED\x1b[2J\x1b[H\x1b[5A" +
	"\x1b]52;c;cm0gLXJmIH4=\x07" +
	"\x1b]8;;https://attacker.example/\x1b\\click\x1b]8;;\x1b\\" +
	"\u009b6n\u202etxt"

// hostileServer answers like a deployment whose app name and icon carry
// escape sequences (Coder validates names, but a hostile or compromised
// server need not; icons are free text).
func hostileServer(t *testing.T) *httptest.Server {
	app := map[string]any{
		"id": "11111111-2222-4333-8444-555555555555", "name": hostile, "callback_url": "http://127.0.0.1:9876/cb\x1b]52;c;eA==\x07",
		"icon":      "/icon\x1b]8;;http://x/\x1b\\.png",
		"endpoints": map[string]string{"authorization": "http://h/oauth2/authorize\x1b[2J", "token": "http://h/oauth2/tokens"},
	}
	mux := http.NewServeMux()
	js := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("/api/v2/buildinfo", func(w http.ResponseWriter, r *http.Request) {
		js(w, map[string]any{"version": "v2.30.0\x1b]52;c;eA==\x07"})
	})
	mux.HandleFunc("/api/v2/users/me", func(w http.ResponseWriter, r *http.Request) {
		js(w, map[string]any{"id": "u", "username": "adm\x1b[1min", "email": "a@b\x1b]52;c;eA==\x07", "roles": []any{map[string]any{"name": "own\x1b[2Jer"}}})
	})
	mux.HandleFunc("/api/v2/oauth2-provider/apps", func(w http.ResponseWriter, r *http.Request) { js(w, []any{app}) })
	mux.HandleFunc("/api/v2/oauth2-provider/apps/11111111-2222-4333-8444-555555555555", func(w http.ResponseWriter, r *http.Request) { js(w, app) })
	mux.HandleFunc("/api/v2/oauth2-provider/apps/11111111-2222-4333-8444-555555555555/secrets", func(w http.ResponseWriter, r *http.Request) {
		js(w, []any{map[string]any{"id": "s1", "client_secret_truncated": "ab\x1b]52;c;eA==\x07cd"}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// requireOnlySGR fails if out holds any escape sequence other than the
// Select Graphic Rendition ones our own styles emit, or any C1 control.
func requireOnlySGR(t *testing.T, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		if out[i] != 0x1b {
			continue
		}
		if i+1 >= len(out) || out[i+1] != '[' {
			t.Fatalf("non-CSI escape at %d: %q", i, out[i:min(i+20, len(out))])
		}
		j := i + 2
		for j < len(out) && (out[j] >= '0' && out[j] <= '9' || out[j] == ';' || out[j] == ':') {
			j++
		}
		if j >= len(out) || out[j] != 'm' {
			t.Fatalf("non-SGR CSI at %d: %q", i, out[i:min(j+1, len(out))])
		}
	}
	if strings.ContainsRune(out, '\u009b') || strings.ContainsRune(out, '\u202e') {
		t.Fatal("C1 CSI or bidi override reached the screen")
	}
}

func TestServerStringsRenderInert(t *testing.T) {
	t.Parallel()
	srv := hostileServer(t)
	h := newRealHarness(t, Deps{InitialURL: srv.URL, InitialToken: "tok-test"}, 120, 30)
	h.waitScreen("version", "adm␛[1min", "a@b␛]52;c;eA==␇", "own␛[2Jer")
	requireOnlySGR(t, h.m.View().Content)

	h.key("2")
	h.waitScreen("evil␛[31mRED␛[2J", "9876/cb␛]52;c;eA==␇")
	requireOnlySGR(t, h.m.View().Content)

	h.key("enter")
	h.waitScreen("Client ID", "evil␛[31mRED␛[2J␛[H␛[5A␛]52;c;cm0gLXJmIH4=␇", "/icon␛]8;;http://x/␛\\.png", "*****ab␛]52;c;e")
	out := h.m.View().Content
	requireOnlySGR(t, out)
	if !strings.Contains(h.screen(), "␛]8;;https://attacker.example/") {
		t.Fatalf("OSC 8 link not shown as text:\n%s", h.screen())
	}
}

// A freshly created client secret is shown once, masked with its last
// characters, or in full when revealed: neither may carry the server's
// escape sequences to the terminal, while copy and keep get it exactly.
func TestNewSecretRendersInert(t *testing.T) {
	t.Parallel()
	c := newCommon(t.Context(), Deps{})
	c.Styles = NewStyles(true)
	s := newAppDetail(c, client.App{ID: "app-1", Name: "demo"})
	s.SetSize(100, 30)
	full := "coder_0123456789_" + strings.Repeat("x", 20) + "\x1b[2J"
	s.Update(secretCreatedMsg{appID: "app-1", secret: client.AppSecretFull{ID: "s1", ClientSecretFull: full}})
	if s.newborn == nil {
		t.Fatal("the new secret is not shown")
	}
	requireOnlySGR(t, s.View())
	s.Update(keyMsg("v"))
	if !strings.Contains(ansi.Strip(s.View()), "coder_0123456789_"+strings.Repeat("x", 20)+"␛[2J") {
		t.Fatalf("reveal did not show the secret:\n%s", ansi.Strip(s.View()))
	}
	requireOnlySGR(t, s.View())
	if s.newborn.secret.ClientSecretFull != full {
		t.Fatal("the value kept for copy and keep was altered")
	}
}

// The token inspector's mask keeps the first characters of a token; a
// server-sent token must not smuggle an escape sequence through them.
func TestTokenMaskRendersInert(t *testing.T) {
	t.Parallel()
	s, now := newUnitFlowScreen(t)
	s.run.tokens = &flows.Tokens{AccessToken: "\x1b[2J" + strings.Repeat("x", 30), RefreshToken: "\x1b]52;c;eA==\x07" + strings.Repeat("y", 30),
		TokenType: "Bearer", Expiry: now.Add(time.Hour), Received: *now}
	s.list.cursor = tokenRow
	s.render()
	requireOnlySGR(t, s.View())
}

func TestMaskSecretKeepsWholeCharacters(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"ééééééééé", "日本語日本語日本語", "abcdefghijklmnop", "short"} {
		got := maskSecret(in, false)
		if !utf8.ValidString(got) {
			t.Fatalf("maskSecret(%q) = %q: not valid UTF-8", in, got)
		}
	}
}

// The request editor masks secret parameters, keeping a few characters; a
// value that came from the server (a code, a secret) must not carry an
// escape sequence through them.
func TestRequestEditorMaskRendersInert(t *testing.T) {
	t.Parallel()
	s, _ := newUnitFlowScreen(t)
	req := flows.Request{Method: "POST", URL: "http://127.0.0.1:1/oauth2/tokens", Params: url.Values{
		"client_secret": {"\x1b[2J" + strings.Repeat("s", 30)},
		"code":          {"\x1b]52;c;eA==\x07" + strings.Repeat("c", 30)},
	}}
	if !isSecretParam("client_secret") {
		t.Fatal("client_secret is not treated as secret")
	}
	ed := newFlowEditor(s.c, s.run, flows.StepExchange, req)
	ed.SetSize(100, 20)
	requireOnlySGR(t, ed.View())
}

// The edit form's heading and the redirect tester show the app's name and
// URIs, which the server sent.
func TestAppFormAndRedirectTesterRenderInert(t *testing.T) {
	t.Parallel()
	c := newCommon(t.Context(), Deps{})
	c.Styles = NewStyles(true)
	app := client.App{ID: "id\x1b[2J", Name: hostile, RedirectURIs: []string{"http://127.0.0.1:9876/cb\x1b]52;c;eA==\x07"}}

	form := newAppForm(c, &app)
	form.SetSize(100, 30)
	requireOnlySGR(t, form.View())
	if !strings.Contains(ansi.Strip(form.View()), "Edit evil␛[31mRED") {
		t.Fatalf("edit heading:\n%s", ansi.Strip(form.View()))
	}

	tester := newRedirectTester(c, app)
	tester.SetSize(100, 30)
	tester.uri.input.SetValue("http://127.0.0.1:9876/cb")
	requireOnlySGR(t, tester.View())
	if got := ansi.Strip(tester.View()); !strings.Contains(got, "Would evil␛[31mRED") || !strings.Contains(got, "cb␛]52;c;eA==␇") {
		t.Fatalf("tester:\n%s", got)
	}
}
