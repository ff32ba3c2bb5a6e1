package ui

import (
	"strings"
	"testing"

	"oauthdeck/flows"
)

// requireFlowFormFor checks that the Flow tab is in front with its setup
// form open and the existing app chosen as the client.
func requireFlowFormFor(t *testing.T, h *harness, name string) {
	t.Helper()
	if id := h.m.tabs[h.m.active].id; id != screenFlow {
		t.Fatalf("active tab %s, want flow:\n%s", id, h.screen())
	}
	form, ok := h.m.top().(*flowOptionsForm)
	if !ok {
		t.Fatalf("top screen %T, want the flow setup form:\n%s", h.m.top(), h.screen())
	}
	if form.app == nil || form.app.Name != name || form.mode() != flows.ClientExisting {
		t.Fatalf("form client: app %v, mode %s", form.app, form.mode())
	}
	if got := h.m.c.SelectedApp(); got == nil || got.Name != name {
		t.Fatalf("selected app %v, want %s", got, name)
	}
	h.requireScreen("Set up an authorization-code flow", "(●) app "+name)
}

// f on the Apps list and on app detail opens the Flow tab's setup form
// with that app as the client.
func TestStartFlowFromAppsAndDetail(t *testing.T) {
	t.Parallel()
	h := newHarness(t, goldenAPI(), 120, 30)
	h.key("2", "G") // the last row: mcp-inspector
	h.key("?")
	h.requireScreen("flow with the app")
	h.key("esc")
	h.key("f")
	requireFlowFormFor(t, h, "mcp-inspector")

	h.key("esc") // the untouched form closes
	if _, open := h.m.top().(*flowOptionsForm); open {
		t.Fatal("the form did not close")
	}
	h.key("2", "g", "enter")
	h.requireScreen("app-00000", "Client ID")
	h.key("f")
	requireFlowFormFor(t, h, "app-00000")
	// The detail stays where it was, on the Apps tab.
	if _, ok := h.m.tabs[1].top().(*appDetail); !ok {
		t.Fatalf("Apps tab top %T", h.m.tabs[1].top())
	}
}

// The "Created." banner is for the moment of creation: a refresh or an
// edit ends it.
func TestCreatedBannerEndsWithNextAction(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	h := newHarness(t, api, 100, 30)
	create := func(name string) {
		h.key("2", "n")
		h.typeText(name)
		h.key("tab")
		h.typeText("http://127.0.0.1:9876/callback")
		h.send(keyMsg("ctrl+s"))
		h.requireScreen(name, "Created. Confidential clients need a secret")
	}
	create("first-app")
	h.key("j") // moving around is not an action on the app
	h.requireScreen("Created.")
	h.key("r")
	if strings.Contains(h.screen(), "Created.") {
		t.Fatalf("the banner stayed after a refresh:\n%s", h.screen())
	}
	h.key("esc")

	create("second-app")
	h.key("e")
	h.requireScreen("Edit second-app")
	h.send(keyMsg("ctrl+s"))
	h.requireScreen("second-app", "Client ID")
	if strings.Contains(h.screen(), "Created.") {
		t.Fatalf("the banner stayed after an edit:\n%s", h.screen())
	}
}

// The NAME column takes the longest name while the width allows it.
func TestAppsNameColumnFitsLongNames(t *testing.T) {
	t.Parallel()
	long40 := "a-very-long-application-name-for-testing" // 40 cells
	long26 := "payments-service-staging-2"               // 26 cells
	huge := strings.Repeat("x", 70)
	for _, tc := range []struct {
		w          int
		name       string
		whole      bool
		secretsCol bool
	}{
		{120, long40, true, true},
		{80, long26, true, true},
		{80, huge, false, true},
	} {
		api := goldenAPI()
		api.apps[0].Name = tc.name
		h := newHarness(t, api, tc.w, 30)
		h.key("2")
		s := h.screen()
		if got := strings.Contains(s, tc.name); got != tc.whole {
			t.Errorf("%d columns, %d-cell name: shown whole %v, want %v:\n%s", tc.w, len(tc.name), got, tc.whole, s)
		}
		// The other columns are still there, on one line each.
		for _, want := range []string{"REDIRECT URIS", "SECRETS", "http://127.0.0.1:10001/cal"} { // at 80 columns the URIs keep half
			if !strings.Contains(s, want) {
				t.Errorf("%d columns: %q missing:\n%s", tc.w, want, s)
			}
		}
		for i, l := range strings.Split(s, "\n") {
			if w := len([]rune(l)); w > tc.w {
				t.Errorf("%d columns: line %d is %d wide", tc.w, i, w)
			}
		}
	}
}
