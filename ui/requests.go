package ui

import (
	"os"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// maxShownExchanges bounds the list like the recorder's own ring does.
const maxShownExchanges = 5000

// requestsScreen lists every HTTP exchange of the session (already redacted
// by the recorder), opens one in detail, copies it as curl and exports the
// whole log as HAR.
type requestsScreen struct {
	base
	rows []exchangeRow
	list listNav
}

// exchangeRow is an exchange with its list line prepared once.
type exchangeRow struct {
	ex   client.Exchange
	line string
}

type exchangesLoadedMsg struct{ exs []client.Exchange }

func newRequestsScreen(c *Common) screen { return &requestsScreen{base: newBase(c)} }

func (s *requestsScreen) Title() string { return "Requests" }

func (s *requestsScreen) Init() tea.Cmd {
	rec := s.c.Deps.Recorder
	if rec == nil {
		return nil
	}
	return func() tea.Msg { return exchangesLoadedMsg{rec.Exchanges()} }
}

func (s *requestsScreen) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.Open, km.CopyCurl, km.Export, km.Clear, km.Up, km.Down, km.Top, km.Bottom}
}

func (s *requestsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case exchangesLoadedMsg:
		for _, ex := range msg.exs {
			s.add(ex)
		}
	case exchangeMsg:
		follow := s.list.cursor >= len(s.rows)-1
		s.add(msg.ex)
		if follow {
			s.list.cursor = len(s.rows) - 1
		}
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.MouseClickMsg:
		if msg.Button == tea.MouseLeft {
			s.list.clickRow(msg.Y - 2)
		}
	case tea.MouseWheelMsg:
		s.list.wheel(msg.Button)
	}
	return nil
}

// add inserts ex in id order (exchanges may arrive slightly out of order)
// and drops a duplicate id.
func (s *requestsScreen) add(ex client.Exchange) {
	i := sort.Search(len(s.rows), func(i int) bool { return s.rows[i].ex.ID >= ex.ID })
	if i < len(s.rows) && s.rows[i].ex.ID == ex.ID {
		return
	}
	row := exchangeRow{ex: ex, line: exchangeLine(ex)}
	s.rows = append(s.rows, exchangeRow{})
	copy(s.rows[i+1:], s.rows[i:])
	s.rows[i] = row
	if over := len(s.rows) - maxShownExchanges; over > 0 {
		s.rows = s.rows[over:]
		s.list.cursor = max(s.list.cursor-over, 0)
	}
	s.list.setLen(len(s.rows))
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
	return padRight(ex.Started.Local().Format("15:04:05"), 9) + padRight(safe.Line(ex.Method), 7) +
		padRight(status, 5) + padRight(durText(ex.Duration), 8) + padRight(safe.Line(ex.Phase), 13) +
		padRight(safe.Line(source), sourceWidth) + safe.Line(path)
}

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
	if s.list.handleKey(km, msg, s.height-3) {
		return nil
	}
	var sel *client.Exchange
	if s.list.cursor < len(s.rows) {
		sel = &s.rows[s.list.cursor].ex
	}
	switch {
	case key.Matches(msg, km.Export):
		if s.c.Deps.Recorder == nil {
			return s.c.Notify(noticeWarn, "Nothing is being recorded in this session")
		}
		return s.c.Push(newExportForm(s.c))
	case key.Matches(msg, km.Clear):
		s.rows = nil
		s.list.setLen(0)
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

func (s *requestsScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("HTTP exchanges") + st.Subtle.Render("  "+itoa(len(s.rows))+" · secrets redacted · enter detail · c curl · x export HAR") + "\n")
	b.WriteString(st.Header.Render("  "+padRight("TIME", 9)+padRight("METHOD", 7)+padRight("CODE", 5)+padRight("TOOK", 8)+padRight("PHASE", 13)+padRight("SOURCE", sourceWidth)+"URL") + "\n")
	if len(s.rows) == 0 {
		if s.c.Deps.Recorder == nil {
			b.WriteString(st.Subtle.Render("  Recording is off for this session."))
		} else {
			b.WriteString(st.Subtle.Render("  No requests yet."))
		}
		return b.String()
	}
	from, to := s.list.window(s.height - 3)
	for i := from; i < to; i++ {
		line := s.rows[i].line
		b.WriteString(s.list.renderRow(st, i, line, s.width) + "\n")
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
