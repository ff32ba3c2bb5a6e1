package ui

import (
	"context"
	"fmt"
	"go/ast"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// harness drives the root model like the event loop does: Update and View
// run only in the test goroutine, every Cmd runs in its own goroutine (so a
// blocking one never holds the others up) and its message is fed back in
// arrival order. After each message the harness settles: it handles
// messages until every Cmd still running is one that awaits time or an
// outside event (Common.await). Nothing waits on quiet time.
type harness struct {
	t       testing.TB
	m       *Model
	c       *Common
	api     *fakeAPI        // newHarness
	srv     *sandbox.Server // newFlowLoop
	results chan tea.Msg
	running atomic.Int64  // Cmds started and not yet answered
	waiting atomic.Int64  // of those, the ones awaiting (Common.await)
	wake    chan struct{} // a counter changed

	clipboard string // the last text put on the clipboard (OSC 52)
}

// settleLimit bounds how long a Cmd that does not await may take: one that
// runs longer is a bug in the Cmd or a missing Common.await.
const settleLimit = 20 * time.Second

func newHarness(t testing.TB, api *fakeAPI, w, h int) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	deps := Deps{Store: keyring.NewMemory(), Version: "test"}
	if api != nil {
		deps.InitialURL, deps.InitialToken, deps.InitialSource = api.url, "test-token", "test"
	}
	c := newCommon(ctx, deps)
	c.now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	c.newAPI = func(url, token string) (API, *client.Client, error) {
		if api == nil {
			return nil, nil, fmt.Errorf("no fake deployment")
		}
		return api, nil, nil
	}
	hs := attach(t, c)
	hs.api = api
	if api != nil {
		api.awaiting = c.onAwait
	}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.Init())
	return hs
}

// newRealHarness drives the model against a real deployment URL (an
// httptest server or the sandbox) through the real client.
func newRealHarness(t testing.TB, deps Deps, w, h int) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if deps.Store == nil {
		deps.Store = keyring.NewMemory()
	}
	c := newCommon(ctx, deps)
	hs := attach(t, c)
	c.send = func(msg tea.Msg) { hs.results <- msg } // as program.Send
	if unwire := c.wireRecorder(); unwire != nil {
		t.Cleanup(unwire)
	}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.Init())
	return hs
}

// attach builds the root model on c and the harness that drives it.
func attach(t testing.TB, c *Common) *harness {
	hs := &harness{t: t, c: c, results: make(chan tea.Msg, 4096), wake: make(chan struct{}, 1)}
	c.onAwait = func(delta int) { hs.waiting.Add(int64(delta)); hs.poke() }
	hs.m = newModel(c)
	return hs
}

func (h *harness) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// waitScreen waits until the screen shows every one of want.
func (h *harness) waitScreen(want ...string) {
	h.t.Helper()
	h.waitFor(strings.Join(want, ", "), func() bool {
		s := h.screen()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
}

// send delivers msg and settles.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// run starts cmd and settles.
func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	h.start(cmd)
	h.settle()
}

func (h *harness) start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	h.running.Add(1)
	go func() {
		h.results <- cmd()
		h.running.Add(-1) // after the push, so settle never sees neither
		h.poke()
	}()
}

// settle handles messages until every running Cmd awaits and none is queued.
func (h *harness) settle() {
	h.t.Helper()
	limit := time.NewTimer(settleLimit)
	defer limit.Stop()
	for {
		// Read the counters before looking at the queue: a Cmd pushes its
		// result before it stops counting as running, so a count read first
		// and an empty queue seen after it mean nothing is on its way. In the
		// other order a result pushed between the two looks settled and is
		// left unhandled (a key's push then shows on no screen).
		idle := h.running.Load() <= h.waiting.Load()
		select {
		case msg := <-h.results:
			h.handle(msg)
			continue
		default:
		}
		if idle {
			return
		}
		select {
		case msg := <-h.results:
			h.handle(msg)
		case <-h.wake:
		case <-limit.C:
			h.t.Fatalf("a command has not answered in %s (one that waits on time or an outside event must use Common.await):\n%s", settleLimit, h.screen())
		}
	}
}

// waitFor handles messages until cond holds (steps, suites and other
// awaiting work finish in their own time).
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(settleLimit)
	defer deadline.Stop()
	recheck := time.NewTicker(50 * time.Millisecond) // for state outside the model (a server's)
	defer recheck.Stop()
	for !cond() {
		select {
		case msg := <-h.results:
			h.handle(msg)
		case <-h.wake:
		case <-recheck.C:
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s:\n%s", what, h.screen())
		}
	}
	h.settle()
}

func (h *harness) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			h.start(c)
		}
	default:
		if isSequence(msg) {
			cmds := sequenceCmds(msg)
			h.running.Add(1)
			go func() {
				defer h.poke()
				defer h.running.Add(-1)
				for _, c := range cmds {
					if c != nil {
						h.results <- c()
					}
				}
			}()
			return
		}
		if text, ok := clipboardText(msg); ok {
			h.clipboard = text
			return
		}
		if skipInTests(msg) {
			return
		}
		_, next := h.m.Update(msg)
		h.start(next)
	}
}

func (h *harness) key(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// screen returns the plain text on screen.
func (h *harness) screen() string { return ansi.Strip(h.m.View().Content) }

func (h *harness) requireScreen(want ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			h.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// isSequence reports tea.Sequence's internal message (a []tea.Cmd).
func isSequence(msg tea.Msg) bool {
	return reflect.TypeOf(msg).Name() == "sequenceMsg" && reflect.TypeOf(msg).Kind() == reflect.Slice
}

func sequenceCmds(msg tea.Msg) []tea.Cmd {
	v := reflect.ValueOf(msg)
	out := make([]tea.Cmd, 0, v.Len())
	for i := 0; i < v.Len(); i++ {
		if c, ok := v.Index(i).Interface().(tea.Cmd); ok {
			out = append(out, c)
		}
	}
	return out
}

// clipboardPkg is Bubble Tea's package path: its unexported messages are requests
// to the terminal (background colour, clipboard writes).
var clipboardPkg = reflect.TypeOf(tea.QuitMsg{}).PkgPath()

// clipboardText is the text of an OSC 52 clipboard write (tea.SetClipboard).
func clipboardText(msg tea.Msg) (string, bool) {
	t := reflect.TypeOf(msg)
	if t.PkgPath() != clipboardPkg || t.Name() != "setClipboardMsg" {
		return "", false
	}
	return reflect.ValueOf(msg).String(), true
}

// skipInTests drops Bubble Tea's own requests (background colour, clipboard
// writes…), which only the real program acts on.
func skipInTests(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	return t.PkgPath() == clipboardPkg && !ast.IsExported(t.Name())
}
