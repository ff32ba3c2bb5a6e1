package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// The frame around the screens: tab bar, help view and the help key lists.

func (m *Model) tabBar(w int) string {
	st := m.c.Styles
	var parts []string
	for i := range m.tabs {
		parts = append(parts, m.tabLabel(i))
	}
	left := strings.Join(parts, "")
	right := st.Title.Render("oauthdeck") + " "
	if lipgloss.Width(left)+lipgloss.Width(right) > w {
		return truncate(left, w)
	}
	return left + strings.Repeat(" ", w-lipgloss.Width(left)-lipgloss.Width(right)) + right
}

// tabLabel draws tab i; the active one is bracketed so it stands out
// without colour too.
func (m *Model) tabLabel(i int) string {
	label := itoa(i+1) + " " + m.tabs[i].root.Title()
	if i == m.active {
		return m.c.Styles.TabActive.Render("[" + label + "]")
	}
	return m.c.Styles.Tab.Render(" " + label + " ")
}

// tabAt maps a column of the tab bar to a tab index, or -1.
func (m *Model) tabAt(x int) int {
	pos := 0
	for i := range m.tabs {
		wid := lipgloss.Width(m.tabLabel(i))
		if x >= pos && x < pos+wid {
			return i
		}
		pos += wid
	}
	return -1
}

func (m *Model) helpView(w int) string {
	st := m.c.Styles
	h := m.help
	h.ShowAll = true
	h.SetWidth(w - 6)
	title := "Keys"
	if top := m.top(); top != nil {
		title = "Keys: " + top.Title()
	}
	content := st.Title.Render(title) + "\n\n" + h.FullHelpView(m.FullHelp())
	if n, ok := m.c.status.current(); ok {
		// The status bar cuts a long notice; here it is whole.
		content += "\n\n" + st.Label.Render("Latest notice") + "\n" + wrapText(n.text, w-6)
	}
	content += "\n\n" + st.Subtle.Render("press any key to close")
	return st.Dialog.Render(content)
}

// ShortHelp is the status-bar hint line: the screen's first bindings plus
// help and back.
func (m *Model) ShortHelp() []key.Binding {
	km := m.c.Keys
	if m.dialog != nil {
		return m.dialog.bindings(km)
	}
	var out []key.Binding
	top := m.top()
	if top != nil {
		bs := top.KeyBindings()
		if len(bs) > 4 {
			bs = bs[:4]
		}
		out = append(out, bs...)
	}
	if top != nil && top.Capturing() {
		return out // ? and q are typed into the input there
	}
	return append(out, km.Help, km.Back)
}

// FullHelp groups the current screen's bindings, navigation and globals.
func (m *Model) FullHelp() [][]key.Binding {
	km := m.c.Keys
	var groups [][]key.Binding
	if top := m.top(); top != nil {
		if bs := top.KeyBindings(); len(bs) > 0 {
			groups = append(groups, bs)
		}
	}
	nav := []key.Binding{km.NextTab, km.PrevTab}
	nav = append(nav, km.Tabs...)
	groups = append(groups, nav, []key.Binding{km.Help, km.Notices, km.Command, km.VisitBack, km.VisitForward, km.Back, km.Quit})
	return groups
}
