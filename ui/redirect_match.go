package ui

import (
	"net/url"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// matchRedirect says whether a redirect_uri sent at authorize would be
// accepted for an app registered with uris, and why. Newer Coder compares
// exactly, except that the port of an http loopback URI may differ (RFC
// 8252 §7.3); v2.30 (legacy) accepts the callback URL's host and port with
// any path under the callback's path.
func matchRedirect(uris []string, candidate string, legacy bool) (int, string) {
	c, err := url.Parse(candidate)
	if err != nil || c.Scheme == "" {
		return -1, "not an absolute URI"
	}
	if c.Fragment != "" {
		return -1, "has a fragment (#…), which is never allowed"
	}
	if legacy && len(uris) > 0 {
		r, err := url.Parse(uris[0])
		if err != nil {
			return -1, "the registered callback URL does not parse"
		}
		switch {
		case !strings.EqualFold(r.Host, c.Host):
			return -1, "host " + c.Host + " differs from the callback's " + r.Host + " (v2.30 compares host and port)"
		case !strings.HasPrefix(c.Path, r.Path):
			return -1, "path " + c.Path + " is not under the callback's path " + r.Path
		}
		return 0, "accepted by v2.30: same host and port, path under the callback's"
	}
	for i, u := range uris {
		if u == candidate {
			return i, "exact match"
		}
	}
	for i, u := range uris {
		r, err := url.Parse(u)
		if err != nil || r.Scheme != "http" || c.Scheme != "http" || !isLoopbackHost(r.Hostname()) {
			continue
		}
		if strings.EqualFold(r.Hostname(), c.Hostname()) && r.Path == c.Path && r.RawQuery == c.RawQuery {
			return i, "loopback: only the port differs, which RFC 8252 §7.3 allows"
		}
	}
	near := ""
	for _, u := range uris {
		if r, err := url.Parse(u); err == nil && strings.EqualFold(r.Hostname(), c.Hostname()) {
			near = "; closest registered: " + u
			if isLoopbackHost(c.Hostname()) && r.Hostname() != c.Hostname() {
				near += " (localhost and 127.0.0.1 are different URIs)"
			}
			break
		}
	}
	if near == "" && isLoopbackHost(c.Hostname()) {
		for _, u := range uris {
			if r, err := url.Parse(u); err == nil && isLoopbackHost(r.Hostname()) {
				near = "; " + u + " is registered: localhost, 127.0.0.1 and [::1] are different URIs"
				break
			}
		}
	}
	return -1, "no registered URI matches" + near
}

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
		i, why := matchRedirect(appRedirects(s.app), v, s.legacy)
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
