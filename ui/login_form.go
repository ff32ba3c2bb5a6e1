package ui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/keyring"
)

// Ways to sign in to a deployment.
const (
	loginToken    = "session token"
	loginPassword = "email + password"
	loginImport   = "import Coder CLI session"
)

// loginForm adds a deployment: URL, then a session token, email and
// password, or the Coder CLI's saved session. The token is validated with
// /users/me before anything is saved.
type loginForm struct {
	base
	f        form
	url      *formField
	method   *formField
	token    *formField
	email    *formField
	password *formField
	cfg      *keyring.Config
	busy     bool
	err      string
}

// loginResult is a validated session ready to use.
type loginResult struct {
	url, token, source, store, username string
}

type loginDoneMsg struct {
	form     *loginForm // the form that asked: a closed one's answer goes to no other
	res      loginResult
	cfg      *keyring.Config
	err      error
	fallback bool // the OS keyring is unusable: the plain file may be offered
	taskID   int
}

// newLoginForm opens the form; url, when set, fills in the URL field
// (':deploy URL' for a deployment not saved yet).
func newLoginForm(c *Common, cfg *keyring.Config, url string) *loginForm {
	s := &loginForm{base: newBase(c), cfg: cfg}
	s.url = newTextField(c, "Deployment URL", "e.g. https://coder.example.com", false)
	s.url.validate = func(v string) string {
		if strings.TrimSpace(v) == "" {
			return "the deployment URL is required"
		}
		if _, err := keyring.NormalizeURL(strings.TrimSpace(v)); err != nil {
			return err.Error()
		}
		return ""
	}
	if url != "" {
		s.url.input.SetValue(url)
	} else if sess := c.Session(); sess == nil && c.Deps.InitialURL != "" {
		s.url.input.SetValue(c.Deps.InitialURL)
	}
	s.method = newChoiceField("Sign in with", loginToken, loginPassword, loginImport)
	s.method.hint = "←/→ to choose"
	s.token = newTextField(c, "Session token", "paste it (hidden)", true)
	s.token.hint = "From `coder login token` or the dashboard's Tokens page. Stored only in " + keptIn(c.Deps.Store) + "."
	s.token.validate = nonEmpty("the session token")
	s.email = newTextField(c, "Email", "e.g. admin@example.com", false)
	s.email.validate = nonEmpty("the email")
	s.password = newTextField(c, "Password", "(hidden)", true)
	s.password.validate = nonEmpty("the password")
	s.f = form{c: c, fields: []*formField{s.url, s.method, s.token, s.email, s.password}}
	s.syncMethod()
	s.f.markClean()
	return s
}

func nonEmpty(what string) func(string) string {
	return func(v string) string {
		if strings.TrimSpace(v) == "" {
			return what + " is required"
		}
		return ""
	}
}

func (s *loginForm) syncMethod() {
	m := s.method.value()
	s.token.hidden = m != loginToken
	s.email.hidden = m != loginPassword
	s.password.hidden = m != loginPassword
	s.url.hidden = m == loginImport
	if s.f.fields[s.f.focus].hidden {
		s.f.focusField(1)
	}
}

func (s *loginForm) Title() string   { return "Add deployment" }
func (s *loginForm) Capturing() bool { return true }
func (s *loginForm) Init() tea.Cmd   { return s.f.focusField(0) }
func (s *loginForm) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.f.setWidth(min(w, 100))
}

func (s *loginForm) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.NextField, km.PrevField, km.Submit, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
}

func (s *loginForm) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loginDoneMsg:
		if msg.form != s {
			return nil
		}
		return s.done(msg)
	case fileFallbackMsg:
		if msg.form != s {
			return nil
		}
		return s.submit(true)
	case stylesChangedMsg:
		s.f.restyle()
		return nil
	case tea.KeyPressMsg, tea.PasteMsg:
		if s.busy {
			return nil
		}
		submit, cmd := s.f.update(msg)
		s.syncMethod()
		if submit {
			return s.submit(false)
		}
		return cmd
	}
	if s.busy {
		return nil
	}
	_, cmd := s.f.update(msg) // cursor blink and the like
	return cmd
}

