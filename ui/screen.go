package ui

import (
	"context"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// The screen contract.
//
// The root Model (root.go) is the only tea.Model. Every screen — a tab such as
// Apps, or a pushed view such as App detail or a form — is a plain struct
// behind the screen interface below, with pointer methods that mutate it and
// return a tea.Cmd for side effects.
//
// # Adding a screen
//
//  1. Write ui/<name>.go: a struct embedding base, its constructor
//     (func newFlowScreen(c *Common) screen { s := &flowScreen{}; s.base = newBase(c); return s })
//     and the screen methods below; its keys go in KeyMap (keys.go).
//  2. A tab: add its screenID below and one row to tabs(), in the order the
//     tab bar shows. A pushed screen (detail, form) needs no row: open it
//     with c.Push(s).
//  3. A test beside it that drives it through the harness (helpers_test.go).
//
// # Message routing (what a screen receives)
//
//   - Key presses: only the screen on top (the open pushed screen, else the
//     active tab), after the root has handled ctrl+c, an open dialog, and —
//     unless the screen is Capturing — the global keys (?, q/esc, tab,
//     shift+tab, 1..9). q/esc first ask the screen's Back; if it returns
//     false the root pops the screen (or quits, at the top level with q).
//   - Mouse events: only the screen on top, with Y already made relative to
//     the screen's area (row 0 is the screen's first line).
//   - Every other message (results of your Cmds, sessionChangedMsg, …) is
//     delivered to every live screen: all tabs and every pushed screen. So
//     match only your own message types, and tag results with a generation
//     (see gen below) to drop replies that a newer request or a session
//     switch made stale. A popped screen is closed and receives nothing.
//
// # Rules
//
//   - No network, keyring, file or listener call in Update or View: wrap it
//     in a tea.Cmd that uses ctx (cancelled by Close) and copies the values it
//     needs. Long work shows in the status bar: id, cmd := c.BeginTask("…");
//     call c.EndTask(id) when the result message arrives.
//   - Sanitise every server string with safe.Line (one line) or
//     safe.Text before it is rendered. Do it once when the data
//     arrives, not in View.
//   - Secrets are masked (maskSecret) until the user presses Keys.Reveal; copy
//     with c.Copy(label, value), which uses OSC 52 and the native clipboard.
//   - Errors and notices: c.Notify(noticeError, "…") or c.NotifyErr(err).
//   - A pushed screen closes itself with c.PopScreen(s), never c.Pop(), when
//     it reacts to a broadcast (session change, deletion) or to the result of
//     its own Cmd: by then the user may be on another tab, and c.Pop() pops
//     the active tab's top screen.
//   - Styles and keys come from c.Styles and c.Keys; add new bindings to
//     KeyMap (keys.go) and return them from KeyBindings so `?` lists them.
//   - View returns exactly the lines the screen has (SetSize's w×h); never
//     more, or the status bar is pushed off screen. fitHeight helps.
//
// Embed base to get sensible defaults for everything except Title, View and
// Update.
type screen interface {
	Title() string
	// Init runs once, when the screen is created (tabs: at start-up, after
	// the first frame; pushed screens: when pushed). Load data here.
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	// KeyBindings lists the bindings that work now, for the help line and `?`.
	KeyBindings() []key.Binding
	// Capturing is true while a text input has focus: the root then passes
	// every key except ctrl+c (and esc, which goes to Back) straight to the screen.
	Capturing() bool
	// Back is asked first on q/esc; return true when the screen consumed it
	// (cleared a filter, left an input). false lets the root pop the screen.
	Back() (tea.Cmd, bool)
	// Focus is called when the screen becomes visible (tab switch, a screen
	// above it popped); Blur when it stops being visible.
	Focus() tea.Cmd
	Blur()
	// Close is called once when a pushed screen is popped or the program
	// ends: cancel its context so in-flight Cmds stop.
	Close()
}

type screenID string

const (
	screenDeployments screenID = "deployments"
	screenApps        screenID = "apps"
	screenDiscovery   screenID = "discovery"
	screenFlow        screenID = "flow"
	screenCheck       screenID = "check"
	screenRequests    screenID = "requests"
	screenAudit       screenID = "audit"
)

// tabs are the top-level tabs, in order: the one list of them.
func tabs() []struct {
	id  screenID
	new func(*Common) screen
} {
	return []struct {
		id  screenID
		new func(*Common) screen
	}{
		{screenDeployments, newDeploymentsScreen},
		{screenApps, newAppsScreen},
		{screenDiscovery, newDiscoveryScreen},
		{screenFlow, newFlowScreen},
		{screenCheck, newCheckScreen},
		{screenRequests, newRequestsScreen},
		{screenAudit, newAuditScreen},
	}
}

// base gives a screen its Common, size, a context cancelled by Close, and
// no-op defaults for the optional parts of the contract.
type base struct {
	c      *Common
	width  int
	height int
	ctx    context.Context
	cancel context.CancelFunc
	gen    uint64 // bump before each load; drop results carrying an older value

	reqCancel context.CancelFunc // the latest load's context
	tasks     []int              // status-bar tasks begun here and not yet ended
}

func newBase(c *Common) base {
	ctx, cancel := context.WithCancel(c.Ctx)
	return base{c: c, ctx: ctx, cancel: cancel}
}

func (b *base) Init() tea.Cmd              { return nil }
func (b *base) SetSize(w, h int)           { b.width, b.height = w, h }
func (b *base) KeyBindings() []key.Binding { return nil }
func (b *base) Capturing() bool            { return false }
func (b *base) Back() (tea.Cmd, bool)      { return nil, false }
func (b *base) Focus() tea.Cmd             { return nil }
func (b *base) Blur()                      {}

// Close cancels the screen's context and ends its status-bar tasks: the
// answers they wait for go to no screen once it is gone (Esc while a form
// is busy), and their spinners would otherwise stay.
func (b *base) Close() {
	for _, id := range b.tasks {
		b.c.EndTask(id)
	}
	b.tasks = nil
	b.cancel()
}

// beginTask shows label with a spinner until endTask(id) or Close.
func (b *base) beginTask(label string) (int, tea.Cmd) {
	id, cmd := b.c.BeginTask(label)
	b.tasks = append(b.tasks, id)
	return id, cmd
}

// endTask ends a task begun by beginTask.
func (b *base) endTask(id int) {
	b.c.EndTask(id)
	b.tasks = slices.DeleteFunc(b.tasks, func(t int) bool { return t == id })
}
func (b *base) nextGen() uint64 { b.gen++; return b.gen }

// freshCtx cancels the previous load (its answer would be dropped anyway)
// and returns the context for the next one.
func (b *base) freshCtx() context.Context {
	if b.reqCancel != nil {
		b.reqCancel()
	}
	ctx, cancel := context.WithCancel(b.ctx)
	b.reqCancel = cancel
	return ctx
}
func (b *base) current(gen uint64) bool { return gen == b.gen }
