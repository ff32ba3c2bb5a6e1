package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
)

// appsScreen is the table of OAuth2 apps: filter as you type, sort,
// refresh, and open, create, edit or delete an app.
type appsScreen struct {
	base
	idx       appIndex
	list      listNav
	loaded    bool
	err       error
	filter    textinput.Model
	filtering bool
	// secret counts are fetched only for rows that have been visible.
	counts    map[string]int // app id → count; -1 while loading
	countsGen uint64
	// countsCancel stops the batch of count requests in flight: a newer
	// batch (the user scrolled on) or leaving the tab makes it moot.
	countsCancel context.CancelFunc
	countsAsked  []string // the batch in flight
	countsBatch  uint64
	focused      bool
	lookupGen    uint64 // the latest ':flow APP' lookup (app_flow.go)
}

type appsLoadedMsg struct {
	gen, sessionGen uint64
	apps            []client.App
	err             error
	taskID          int
}

// appsChangedMsg says apps were added or removed elsewhere (the Flow tab
// created or cleaned up its client): the Apps tab reloads.
type appsChangedMsg struct{}

// appSavedMsg and appDeletedMsg tell every screen an app changed.
type appSavedMsg struct {
	app     client.App
	dropped []string // a line for each field sent that the server did not keep
}
type appDeletedMsg struct{ id string }

func newAppsScreen(c *Common) screen {
	s := &appsScreen{base: newBase(c), counts: map[string]int{}}
	s.filter = textinput.New()
	s.filter.Prompt = "/"
	s.filter.Placeholder = "filter by name, client id or redirect URI"
	s.filter.SetStyles(c.Styles.TextInput)
	return s
}

func (s *appsScreen) Title() string { return "Apps" }

func (s *appsScreen) Capturing() bool { return s.filtering }

func (s *appsScreen) KeyBindings() []key.Binding {
	km := s.c.Keys
	if s.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"))}
	}
	return []key.Binding{km.Open, km.New, km.Filter, km.Delete, km.Edit, km.StartFlow, km.Sort, km.Refresh, km.Copy, km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom}
}

func (s *appsScreen) Back() (tea.Cmd, bool) {
	if s.filtering || s.idx.query != "" {
		s.filtering = false
		s.filter.Blur()
		s.filter.SetValue("")
		s.idx.setQuery("")
		s.list.setLen(s.idx.len())
		return s.wantCounts(), true
	}
	return nil, false
}

// load fetches the list for the current deployment.
func (s *appsScreen) load() tea.Cmd {
	api := s.c.API()
	if api == nil {
		s.loaded, s.err = false, nil
		s.idx.set(nil)
		s.list.setLen(0)
		return nil
	}
	gen, sgen := s.nextGen(), s.c.SessionGen()
	id, spin := s.beginTask("Loading apps")
	ctx := s.freshCtx()
	return tea.Batch(spin, func() tea.Msg {
		apps, err := api.Apps(ctx)
		return appsLoadedMsg{gen: gen, sessionGen: sgen, apps: apps, err: err, taskID: id}
	})
}

func (s *appsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case sessionChangedMsg:
		s.stopCounts()
		s.counts = map[string]int{}
		s.countsGen++
		return s.load()
	case appsLoadedMsg:
		s.endTask(msg.taskID)
		if !s.current(msg.gen) || msg.sessionGen != s.c.SessionGen() {
			return nil
		}
		s.c.setProviderErr(msg.sessionGen, msg.err)
		if msg.err != nil {
			s.err = msg.err
			return s.c.NotifyErr(msg.err)
		}
		s.err, s.loaded = nil, true
		s.idx.set(msg.apps)
		s.list.setLen(s.idx.len())
		s.syncSelected()
		return s.wantCounts()
	case secretCountsMsg:
		if msg.gen != s.countsGen {
			return nil
		}
		// Only answers are applied: what a batch did not answer was
		// forgotten when it was stopped, and a newer batch asks for it.
		for id, n := range msg.counts {
			s.counts[id] = n
		}
		if msg.batch == s.countsBatch && s.countsCancel != nil {
			s.countsCancel() // done: release its context
			s.countsCancel, s.countsAsked = nil, nil
		}
		return nil
	case flowLookupMsg:
		return s.flowLookedUp(msg)
	case appsChangedMsg:
		if s.loaded {
			return s.load()
		}
		return nil
	case appSavedMsg:
		s.idx.upsert(msg.app)
		delete(s.counts, msg.app.ID)
		s.list.setLen(s.idx.len())
		return s.wantCounts()
	case appDeletedMsg:
		s.idx.remove(msg.id)
		s.list.setLen(s.idx.len())
		s.syncSelected()
		return s.wantCounts()
	case secretsChangedMsg:
		delete(s.counts, msg.appID)
		return s.wantCounts()
	case stylesChangedMsg:
		s.filter.SetStyles(s.c.Styles.TextInput)
		return nil
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.PasteMsg:
		if s.filtering {
			return s.updateFilter(msg)
		}
	case tea.MouseClickMsg:
		if msg.Button == tea.MouseLeft && s.list.clickRow(msg.Y-s.tableTop()) {
			s.syncSelected()
			return s.wantCounts()
		}
	case tea.MouseWheelMsg:
		s.list.wheel(msg.Button)
		s.syncSelected()
		return s.wantCounts()
	}
	return nil
}

