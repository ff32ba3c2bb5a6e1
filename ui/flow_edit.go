package ui

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"golang.org/x/net/http/httpguts"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// flowEditor edits the request a step will send: the URL and every
// parameter (change, add, remove), for negative testing such as dropping
// PKCE or sending another resource. Saving hands the edit to the flow
// (Flow.EditRequest, in memory); nothing is sent from here.
type flowEditor struct {
	base
	run      *flowRun
	id       flows.StepID
	method   string
	inQuery  bool
	rows     []editRow // rows[0] is the URL
	list     listNav
	input    textinput.Model
	editing  bool
	adding   bool
	revealed bool
	err      string
	original []editRow // as opened, to ask before esc discards a change
}

type editRow struct {
	key, value string
	secret     bool // flows masks this parameter; decided once, when the row is made
	header     bool // a request header, not a parameter
}

func newEditRow(k, v string) editRow { return editRow{key: k, value: v, secret: isSecretParam(k)} }

func newHeaderRow(k, v string) editRow {
	k = http.CanonicalHeaderKey(k)
	return editRow{key: k, value: v, header: true, secret: safe.SecretHeader(k)}
}

// headerSteps send their request's headers as written (the token
// endpoint's POSTs); the browser's GET and the auto-consent POST do not.
var headerSteps = []flows.StepID{flows.StepExchange, flows.StepRefresh, flows.StepRevoke}

func newFlowEditor(c *Common, r *flowRun, id flows.StepID, req flows.Request) *flowEditor {
	s := &flowEditor{base: newBase(c), run: r, id: id, method: req.Method, inQuery: req.InQuery}
	s.rows = append(s.rows, editRow{key: "URL", value: req.URL})
	for _, k := range sortedKeys(req.Params) {
		for _, v := range req.Params[k] {
			s.rows = append(s.rows, newEditRow(k, v))
		}
	}
	if s.headers() {
		for _, k := range sortedKeys(url.Values(req.Header)) {
			for _, v := range req.Header[k] {
				s.rows = append(s.rows, newHeaderRow(k, v))
			}
		}
	}
	s.original = slices.Clone(s.rows)
	s.list.setLen(len(s.rows))
	s.input = textinput.New()
	s.input.CharLimit = 8192
	s.input.SetStyles(c.Styles.TextInput)
	return s
}

func sortedKeys(v url.Values) []string {
	out := make([]string, 0, len(v))
	for k := range v {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *flowEditor) headers() bool { return slices.Contains(headerSteps, s.id) }

func (s *flowEditor) Title() string   { return "Edit " + string(s.id) + " request" }
func (s *flowEditor) Capturing() bool { return s.editing }

func (s *flowEditor) KeyBindings() []key.Binding {
	if s.editing {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "discard"))}
	}
	km, fk := s.c.Keys, s.c.Keys.Flow
	return []key.Binding{fk.EditValue, fk.AddParam, fk.DelParam, fk.SaveReq, fk.ResetReq, km.Reveal, km.Up, km.Down}
}

func (s *flowEditor) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.input.SetWidth(max(w-6, 10))
}

func (s *flowEditor) Back() (tea.Cmd, bool) {
	if s.editing {
		s.stopEditing()
		return nil, true
	}
	if !slices.Equal(s.rows, s.original) {
		return s.c.Confirm("Discard your changes?", "The edits to the "+string(s.id)+" request are lost; the step keeps the request it had.",
			cmdOf(popScreenMsg{s})), true
	}
	return nil, false
}

func (s *flowEditor) stopEditing() {
	s.editing, s.adding, s.err = false, false, ""
	s.input.Blur()
	s.input.SetValue("")
}

// isSecretParam: the one list of secret names decides.
func isSecretParam(k string) bool { return safe.SecretName(k) }

func (s *flowEditor) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stylesChangedMsg:
		s.input.SetStyles(s.c.Styles.TextInput)
	case sessionChangedMsg:
		return s.c.PopScreen(s) // may be on a tab the user is not looking at
	case tea.PasteMsg:
		if s.editing {
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			return cmd
		}
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	}
	return nil
}

func (s *flowEditor) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if s.editing {
		if msg.String() == "enter" {
			s.commitInput()
			return nil
		}
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		return cmd
	}
	km, fk := s.c.Keys, s.c.Keys.Flow
	if s.list.handleKey(km, msg, max(s.height-6, 1)) {
		return nil
	}
	switch {
	case key.Matches(msg, fk.SaveReq):
		return s.save()
	case key.Matches(msg, fk.EditValue):
		row := s.rows[s.list.cursor]
		s.editing, s.err = true, ""
		s.input.Prompt = row.key + " = "
		s.input.EchoMode = textinput.EchoNormal
		if row.secret && !s.revealed {
			s.input.EchoMode, s.input.EchoCharacter = textinput.EchoPassword, '•'
		}
		s.input.SetValue(row.value)
		return s.input.Focus()
	case key.Matches(msg, fk.AddParam):
		s.editing, s.adding, s.err = true, true, ""
		s.input.Prompt = "name=value › "
		if s.headers() {
			s.input.Prompt = "name=value, or Header-Name: value › "
		}
		s.input.EchoMode = textinput.EchoNormal
		s.input.SetValue("")
		return s.input.Focus()
	case key.Matches(msg, fk.DelParam):
		if s.list.cursor == 0 {
			s.err = "the URL cannot be removed"
			return nil
		}
		s.rows = append(s.rows[:s.list.cursor], s.rows[s.list.cursor+1:]...)
		s.list.setLen(len(s.rows))
	case key.Matches(msg, fk.ResetReq):
		s.run.flow.ResetRequest(s.id)
		delete(s.run.edited, s.id)
		return tea.Batch(s.c.Pop(), cmdOf(flowEditedMsg{s.run.gen}), s.c.Notify(noticeInfo, "The "+string(s.id)+" request is back to its default"))
	case key.Matches(msg, km.Reveal):
		s.revealed = !s.revealed
	}
	return nil
}

