package ui

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// cmdLine is the k9s-style command line: ':' opens it in the status bar,
// enter runs the command, tab completes it, esc closes it.
type cmdLine struct {
	input textinput.Model
	err   string // the last command's problem, shown until the next key
}

// command is one thing the command line does.
type command struct {
	names []string // the first is shown in completion and help
	help  string
	run   func(m *Model, arg string) tea.Cmd
}

// commands lists the command line's commands: a tab by name, the notices
// log, help, quit.
func commands() []command {
	tab := func(id screenID) func(*Model, string) tea.Cmd {
		return func(m *Model, _ string) tea.Cmd { return cmdOf(switchTabMsg{id}) }
	}
	return []command{
		{[]string{"deployments", "deploy", "deployment"}, "the Deployments tab", tab(screenDeployments)},
		{[]string{"apps", "app"}, "the Apps tab", tab(screenApps)},
		{[]string{"discovery", "metadata"}, "the Discovery tab", tab(screenDiscovery)},
		{[]string{"flow"}, "the Flow tab", tab(screenFlow)},
		{[]string{"check", "suite"}, "the Check tab", tab(screenCheck)},
		{[]string{"requests", "exchanges"}, "the Requests tab", tab(screenRequests)},
		{[]string{"audit"}, "the Audit tab", tab(screenAudit)},
		{[]string{"notices", "messages"}, "the notices log", func(m *Model, _ string) tea.Cmd {
			if _, open := m.top().(*noticesScreen); open {
				return nil
			}
			return m.push(newNoticesScreen(m.c))
		}},
		{[]string{"help"}, "the keys of this screen", func(m *Model, _ string) tea.Cmd { m.showHelp = true; return nil }},
		{[]string{"quit", "q"}, "quit", func(m *Model, _ string) tea.Cmd { return m.quit() }},
	}
}

// commandNames are every name, sorted, for completion.
func commandNames() []string {
	var out []string
	for _, c := range commands() {
		out = append(out, c.names...)
	}
	sort.Strings(out)
	return out
}

func (m *Model) openCmdLine() tea.Cmd {
	ti := textinput.New()
	ti.Prompt = ":"
	ti.SetStyles(m.c.Styles.TextInput)
	ti.CharLimit = 200
	ti.SetWidth(24)
	m.cmd = &cmdLine{input: ti}
	return m.cmd.input.Focus()
}

// cmdKey handles a key while the command line is open.
func (m *Model) cmdKey(msg tea.KeyPressMsg) tea.Cmd {
	l := m.cmd
	l.err = ""
	switch msg.String() {
	case "esc":
		m.cmd = nil
		return nil
	case "tab":
		l.input.SetValue(complete(l.input.Value()))
		l.input.CursorEnd()
		return nil
	case "enter":
		line := strings.TrimSpace(l.input.Value())
		if line == "" {
			m.cmd = nil
			return nil
		}
		name, arg, _ := strings.Cut(line, " ")
		for _, c := range commands() {
			for _, n := range c.names {
				if strings.EqualFold(n, name) {
					m.cmd = nil
					return c.run(m, strings.TrimSpace(arg))
				}
			}
		}
		l.err = "unknown command “" + name + "”; try " + strings.Join(primaryNames(), " ")
		return nil
	}
	var cmd tea.Cmd
	l.input, cmd = l.input.Update(msg)
	return cmd
}

func primaryNames() []string {
	var out []string
	for _, c := range commands() {
		out = append(out, c.names[0])
	}
	return out
}

// complete extends a prefix to the longest one every matching name shares.
func complete(prefix string) string {
	var matches []string
	for _, n := range commandNames() {
		if strings.HasPrefix(n, strings.ToLower(prefix)) {
			matches = append(matches, n)
		}
	}
	if len(matches) == 0 {
		return prefix
	}
	common := matches[0]
	for _, n := range matches[1:] {
		for !strings.HasPrefix(n, common) {
			common = common[:len(common)-1]
		}
	}
	if len(matches) == 1 {
		return common + " "
	}
	return common
}

// cmdView is the status bar while the command line is open.
func (m *Model) cmdView(w int) string {
	st := m.c.Styles
	l := m.cmd
	line := l.input.View()
	hint := ""
	if l.err != "" {
		hint = st.Error.Render(l.err)
	} else if v := strings.TrimSpace(l.input.Value()); v != "" {
		var matches []string
		for _, n := range primaryNames() {
			if strings.HasPrefix(n, strings.ToLower(v)) {
				matches = append(matches, n)
			}
		}
		hint = st.Faint.Render(strings.Join(matches, " ") + "  · tab completes · enter runs · esc closes")
	} else {
		hint = st.Faint.Render(strings.Join(primaryNames(), " ") + "  · esc closes")
	}
	return truncate(line+"  "+hint, w)
}
