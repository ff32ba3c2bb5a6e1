package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// tab is one top-level screen with the screens pushed on top of it (an app
// detail, a form). Each tab keeps its own stack, so switching tabs and back
// returns to where the user was.
type tab struct {
	id    screenID
	root  screen
	stack []screen
}

func (t *tab) top() screen {
	if n := len(t.stack); n > 0 {
		return t.stack[n-1]
	}
	return t.root
}

// Model is the console's only tea.Model. It owns the tabs, the status bar,
// the help view and the modal dialog, and routes messages as described in
// screen.go.
type Model struct {
	c        *Common
	tabs     []*tab
	active   int
	dialog   *confirmDialog
	help     help.Model
	showHelp bool
	quitting bool
	cmd      *cmdLine // the ':' command line, when open
	// visited is the tabs in the order they were shown, for [ and ];
	// visitPos is where the user is in it.
	visited  []int
	visitPos int
}

// newModel builds the root for c. No I/O happens here or in Init's return:
// loads run as Cmds after the first frame.
func newModel(c *Common) *Model {
	if c.Styles == nil {
		c.Styles = NewStyles(true) // until the terminal reports its background
	}
	if c.Keys == nil {
		c.Keys = DefaultKeyMap()
	}
	if c.status == nil {
		c.status = newStatusBar()
	}
	m := &Model{c: c, help: help.New()}
	m.help.Styles = c.Styles.Help
	var titles []string
	for _, t := range tabs() {
		s := t.new(c)
		m.tabs = append(m.tabs, &tab{id: t.id, root: s})
		titles = append(titles, s.Title())
	}
	c.Keys.Tabs = tabKeys(titles)
	return m
}

// Init asks for the background colour and starts every tab's first load.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	for _, t := range m.tabs {
		cmds = append(cmds, t.root.Init())
	}
	if len(m.tabs) > 0 {
		cmds = append(cmds, m.tabs[m.active].root.Focus())
	}
	return tea.Batch(cmds...)
}

func (m *Model) top() screen {
	if len(m.tabs) == 0 {
		return nil
	}
	return m.tabs[m.active].top()
}

// Update routes msg (see the contract in screen.go).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.Styles = NewStyles(msg.IsDark())
		m.help.Styles = m.c.Styles.Help
		return m, m.broadcast(stylesChangedMsg{})
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		// Input, like a key press: the open command line, else only the
		// screen in front gets it.
		if m.cmd != nil {
			var cmd tea.Cmd
			m.cmd.input, cmd = m.cmd.input.Update(msg)
			return m, cmd
		}
		if top := m.top(); top != nil && m.dialog == nil && !m.showHelp {
			return m, top.Update(msg)
		}
		return m, nil
	case tea.PasteStartMsg, tea.PasteEndMsg, tea.KeyReleaseMsg:
		return m, nil
	case tea.MouseMsg:
		return m, m.handleMouse(msg)
	case spinner.TickMsg:
		return m, m.c.await(m.c.status.updateSpinner(msg))
	case noticeMsg:
		if msg.kind == noticeError {
			m.c.debugf("Error shown: %s", msg.text)
		}
		return m, m.c.await(m.c.status.setNotice(msg, m.c.clock()))
	case clearNoticeMsg:
		m.c.status.clearNotice(msg.id)
		return m, nil
	case pushScreenMsg:
		return m, m.push(msg.s)
	case popScreenMsg:
		if msg.s != nil {
			return m, m.popScreen(msg.s)
		}
		return m, m.pop()
	case switchTabMsg:
		for i, t := range m.tabs {
			if t.id == msg.id {
				return m, m.switchTo(i)
			}
		}
		return m, nil
	case openDialogMsg:
		m.dialog = msg.d
		return m, nil
	case useSessionMsg:
		return m, m.useSession(msg.sess)
	case connectedMsg:
		return m, m.applyConnected(msg)
	}
	return m, m.broadcast(msg)
}

