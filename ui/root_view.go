package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"oauthdeck/client/safe"
)

// View draws the tab bar, the top screen and the status bar.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "oauthdeck"
	if sess := m.c.Session(); sess != nil {
		v.WindowTitle += " · " + safe.Line(hostOf(sess.URL))
	}
	return v
}

func (m *Model) render() string {
	w, h := m.c.Width, m.c.Height
	if w == 0 || h == 0 {
		return "oauthdeck: starting…"
	}
	st := m.c.Styles
	if tooSmall(w, h) {
		return tooSmallView(st, w, h)
	}
	cw, ch := contentSize(w, h)
	var body string
	if top := m.top(); top != nil {
		body = fitBox(top.View(), cw, ch)
	} else {
		body = fitHeight("No screens registered.", ch)
	}
	if m.showHelp {
		body = overlay(body, m.helpView(cw), cw, ch)
	} else if m.dialog != nil {
		body = overlay(body, m.dialog.view(st, cw), cw, ch)
	}
	bar := m.c.status.view(m.c, w, m.fitHints)
	if m.cmd != nil {
		bar = m.cmdView(w)
	}
	return strings.Join([]string{m.tabBar(w), body, bar}, "\n")
}

// fitHints is the status bar's key hints within room columns: the screen's
// own bindings are dropped from the last, so "? help" and "q/esc back"
// (which ShortHelp puts last) are never the ones cut.
func (m *Model) fitHints(room int) string {
	bs := m.ShortHelp()
	if m.dialog != nil {
		return m.help.ShortHelpView(bs) // a dialog's few keys: all of them
	}
	// In a form (an input has the keys) the last hints say how to submit
	// and cancel: drop its field navigation first. Elsewhere the screen's
	// first bindings matter most: drop its last one, never help and back.
	top := m.top()
	capturing := top != nil && top.Capturing()
	keep := 2
	if capturing {
		keep = 1
	}
	h := m.help
	h.SetWidth(0) // fitted here, not cut with "…"
	for {
		v := h.ShortHelpView(bs)
		if lipgloss.Width(v) <= room || len(bs) <= keep {
			return v
		}
		cut := len(bs) - keep - 1
		if capturing {
			cut = 0
		}
		bs = append(bs[:cut:cut], bs[cut+1:]...)
	}
}
