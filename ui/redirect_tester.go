package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
)

// redirectTester is the app detail's "would this redirect_uri be
// accepted?" prompt.
type redirectTester struct {
	base
	f      form
	uri    *formField
	app    client.App
	legacy bool
	// The app's name and redirect URIs, sanitised once for the screen
	// (matching uses the raw ones).
	name  string
	shown []string
}

func newRedirectTester(c *Common, app client.App) *redirectTester {
	s := &redirectTester{base: newBase(c), app: app, legacy: len(app.RedirectURIs) == 0 && keepsFirstURIOnly(c.Session())}
	s.name = safe.Line(app.Name)
	for _, u := range appRedirects(app) {
		s.shown = append(s.shown, safe.Line(u))
	}
	s.uri = newTextField(c, "redirect_uri a client would send", "http://127.0.0.1:53682/callback", false)
	s.f = form{c: c, fields: []*formField{s.uri}}
	return s
}

func (s *redirectTester) Title() string   { return "Test redirect URI" }
func (s *redirectTester) Capturing() bool { return true }
func (s *redirectTester) Init() tea.Cmd   { return s.f.focusField(0) }
func (s *redirectTester) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.f.setWidth(min(w, 100))
}

func (s *redirectTester) KeyBindings() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close"))}
}

func (s *redirectTester) Update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(stylesChangedMsg); ok {
		s.f.restyle()
		return nil
	}
	_, cmd := s.f.update(msg) // the verdict is recomputed as the user types
	return cmd
}

func (s *redirectTester) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Would "+s.name+" accept this redirect_uri?") + "\n\n")
	b.WriteString(s.f.view(min(s.width, 100)) + "\n")
	if v := strings.TrimSpace(s.uri.value()); v != "" {
		i, why := coder.MatchRedirect(appRedirects(s.app), v, s.legacy)
		if i >= 0 {
			b.WriteString(st.OK.Render("✓ accepted: matches "+s.shown[i]) + "\n  " + st.Subtle.Render(safe.Line(why)) + "\n")
		} else {
			b.WriteString(st.Error.Render(wrapText("✗ refused: "+safe.Line(why), s.width-2)) + "\n")
		}
	}
	b.WriteString("\n" + st.Label.Render("Registered:") + "\n")
	for _, u := range s.shown {
		b.WriteString("  " + u + "\n")
	}
	return b.String()
}
