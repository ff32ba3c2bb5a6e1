package ui

import (
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// Starting a flow with an app: f on the Apps list and on app detail, and
// ':flow APP' on the command line.

// startFlowWith makes app the selected one (the setup form offers the
// selected app as its client) and opens the Flow tab's setup form with it
// chosen. The tab switches first, so the form lands on the Flow tab's stack.
func startFlowWith(c *Common, app client.App) tea.Cmd {
	a := app
	c.selectedApp = &a
	form := newFlowOptionsForm(c, flowOptions{Mode: flows.ClientExisting})
	return tea.Sequence(c.SwitchTab(screenFlow), c.Push(form))
}

// flowLookupMsg answers a ':flow APP' asked before the Apps tab had its list.
type flowLookupMsg struct {
	gen, sessionGen uint64
	query           string
	apps            []client.App
	err             error
	taskID          int
}

// flowFor starts a flow with the app whose name or client id is query:
// from the loaded list, else from a fresh one (the tab may still be loading
// or have failed).
func (s *appsScreen) flowFor(query string) tea.Cmd {
	api := s.c.API()
	if api == nil {
		return s.c.NotifyErr(errNoDeployment)
	}
	if s.loaded {
		return s.flowFound(query, s.idx.rows)
	}
	s.lookupGen++
	gen, sgen, ctx := s.lookupGen, s.c.SessionGen(), s.ctx
	id, spin := s.beginTask("Looking up app " + safe.Line(query))
	return tea.Batch(spin, func() tea.Msg {
		apps, err := api.Apps(ctx)
		return flowLookupMsg{gen: gen, sessionGen: sgen, query: query, apps: apps, err: err, taskID: id}
	})
}

func (s *appsScreen) flowLookedUp(msg flowLookupMsg) tea.Cmd {
	s.endTask(msg.taskID)
	if msg.gen != s.lookupGen || msg.sessionGen != s.c.SessionGen() {
		return nil // a newer lookup, or another deployment
	}
	if msg.err != nil {
		return s.c.Notify(noticeError, "Looking up app "+safe.Line(msg.query)+": "+explainError(msg.err))
	}
	rows := make([]appRow, len(msg.apps))
	for i, a := range msg.apps {
		rows[i] = newAppRow(a)
	}
	return s.flowFound(msg.query, rows)
}

func (s *appsScreen) flowFound(query string, rows []appRow) tea.Cmd {
	if r, ok := findApp(rows, query); ok {
		return startFlowWith(s.c, r.app)
	}
	return s.c.Notify(noticeError, "No app “"+safe.Line(query)+"” on this deployment: :flow takes an app's name or client id (tab completes names)")
}

// findApp matches a client id or a name exactly, else a name ignoring case
// when only one app has it.
func findApp(rows []appRow, query string) (appRow, bool) {
	for _, r := range rows {
		if r.app.ID == query || r.app.Name == query || r.name == query {
			return r, true
		}
	}
	var found []appRow
	for _, r := range rows {
		if strings.EqualFold(r.name, query) {
			found = append(found, r)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return appRow{}, false
}

// appNames are the loaded apps' names, sorted, for ':flow' completion;
// none before the list has loaded.
func (s *appsScreen) appNames() []string {
	if !s.loaded {
		return nil
	}
	out := make([]string, 0, len(s.idx.rows))
	for _, r := range s.idx.rows {
		out = append(out, r.name)
	}
	sort.Strings(out)
	return out
}
