package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// appForm creates an app (app == nil) or edits one, validating as the
// user types with Coder's rules.
type appForm struct {
	base
	f         form
	name      *formField
	redirects *formField
	icon      *formField
	scope     *formField // newer Coder only (hidden for v2.30-era servers)
	editing   *client.App
	editHead  [2]string // the edited app's name and id, sanitised once
	deployURL string    // the deployment the form was opened for
	busy      bool
	err       string
	serverErr []string
}

type appFormDoneMsg struct {
	app    client.App
	sent   client.AppRequest // to compare with what the server kept
	err    error
	taskID int
	formID *appForm
}

func newAppForm(c *Common, app *client.App) *appForm {
	s := &appForm{base: newBase(c), editing: app, deployURL: sessURL(c.Session())}
	s.name = newTextField(c, "Name", "e.g. my-app", false)
	s.name.hint = "1–32 letters/digits, groups joined by single hyphens"
	s.name.validate = func(v string) string { return coder.AppName(strings.TrimSpace(v)) }
	s.redirects = newAreaField(c, "Redirect URIs (one per line; the first is the default callback)", "e.g. http://127.0.0.1:9876/callback")
	s.redirects.hint = "https, a custom scheme with a path, or http only for loopback; no fragments; at most 32"
	s.redirects.validate = coder.RedirectURIs
	s.icon = newTextField(c, "Icon (optional)", "e.g. /emojis/1f511.png or https://…", false)
	s.scope = newTextField(c, "Allowed scopes (optional, space-separated)", "e.g. coder:all (the server lists what it knows in scopes_supported)", false)
	s.scope.hint = "Limits what tokens for this app may do; empty allows all. Coder checks the names."
	s.scope.hidden = keepsFirstURIOnly(c.Session())
	if app != nil {
		// Prefilled values are on screen, so sanitised like any server
		// string: a control character shows (and fails validation) rather
		// than acting on the terminal or vanishing unseen.
		line := safe.Line
		s.editHead = [2]string{line(app.Name), line(app.ID)}
		s.name.input.SetValue(line(app.Name))
		var uris []string
		for _, u := range appRedirects(*app) {
			uris = append(uris, line(u))
		}
		s.redirects.area.SetValue(strings.Join(uris, "\n"))
		s.icon.input.SetValue(line(app.Icon))
		s.scope.input.SetValue(line(app.Scope))
	}
	s.f = form{c: c, fields: []*formField{s.name, s.redirects, s.icon, s.scope}}
	s.f.markClean()
	return s
}

func (s *appForm) Title() string {
	if s.editing != nil {
		return "Edit app"
	}
	return "New app"
}

func (s *appForm) Capturing() bool { return true }
func (s *appForm) Init() tea.Cmd   { return s.f.focusField(0) }
func (s *appForm) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.f.setWidth(min(w, 100))
}

func (s *appForm) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.NextField, km.PrevField,
		key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
}

func (s *appForm) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case appFormDoneMsg:
		if msg.formID != s {
			return nil
		}
		return s.done(msg)
	case sessionChangedMsg:
		// Another deployment: the app being edited is not there, and a new
		// one would land somewhere the user did not open the form for. A
		// reconnect to the same deployment keeps what was typed.
		if sessURL(s.c.Session()) != s.deployURL {
			return s.c.PopScreen(s)
		}
		return nil
	case stylesChangedMsg:
		s.f.restyle()
		return nil
	}
	if s.busy {
		return nil
	}
	submit, cmd := s.f.update(msg)
	if submit {
		return s.submit()
	}
	return cmd
}

func (s *appForm) request() client.AppRequest {
	uris := coder.SplitRedirects(s.redirects.value())
	req := client.AppRequest{Name: strings.TrimSpace(s.name.value()), RedirectURIs: uris, Icon: strings.TrimSpace(s.icon.value())}
	if len(uris) > 0 {
		req.CallbackURL = uris[0]
	}
	// Scope: omitted where the server has no such field; on edit an empty
	// value is sent, which clears the allowlist.
	if scope := strings.Join(strings.Fields(s.scope.value()), " "); !s.scope.hidden && (scope != "" || s.editing != nil) {
		req.Scope = &scope
	}
	return req
}

