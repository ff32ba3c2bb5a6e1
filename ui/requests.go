package ui

import (
	"os"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// maxShownExchanges bounds the list like the recorder's own ring does.
const maxShownExchanges = 5000

// requestsScreen lists every HTTP exchange of the session (already redacted
// by the recorder), narrows them with a / filter, opens one in detail,
// copies it as curl and exports the whole log as HAR.
type requestsScreen struct {
	base
	rows      []exchangeRow // every exchange kept, in id order
	shown     []int         // indices into rows that the filter lets through
	list      listNav       // over shown
	filter    textinput.Model
	filtering bool
	query     exchangeFilter
}

// exchangeRow is an exchange with its list line and what the filter reads
// prepared once, all sanitised.
type exchangeRow struct {
	ex     client.Exchange
	line   string
	method string // upper case
	text   string // URL, phase and source, lower case
}

type exchangesLoadedMsg struct{ exs []client.Exchange }

func newRequestsScreen(c *Common) screen {
	s := &requestsScreen{base: newBase(c)}
	s.filter = textinput.New()
	s.filter.Prompt = "/"
	s.filter.Placeholder = requestsFilterHint
	s.filter.SetStyles(c.Styles.TextInput)
	return s
}

func (s *requestsScreen) Title() string { return "Requests" }

func (s *requestsScreen) Capturing() bool { return s.filtering }

func (s *requestsScreen) Init() tea.Cmd {
	rec := s.c.Deps.Recorder
	if rec == nil {
		return nil
	}
	return func() tea.Msg { return exchangesLoadedMsg{rec.Exchanges()} }
}

func (s *requestsScreen) KeyBindings() []key.Binding {
	km := s.c.Keys
	if s.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"))}
	}
	return []key.Binding{km.Open, km.Filter, km.CopyCurl, km.Export, km.Clear, km.Up, km.Down, km.Top, km.Bottom}
}

// Back clears the filter first, as on the Apps tab.
func (s *requestsScreen) Back() (tea.Cmd, bool) {
	if !s.filtering && s.query.empty() {
		return nil, false
	}
	s.filtering = false
	s.filter.Blur()
	s.filter.SetValue("")
	s.query = exchangeFilter{}
	s.refilter(false)
	return nil, true
}

func (s *requestsScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.filter.SetWidth(max(w-2, 10))
}

func (s *requestsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case exchangesLoadedMsg:
		sel := s.selectedID() // before add moves the rows under shown's indices
		for _, ex := range msg.exs {
			s.add(ex)
		}
		s.refilterKeeping(sel, false)
	case exchangeMsg:
		follow := s.list.cursor >= len(s.shown)-1
		sel := s.selectedID()
		s.add(msg.ex)
		s.refilterKeeping(sel, follow)
	case stylesChangedMsg:
		s.filter.SetStyles(s.c.Styles.TextInput)
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.PasteMsg:
		if s.filtering {
			return s.updateFilter(msg)
		}
	case tea.MouseClickMsg:
		if msg.Button == tea.MouseLeft {
			s.list.clickRow(msg.Y - s.tableTop())
		}
	case tea.MouseWheelMsg:
		s.list.wheel(msg.Button)
	}
	return nil
}

// add inserts ex in id order (exchanges may arrive slightly out of order)
// and drops a duplicate id; refilter shows it.
func (s *requestsScreen) add(ex client.Exchange) {
	i := sort.Search(len(s.rows), func(i int) bool { return s.rows[i].ex.ID >= ex.ID })
	if i < len(s.rows) && s.rows[i].ex.ID == ex.ID {
		return
	}
	row := exchangeRow{ex: ex, line: exchangeLine(ex), method: strings.ToUpper(safe.Line(ex.Method)),
		text: strings.ToLower(safe.Line(ex.URL) + " " + safe.Line(ex.Phase) + " " + safe.Line(ex.Source))}
	s.rows = append(s.rows, exchangeRow{})
	copy(s.rows[i+1:], s.rows[i:])
	s.rows[i] = row
	if over := len(s.rows) - maxShownExchanges; over > 0 {
		s.rows = s.rows[over:]
	}
}

// refilter recomputes the rows the filter shows, keeping the selected
// exchange selected (or the last one, when follow: new ones are followed).
func (s *requestsScreen) refilter(follow bool) { s.refilterKeeping(s.selectedID(), follow) }

