package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/keyring"
)

// scopeTry is app detail's "what would this app be granted?" prompt: enter
// sends an authorization request for the typed scope set, consented by the
// admin session, and shows the deployment's answer (flows.TryScope); with
// the app's kept secret the code is redeemed to show the granted scope,
// and that token is revoked. Earlier answers stay listed. Above them, the
// deployment's scope catalogue (flows.ReadScopeCatalog): how many names of
// each kind, and what each composite covers where the server says; the
// field completes from it.
type scopeTry struct {
	base
	f       form
	scope   *formField
	app     client.App
	name    string // sanitised
	allow   string // the app's allowlist, sanitised
	trials  []flows.ScopeTrial
	running bool
	err     error
	cat     *flows.ScopeCatalog
	catErr  error
	names   []string // every name of cat, for completion
}

type scopeCatalogMsg struct {
	sessionGen uint64 // a reply for another deployment is dropped
	cat        flows.ScopeCatalog
	err        error
}

type scopeTriedMsg struct {
	gen   uint64
	trial flows.ScopeTrial
	err   error
}

func newScopeTry(c *Common, app client.App) *scopeTry {
	s := &scopeTry{base: newBase(c), app: app, name: safe.Line(app.Name), allow: safe.Line(app.Scope)}
	s.scope = newTextField(c, "Scope set to request (space-separated; empty: none)", "e.g. workspace:ssh template:read", false)
	s.scope.input.ShowSuggestions = true
	s.scope.input.KeyMap.AcceptSuggestion = key.NewBinding(key.WithKeys("right"))
	s.f = form{c: c, fields: []*formField{s.scope}}
	return s
}

func (s *scopeTry) Title() string   { return "Try a scope set" }
func (s *scopeTry) Capturing() bool { return true }
func (s *scopeTry) Init() tea.Cmd   { return tea.Batch(s.f.focusField(0), s.loadCatalog()) }

// loadCatalog reads the scope catalogue off the loop.
func (s *scopeTry) loadCatalog() tea.Cmd {
	sess := s.c.Session()
	if sess == nil || sess.Client == nil {
		return nil
	}
	ctx, cl, gen := s.ctx, sess.Client, s.c.SessionGen()
	return func() tea.Msg {
		cat, err := flows.ReadScopeCatalog(ctx, cl)
		return scopeCatalogMsg{sessionGen: gen, cat: cat, err: err}
	}
}
func (s *scopeTry) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.f.setWidth(min(w, 100))
}

func (s *scopeTry) KeyBindings() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ask the deployment")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close"))}
}

func (s *scopeTry) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stylesChangedMsg:
		s.f.restyle()
		return nil
	case scopeCatalogMsg:
		if msg.sessionGen != s.c.SessionGen() {
			return nil
		}
		s.cat, s.catErr = &msg.cat, msg.err
		s.names = slices.Concat(msg.cat.Composite, msg.cat.Wildcard, msg.cat.LowLevel, msg.cat.Other)
		suggestScopes(s.scope, s.names)
		return nil
	case scopeTriedMsg:
		if !s.current(msg.gen) {
			return nil
		}
		s.running, s.err = false, msg.err
		if msg.err != nil {
			return s.c.NotifyErr(msg.err)
		}
		s.trials = append([]flows.ScopeTrial{msg.trial}, s.trials...)
		return nil
	case tea.KeyPressMsg:
		if msg.String() == "enter" {
			return s.try()
		}
	}
	_, cmd := s.f.update(msg)
	suggestScopes(s.scope, s.names)
	return cmd
}

// catalogView is the catalogue in a few lines: counts by kind, then each
// composite's expansion where the server says what it covers.
func (s *scopeTry) catalogView() string {
	st := s.c.Styles
	switch {
	case s.catErr != nil:
		return st.Warn.Render("Catalogue not read: "+safe.Line(s.catErr.Error())) + "\n"
	case s.cat == nil:
		return st.Faint.Render("reading the scope catalogue…") + "\n"
	case s.cat.Len() == 0:
		return st.Faint.Render("Catalogue: the server publishes no scopes_supported") + "\n"
	}
	c := s.cat
	out := st.Subtle.Render(fmt.Sprintf("Catalogue: %d composite, %d wildcard, %d low-level, %d other (→ completes)",
		len(c.Composite), len(c.Wildcard), len(c.LowLevel), len(c.Other))) + "\n"
	for _, name := range slices.Sorted(maps.Keys(c.Expands)) {
		out += "  " + name + " covers " + strings.Join(c.Expands[name], " ") + "\n"
	}
	if len(c.Expands) == 0 && c.Note != "" {
		out += "  " + st.Faint.Render(wrapText(c.Note, s.width-2)) + "\n"
	}
	return out
}

func (s *scopeTry) try() tea.Cmd {
	sess := s.c.Session()
	if sess == nil || sess.Client == nil || s.running {
		return nil
	}
	s.running = true
	gen, ctx, cl, store, url, appID, scope := s.nextGen(), s.freshCtx(), sess.Client, s.c.Deps.Store, sess.URL, s.app.ID, s.scope.value()
	return s.c.await(func() tea.Msg {
		secret, _ := keyring.GetClientSecret(ctx, store, url, appID) // none kept: the code is not redeemed
		trial, err := flows.TryScope(ctx, cl, appID, scope, secret)
		return scopeTriedMsg{gen: gen, trial: trial, err: err}
	})
}

func (s *scopeTry) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("What would "+s.name+" be granted?") + "\n")
	allow := s.allow
	if allow == "" {
		allow = "(none: unrestricted on 2.38)"
	}
	b.WriteString(st.Subtle.Render("Allowlist: "+allow+" · asked live, with your consent; a redeemed token is revoked") + "\n")
	b.WriteString(s.catalogView() + "\n")
	b.WriteString(s.f.view(min(s.width, 100)) + "\n")
	if s.running {
		b.WriteString(st.Info.Render("asking the deployment…") + "\n")
	}
	for _, t := range s.trials {
		req := t.Requested
		if req == "" {
			req = "(no scope)"
		}
		switch {
		case !t.Accepted:
			b.WriteString(st.Error.Render("✗ refused  ") + req + "\n  " + wrapText(t.Error+": "+t.Description, s.width-2) + "\n")
		case t.Redeemed:
			b.WriteString(st.OK.Render("✓ granted  ") + req + "  → token scope: " + orDashText(t.Granted) + "\n")
		default:
			b.WriteString(st.OK.Render("✓ accepted ") + req + "\n")
		}
		if t.Note != "" {
			b.WriteString("  " + st.Faint.Render(wrapText(t.Note, s.width-2)) + "\n")
		}
	}
	return fitBox(b.String(), s.width, s.height)
}

func orDashText(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
