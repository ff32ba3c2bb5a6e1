package ui

import (
	"testing"
)

// ':' opens the command line: tab completes, enter goes to the tab, an
// unknown command says what there is; [ and ] walk back and forth through
// the tabs visited.
func TestCommandLineAndVisits(t *testing.T) {
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