// selectedID is the selected exchange's id, or -1; read it before rows
// change, since shown holds indices into rows.
func (s *requestsScreen) selectedID() int64 {
	if s.list.cursor < len(s.shown) && s.shown[s.list.cursor] < len(s.rows) {
		return s.rows[s.shown[s.list.cursor]].ex.ID
	}
	return -1
}

func (s *requestsScreen) refilterKeeping(selID int64, follow bool) {
	s.shown = s.shown[:0]
	for i, r := range s.rows {
		if s.query.empty() || s.query.match(r) {
			s.shown = append(s.shown, i)
		}
	}
	s.list.setLen(len(s.shown))
	switch {
	case follow:
		s.list.cursor = max(len(s.shown)-1, 0)
	case selID >= 0:
		s.list.cursor = min(sort.Search(len(s.shown), func(i int) bool { return s.rows[s.shown[i]].ex.ID >= selID }), max(len(s.shown)-1, 0))
	}
}

func exchangeLine(ex client.Exchange) string {
	status := itoa(ex.StatusCode)
	if ex.StatusCode == 0 {
		status = "ERR"
	}
	path := ex.URL
	if i := strings.Index(path, "://"); i >= 0 {
		if j := strings.Index(path[i+3:], "/"); j >= 0 {
			path = path[i+3+j:]
		}
	}
	source := ex.Source
	if source == "" {
		source = "—"
	}
	return padRight(ex.Started.Local().Format(exchangeTimeLayout), timeWidth) + padRight(safe.Line(ex.Method), 7) +
		padRight(status, 5) + padRight(durText(ex.Duration), 8) + padRight(safe.Line(ex.Phase), 13) +
		padRight(safe.Line(source), sourceWidth) + safe.Line(path)
}

// exchangeTimeLayout is the list's and the detail's time: to the
// millisecond, since a flow's exchanges come within one second.
const (
	exchangeTimeLayout = "15:04:05.000"
	timeWidth          = len(exchangeTimeLayout) + 1
)

// sourceWidth is the SOURCE column: what made the request (a flow step, a
// check id, the audit), "—" for the console's own loading.
const sourceWidth = 26

func durText(d time.Duration) string {
	if d < time.Second {
		return itoa(int(d.Milliseconds())) + "ms"
	}
	return strings.TrimSuffix(d.Round(10*time.Millisecond).String(), "0s") + "s"
}

func (s *requestsScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
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
		return nil
	}
	var sel *client.Exchange
	if s.list.cursor < len(s.shown) {
		sel = &s.rows[s.shown[s.list.cursor]].ex
	}
	switch {
	case key.Matches(msg, km.Filter):
		s.filtering = true
		return s.filter.Focus()
	case key.Matches(msg, km.Export):
		if s.c.Deps.Recorder == nil {
			return s.c.Notify(noticeWarn, "Nothing is being recorded in this session")
		}
		return s.c.Push(newExportForm(s.c))
	case key.Matches(msg, km.Clear):
		s.rows, s.shown = nil, nil
		s.refilterKeeping(-1, false)
		return s.c.Notify(noticeInfo, "Cleared the view (the export still has every exchange)")
	case sel == nil:
		return nil
	case key.Matches(msg, km.Open):
		return s.c.Push(newExchangeDetail(s.c, *sel))
	case key.Matches(msg, km.CopyCurl):
		return s.c.Copy("the request as curl (secrets as $VARIABLES to set)", sel.Curl())
	}
	return nil
}

func (s *requestsScreen) updateFilter(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	before := s.filter.Value()
	s.filter, cmd = s.filter.Update(msg)
	if v := s.filter.Value(); v != before {
		s.query = parseExchangeFilter(v)
		s.refilter(false)
		s.list.cursor = 0 // a new filter starts at its first match
	}
	return cmd
}

// tableTop is the screen row of the first exchange: below the title, the
// filter while it is in use, and the column header.
func (s *requestsScreen) tableTop() int {
	if s.filterShown() {
		return 3
	}
	return 2
}

func (s *requestsScreen) tableHeight() int  { return max(s.height-s.tableTop()-1, 1) }
func (s *requestsScreen) filterShown() bool { return s.filtering || !s.query.empty() }

