package ui

import (
	"errors"
	"testing"
)

// ':' opens the command line: tab completes, enter goes to the tab, an
// unknown command says what there is; [ and ] walk back and forth through
// the tabs visited.
func TestCommandLineAndVisits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30)
	h.key(":")
	h.typeText("aud")
	h.key("tab")
	h.requireScreen(":audit")
	h.key("enter")
	if h.m.tabs[h.m.active].id != screenAudit {
		t.Fatalf("active tab %s", h.m.tabs[h.m.active].id)
	}
	h.key(":")
	h.typeText("nope")
	h.key("enter")
	h.requireScreen("unknown command “nope”", "apps")
	h.key("esc")
	h.key(":")
	h.typeText("requests")
	h.key("enter")
	if h.m.tabs[h.m.active].id != screenRequests {
		t.Fatalf("active tab %s", h.m.tabs[h.m.active].id)
	}
	h.key("[")
	if h.m.tabs[h.m.active].id != screenAudit {
		t.Fatalf("after [: %s", h.m.tabs[h.m.active].id)
	}
	h.key("[")
	if h.m.tabs[h.m.active].id != screenDeployments {
		t.Fatalf("after [[: %s", h.m.tabs[h.m.active].id)
	}
	h.key("]")
	if h.m.tabs[h.m.active].id != screenAudit {
		t.Fatalf("after ]: %s", h.m.tabs[h.m.active].id)
	}
}

// ':flow APP' does what f does: by name (completed with tab) or client id;
// an unknown name says so; before the Apps tab has a list, it fetches one.
func TestCommandLineFlowWithApp(t *testing.T) {
	t.Parallel()
	api := goldenAPI()
	h := newHarness(t, api, 120, 30)
	h.key(":")
	h.typeText("flow mc")
	h.requireScreen("mcp-inspector  · tab completes")
	h.key("tab")
	h.requireScreen(":flow mcp-inspector")
	h.key("enter")
	requireFlowFormFor(t, h, "mcp-inspector")
	h.key("esc", "2")

	h.key(":")
	h.typeText("flow " + api.apps[3].ID)
	h.key("enter")
	requireFlowFormFor(t, h, api.apps[3].Name)
	h.key("esc", "2")

	h.key(":")
	h.typeText("flow nope")
	h.key("enter")
	h.requireScreen("No app “nope” on this deployment")
	if id := h.m.tabs[h.m.active].id; id != screenApps {
		t.Fatalf("an unknown app moved to %s", id)
	}

	// A list that never loaded (the server was down at start).
	api2 := goldenAPI()
	api2.fail = errors.New("connection refused")
	h2 := newHarness(t, api2, 120, 30)
	if h2.m.tabs[1].root.(*appsScreen).loaded {
		t.Fatal("the list loaded despite the failure")
	}
	api2.mu.Lock()
	api2.fail = nil
	api2.mu.Unlock()
	h2.key(":")
	h2.typeText("flow app-00001")
	h2.key("enter")
	requireFlowFormFor(t, h2, "app-00001")
}

// ':deploy URL' switches to a listed deployment (by URL or host), says so
// when it is already in use, and opens the add form with the URL filled in
// for one not listed; tab completes the listed URLs.
func TestCommandLineDeploy(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	h := newHarness(t, api, 120, 30)
	h.waitScreen("In use: " + api.url)
	h.key("2")
	h.send(useSessionMsg{&Session{URL: "https://other.example.com", Source: "test", API: api}})
	h.waitScreen("other.example.com")

	h.key(":")
	h.typeText("deploy https://co")
	h.key("tab")
	h.requireScreen(":deploy https://coder.example.com")
	h.key("enter")
	if got := h.m.c.Session(); got == nil || got.URL != api.url {
		t.Fatalf("session after :deploy %s: %s", api.url, sessURL(got))
	}
	if id := h.m.tabs[h.m.active].id; id != screenDeployments {
		t.Fatalf("active tab %s", id)
	}
	h.waitScreen("In use: " + api.url)

	h.key(":")
	h.typeText("deploy other.example.com")
	h.key("enter")
	if got := h.m.c.Session(); got == nil || got.URL != "https://other.example.com" {
		t.Fatalf("session after :deploy by host: %s", sessURL(got))
	}
	h.key(":")
	h.typeText("deploy other.example.com")
	h.key("enter")
	h.requireScreen("Already using https://other.example.com")

	h.key("3", ":")
	h.typeText("deploy https://new.example.com")
	h.key("enter")
	form, ok := h.m.top().(*loginForm)
	if !ok || h.m.tabs[h.m.active].id != screenDeployments {
		t.Fatalf("top %T on %s, want the add form on Deployments", h.m.top(), h.m.tabs[h.m.active].id)
	}
	if got := form.url.value(); got != "https://new.example.com" {
		t.Fatalf("form URL %q", got)
	}
	h.requireScreen("Add a deployment", "https://new.example.com")
	h.key("esc") // prefilled by the command, not typed: closes without asking
	if _, open := h.m.top().(*loginForm); open {
		t.Fatalf("esc kept the form:\n%s", h.screen())
	}

	h.key(":")
	h.typeText("deploy ftp://x")
	h.key("enter")
	h.requireScreen(":deploy ftp://x: deployment URL")
}
