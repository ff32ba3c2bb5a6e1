package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// confirmDialog is a modal yes/no question. While it is open it receives
// every key; it never runs anything itself except the onYes Cmd it was
// given, so the screen that opened it keeps control of the work.
type confirmDialog struct {
	title string
	body  string
	onYes tea.Cmd
	done  bool
}

func newConfirm(title, body string, onYes tea.Cmd) *confirmDialog {
	return &confirmDialog{title: title, body: body, onYes: onYes}
}

// update handles a key; the dialog is finished when done is set.
func (d *confirmDialog) update(km *KeyMap, msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, km.Confirm):
		d.done = true
		return d.onYes
	case key.Matches(msg, km.Cancel):
		d.done = true
	}
	return nil
}

func (d *confirmDialog) bindings(km *KeyMap) []key.Binding {
	return []key.Binding{km.Confirm, km.Cancel}
}

func (d *confirmDialog) view(st *Styles, w int) string {
	inner := min(64, w-2-st.Dialog.GetHorizontalFrameSize())
	if inner < 10 {
		inner = 10
	}
	body := lipgloss.NewStyle().Width(inner).Render(d.body)
	hint := st.Subtle.Render("y: yes    n/esc: no")
	content := strings.Join([]string{st.Title.Render(d.title), "", body, "", hint}, "\n")
	return st.Dialog.Render(content)
}

// overlay draws box centred over base (both w×h-sized text blocks).
func overlay(base, box string, w, h int) string {
	if lipgloss.Width(box) > w || lipgloss.Height(box) > h {
		box = fitBox(box, w, h) // a tiny terminal: cut the box rather than grow the frame
	}
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max((w-bw)/2, 0), max((h-bh)/2, 0)
	return lipgloss.NewCompositor(
		lipgloss.NewLayer(base),
		lipgloss.NewLayer(box).X(x).Y(y).Z(1),
	).Render()
}