// broadcast delivers msg to every live screen (all tabs, all stacks).
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, t := range m.tabs {
		cmds = append(cmds, t.root.Update(msg))
		for _, s := range t.stack {
			cmds = append(cmds, s.Update(msg))
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	km := m.c.Keys
	if key.Matches(msg, km.Quit) {
		return m.quit()
	}
	if m.dialog != nil {
		cmd := m.dialog.update(km, msg)
		if m.dialog.done {
			m.dialog = nil
		}
		return cmd
	}
	if m.showHelp {
		m.showHelp = false // any key closes the help view
		return nil
	}
	if m.cmd != nil {
		return m.cmdKey(msg)
	}
	if tooSmall(m.c.Width, m.c.Height) {
		return nil
	}
	top := m.top()
	if top == nil {
		if key.Matches(msg, km.Back) {
			return m.quit()
		}
		return nil
	}
	if top.Capturing() {
		if msg.String() == "esc" {
			return m.back(false)
		}
		return top.Update(msg)
	}
	switch {
	case key.Matches(msg, km.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, km.Notices):
		if _, open := top.(*noticesScreen); !open {
			return m.push(newNoticesScreen(m.c))
		}
		return nil
	case key.Matches(msg, km.Back):
		return m.back(msg.String() == "q")
	case key.Matches(msg, km.Command):
		return m.openCmdLine()
	case key.Matches(msg, km.VisitBack):
		return m.revisit(-1)
	case key.Matches(msg, km.VisitForward):
		return m.revisit(1)
	case key.Matches(msg, km.NextTab) && !m.screenUsesTab(top):
		return m.switchTo((m.active + 1) % len(m.tabs))
	case key.Matches(msg, km.PrevTab) && !m.screenUsesTab(top):
		return m.switchTo((m.active + len(m.tabs) - 1) % len(m.tabs))
	}
	for i, b := range km.Tabs {
		if key.Matches(msg, b) {
			return m.switchTo(i)
		}
	}
	return top.Update(msg)
}

// screenUsesTab reports whether the top screen binds tab itself (a screen
// with panes); then tab is not a tab switch.
func (m *Model) screenUsesTab(s screen) bool {
	for _, b := range s.KeyBindings() {
		if b.Enabled() && key.Matches(tea.KeyPressMsg{Code: tea.KeyTab}, b) {
			return true
		}
	}
	return false
}

// back unwinds one level: the screen's own state, then the stack; q at the
// top level quits.
func (m *Model) back(quitAtTop bool) tea.Cmd {
	top := m.top()
	if cmd, ok := top.Back(); ok {
		return cmd
	}
	if len(m.tabs[m.active].stack) > 0 {
		return m.pop()
	}
	if quitAtTop {
		return m.quit()
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	return tea.Quit
}

func (m *Model) push(s screen) tea.Cmd {
	t := m.tabs[m.active]
	t.top().Blur()
	t.stack = append(t.stack, s)
	w, h := contentSize(m.c.Width, m.c.Height)
	s.SetSize(w, h)
	return tea.Batch(s.Init(), s.Focus())
}

func (m *Model) pop() tea.Cmd {
	t := m.tabs[m.active]
	n := len(t.stack)
	if n == 0 {
		return nil
	}
	s := t.stack[n-1]
	t.stack = t.stack[:n-1]
	s.Blur()
	s.Close()
	return t.top().Focus()
}

// popScreen removes s and the screens above it from whichever tab holds it.
func (m *Model) popScreen(s screen) tea.Cmd {
	for ti, t := range m.tabs {
		for i, x := range t.stack {
			if x != s {
				continue
			}
			for j := len(t.stack) - 1; j >= i; j-- {
				t.stack[j].Blur()
				t.stack[j].Close()
			}
			t.stack = t.stack[:i]
			if ti == m.active {
				return t.top().Focus()
			}
			return nil
		}
	}
	return nil
}

func (m *Model) switchTo(i int) tea.Cmd {
	if i < 0 || i >= len(m.tabs) || i == m.active {
		return nil
	}
	if len(m.visited) == 0 {
		m.visited = []int{m.active}
	}
	// A new visit drops the forward part of the trail, as a browser does.
	m.visited = append(m.visited[:m.visitPos+1], i)
	m.visitPos = len(m.visited) - 1
	return m.show(i)
}

func (m *Model) show(i int) tea.Cmd {
	m.top().Blur()
	m.active = i
	return m.top().Focus()
}

// revisit moves back ([) or forward (]) through the tabs visited.
func (m *Model) revisit(d int) tea.Cmd {
	p := m.visitPos + d
	if p < 0 || p >= len(m.visited) || m.visited[p] == m.active && len(m.visited) == 1 {
		return nil
	}
	m.visitPos = p
	if m.visited[p] == m.active {
		return nil
	}
	return m.show(m.visited[p])
}

// closeAll closes every screen (program end): in-flight Cmds are cancelled.
func (m *Model) closeAll() {
	for _, t := range m.tabs {
		for _, s := range t.stack {
			s.Close()
		}
		t.root.Close()
	}
}

func (m *Model) layout() {
	w, h := contentSize(m.c.Width, m.c.Height)
	for _, t := range m.tabs {
		t.root.SetSize(w, h)
		for _, s := range t.stack {
			s.SetSize(w, h)
		}
	}
	m.help.SetWidth(m.c.Width)
}

func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.dialog != nil || m.showHelp || tooSmall(m.c.Width, m.c.Height) {
		return nil
	}
	mouse := msg.Mouse()
	if mouse.Y < tabBarHeight {
		if click, ok := msg.(tea.MouseClickMsg); ok && click.Button == tea.MouseLeft {
			if i := m.tabAt(mouse.X); i >= 0 {
				return m.switchTo(i)
			}
		}
		return nil
	}
	mouse.Y -= tabBarHeight
	top := m.top()
	if top == nil {
		return nil
	}
	switch msg.(type) {
	case tea.MouseClickMsg:
		return top.Update(tea.MouseClickMsg(mouse))
	case tea.MouseWheelMsg:
		return top.Update(tea.MouseWheelMsg(mouse))
	case tea.MouseReleaseMsg:
		return top.Update(tea.MouseReleaseMsg(mouse))
	}
	return nil
}

// stylesChangedMsg is broadcast after Styles were rebuilt; screens holding
// bubbles components re-apply c.Styles to them.
type stylesChangedMsg struct{}
