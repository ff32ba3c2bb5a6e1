package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// The Flow screen's user actions: each turns a key into a tea.Cmd.

// runToToken runs the remaining steps up to "use": the token is then in
// hand for the inspector's refresh, use and revoke.
func (s *flowScreen) runToToken() tea.Cmd {
	r := s.run
	if r.running != "" {
		return s.c.Notify(noticeWarn, "The "+string(r.running)+" step is running: esc cancels it")
	}
	next := r.current
	if next == "" || stepIndex(next) > stepIndex(flows.StepUse) {
		s.list.cursor = tokenRow
		s.render()
		return s.c.Notify(noticeInfo, "The token is already in hand: "+s.c.Keys.Flow.tokenActions(s.c.Keys))
	}
	r.runTo = flows.StepUse
	s.list.cursor = stepIndex(next)
	return s.runStep(next)
}

func (s *flowScreen) tokenAction(id flows.StepID) tea.Cmd {
	r := s.run
	if r.tokens == nil {
		return s.c.Notify(noticeInfo, "No token yet: run the flow to the exchange first (a)")
	}
	s.list.cursor = tokenRow
	return s.runStep(id)
}

func (s *flowScreen) edit() tea.Cmd {
	r := s.run
	if s.list.cursor >= len(flowSteps) {
		return nil
	}
	id := flowSteps[s.list.cursor]
	if def, _ := flows.Step(id); !def.Editable {
		return s.c.Notify(noticeInfo, "Only the "+editableNames()+" requests can be edited")
	}
	if r.running != "" {
		return s.c.Notify(noticeWarn, "Wait for the running step, or cancel it with esc")
	}
	req, err := r.flow.Request(id)
	if err != nil {
		return s.c.Notify(noticeWarn, "Nothing to edit yet: "+safe.Line(err.Error()))
	}
	return s.c.Push(newFlowEditor(s.c, r, id, req))
}

// editableNames lists the steps whose request can be edited ("a, b and c").
func editableNames() string {
	var names []string
	for _, d := range flows.Steps() {
		if d.Editable {
			names = append(names, string(d.ID))
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// openBrowser opens the authorization URL (browser consent, and the o key);
// tests drive a real headless browser through it.
var openBrowser = quietOpenBrowser

func (s *flowScreen) openBrowser() tea.Cmd {
	if s.run.authURL == "" {
		return s.c.Notify(noticeInfo, "No authorization URL yet: run the prepare step first")
	}
	u := s.run.authURL
	open := openBrowser
	return func() tea.Msg { return flowBrowserMsg{open(u)} }
}

func (s *flowScreen) submitPaste() tea.Cmd {
	raw := strings.TrimSpace(s.paste.Value())
	s.pasting = false
	s.paste.Blur()
	s.paste.SetValue("")
	if raw == "" || s.run == nil {
		return nil
	}
	f, gen := s.run.flow, s.run.gen
	return func() tea.Msg { return flowPasteMsg{gen: gen, err: f.PasteRedirect(raw)} }
}