func (s *appForm) submit() tea.Cmd {
	if !s.f.valid() {
		return nil
	}
	api := s.c.API()
	if api == nil {
		return s.c.NotifyErr(errNoDeployment)
	}
	s.busy, s.err, s.serverErr = true, "", nil
	req := s.request()
	ctx := s.ctx
	editing := s.editing
	label := "Creating app " + req.Name
	if editing != nil {
		label = "Saving app " + req.Name
	}
	id, spin := s.beginTask(label)
	return tea.Batch(spin, func() tea.Msg {
		var app client.App
		var err error
		if editing != nil {
			app, err = api.UpdateApp(ctx, editing.ID, req)
		} else {
			app, err = api.CreateApp(ctx, req)
		}
		return appFormDoneMsg{app: app, sent: req, err: err, taskID: id, formID: s}
	})
}

func (s *appForm) done(msg appFormDoneMsg) tea.Cmd {
	s.endTask(msg.taskID)
	s.busy = false
	if msg.err != nil {
		s.err = explainError(msg.err)
		s.serverErr = validationLines(msg.err)
		return nil
	}
	verb := "Created"
	if s.editing != nil {
		verb = "Saved"
	}
	// A server before v2.38 answers 2xx and drops redirect_uris and scope:
	// the user is told on the app's screen, not left to find out at authorize.
	var dropped []string // one safe line per field the server did not keep
	for _, d := range flows.DroppedAppFields(msg.sent, msg.app) {
		dropped = append(dropped, flows.DroppedText(d))
	}
	notice := s.c.Notify(noticeSuccess, verb+" app "+safe.Line(msg.app.Name))
	if len(dropped) > 0 {
		notice = s.c.Notify(noticeWarn, verb+" app "+safe.Line(msg.app.Name)+", but the server did not keep every value: see the app")
	}
	cmds := []tea.Cmd{s.c.PopScreen(s), cmdOf(appSavedMsg{app: msg.app, dropped: dropped}), notice}
	if s.editing == nil {
		d := newAppDetail(s.c, msg.app)
		d.justCreated = true
		d.dropped = dropped
		cmds = append(cmds, s.c.Push(d))
	}
	return tea.Sequence(cmds...)
}

func (s *appForm) View() string {
	st := s.c.Styles
	var b strings.Builder
	head := "New OAuth2 app"
	if s.editing != nil {
		head = "Edit " + s.editHead[0] + st.Subtle.Render("  "+s.editHead[1])
	}
	b.WriteString(st.Title.Render(head) + "\n\n")
	b.WriteString(s.f.view(min(s.width, 100)))
	if len(coder.SplitRedirects(s.redirects.value())) > 1 && keepsFirstURIOnly(s.c.Session()) {
		b.WriteString(st.Warn.Render("! this server ("+safe.Line(s.c.Session().Build.Version)+") stores only the first redirect URI (callback_url)") + "\n")
	}
	b.WriteString("\n")
	switch {
	case s.busy:
		b.WriteString(st.Subtle.Render("Saving…"))
	case s.err != "":
		b.WriteString(st.Error.Render(wrapText("✗ "+s.err, s.width-2)))
		for _, l := range s.serverErr {
			b.WriteString("\n" + st.Error.Render("  "+l))
		}
	default:
		b.WriteString(st.Faint.Render("ctrl+s to save · tab next field · esc to cancel"))
	}
	return b.String()
}

// keepsFirstURIOnly reports a server older than the redirect_uris list
// (Coder before v2.38 has callback_url only).
func keepsFirstURIOnly(sess *Session) bool {
	if sess == nil || sess.Build == nil {
		return false
	}
	return !coder.FeaturesOf(sess.Build.Version).RedirectURIList
}

// Back asks before discarding what was typed; once submitted, esc cancels
// at once (closing ends the request and its spinner).
func (s *appForm) Back() (tea.Cmd, bool) {
	if s.busy {
		return nil, false
	}
	return s.f.confirmDiscard(s)
}
