package ui

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client/safe"
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
	// arg names the optional argument in the hint ("APP"); args lists its
	// values for completion (nil: none known).
	arg  string
	args func(m *Model) []string
}

// commands lists the command line's commands: a tab by name (':flow APP'
// also starts a flow with an app, ':deploy URL' switches deployments), the
// notices log, help, quit.
func commands() []command {
	tab := func(id screenID) func(*Model, string) tea.Cmd {
		return func(m *Model, _ string) tea.Cmd { return cmdOf(switchTabMsg{id}) }
	}
	return []command{
		{names: []string{"deployments", "deploy", "deployment"}, help: "the Deployments tab; with a URL, use that deployment (or add it)",
			run: runDeploy, arg: "URL", args: deployArgs},
		{names: []string{"apps", "app"}, help: "the Apps tab", run: tab(screenApps)},
		{names: []string{"discovery", "metadata"}, help: "the Discovery tab", run: tab(screenDiscovery)},
		{names: []string{"flow"}, help: "the Flow tab; with an app's name or client id, a flow with that app",
			run: runFlow, arg: "APP", args: flowArgs},
		{names: []string{"check", "suite"}, help: "the Check tab", run: tab(screenCheck)},
		{names: []string{"requests", "exchanges"}, help: "the Requests tab", run: tab(screenRequests)},
		{names: []string{"audit"}, help: "the Audit tab", run: tab(screenAudit)},
		{names: []string{"notices", "messages"}, help: "the notices log", run: func(m *Model, _ string) tea.Cmd {
			if _, open := m.top().(*noticesScreen); open {
				return nil
			}
			return m.push(newNoticesScreen(m.c))
		}},
		{names: []string{"help"}, help: "the keys of this screen", run: func(m *Model, _ string) tea.Cmd { m.showHelp = true; return nil }},
		{names: []string{"quit", "q"}, help: "quit", run: func(m *Model, _ string) tea.Cmd { return m.quit() }},
	}
}

// runFlow is ':flow [APP]': the Flow tab, or what f on that app does.
func runFlow(m *Model, arg string) tea.Cmd {
	apps, ok := m.tabRoot(screenApps).(*appsScreen)
	if arg == "" || !ok {
		return cmdOf(switchTabMsg{screenFlow})
	}
	return apps.flowFor(arg)
}

func flowArgs(m *Model) []string {
	if apps, ok := m.tabRoot(screenApps).(*appsScreen); ok {
		return apps.appNames()
	}
	return nil
}

// runDeploy is ':deploy [URL]': the Deployments tab, then the row for URL
// or the add form with it (the tab switches first: the form is pushed there).
func runDeploy(m *Model, arg string) tea.Cmd {
	d, ok := m.tabRoot(screenDeployments).(*deploymentsScreen)
	if arg == "" || !ok {
		return cmdOf(switchTabMsg{screenDeployments})
	}
	return tea.Sequence(cmdOf(switchTabMsg{screenDeployments}), d.goTo(arg))
}

func deployArgs(m *Model) []string {
	if d, ok := m.tabRoot(screenDeployments).(*deploymentsScreen); ok {
		return d.urls()
	}
	return nil
}

// tabRoot is the root screen of tab id.
func (m *Model) tabRoot(id screenID) screen {
	for _, t := range m.tabs {
		if t.id == id {
			return t.root
		}
	}
	return nil
}

// findCommand is the command one of whose names is name (any case).
func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		for _, n := range c.names {
			if strings.EqualFold(n, name) {
				return c, true
			}
		}
	}
	return command{}, false
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
	ti.SetWidth(max(24, min(80, m.c.Width/2))) // room for ':deploy URL' and ':flow APP'
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
		l.input.SetValue(m.complete(l.input.Value()))
		l.input.CursorEnd()
		return nil
	case "enter":
		line := strings.TrimSpace(l.input.Value())
		if line == "" {
			m.cmd = nil
			return nil
		}
		name, arg, _ := strings.Cut(line, " ")
		if c, ok := findCommand(name); ok {
			m.cmd = nil
			return c.run(m, strings.TrimSpace(arg))
		}
		l.err = "unknown command “" + safe.Line(name) + "”; try " + strings.Join(primaryNames(), " ")
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

// complete extends the command name being typed, or once a space follows
// it, the argument (an app's name, a deployment's URL), to the longest
// prefix every match shares; a single match gets a space after it.
func (m *Model) complete(line string) string {
	name, arg, hasArg := strings.Cut(line, " ")
	if !hasArg {
		return completeFrom(commandNames(), name)
	}
	c, ok := findCommand(name)
	if !ok || c.args == nil {
		return line
	}
	return name + " " + completeFrom(c.args(m), strings.TrimLeft(arg, " "))
}

// completeFrom extends prefix (any case) among candidates.
func completeFrom(candidates []string, prefix string) string {
	matches := argMatches(candidates, prefix)
	if len(matches) == 0 {
		return prefix
	}
	common := []rune(matches[0])
	for _, n := range matches[1:] {
		for !strings.HasPrefix(n, string(common)) {
			common = common[:len(common)-1]
		}
	}
	if len(matches) == 1 {
		return string(common) + " "
	}
	if len(string(common)) < len(prefix) {
		return prefix // matches differ in case only from the first letter typed on
	}
	return string(common)
}

// argMatches are the candidates that start with prefix, ignoring case.
func argMatches(candidates []string, prefix string) []string {
	var out []string
	for _, n := range candidates {
		if len(n) >= len(prefix) && strings.EqualFold(n[:len(prefix)], prefix) {
			out = append(out, n)
		}
	}
	return out
}

// cmdView is the status bar while the command line is open.
func (m *Model) cmdView(w int) string {
	st := m.c.Styles
	l := m.cmd
	line := l.input.View()
	hint := ""
	if l.err != "" {
		hint = st.Error.Render(l.err)
	} else if v := strings.TrimLeft(l.input.Value(), " "); v != "" {
		hint = st.Faint.Render(strings.Join(m.hintMatches(v), " ") + "  · tab completes · enter runs · esc closes")
	} else {
		hint = st.Faint.Render(strings.Join(primaryNames(), " ") + "  · esc closes")
	}
	return truncate(line+"  "+hint, w)
}

// hintMatches are what the line could become: the commands it starts (with
// their argument, once only one is left), or the argument values it starts.
func (m *Model) hintMatches(line string) []string {
	name, arg, hasArg := strings.Cut(line, " ")
	if !hasArg {
		matches := argMatches(primaryNames(), name)
		if c, ok := findCommand(name); ok && c.arg != "" {
			return []string{c.names[0] + " [" + c.arg + "]"}
		} else if len(matches) == 1 {
			if c, _ := findCommand(matches[0]); c.arg != "" {
				return []string{matches[0] + " [" + c.arg + "]"}
			}
		}
		return matches
	}
	c, ok := findCommand(name)
	if !ok || c.args == nil {
		return nil
	}
	vals := argMatches(c.args(m), strings.TrimLeft(arg, " "))
	switch {
	case len(vals) == 0:
		return []string{c.arg + " (none known matches)"}
	case len(vals) > maxHinted:
		return append(vals[:maxHinted:maxHinted], "… "+itoa(len(vals)-maxHinted)+" more")
	}
	return vals
}

// maxHinted bounds the argument values the hint lists (a deployment may
// have thousands of apps; the line shows a few anyway).
const maxHinted = 8
