package ui

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/flows"
)

// flowScreen is the guided authorization-code flow: a step list on the
// left, the selected step's request (editable before it is sent), response,
// decoded result, findings and explanation on the right, and a token
// inspector row at the end of the list. Every flows call runs in a Cmd; flow
// events arrive through a re-arming Cmd that reads the run's event channel,
// so they keep their order.
type flowScreen struct {
	base
	opts     flowOptions // the last options, to prefill the form
	run      *flowRun    // nil before the first flow
	list     listNav
	vp       viewport.Model
	revealed bool
	paste    textinput.Model
	pasting  bool
	ticking  bool
	visible  bool // countdowns tick only while the tab is on screen
	lastRow  int  // the row the detail was last drawn for (scroll resets on change)
}

// flowRun is one flow and what the screen knows about it. Everything here
// is written only by Update.
type flowRun struct {
	gen        uint64
	flow       *flows.Flow
	opts       flowOptions
	head       string // the header line (headline), rebuilt by render
	note       string // shown under the header (e.g. no kept secret)
	ctx        context.Context
	cancel     context.CancelFunc
	events     chan flows.Event
	steps      []flows.StepResult // in flowSteps order
	current    flows.StepID
	running    flows.StepID
	stepCancel context.CancelFunc
	taskID     int
	runTo      flows.StepID // run-to-token target; "" when stepping by hand
	listener   *flows.ListenerStatus
	authURL    string
	tokens     *flows.Tokens
	tokensDead bool         // revoked and proven dead
	lastToken  flows.StepID // last token action (use, refresh, revoke)
	edited     map[flows.StepID]bool
}

// Messages of the Flow screen, each tagged with the run's generation.
type (
	flowStartedMsg struct {
		gen    uint64
		flow   *flows.Flow
		err    error
		note   string
		events chan flows.Event
	}
	flowEventMsg struct {
		gen uint64
		ev  flows.Event
	}
	flowStepDoneMsg struct {
		gen    uint64
		res    flows.StepResult
		snap   flows.Snapshot
		tokens *flows.Tokens
		taskID int
	}
	flowTickMsg   struct{ gen uint64 }
	flowEditedMsg struct{ gen uint64 }
	flowPasteMsg  struct {
		gen uint64
		err error
	}
	flowClosedMsg  struct{ err error }
	flowBrowserMsg struct{ err error }
)

// tokenRow is the list index of the token inspector (after the steps).
var tokenRow = len(flowSteps)

func newFlowScreen(c *Common) screen {
	s := &flowScreen{base: newBase(c), vp: viewport.New(), lastRow: -1}
	s.opts = flowOptions{Consent: consentAuto, Cleanup: true}
	s.paste = textinput.New()
	s.paste.Prompt = "redirect URL › "
	s.paste.Placeholder = "http://127.0.0.1:…/callback?code=…&state=…"
	s.paste.CharLimit = 8192
	s.paste.SetStyles(c.Styles.TextInput)
	s.list.setLen(len(flowSteps) + 1)
	return s
}

func (s *flowScreen) Title() string   { return "Flow" }
func (s *flowScreen) Capturing() bool { return s.pasting }

func (s *flowScreen) KeyBindings() []key.Binding {
	km, fk := s.c.Keys, s.c.Keys.Flow
	if s.pasting {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit URL")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel paste"))}
	}
	if s.run == nil {
		return []key.Binding{fk.NewFlow, fk.ReplayFlow}
	}
	if s.run.running != "" {
		return []key.Binding{fk.CancelRun, fk.OpenBrowser, fk.Copy, fk.Paste, km.Up, km.Down, km.Reveal}
	}
	out := []key.Binding{fk.RunStep, fk.RunToToken, fk.EditRequest, fk.NewFlow, fk.SaveFlow, fk.ReplayFlow}
	if s.run.tokens != nil {
		out = append(out, fk.Refresh, fk.Use, fk.Revoke)
	}
	return append(out, fk.OpenBrowser, fk.Copy, fk.Paste, km.Reveal, km.Up, km.Down, km.PageUp, km.PageDown)
}

func (s *flowScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.paste.SetWidth(max(w-20, 10))
	s.render()
}

func (s *flowScreen) Back() (tea.Cmd, bool) {
	switch {
	case s.pasting:
		s.pasting = false
		s.paste.Blur()
		s.paste.SetValue("")
		return nil, true
	case s.run != nil && s.run.running != "":
		s.run.runTo = ""
		s.run.stepCancel()
		return s.c.Notify(noticeInfo, "Cancelling the "+string(s.run.running)+" step…"), true
	}
	return nil, false
}

func (s *flowScreen) Focus() tea.Cmd {
	s.visible = true
	s.render() // countdowns moved while hidden
	return s.tick()
}

func (s *flowScreen) Blur() { s.visible = false }

func (s *flowScreen) Close() {
	s.base.Close()
	if s.run != nil {
		closeFlowBounded(s.run, 5*time.Second)
	}
}

