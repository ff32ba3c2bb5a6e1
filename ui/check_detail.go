package ui

import (
	"net/http"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/flows/check"
)

// checkDetail shows one check's verdict, the rule it rests on, what to do
// about a failure and its evidence: every exchange, redacted by the suite
// and sanitised on arrival. One evidence is selected (enter moves on, a
// click on its heading picks it); c copies it as curl.
type checkDetail struct {
	base
	res      check.Result
	vp       viewport.Model
	selected int   // the evidence c copies
	evLine   []int // each evidence heading's line in the content
}

func newCheckDetail(c *Common, res check.Result) *checkDetail {
	return &checkDetail{base: newBase(c), res: res, vp: viewport.New()}
}

func (s *checkDetail) Title() string { return "Check " + s.res.ID }

func (s *checkDetail) KeyBindings() []key.Binding {
	km := s.c.Keys
	out := []key.Binding{km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom}
	if n := len(s.res.Evidence); n > 0 {
		out = append(out, key.NewBinding(key.WithKeys(km.CopyCurl.Keys()...), key.WithHelp(km.CopyCurl.Help().Key, "copy evidence "+itoa(s.selected+1)+" as curl")))
		if n > 1 {
			out = append(out, key.NewBinding(key.WithKeys(km.Open.Keys()...), key.WithHelp(km.Open.Help().Key, "next evidence")))
		}
	}
	return out
}

func (s *checkDetail) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.vp.SetWidth(max(w, 1))
	s.vp.SetHeight(max(h, 1))
	s.render()
}

func (s *checkDetail) Update(msg tea.Msg) tea.Cmd {
	km := s.c.Keys
	n := len(s.res.Evidence)
	switch msg := msg.(type) {
	case stylesChangedMsg:
		s.render()
		return nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, km.CopyCurl) && n > 0:
			return s.c.Copy("evidence "+itoa(s.selected+1)+" as curl (secrets as $VARIABLES to set)", evidenceCurl(s.res.Evidence[s.selected]))
		case key.Matches(msg, km.Open) && n > 1:
			s.selectEvidence((s.selected + 1) % n)
			s.vp.SetYOffset(s.evLine[s.selected]) // its heading on top, as far as the content goes
			return nil
		}
	case tea.MouseClickMsg:
		line := s.vp.YOffset() + msg.Y
		for i, l := range s.evLine {
			if l == line && msg.Button == tea.MouseLeft {
				s.selectEvidence(i)
				return nil
			}
		}
	}
	return scrollDoc(&s.vp, km, msg)
}

func (s *checkDetail) selectEvidence(i int) {
	s.selected = i
	s.render() // the mark moves; the viewport keeps its offset
}

// evidenceCurl is an evidence exchange as a curl command, the way the
// Requests screen copies one (what was redacted stays redacted).
func evidenceCurl(ev check.Evidence) string {
	h := http.Header{}
	for k, v := range ev.RequestHeader {
		h.Set(k, v)
	}
	return client.Exchange{Method: ev.Method, URL: ev.URL, RequestHeader: h, RequestBody: []byte(ev.RequestBody)}.Curl()
}

// render builds the content wrapped to the width (not soft-wrapped by the
// viewport), so a heading's line number is its line on screen.
func (s *checkDetail) render() {
	st := s.c.Styles
	r := s.res
	var b strings.Builder
	add := func(part string) { b.WriteString(wrapToWidth(part, s.width)) }
	sym, word, sty := checkSymbol(st, r.Status)
	add(st.Title.Render(r.Title) + "\n")
	add(sty.Render(sym+" "+word) + "  " + st.Label.Render(r.ID) + "  " + st.Faint.Render(string(r.Level)) + "\n")
	add(st.Label.Render("Basis  ") + r.Basis + "\n")
	if fix := check.Fix(r.ID); fix != "" && (r.Status == check.Fail || r.Status == check.Warn) {
		add(st.Label.Render("Fix    ") + st.Warn.Render(fix) + "\n")
	}
	if r.Detail != "" {
		add("\n" + r.Detail + "\n")
	}
	if len(r.Evidence) == 0 {
		add("\n" + st.Faint.Render("No exchanges recorded for this check.") + "\n")
	}
	s.evLine = s.evLine[:0]
	for i, e := range r.Evidence {
		add("\n")
		s.evLine = append(s.evLine, strings.Count(b.String(), "\n"))
		heading := st.Title.Render("Evidence " + itoa(i+1))
		if len(r.Evidence) > 1 && i == s.selected {
			heading = st.Title.Render("› Evidence "+itoa(i+1)) + st.Faint.Render(" · c copies it as curl")
		}
		if e.Note != "" {
			heading += "  " + st.Subtle.Render(e.Note)
		}
		add(heading + "\n")
		add(st.Bold.Render(e.Method+" "+e.URL) + "\n")
		add(mapHeaderLines(st, e.RequestHeader))
		if e.RequestBody != "" {
			add(prettyBody([]byte(e.RequestBody)) + "\n")
		}
		switch {
		case e.Error != "":
			add(st.Error.Render("✗ "+e.Error) + "\n")
		case e.Status != 0:
			stSty := st.OK
			if e.Status >= 400 {
				stSty = st.Error
			} else if e.Status >= 300 {
				stSty = st.Warn
			}
			add(stSty.Render("← "+itoa(e.Status)) + "\n")
			add(mapHeaderLines(st, e.ResponseHeader))
			if e.ResponseBody != "" {
				add(prettyBody([]byte(e.ResponseBody)) + "\n")
			}
		}
	}
	s.vp.SetContent(b.String())
}

func mapHeaderLines(st *Styles, h map[string]string) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(st.JSONKey.Render(k+":") + " " + h[k] + "\n")
	}
	return b.String()
}

func (s *checkDetail) View() string { return s.vp.View() }