func (s *requestsScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	count := itoa(len(s.rows))
	if !s.query.empty() {
		count = itoa(len(s.shown)) + " of " + count
	}
	b.WriteString(truncate(st.Title.Render("HTTP exchanges")+st.Subtle.Render("  "+count+" · secrets redacted · / filter · enter detail · c curl · x export HAR"), s.width) + "\n")
	if s.filterShown() {
		b.WriteString(s.filter.View() + "\n")
	}
	b.WriteString(st.Header.Render("  "+padRight("TIME", timeWidth)+padRight("METHOD", 7)+padRight("CODE", 5)+padRight("TOOK", 8)+padRight("PHASE", 13)+padRight("SOURCE", sourceWidth)+"URL") + "\n")
	switch {
	case len(s.rows) == 0 && s.c.Deps.Recorder == nil:
		b.WriteString(st.Subtle.Render("  Recording is off for this session."))
		return b.String()
	case len(s.rows) == 0:
		b.WriteString(st.Subtle.Render("  No requests yet."))
		return b.String()
	case len(s.shown) == 0:
		b.WriteString(st.Subtle.Render("  No exchange matches “" + s.filter.Value() + "”. esc clears the filter."))
		return b.String()
	}
	from, to := s.list.window(s.tableHeight())
	for i := from; i < to; i++ {
		b.WriteString(s.list.renderRow(st, i, s.rows[s.shown[i]].line, s.width) + "\n")
	}
	return b.String()
}

// exportForm asks where to write the HAR file, then writes it (mode 0600).
type exportForm struct {
	base
	f    form
	path *formField
	busy bool
	err  string
}

type exportDoneMsg struct {
	path string
	n    int
	err  error
}

func newExportForm(c *Common) *exportForm {
	s := &exportForm{base: newBase(c)}
	s.path = newTextField(c, "Write the HAR file to", "oauthdeck.har", false)
	s.path.input.SetValue("oauthdeck-" + c.clock().Format("20060102-150405") + ".har")
	s.path.hint = "Secrets are already redacted in every recorded exchange. The file is created with mode 0600; an existing file is not overwritten."
	s.path.validate = nonEmpty("a file name")
	s.f = form{c: c, fields: []*formField{s.path}}
	return s
}

func (s *exportForm) Title() string   { return "Export HAR" }
func (s *exportForm) Capturing() bool { return true }
func (s *exportForm) Init() tea.Cmd   { return s.f.focusField(0) }
func (s *exportForm) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.f.setWidth(min(w, 100))
}

func (s *exportForm) Update(msg tea.Msg) tea.Cmd {
	if d, ok := msg.(exportDoneMsg); ok {
		s.busy = false
		if d.err != nil {
			s.err = explainError(d.err)
			return s.c.NotifyErr(d.err)
		}
		return tea.Batch(s.c.PopScreen(s), s.c.Notify(noticeSuccess, "Exported "+itoa(d.n)+" exchanges to "+d.path))
	}
	if s.busy {
		return nil
	}
	submit, cmd := s.f.update(msg)
	if submit && s.f.valid() {
		s.busy = true
		rec, path := s.c.Deps.Recorder, strings.TrimSpace(s.path.value())
		return func() tea.Msg {
			har, err := rec.HAR()
			if err != nil {
				return exportDoneMsg{err: err}
			}
			if err := writeNewFile(path, har); err != nil {
				return exportDoneMsg{err: err}
			}
			return exportDoneMsg{path: path, n: len(rec.Exchanges())}
		}
	}
	return cmd
}

func (s *exportForm) View() string {
	st := s.c.Styles
	out := st.Title.Render("Export the session's HTTP log (HAR 1.2)") + "\n\n" + s.f.view(min(s.width, 100))
	if s.busy {
		out += "\n" + st.Subtle.Render("Writing…")
	} else if s.err != "" {
		out += "\n" + st.Error.Render(wrapText("✗ "+s.err, s.width-2))
	} else {
		out += "\n" + st.Faint.Render("enter to write · esc to cancel")
	}
	return out
}

// writeNewFile creates path (mode 0600, never over an existing file) with
// data; if the write fails the partial file is removed, so a failed export
// leaves nothing behind that looks like a good one.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}