// closeFlowBounded closes a flow (listener, and the created client when
// cleanup was asked) without holding up the program's exit for long.
func closeFlowBounded(r *flowRun, d time.Duration) {
	r.cancel()
	done := make(chan struct{})
	go func() { _ = r.flow.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

func (s *flowScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case replayLoadedMsg:
		if msg.err != nil {
			return s.c.NotifyErr(msg.err)
		}
		return s.c.Push(newFlowReplay(s.c, msg.path, msg.saved))
	case flowSavedMsg:
		if msg.err != nil {
			return s.c.NotifyErr(msg.err)
		}
		return s.c.Notify(noticeSuccess, "Saved the flow to "+msg.path+"; 'oauthdeck flow --replay "+msg.path+"' runs it again")
	case sessionChangedMsg:
		cmd := s.closeRun()
		s.render()
		return cmd
	case stylesChangedMsg:
		s.paste.SetStyles(s.c.Styles.TextInput)
		s.render()
		return nil
	case flowOptionsMsg:
		if s.run != nil && s.run.running != "" {
			// As n refuses while a step runs: a form opened from Apps (f, :flow) must not replace it.
			return s.c.Notify(noticeWarn, "The "+string(s.run.running)+" step is running: esc cancels it, then start the new flow")
		}
		s.opts = msg.opts
		s.opts.ClientSecret = "" // used once by start; not kept for the next form
		return tea.Batch(s.closeRun(), s.start(msg.opts))
	case flowStartedMsg:
		return s.started(msg)
	case flowEventMsg:
		return s.event(msg)
	case flowStepDoneMsg:
		return s.stepDone(msg)
	case flowTickMsg:
		// At most one tick is in flight; whichever run it was for, it has
		// landed, so the current run may arm the next one.
		s.ticking = false
		if s.run != nil && msg.gen == s.run.gen {
			s.render()
		}
		return s.tick()
	case flowEditedMsg:
		if s.run != nil && msg.gen == s.run.gen {
			s.render()
		}
		return nil
	case flowPasteMsg:
		if s.run == nil || msg.gen != s.run.gen {
			return nil
		}
		if msg.err != nil {
			return s.c.Notify(noticeError, "Pasted URL refused: "+explainFlowErr(msg.err))
		}
		return s.c.Notify(noticeSuccess, "Redirect URL accepted; exchanging is next")
	case flowBrowserMsg:
		if msg.err != nil {
			return s.c.Notify(noticeWarn, "No browser could be opened here: copy the URL (c) and paste the redirect (p)")
		}
		return nil
	case flowClosedMsg:
		// Closing may have deleted the app the flow created: the Apps tab
		// reloads (a load of an unchanged list costs one request).
		changed := cmdOf(appsChangedMsg{})
		if msg.err != nil && !errors.Is(msg.err, context.Canceled) {
			return tea.Batch(changed, s.c.Notify(noticeWarn, "Closing the previous flow: "+explainFlowErr(msg.err)))
		}
		return changed
	case tea.PasteMsg:
		if s.pasting {
			var cmd tea.Cmd
			s.paste, cmd = s.paste.Update(msg)
			return cmd
		}
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.MouseClickMsg:
		if msg.Button == tea.MouseLeft && msg.X < flowListWidth && s.list.clickRow(msg.Y-flowHeaderLines(s)) {
			s.render()
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			s.vp.ScrollUp(3)
		case tea.MouseWheelDown:
			s.vp.ScrollDown(3)
		}
	}
	return nil
}

func (s *flowScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	km, fk := s.c.Keys, s.c.Keys.Flow
	if s.pasting {
		if msg.String() == "enter" {
			return s.submitPaste()
		}
		var cmd tea.Cmd
		s.paste, cmd = s.paste.Update(msg)
		return cmd
	}
	if key.Matches(msg, fk.NewFlow) {
		if s.run != nil && s.run.running != "" {
			return s.c.Notify(noticeWarn, "A step is running: esc cancels it first")
		}
		return s.c.Push(newFlowOptionsForm(s.c, s.opts))
	}
	if key.Matches(msg, fk.ReplayFlow) && (s.run == nil || s.run.running == "") {
		return s.loadSaved()
	}
	if s.run == nil {
		return nil
	}
	switch {
	case key.Matches(msg, km.PageUp):
		s.vp.PageUp() // page keys scroll the detail; ↑/↓ pick the step
		return nil
	case key.Matches(msg, km.PageDown):
		s.vp.PageDown()
		return nil
	}
	if s.list.handleKey(km, msg, len(flowSteps)+1) {
		s.render()
		return nil
	}
	switch {
	case key.Matches(msg, km.Reveal):
		s.revealed = !s.revealed
		s.render()
	case key.Matches(msg, fk.RunStep):
		if s.list.cursor == tokenRow {
			return s.c.Notify(noticeInfo, "Token actions: "+fk.tokenActions(km))
		}
		return s.runStep(flowSteps[s.list.cursor])
	case key.Matches(msg, fk.RunToToken):
		return s.runToToken()
	case key.Matches(msg, fk.EditRequest):
		return s.edit()
	case key.Matches(msg, fk.OpenBrowser):
		return s.openBrowser()
	case key.Matches(msg, fk.Copy):
		if s.list.cursor == tokenRow {
			if s.run.tokens == nil {
				return s.c.Notify(noticeInfo, "No token yet")
			}
			return s.c.Copy("the access token", s.run.tokens.AccessToken)
		}
		if s.run.authURL == "" {
			return s.c.Notify(noticeInfo, "No authorization URL yet: run the prepare step first")
		}
		return s.c.Copy("the authorization URL", s.run.authURL)
	case key.Matches(msg, fk.Paste):
		s.pasting = true
		return s.paste.Focus()
	case key.Matches(msg, fk.Refresh):
		return s.tokenAction(flows.StepRefresh)
	case key.Matches(msg, fk.Use):
		return s.tokenAction(flows.StepUse)
	case key.Matches(msg, fk.Revoke):
		return s.tokenAction(flows.StepRevoke)
	case key.Matches(msg, fk.SaveFlow):
		return s.saveFlow()
	}
	return nil
}

func (s *flowScreen) View() string {
	return s.view()
}