// submit validates the fields, then signs in off the event loop. With
// toFile the token goes to the plain-file store (the user agreed to it).
func (s *loginForm) submit(toFile bool) tea.Cmd {
	if !s.f.valid() {
		return nil
	}
	s.busy, s.err = true, ""
	method := s.method.value()
	rawURL := strings.TrimSpace(s.url.value())
	token := strings.TrimSpace(s.token.value())
	email, password := strings.TrimSpace(s.email.value()), s.password.value()
	held := cloneConfig(s.cfg)
	store := s.c.Deps.Store
	path := s.c.Deps.ConfigPath
	if toFile {
		p, err := keyring.DefaultSecretsFilePath()
		if err != nil {
			s.busy = false
			return s.c.NotifyErr(err)
		}
		store = keyring.NewFile(p)
	}
	ctx := s.ctx
	newAPI := s.c.newAPI
	if newAPI == nil {
		newAPI = s.c.defaultNewAPI
	}
	id, spin := s.beginTask("Signing in")
	return tea.Batch(spin, func() tea.Msg {
		res, err := signIn(ctx, newAPI, method, rawURL, token, email, password)
		out := loginDoneMsg{form: s, res: res, err: err, taskID: id}
		if err != nil {
			return out
		}
		// The file as it is now, changed under its lock: another oauthdeck
		// may have written it while the user was signing in.
		cfg, err := changeConfig(ctx, path, held, func(cfg *keyring.Config) error {
			return keyring.SaveSession(ctx, store, cfg, res.url, res.username, res.token)
		})
		if err != nil {
			out.err, out.fallback = err, keyring.CanFallBack(err)
			return out
		}
		out.cfg = cfg
		out.res.store = keyring.TokenStoreKeyring
		if !store.Secure() {
			out.res.store = keyring.TokenStoreFile
		}
		out.res.source = store.Kind()
		return out
	})
}

// signIn turns the form's values into a validated session.
func signIn(ctx context.Context, newAPI func(string, string) (API, *client.Client, error), method, rawURL, token, email, password string) (loginResult, error) {
	var res loginResult
	switch method {
	case loginImport:
		dir, err := keyring.DefaultCoderConfigDir(nil)
		if err != nil {
			return res, err
		}
		u, t, err := keyring.ImportCoderCLI(dir)
		if err != nil {
			return res, err
		}
		rawURL, token = u, t
	case loginPassword:
		_, cl, err := newAPI(rawURL, "")
		if err != nil {
			return res, err
		}
		if cl == nil {
			return res, errors.New("password sign-in needs a real client")
		}
		if token, err = cl.Login(ctx, email, password); err != nil {
			return res, err
		}
	}
	api, _, err := newAPI(rawURL, token)
	if err != nil {
		return res, err
	}
	me, err := api.Me(ctx)
	if err != nil {
		return res, err
	}
	return loginResult{url: api.BaseURL(), token: token, username: safe.Line(me.Username)}, nil
}

func (s *loginForm) done(msg loginDoneMsg) tea.Cmd {
	s.endTask(msg.taskID)
	s.busy = false
	if msg.err != nil {
		s.err = explainError(msg.err)
		var se *client.SessionError
		if errors.As(msg.err, &se) {
			// This form is where the session is being added: say what to fix here.
			s.err = "The deployment refused these credentials (" + itoa(se.StatusCode) + "): check the session token, or sign in with email and password"
		}
		if msg.fallback {
			return s.c.Confirm("OS keyring unavailable",
				explainError(msg.err)+"\n\nKeep the session token in a plain file (mode 0600, next to the config) instead? It is readable by anything running as you.",
				func() tea.Msg { return fileFallbackMsg{form: s} })
		}
		return nil
	}
	res := msg.res
	return tea.Batch(s.c.PopScreen(s), cmdOf(configSavedMsg{cfg: msg.cfg, notice: "Signed in to " + res.url + " as " + safe.Line(res.username), use: &res}))
}

type fileFallbackMsg struct{ form *loginForm }

func (s *loginForm) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Add a deployment") + "\n\n")
	b.WriteString(s.f.view(min(s.width, 100)))
	b.WriteString("\n")
	switch {
	case s.busy:
		b.WriteString(st.Subtle.Render("Signing in…"))
	case s.err != "":
		b.WriteString(st.Error.Render(wrapText("✗ "+s.err, s.width-2)))
	default:
		b.WriteString(st.Faint.Render("ctrl+s or enter on the last field to sign in · esc to cancel"))
	}
	return b.String()
}

// Back asks before discarding what was typed; once submitted, esc cancels
// at once (closing ends the request and its spinner).
func (s *loginForm) Back() (tea.Cmd, bool) {
	if s.busy {
		return nil, false
	}
	return s.f.confirmDiscard(s)
}
