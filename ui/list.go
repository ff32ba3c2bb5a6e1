package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
)

// listNav is the cursor and scroll state shared by every list: it knows
// only the number of rows, so screens keep their data however suits them
// and render just the visible window.
type listNav struct {
	cursor int
	offset int
	n      int
	lastH  int // height of the last rendered window, for clicks and wheel
}

func (l *listNav) setLen(n int) {
	l.n = n
	if l.cursor >= n {
		l.cursor = max(n-1, 0)
	}
	if l.offset > l.cursor {
		l.offset = l.cursor
	}
}

// handleKey moves the cursor; it reports whether the key was a movement.
func (l *listNav) handleKey(km *KeyMap, msg tea.KeyPressMsg, h int) bool {
	h = max(h, 1)
	switch {
	case key.Matches(msg, km.Up):
		l.move(-1)
	case key.Matches(msg, km.Down):
		l.move(1)
	case key.Matches(msg, km.PageUp):
		l.move(-h)
	case key.Matches(msg, km.PageDown):
		l.move(h)
	case key.Matches(msg, km.Top):
		l.cursor = 0
	case key.Matches(msg, km.Bottom):
		l.cursor = max(l.n-1, 0)
	default:
		return false
	}
	return true
}

func (l *listNav) move(d int) {
	l.cursor = min(max(l.cursor+d, 0), max(l.n-1, 0))
}

// window returns the visible row range [from, to) for a height of h rows,
// scrolling just enough to keep the cursor visible.
func (l *listNav) window(h int) (int, int) {
	h = max(h, 1)
	l.lastH = h
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	if l.offset > max(l.n-h, 0) {
		l.offset = max(l.n-h, 0)
	}
	return l.offset, min(l.offset+h, l.n)
}

// clickRow selects the row at visible position i; it reports whether i was a row.
func (l *listNav) clickRow(i int) bool {
	if i < 0 || (l.lastH > 0 && i >= l.lastH) || l.offset+i >= l.n {
		return false
	}
	l.cursor = l.offset + i
	return true
}

func (l *listNav) wheel(b tea.MouseButton) {
	switch b {
	case tea.MouseWheelUp:
		l.move(-3)
	case tea.MouseWheelDown:
		l.move(3)
	}
}

// renderRow prefixes row with the cursor marker, pads it to w and
// highlights it when it is the cursor row (the marker keeps the selection
// visible without colour).
func (l *listNav) renderRow(st *Styles, i int, row string, w int) string {
	if i == l.cursor {
		return st.Selected.Render(padRight("› "+row, w))
	}
	return padRight("  "+row, w)
}

// scrollDoc moves a document viewport: g/G jump to its ends, and the
// viewport's own keys and wheel do the rest.
func scrollDoc(vp *viewport.Model, km *KeyMap, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, km.Top):
			vp.GotoTop()
			return nil
		case key.Matches(k, km.Bottom):
			vp.GotoBottom()
			return nil
		}
	}
	var cmd tea.Cmd
	*vp, cmd = vp.Update(msg)
	return cmd
}
