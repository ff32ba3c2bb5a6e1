package ui

import "testing"

// Esc on a form with something typed asks first: n goes on editing, y
// closes it; an untouched form closes at once.
func TestFormAsksBeforeDiscarding(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30)
	h.key("n")
	h.requireScreen("Add a deployment")
	h.key("esc")
	h.requireScreen("Saved deployments")
	if _, open := h.m.top().(*loginForm); open {
		t.Fatal("an untouched form did not close on esc")
	}
	h.key("n")
	h.typeText("https://coder.example.com")
	h.key("esc")
	h.requireScreen("Discard your changes?")
	h.key("n")
	if _, open := h.m.top().(*loginForm); !open {
		t.Fatal("n closed the form")
	}
	h.key("esc")
	h.requireScreen("Discard your changes?")
	h.key("y")
	h.requireScreen("Saved deployments")
	if _, open := h.m.top().(*loginForm); open {
		t.Fatal("y left the form open")
	}
}
