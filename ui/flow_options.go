package ui

import (
	"net/url"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// flowConsent is how the authorize step gets its code.
type flowConsent string

const (
	consentAuto    flowConsent = "auto"    // POST with the admin session
	consentBrowser flowConsent = "browser" // system browser + loopback listener
	consentPaste   flowConsent = "paste"   // no browser: the user pastes the redirect URL
)

// flowOptions is what the user picks before a flow starts.
type flowOptions struct {
	Mode         flows.ClientMode
	App          *client.App // ClientExisting
	ClientSecret string      // typed; empty = look it up in the keyring
	Consent      flowConsent
	Resource     string // "" = the deployment URL; "none" = send none
	Scope        string
	CallbackURL  string           // "" = the app's callback (existing) or a free loopback port
	AuthMethod   flows.AuthMethod // AuthAuto: as the metadata says (RFC 8414 §2)
	Cleanup      bool             // delete the created app/registration at the end
	Target       string           // "" = the deployment; else a protected resource (an MCP endpoint) to discover from
}

// defaultCallback asks for a free port, so a flow never collides with
// another program on Coder's customary 9876.
const defaultCallback = "http://127.0.0.1:0/callback"

// flowOptionsMsg carries the submitted options from the form to the Flow screen.
type flowOptionsMsg struct{ opts flowOptions }

// flowOptionsForm is the pushed form that sets up a flow.
type flowOptionsForm struct {
	base
	f        form
	app      *client.App
	clientF  *formField
	consent  *formField
	resource *formField
	scope    *formField
	callback *formField
	secret   *formField
	auth     *formField
	cleanup  *formField
	target   *formField
	kept     keptState // whether the store keeps the app's secret
	scopes   []string  // the server's scopes_supported, for completion
}

// Choice labels; index order matters (see options).
var (
	consentChoices = []string{"automatic (admin session)", "browser", "paste redirect URL"}
	consentValues  = []flowConsent{consentAuto, consentBrowser, consentPaste}
	authChoices    = []string{"as the server advertises", "client_secret_basic", "client_secret_post", "none (public client)"}
	authValues     = []flows.AuthMethod{flows.AuthAuto, flows.AuthBasic, flows.AuthPost, flows.AuthNone}
)

func newFlowOptionsForm(c *Common, prev flowOptions) *flowOptionsForm {
	s := &flowOptionsForm{base: newBase(c), app: c.SelectedApp()}
	var clientChoices []string
	if s.app != nil {
		clientChoices = append(clientChoices, "app "+safe.Line(s.app.Name))
	}
	clientChoices = append(clientChoices, "create a new app", "dynamic registration (RFC 7591)")
	s.clientF = newChoiceField("Client", clientChoices...)
	// A fresh app is the default: it comes with a secret, so the flow works
	// end to end; an existing app needs its secret kept or typed.
	s.clientF.choice = s.indexOfMode(flows.ClientCreate)
	switch {
	case prev.Mode == flows.ClientRegister:
		s.clientF.choice = s.indexOfMode(flows.ClientRegister)
	case prev.Mode == flows.ClientExisting && s.app != nil:
		s.clientF.choice = 0
	}
	s.consent = newChoiceField("Consent", consentChoices...)
	for i, v := range consentValues {
		if v == prev.Consent {
			s.consent.choice = i
		}
	}
	s.resource = newTextField(c, "Resource (RFC 8707)", "empty: the deployment URL", false)
	s.resource.hint = "empty: the deployment URL (what Coder's API accepts); none: send no resource"
	s.resource.input.SetValue(prev.Resource)
	s.scope = newTextField(c, "Scope", "empty: no scope parameter", false)
	s.scope.input.SetValue(prev.Scope)
	s.scope.input.ShowSuggestions = true
	s.scope.input.KeyMap.AcceptSuggestion = key.NewBinding(key.WithKeys("right")) // tab moves between fields
	s.callback = newTextField(c, "Redirect URI", "", false)
	s.callback.input.SetValue(prev.CallbackURL)
	s.callback.validate = validateLoopbackRedirect
	s.secret = newTextField(c, "Client secret", "empty: the one kept from the app's detail", true)
	s.secret.hint = "leave empty to use the secret kept in the " + c.Deps.Store.Kind()
	s.auth = newChoiceField("Client authentication", authChoices...)
	s.auth.hint = "default: client_secret_basic when the server lists it (RFC 8414 §2), else client_secret_post; a client registered for one method is refused with another"
	for i, v := range authValues {
		if v == prev.AuthMethod {
			s.auth.choice = i
		}
	}
	s.cleanup = newChoiceField("Delete the created client at the end", "yes", "no")
	if !prev.Cleanup && prev.Mode != "" {
		s.cleanup.choice = 1
	}
	s.target = newTextField(c, "Start discovery at", "empty: the deployment; or e.g. an MCP endpoint …/api/experimental/mcp/http", false)
	s.target.hint = "a protected resource: its 401 names the metadata, as MCP clients discover"
	s.target.input.SetValue(prev.Target)
	s.target.validate = validateTarget
	s.f = form{c: c, fields: []*formField{s.clientF, s.consent, s.resource, s.scope, s.callback, s.secret, s.auth, s.cleanup, s.target}}
	s.sync()
	s.f.markClean()
	return s
}

// validateTarget: empty, or an absolute http(s) URL.
func validateTarget(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "an absolute http(s) URL, e.g. https://coder.example.com/api/experimental/mcp/http"
	}
	return ""
}

