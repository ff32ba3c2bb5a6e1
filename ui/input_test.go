package ui

import (
	"image/color"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestMouseClickRowWheelAndTabs(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 100)
	h := newHarness(t, api, 120, 30)
	// Click the "2 Apps" tab in the tab bar.
	x := strings.Index(h.screen(), "2 Apps")
	h.send(tea.MouseClickMsg{X: x + 1, Y: 0, Button: tea.MouseLeft})
	h.requireScreen("OAuth2 apps", "100 of 100")
	// Rows start on screen line 1 (tab bar) + 3 (title, filter hint, header).
	h.send(tea.MouseClickMsg{X: 10, Y: 1 + 3 + 4, Button: tea.MouseLeft})
	if got := h.m.c.SelectedApp(); got == nil || got.Name != "app-00004" {
		t.Fatalf("click selected %+v", got)
	}
	h.send(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelDown})
	h.send(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelDown})
	if got := h.m.c.SelectedApp(); got == nil || got.Name != "app-00010" {
		t.Fatalf("wheel moved to %+v", got)
	}
	// A click on the empty area below the rows selects nothing new.
	h.key("/")
	h.typeText("app-0009")
	h.key("enter")
	h.send(tea.MouseClickMsg{X: 10, Y: 28, Button: tea.MouseLeft})
	if got := h.m.c.SelectedApp(); got == nil || got.Name != "app-00090" {
		t.Fatalf("click below the rows changed the selection: %+v", got)
	}
}

func TestBackgroundColourRebuildsStyles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30)
	if !h.m.c.Styles.IsDark {
		t.Fatal("styles should start dark")
	}
	h.key("2", "n") // a form holding text inputs
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if h.m.c.Styles.IsDark {
		t.Fatal("a white background did not switch to light styles")
	}
	form := h.m.top().(*appForm)
	if got, want := form.name.input.Styles().Focused.Text, h.m.c.Styles.TextInput.Focused.Text; got.GetForeground() != want.GetForeground() {
		t.Fatal("the form's inputs kept the dark styles")
	}
	h.send(tea.BackgroundColorMsg{Color: color.Black})
	if !h.m.c.Styles.IsDark {
		t.Fatal("a black background did not switch back to dark styles")
	}
}

func TestFilterInputSwallowsGlobalKeys(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 3)
	h := newHarness(t, api, 100, 30)
	h.key("2", "/")
	h.typeText("q?1n")
	if h.m.quitting || h.m.showHelp || h.m.tabs[h.m.active].id != screenApps || len(h.m.tabs[h.m.active].stack) != 0 {
		t.Fatal("keys typed into the filter acted as global keys")
	}
	h.requireScreen("/q?1n")
	h.key("esc")
	h.requireScreen("3 of 3")
}

func TestPasteGoesOnlyToTheScreenInFront(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 3)
	h := newHarness(t, api, 100, 30)
	h.key("n") // a login form stays open on the Deployments tab
	login := h.m.top().(*loginForm)
	x := strings.Index(h.screen(), "2 Apps")
	h.send(tea.MouseClickMsg{X: x + 1, Y: 0, Button: tea.MouseLeft})
	h.key("/")
	h.send(tea.PasteMsg{Content: "app-0000"})
	h.requireScreen("/app-0000")
	if v := login.url.value(); strings.Contains(v, "app-0000") {
		t.Fatalf("a paste reached a form on another tab: %q", v)
	}
}
