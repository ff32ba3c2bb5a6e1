package ui

import (
	"net/http"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// exchangeDetail shows one recorded exchange: request and response lines,
// headers and bodies (JSON pretty-printed), all as the recorder redacted them.
type exchangeDetail struct {
	base
	ex client.Exchange
	vp viewport.Model
}

func newExchangeDetail(c *Common, ex client.Exchange) *exchangeDetail {
	s := &exchangeDetail{base: newBase(c), ex: ex, vp: viewport.New()}
	return s
}

func (s *exchangeDetail) Title() string { return "Exchange #" + itoa(int(s.ex.ID)) }

func (s *exchangeDetail) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.CopyCurl, km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom}
}

func (s *exchangeDetail) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.vp.SetWidth(w)
	s.vp.SetHeight(max(h-1, 1))
	s.render()
}

func (s *exchangeDetail) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stylesChangedMsg:
		s.render()
		return nil
	case tea.KeyPressMsg:
		if key.Matches(msg, s.c.Keys.CopyCurl) {
			return s.c.Copy("the request as curl (secrets as $VARIABLES to set)", s.ex.Curl())
		}
	}
	return scrollDoc(&s.vp, s.c.Keys, msg)
}

func (s *exchangeDetail) render() {
	st := s.c.Styles
	ex := s.ex
	var b strings.Builder
	b.WriteString(st.Title.Render("Request") + "\n")
	b.WriteString(st.Bold.Render(safe.Line(ex.Method)+" "+safe.Line(ex.URL)) + "\n")
	b.WriteString(headerLines(st, ex.RequestHeader))
	if len(ex.RequestBody) > 0 {
		b.WriteString("\n" + bodyView(st, ex.RequestBody, s.width) + "\n")
	}
	b.WriteString("\n" + st.Title.Render("Response") + "  " + st.Subtle.Render(durText(ex.Duration)) + "\n")
	if ex.Err != "" {
		b.WriteString(st.Error.Render("✗ "+safe.Line(ex.Err)) + "\n")
	}
	if ex.StatusCode != 0 {
		sty := st.OK
		if ex.StatusCode >= 400 {
			sty = st.Error
		} else if ex.StatusCode >= 300 {
			sty = st.Warn
		}
		b.WriteString(sty.Render(itoa(ex.StatusCode)+" "+http.StatusText(ex.StatusCode)) + "\n")
		b.WriteString(headerLines(st, ex.ResponseHeader))
		if len(ex.ResponseBody) > 0 {
			b.WriteString("\n" + bodyView(st, ex.ResponseBody, s.width) + "\n")
		}
	}
	s.vp.SetContent(wrapToWidth(b.String(), s.width))
}

// wrapToWidth wraps every line to w cells, ANSI-aware, preferring breaks
// after a space, / or &: a long URL or header value shows whole on several
// lines instead of being cut, and a content line stays a screen line, so
// offsets into it are exact.
func wrapToWidth(s string, w int) string { return ansi.Wrap(s, max(w, 1), " /&") }

func headerLines(st *Styles, h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		for _, v := range h[k] {
			b.WriteString(st.JSONKey.Render(safe.Line(k)+":") + " " + safe.Line(v) + "\n")
		}
	}
	return b.String()
}

// bodyView pretty-prints a JSON body, or shows the text sanitised.
func bodyView(st *Styles, body []byte, width int) string {
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
		return renderJSON(st, body, nil, width)
	}
	return safe.Text(string(body))
}

func (s *exchangeDetail) View() string {
	st := s.c.Styles
	ex := s.ex
	head := st.Subtle.Render("#" + itoa(int(ex.ID)) + " · " + safe.Line(ex.Phase) + " · " + ex.Started.Local().Format(exchangeTimeLayout) + " · c copy as curl · esc back")
	return truncate(head, s.width) + "\n" + s.vp.View()
}
