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

// checkDetail shows one check's verdict, the rule it rests on and its
// evidence: every exchange, redacted by the suite and sanitised on arrival.
type checkDetail struct {
	base
	res check.Result
	vp  viewport.Model
}

func newCheckDetail(c *Common, res check.Result) *checkDetail {
	s := &checkDetail{base: newBase(c), res: res, vp: viewport.New()}
	s.vp.SoftWrap = true
	return s
}

func (s *checkDetail) Title() string { return "Check " + s.res.ID }

func (s *checkDetail) KeyBindings() []key.Binding {
	km := s.c.Keys
	out := []key.Binding{km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom}
	if len(s.res.Evidence) > 0 {
		out = append(out, key.NewBinding(key.WithKeys(km.CopyCurl.Keys()...), key.WithHelp("c", "copy evidence 1 as curl")))
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
	if _, ok := msg.(stylesChangedMsg); ok {
		s.render()
		return nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, s.c.Keys.CopyCurl) && len(s.res.Evidence) > 0 {
		return s.c.Copy("evidence 1 as curl (secrets as $VARIABLES to set)", evidenceCurl(s.res.Evidence[0]))
	}
	return scrollDoc(&s.vp, s.c.Keys, msg)
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

func (s *checkDetail) render() {
	st := s.c.Styles
	r := s.res
	var b strings.Builder
	sym, word, sty := checkSymbol(st, r.Status)
	b.WriteString(st.Title.Render(r.Title) + "\n")
	b.WriteString(sty.Render(sym+" "+word) + "  " + st.Label.Render(r.ID) + "  " + st.Faint.Render(string(r.Level)) + "\n")
	b.WriteString(st.Label.Render("Basis  ") + r.Basis + "\n")
	if r.Detail != "" {
		b.WriteString("\n" + r.Detail + "\n")
	}
	if len(r.Evidence) == 0 {
		b.WriteString("\n" + st.Faint.Render("No exchanges recorded for this check.") + "\n")
	}
	for i, e := range r.Evidence {
		b.WriteString("\n" + st.Title.Render("Evidence "+itoa(i+1)))
		if e.Note != "" {
			b.WriteString("  " + st.Subtle.Render(e.Note))
		}
		b.WriteString("\n" + st.Bold.Render(e.Method+" "+e.URL) + "\n")
		b.WriteString(mapHeaderLines(st, e.RequestHeader))
		if e.RequestBody != "" {
			b.WriteString(prettyBody([]byte(e.RequestBody)) + "\n")
		}
		switch {
		case e.Error != "":
			b.WriteString(st.Error.Render("✗ "+e.Error) + "\n")
		case e.Status != 0:
			stSty := st.OK
			if e.Status >= 400 {
				stSty = st.Error
			} else if e.Status >= 300 {
				stSty = st.Warn
			}
			b.WriteString(stSty.Render("← "+itoa(e.Status)) + "\n")
			b.WriteString(mapHeaderLines(st, e.ResponseHeader))
			if e.ResponseBody != "" {
				b.WriteString(prettyBody([]byte(e.ResponseBody)) + "\n")
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