// validateLoopbackRedirect is the listener's own rule (flows), so a bad
// redirect URI is caught while typing rather than when the flow starts.
func validateLoopbackRedirect(v string) string { return flows.ListenerURIProblem(v) }

func (s *flowOptionsForm) indexOfMode(m flows.ClientMode) int {
	off := 0
	if s.app != nil {
		off = 1
	}
	if m == flows.ClientRegister {
		return off + 1
	}
	return off
}

// mode is the client mode the Client choice stands for.
func (s *flowOptionsForm) mode() flows.ClientMode {
	i := s.clientF.choice
	if s.app != nil {
		if i == 0 {
			return flows.ClientExisting
		}
		i--
	}
	if i == 0 {
		return flows.ClientCreate
	}
	return flows.ClientRegister
}

// consentHints say, before start, what each consent choice will do.
var consentHints = map[flowConsent]string{
	consentAuto:    "the console consents with your admin session: no browser, no page to click",
	consentBrowser: "opens the authorization URL in your browser; the loopback listener takes the callback",
	consentPaste:   "suits SSH: open the URL on any machine, then paste the URL the browser lands on",
}

// sync shows only the fields that apply to the chosen client, and what the
// chosen consent will do.
func (s *flowOptionsForm) sync() {
	consent := consentValues[s.consent.choice]
	s.consent.hint = consentHints[consent]
	if consent != consentAuto && s.c.Deps.Demo {
		s.consent.hint += "; the demo's sign-in page signs you in as its admin in one click"
	}
	existing := s.mode() == flows.ClientExisting
	s.clientF.hint = clientHints[s.mode()]
	if existing {
		s.clientF.hint = s.appOutlook()
	}
	s.secret.hidden = !existing
	s.cleanup.hidden = existing
	if existing {
		s.callback.input.Placeholder = "empty: the app's callback URL"
		s.callback.hint = "empty: the app's callback URL; it must be loopback so the listener can take the callback"
	} else {
		s.callback.input.Placeholder = "empty: " + defaultCallback + " (a free port)"
		s.callback.hint = "empty: a free loopback port, registered with the new client"
	}
}

func (s *flowOptionsForm) options() flowOptions {
	o := flowOptions{
		Mode:        s.mode(),
		Consent:     consentValues[s.consent.choice],
		Resource:    strings.TrimSpace(s.resource.value()),
		Scope:       strings.TrimSpace(s.scope.value()),
		CallbackURL: strings.TrimSpace(s.callback.value()),
		AuthMethod:  authValues[s.auth.choice],
		Cleanup:     s.cleanup.choice == 0,
		Target:      strings.TrimSpace(s.target.value()),
	}
	if o.Mode == flows.ClientExisting {
		o.App, o.ClientSecret, o.Cleanup = s.app, s.secret.value(), false
	}
	return o
}

func (s *flowOptionsForm) Title() string   { return "New flow" }
func (s *flowOptionsForm) Capturing() bool { return true }
func (s *flowOptionsForm) Init() tea.Cmd {
	return tea.Batch(s.f.focusField(0), s.lookupKept(), s.lookupScopes())
}
func (s *flowOptionsForm) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.f.setWidth(min(w, 100))
}

func (s *flowOptionsForm) Update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(stylesChangedMsg); ok {
		s.f.restyle()
		return nil
	}
	if _, ok := msg.(sessionChangedMsg); ok {
		return s.c.PopScreen(s) // the app it offers belongs to the old deployment
	}
	if sc, ok := msg.(flowScopesMsg); ok {
		if sc.gen != s.c.SessionGen() {
			return nil
		}
		s.scopes = sc.scopes
		s.suggestScopes()
		return nil
	}
	if kept, ok := msg.(flowKeptMsg); ok {
		if s.app != nil && kept.appID == s.app.ID {
			s.kept = kept.state
			s.sync()
		}
		return nil
	}
	submit, cmd := s.f.update(msg)
	s.sync()
	s.suggestScopes()
	if submit && s.f.valid() {
		return tea.Batch(s.c.Pop(), cmdOf(flowOptionsMsg{s.options()}))
	}
	return cmd
}

func (s *flowOptionsForm) View() string {
	st := s.c.Styles
	footer := wrapText("tab/↑↓ fields · ←/→ change choice · ctrl+s or enter on the last field: start · esc cancel", max(s.width-2, 20))
	fieldsH := s.height - 3 - strings.Count(footer, "\n") - 1 // title, blank, blank, footer
	out := st.Title.Render("Set up an authorization-code flow") + "\n\n" + s.f.viewFit(min(s.width, 100), fieldsH)
	out += "\n" + st.Faint.Render(footer)
	return fitBox(out, s.width, s.height)
}

func (s *flowOptionsForm) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.NextField, km.PrevField,
		key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "start")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
}

// Back asks before discarding what was typed.
func (s *flowOptionsForm) Back() (tea.Cmd, bool) { return s.f.confirmDiscard(s) }