func (s *appsScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	km := s.c.Keys
	if s.filtering {
		if msg.String() == "enter" {
			s.filtering = false
			s.filter.Blur()
			return nil
		}
		return s.updateFilter(msg)
	}
	if s.list.handleKey(km, msg, s.tableHeight()) {
		s.syncSelected()
		return s.wantCounts()
	}
	row := s.idx.at(s.list.cursor)
	switch {
	case key.Matches(msg, km.Filter):
		s.filtering = true
		return s.filter.Focus()
	case key.Matches(msg, km.Refresh):
		s.stopCounts()
		s.counts = map[string]int{}
		s.countsGen++
		return s.load()
	case key.Matches(msg, km.Sort):
		s.idx.setSort((s.idx.sortBy + 1) % sortCount) // keeps the filter
		s.list.setLen(s.idx.len())
		s.syncSelected()
		return s.wantCounts()
	case key.Matches(msg, km.New):
		if s.c.API() == nil {
			return s.c.NotifyErr(errNoDeployment)
		}
		return s.c.Push(newAppForm(s.c, nil))
	case row == nil:
		return nil
	case key.Matches(msg, km.Open):
		return s.c.Push(newAppDetail(s.c, row.app))
	case key.Matches(msg, km.Edit):
		a := row.app
		return s.c.Push(newAppForm(s.c, &a))
	case key.Matches(msg, km.Delete):
		return s.c.Confirm("Delete app "+row.name+"?", deleteAppWarning(row.name), deleteAppCmd(s.ctx, s.c, row.app.ID, row.name))
	case key.Matches(msg, km.Copy):
		return s.c.Copy("client id", row.app.ID)
	case key.Matches(msg, km.StartFlow):
		return startFlowWith(s.c, row.app)
	}
	return nil
}

func deleteAppWarning(name string) string {
	return "This deletes " + name + " and invalidates everything issued to it: its client secrets, any authorization codes not yet exchanged, and every access and refresh token issued to it. Clients using it stop working at once. This cannot be undone."
}

// deleteAppCmd deletes an app and reports it to every screen.
func deleteAppCmd(ctx context.Context, c *Common, id, name string) tea.Cmd {
	api := c.API()
	if api == nil {
		return c.NotifyErr(errNoDeployment)
	}
	return func() tea.Msg {
		if err := api.DeleteApp(ctx, id); err != nil {
			return noticeMsg{kind: noticeError, text: "Deleting " + name + ": " + explainError(err)}
		}
		return tea.BatchMsg{cmdOf(appDeletedMsg{id}), cmdOf(noticeMsg{kind: noticeSuccess, text: "Deleted app " + name})}
	}
}

func (s *appsScreen) updateFilter(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	before := s.filter.Value()
	s.filter, cmd = s.filter.Update(msg)
	if v := s.filter.Value(); v != before {
		s.idx.setQuery(v)
		s.list.setLen(s.idx.len())
		s.list.cursor = 0
		s.syncSelected()
		return tea.Batch(cmd, s.wantCounts())
	}
	return cmd
}

