package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
)

func TestStartShowsDeploymentAndTabs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30)
	h.requireScreen("1 Deployments", "admin@coder.example.com", "v2.30.0", "In use: https://coder.example.com")
}

func TestTooSmallAndBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30)
	h.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	h.requireScreen("Terminal too small: 40×10")
	if got := strings.Count(h.screen(), "\n") + 1; got > 10 {
		t.Fatalf("too-small view is %d lines on a 10-line terminal", got)
	}
	h.key("j", "enter", "n") // keys are ignored, nothing panics
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.requireScreen("1 Deployments")
}

func TestCtrlCQuitsFromAForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30)
	h.key("n")
	h.requireScreen("Add a deployment")
	_, cmd := h.m.Update(keyMsg("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c in a form did not quit")
	}
}

func TestHelpListsScreenKeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30)
	h.key("?")
	h.requireScreen("Keys: Deployments", "log out", "use deployment", "ctrl+c")
	h.key("x")
	if strings.Contains(h.screen(), "Keys: Deployments") {
		t.Fatal("help did not close on a key press")
	}
}

// A detail screen on the Apps tab that closes itself after a session
// change must not pop whatever is open on the tab the user is looking at.
func TestSessionChangeClosesOnlyStaleScreens(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 2)
	h := newHarness(t, api, 100, 30)
	h.key("2", "enter")
	h.requireScreen("Client ID")
	h.key("1", "n")
	h.requireScreen("Add a deployment")
	other := newFakeAPI()
	other.url = "https://other.example.com"
	h.send(useSessionMsg{&Session{URL: other.url, API: other}})
	h.requireScreen("Add a deployment") // still open on the Deployments tab
	if n := len(h.m.tabs[1].stack); n != 0 {
		t.Fatalf("the stale app detail is still on the Apps tab (%d screens)", n)
	}
	h.key("esc")
	h.requireScreen("Saved deployments", "In use: https://other.example.com")
}

// A slow answer from the deployment the user has left is cancelled and, if
// it still arrives, dropped: the new deployment's apps stay on screen.
func TestLateRepliesAfterSwitchAreDropped(t *testing.T) {
	t.Parallel()
	slow := newFakeAPI()
	seedApps(slow, 3)
	slow.block = make(chan struct{})
	h := newHarness(t, slow, 100, 30)
	h.key("2")
	h.requireScreen("Loading apps")

	fast := newFakeAPI()
	fast.url = "https://fast.example.com"
	fast.apps = []client.App{{ID: "f1", Name: "fast-only", CallbackURL: "http://127.0.0.1:1/cb"}}
	h.send(useSessionMsg{&Session{URL: fast.url, API: fast}})
	h.waitScreen("fast-only", "1 of 1")
	h.waitFor("the slow load to be cancelled", func() bool {
		slow.mu.Lock()
		defer slow.mu.Unlock()
		return slow.cancelled > 0
	})
	// Even a stale answer that slips through is ignored.
	h.send(appsLoadedMsg{gen: 1, sessionGen: 1, apps: slow.apps})
	h.requireScreen("fast-only", "1 of 1")
	if strings.Contains(h.screen(), "app-00000") {
		t.Fatal("a stale answer replaced the current list")
	}
}

// A form opened for one deployment closes when the console switches to
// another: an edit would miss (the app is not there) and a create would
// land on a deployment the user did not open the form for.
func TestAppFormClosesOnDeploymentSwitch(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	h := newHarness(t, api, 120, 30)
	h.key("2", "n")
	h.requireScreen("New OAuth2 app")
	h.send(useSessionMsg{h.m.c.Session()}) // a reconnect: same deployment
	h.requireScreen("New OAuth2 app")
	h.send(useSessionMsg{&Session{URL: "https://other.example.com", Source: "test", API: api}})
	if strings.Contains(h.screen(), "New OAuth2 app") {
		t.Fatalf("the form for the previous deployment is still open:\n%s", h.screen())
	}
}

// The status bar cuts a long notice to its width; ? shows it whole.
func TestHelpShowsLongNoticeWhole(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30)
	long := strings.Repeat("the server explained at length ", 8) + "ENDMARKER"
	h.send(noticeMsg{kind: noticeError, text: long})
	if strings.Contains(h.screen(), "ENDMARKER") {
		t.Fatal("the notice fits the bar: the test needs a longer one")
	}
	h.key("?")
	h.requireScreen("Latest notice", "ENDMARKER")
}
