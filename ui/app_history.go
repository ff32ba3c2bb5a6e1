package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows/audit"
)

// appHistory is an app's audit trail (flows/audit.AppHistory): its own and
// its current secrets' entries, newest first, or why none can be read.
type appHistory struct {
	base
	app  client.App
	name string // sanitised
	hist *audit.History
	err  error
	list listNav
}

type historyLoadedMsg struct {
	gen  uint64
	hist audit.History
	err  error
}

func newAppHistory(c *Common, app client.App) *appHistory {
	return &appHistory{base: newBase(c), app: app, name: safe.Line(app.Name)}
}

func (s *appHistory) Title() string { return "History " + s.name }

func (s *appHistory) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.Refresh, km.Up, km.Down}
}

func (s *appHistory) Init() tea.Cmd { return s.load() }

func (s *appHistory) load() tea.Cmd {
	sess := s.c.Session()
	if sess == nil || sess.Client == nil {
		return s.c.NotifyErr(errNoDeployment)
	}
	gen, ctx, cl, id := s.nextGen(), s.freshCtx(), sess.Client, s.app.ID
	return s.c.await(func() tea.Msg {
		h, err := audit.AppHistory(ctx, cl, id)
		return historyLoadedMsg{gen: gen, hist: h, err: err}
	})
}

func (s *appHistory) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case historyLoadedMsg:
		if !s.current(msg.gen) {
			return nil
		}
		s.err = msg.err
		if msg.err == nil {
			s.hist = &msg.hist
			s.list.setLen(len(msg.hist.Entries))
		}
		return s.c.NotifyErr(msg.err)
	case tea.KeyPressMsg:
		if s.list.handleKey(s.c.Keys, msg, s.height-4) {
			return nil
		}
		if key.Matches(msg, s.c.Keys.Refresh) {
			return s.load()
		}
	}
	return nil
}

func (s *appHistory) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("History of "+s.name) + st.Subtle.Render("  from the deployment's audit log") + "\n")
	switch {
	case s.err != nil:
		b.WriteString(st.Error.Render("✗ "+explainFlowErr(s.err)) + "\n")
		return fitBox(b.String(), s.width, s.height)
	case s.hist == nil:
		b.WriteString(st.Info.Render("reading the audit log…") + "\n")
		return fitBox(b.String(), s.width, s.height)
	case s.hist.Unavailable != "":
		b.WriteString(st.Warn.Render(wrapText("No history: "+s.hist.Unavailable+".", s.width)) + "\n")
		return fitBox(b.String(), s.width, s.height)
	}
	b.WriteString(st.Faint.Render(truncate(s.hist.Note, s.width)) + "\n")
	b.WriteString(st.Header.Render("  "+padRight("TIME", 20)+padRight("ACTION", 8)+padRight("WHAT", 16)+padRight("WHO", 14)+"CHANGES") + "\n")
	if len(s.hist.Entries) == 0 {
		b.WriteString(st.Subtle.Render("  No entries for this app.") + "\n")
	}
	from, to := s.list.window(s.height - 4)
	for i := from; i < to; i++ {
		e := s.hist.Entries[i]
		line := padRight(e.Time.Local().Format("2006-01-02 15:04:05"), 20) + padRight(e.Action, 8) + padRight(e.Subject, 16) + padRight(e.Who, 14) + strings.Join(e.Changes, "; ")
		b.WriteString(s.list.renderRow(st, i, line, s.width) + "\n")
	}
	return fitBox(b.String(), s.width, s.height)
}