func (s *appsScreen) syncSelected() {
	if row := s.idx.at(s.list.cursor); row != nil {
		a := row.app
		s.c.selectedApp = &a
	}
}

// tableTop is the row (within the screen) of the first table row.
func (s *appsScreen) tableTop() int { return 3 }

func (s *appsScreen) tableHeight() int { return max(s.height-s.tableTop()-1, 1) }

// appColumns sizes the table columns for width w. NAME and REDIRECT URIS
// share what is left: REDIRECT URIS keeps its widest first URI (at most
// half), NAME takes the longest name (at least 12 cells); a name that still
// does not fit gets the room of the full client id, which c copies anyway.
func appColumns(w, nameNeed, redirNeed int) (name, id, redirects, secrets int) {
	secrets = 8
	split := func(id int) (name, redirects int) {
		shared := w - 2 - id - secrets - 3 // after the gaps between columns
		keep := min(redirNeed, (shared+1)/2)
		name = max(min(nameNeed, shared-keep), min(12, shared-8), 4)
		return name, max(shared-name, 8)
	}
	id = 13
	if w >= 120 {
		id = 36
		if name, redirects = split(id); name >= nameNeed {
			return
		}
		id = 13
	}
	name, redirects = split(id)
	return
}

func (s *appsScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	title := st.Title.Render("OAuth2 apps")
	if s.loaded {
		title += st.Subtle.Render("  " + itoa(s.idx.len()) + " of " + itoa(len(s.idx.rows)) + " · sorted by " + s.idx.sortBy.String())
	}
	b.WriteString(title + "\n")
	switch {
	case s.filtering || s.idx.query != "":
		b.WriteString(s.filter.View() + "\n")
	default:
		b.WriteString(st.Faint.Render("/ filter · s sort · n new · enter open") + "\n")
	}
	if msg := s.emptyState(); msg != "" {
		b.WriteString("\n" + msg)
		return b.String()
	}
	nw, iw, rw, sw := appColumns(s.width, s.idx.nameW, s.idx.redirW)
	b.WriteString(st.Header.Render("  "+padRight("NAME", nw)+" "+padRight("CLIENT ID", iw)+" "+padRight("REDIRECT URIS", rw)+" "+padRight("SECRETS", sw)) + "\n")
	from, to := s.list.window(s.tableHeight())
	for i := from; i < to; i++ {
		r := s.idx.at(i)
		id := r.id
		if iw < 36 && len(id) > iw {
			id = shortID(id, iw)
		}
		row := padRight(r.name, nw) + " " + padRight(id, iw) + " " + padRight(r.redirects, rw) + " " + padRight(s.countText(r.app.ID), sw)
		b.WriteString(s.list.renderRow(st, i, row, s.width) + "\n")
	}
	if s.idx.len() == 0 {
		b.WriteString(st.Subtle.Render("  No app matches “"+s.filter.Value()+"”. esc clears the filter.") + "\n")
	}
	return b.String()
}

// emptyState explains why there is no table, or returns "".
func (s *appsScreen) emptyState() string {
	st := s.c.Styles
	sess := s.c.Session()
	switch {
	case sess == nil:
		return st.Subtle.Render("No deployment in use. Add or pick one in the Deployments tab (1).")
	case s.err != nil:
		if lines := providerHelp(s.err); lines != nil {
			return st.Warn.Render(strings.Join(lines, "\n"))
		}
		return st.Error.Render(wrapText("✗ "+explainError(s.err), s.width-2)) + "\n\n" + st.Subtle.Render("Press r to retry.")
	case !s.loaded:
		return st.Subtle.Render("Loading apps…")
	case len(s.idx.rows) == 0:
		return st.Subtle.Render("No OAuth2 apps on this deployment yet. Press n to create one.")
	}
	return ""
}

// shortID keeps the start and end of a long client id ("00000002…0002");
// anything that is not a plain ASCII id is simply cut.
func shortID(id string, w int) string {
	for i := 0; i < len(id); i++ {
		if id[i] >= 0x80 {
			return truncate(id, w)
		}
	}
	return id[:w-5] + "…" + id[len(id)-4:]
}

// SetSize also sizes the filter input, so its placeholder is shown whole.
func (s *appsScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.filter.SetWidth(max(w-2, 10))
}
