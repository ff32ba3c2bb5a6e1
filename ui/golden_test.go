package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	xgolden "github.com/charmbracelet/x/exp/golden"

	"oauthdeck/client"
)

// Golden views, ANSI stripped; `go test ./ui -run Golden -update` rewrites them.

func goldenView(t *testing.T, h *harness) {
	t.Helper()
	h.waitFor("no task running", func() bool { return !h.m.c.status.busy() })
	out := ansi.Strip(h.m.View().Content)
	lines := strings.Split(out, "\n")
	if len(lines) != h.m.c.Height {
		t.Fatalf("frame has %d lines, terminal has %d", len(lines), h.m.c.Height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > h.m.c.Width {
			t.Fatalf("line %d is %d cells wide on a %d-cell terminal: %q", i, w, h.m.c.Width, l)
		}
	}
	xgolden.RequireEqual(t, out)
}

func goldenAPI() *fakeAPI {
	api := newFakeAPI()
	seedApps(api, 5)
	api.apps[2].Name = "mcp-inspector"
	api.apps[2].RedirectURIs = []string{"http://127.0.0.1:6276/oauth/callback", "http://localhost:6276/oauth/callback"}
	api.apps[2].Endpoints = client.AppEndpoints{Authorization: api.url + "/oauth2/authorize", Token: api.url + "/oauth2/tokens", Revocation: api.url + "/oauth2/revoke"}
	api.secrets[api.apps[2].ID] = []client.AppSecret{{ID: "s1", ClientSecretTruncated: "a1b2c3"}}
	return api
}

func TestGoldenDeployments80x24(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 80, 24)
	goldenView(t, h)
}

func TestGoldenApps80x24(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 80, 24)
	h.key("2")
	goldenView(t, h)
}

func TestGoldenApps120x30(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 120, 30)
	h.key("2")
	goldenView(t, h)
}

func TestGoldenAppDetail80x24(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 80, 24)
	h.key("2", "/")
	h.typeText("mcp")
	h.key("enter", "enter")
	goldenView(t, h)
}

func TestGoldenAppFormErrors80x24(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 80, 24)
	h.key("2", "n")
	h.typeText("-bad-")
	h.key("tab")
	h.typeText("javascript:alert(1)")
	goldenView(t, h)
}

func TestGoldenDeleteConfirm80x24(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 80, 24)
	h.key("2", "d")
	goldenView(t, h)
}

func TestGoldenDiscovery100x30(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 100, 30)
	h.key("3")
	goldenView(t, h)
}

func TestGoldenHelp80x24(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 80, 24)
	h.key("2", "?")
	goldenView(t, h)
}

func TestGoldenTooSmall(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 50, 12)
	goldenView(t, h)
}