func (s *flowEditor) commitInput() {
	v := s.input.Value()
	if s.adding {
		row, problem := s.parseAdded(v)
		if problem != "" {
			s.err = problem
			return
		}
		s.rows = append(s.rows, row)
		s.list.setLen(len(s.rows))
		s.list.cursor = len(s.rows) - 1
	} else {
		if s.list.cursor == 0 {
			if u, err := url.Parse(strings.TrimSpace(v)); err != nil || !u.IsAbs() {
				s.err = "the URL must be absolute, e.g. https://coder.example.com/oauth2/tokens"
				return
			}
			v = strings.TrimSpace(v)
		}
		s.rows[s.list.cursor].value = v
	}
	s.stopEditing()
}

// parseAdded reads an added row: "name=value" is a parameter, and where
// the step sends its headers, "Name: value" (a colon before any "=") is one.
func (s *flowEditor) parseAdded(v string) (editRow, string) {
	colon, eq := strings.Index(v, ":"), strings.Index(v, "=")
	if s.headers() && colon > 0 && (eq < 0 || colon < eq) {
		k, val := strings.TrimSpace(v[:colon]), strings.TrimSpace(v[colon+1:])
		if !httpguts.ValidHeaderFieldName(k) {
			return editRow{}, "a header name is letters, digits and -, e.g. X-Request-Id: 1"
		}
		if http.CanonicalHeaderKey(k) == "Host" {
			return editRow{}, "Host is not sent as written (Go's HTTP client sets it from the URL): edit the URL instead"
		}
		return newHeaderRow(k, val), ""
	}
	k, val, _ := strings.Cut(v, "=")
	if k = strings.TrimSpace(k); k == "" {
		if s.headers() {
			return editRow{}, "write a parameter as name=value, or a header as Name: value"
		}
		return editRow{}, "write the parameter as name=value"
	}
	return newEditRow(k, val), ""
}

// save hands the edited request to the flow; the next run of the step sends it.
func (s *flowEditor) save() tea.Cmd {
	params, header := url.Values{}, http.Header{}
	for _, r := range s.rows[1:] {
		if r.header {
			header.Add(r.key, r.value)
		} else {
			params.Add(r.key, r.value)
		}
	}
	u, withHeaders := s.rows[0].value, s.headers()
	err := s.run.flow.EditRequest(s.id, func(q *flows.Request) {
		q.URL, q.Params = u, params
		if withHeaders {
			q.Header = header
		}
	})
	if err != nil {
		s.err = safe.Line(err.Error())
		return nil
	}
	s.run.edited[s.id] = true
	return tea.Batch(s.c.Pop(), cmdOf(flowEditedMsg{s.run.gen}),
		s.c.Notify(noticeSuccess, "Edited: the next run of "+string(s.id)+" sends this request"))
}

func (s *flowEditor) View() string {
	st := s.c.Styles
	var b strings.Builder
	where := "form body"
	if s.inQuery {
		where = "query"
	}
	b.WriteString(st.Title.Render("Edit the "+string(s.id)+" request") + "  " + st.Subtle.Render(safe.Line(s.method)+", parameters in the "+where) + "\n")
	add := "a add"
	if s.headers() {
		add = "a add (name=value, or Header: value)"
	}
	b.WriteString(st.Faint.Render("enter edit · "+add+" · d remove · ctrl+s save · R reset to default · v reveal · esc cancel") + "\n\n")
	listH := max(s.height-6, 1)
	from, to := s.list.window(listH)
	for i := from; i < to; i++ {
		r := s.rows[i]
		v := safe.Line(r.value) // the mask keeps a few characters: sanitise first
		if r.secret && !s.revealed {
			v = safe.Mask(v)
		}
		name := safe.Line(r.key)
		if r.header {
			name += ":" // a header, as it is written on the wire
		}
		row := padRight(name, 22) + " " + v
		b.WriteString(s.list.renderRow(st, i, row, s.width) + "\n")
	}
	b.WriteString("\n")
	if s.editing {
		b.WriteString(s.input.View() + "\n")
	}
	if s.err != "" {
		b.WriteString(st.Error.Render("✗ "+s.err) + "\n")
	}
	return fitBox(b.String(), s.width, s.height)
}
