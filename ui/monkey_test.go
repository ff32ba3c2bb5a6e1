package ui

import (
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestMonkey presses random keys, clicks, scrolls and resizes across every
// screen. Nothing may panic, and every frame must fit the terminal exactly.
func TestMonkey(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 40)
	api.apps[3].Name = hostile
	h := newHarness(t, api, 100, 30)
	seed := int64(7)
	if v, err := strconv.ParseInt(os.Getenv("MONKEY_SEED"), 10, 64); err == nil {
		seed = v // explore: MONKEY_SEED=n go test -run Monkey ./ui
	}
	rng := rand.New(rand.NewSource(seed))
	keys := []string{"1", "2", "3", "4", "5", "6", "up", "down", "enter", "esc", "tab", "shift+tab",
		"/", "a", "p", "-", "0", "s", "r", "n", "e", "d", "y", "c", "v", "k", "g", "G", "?", "x", "backspace", "ctrl+s", "ctrl+u"}
	sizes := [][2]int{{100, 30}, {80, 24}, {60, 16}, {40, 10}, {200, 60}, {61, 17}}
	w, hgt := 100, 30
	steps := 400
	if testing.Short() {
		steps = 150
	}
	for i := 0; i < steps; i++ {
		switch rng.Intn(20) {
		case 0:
			sz := sizes[rng.Intn(len(sizes))]
			w, hgt = sz[0], sz[1]
			h.send(tea.WindowSizeMsg{Width: w, Height: hgt})
		case 1:
			h.send(tea.MouseClickMsg{X: rng.Intn(w), Y: rng.Intn(hgt), Button: tea.MouseLeft})
		case 2:
			h.send(tea.MouseWheelMsg{X: rng.Intn(w), Y: rng.Intn(hgt), Button: tea.MouseWheelDown})
		default:
			h.key(keys[rng.Intn(len(keys))])
		}
		h.m.quitting = false // keep going after a q
		out := h.m.View().Content
		lines := strings.Split(out, "\n")
		if len(lines) != hgt {
			t.Fatalf("step %d: %d lines on a %d-line terminal:\n%s", i, len(lines), hgt, ansi.Strip(out))
		}
		for j, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Fatalf("step %d: line %d is %d wide on %d columns: %q", i, j, ansi.StringWidth(l), w, ansi.Strip(l))
			}
		}
	}
}
