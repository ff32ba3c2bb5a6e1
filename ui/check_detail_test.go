package ui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/flows/check"
)

// A failure's detail says what to do about it (check.Fix), a pass's does
// not; every response header of the evidence shows; enter moves the
// selection to the next evidence, a click on a heading picks it, and c
// copies the selected one as curl, not always the first.
func TestCheckDetailFixHeadersAndSelectedCurl(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 40)
	id := "authorize.pkce-required"
	res := sanitizeResult(check.Result{ID: id, Title: "PKCE required", Status: check.Warn, Level: check.Should, Basis: "OAuth 2.1 §4.1.1",
		Detail: "a code was issued without code_challenge",
		Evidence: []check.Evidence{
			{Note: "authorize without code_challenge", Method: "GET", URL: "http://x/oauth2/authorize?one", Status: 302,
				ResponseHeader: map[string]string{"Location": "http://127.0.0.1:9876/callback?code=‹redacted:1›", "X-Served-By": "edge-7",
					"Set-Cookie": "csrf_token=‹redacted:2›; Path=/", "Date": "Sun, 22 Nov 2026 12:00:00 GMT"}},
			{Note: "second", Method: "POST", URL: "http://x/oauth2/tokens?two", Status: 400},
			{Note: "third", Method: "POST", URL: "http://x/oauth2/tokens?three", Status: 400},
		}})
	d := newCheckDetail(h.c, res)
	h.run(h.c.Push(d))
	h.requireScreen("Fix", check.Fix(id), "X-Served-By: edge-7", "Date: Sun, 22 Nov 2026", "Set-Cookie: csrf_token=‹redacted:2›")

	h.key("c")
	if !strings.Contains(h.clipboard, "?one") {
		t.Fatalf("c copied %q, want evidence 1", h.clipboard)
	}
	h.key("enter")
	h.requireScreen("› Evidence 2 · c copies it as curl")
	h.key("c")
	if !strings.Contains(h.clipboard, "?two") || !strings.Contains(h.clipboard, "-X POST") {
		t.Fatalf("c copied %q, want evidence 2", h.clipboard)
	}
	h.key("enter", "enter") // past the last: back to the first
	if d.selected != 0 {
		t.Fatalf("enter past the last evidence selected %d", d.selected)
	}
	// A click on evidence 3's heading selects it.
	lines := strings.Split(ansi.Strip(d.View()), "\n")
	row := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Evidence 3") })
	if row < 0 {
		t.Fatalf("no heading of evidence 3 on screen:\n%s", d.View())
	}
	d.Update(tea.MouseClickMsg{Button: tea.MouseLeft, Y: row})
	h.key("c")
	if !strings.Contains(h.clipboard, "?three") {
		t.Fatalf("after a click on evidence 3, c copied %q", h.clipboard)
	}

	pass := res
	pass.Status = check.Pass
	p := newCheckDetail(h.c, pass)
	p.SetSize(100, 40)
	if v := ansi.Strip(p.View()); strings.Contains(v, "Fix") {
		t.Fatalf("a passing check shows a fix:\n%s", v)
	}
}
