package ui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// appDetail shows one app: client id and endpoints (each copyable), its
// redirect URIs and icon, and its secrets, which it creates and deletes.
type appDetail struct {
	base
	app     client.App
	name    string // app.Name sanitised, by rebuild
	secrets []client.AppSecret
	loaded  bool
	err     error
	items   []detailItem
	list    listNav
	newborn *newSecret // the secret just created: shown once
	offset  int        // first visible item line (long redirect lists scroll)
	// justCreated shows the "now create a secret" banner until one exists
	// or the next action (an edit, a refresh): then it is old news.
	justCreated bool
	// dropped: values the last save sent that the server did not keep.
	dropped []string
	deleted bool
	sessGen uint64
}

// detailItem is one selectable line.
type detailItem struct {
	label  string
	value  string // sanitised, for display and copy
	secret *client.AppSecret
}

type secretsLoadedMsg struct {
	appID   string
	gen     uint64
	app     *client.App
	secrets []client.AppSecret
	err     error
}

// secretsChangedMsg tells the apps list to recount an app's secrets.
type secretsChangedMsg struct{ appID string }

func newAppDetail(c *Common, app client.App) *appDetail {
	s := &appDetail{base: newBase(c), app: app, sessGen: c.SessionGen()}
	s.rebuild()
	return s
}

func (s *appDetail) Title() string { return "App " + s.name }

func (s *appDetail) Init() tea.Cmd { return s.load() }

func (s *appDetail) load() tea.Cmd {
	api := s.c.API()
	if api == nil {
		return nil
	}
	gen, ctx, id := s.nextGen(), s.freshCtx(), s.app.ID
	return func() tea.Msg {
		app, err := api.App(ctx, id)
		if err != nil {
			return secretsLoadedMsg{appID: id, gen: gen, err: err}
		}
		secrets, err := api.AppSecrets(ctx, id)
		return secretsLoadedMsg{appID: id, gen: gen, app: &app, secrets: secrets, err: err}
	}
}

func (s *appDetail) KeyBindings() []key.Binding {
	km := s.c.Keys
	if s.newborn != nil {
		return []key.Binding{km.Copy, km.Reveal, km.KeepSecret, key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "done"))}
	}
	return []key.Binding{km.CopyEndpoints, km.NewSecret, km.StartFlow, km.Rotate, km.TryScope, km.History, km.DeleteSecret, km.DeleteApp, km.Edit, km.TestRedirect, km.Refresh, km.Up, km.Down}
}

func (s *appDetail) Back() (tea.Cmd, bool) {
	if s.newborn != nil {
		return s.closeNewborn(), true
	}
	return nil, false
}

func (s *appDetail) closeNewborn() tea.Cmd {
	n := s.newborn
	s.newborn = nil
	if !n.copied && !n.kept {
		return s.c.Notify(noticeWarn, "The new secret was neither copied nor kept; it cannot be shown again (create another if needed)")
	}
	return nil
}

func (s *appDetail) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case secretsLoadedMsg:
		if msg.appID != s.app.ID || !s.current(msg.gen) {
			return nil
		}
		s.loaded = true
		s.err = msg.err
		if msg.app != nil {
			s.app = *msg.app
		}
		if msg.err == nil {
			s.secrets = msg.secrets
		}
		s.rebuild()
		return s.c.NotifyErr(msg.err)
	case secretCreatedMsg:
		if msg.appID != s.app.ID {
			return nil
		}
		if msg.err != nil {
			return s.c.NotifyErr(msg.err)
		}
		s.newborn = &newSecret{id: msg.secret.ID, secret: msg.secret, shown: safe.Line(msg.secret.ClientSecretFull)}
		return tea.Batch(s.load(), cmdOf(secretsChangedMsg{s.app.ID}))
	case secretKeptMsg:
		if msg.appID != s.app.ID {
			return nil
		}
		if msg.err != nil {
			return s.c.NotifyErr(msg.err)
		}
		if s.newborn != nil {
			s.newborn.kept = true
		}
		return s.c.Notify(noticeSuccess, "Secret kept in the "+s.c.Deps.Store.Kind()+" for flows with this app")
	case secretDeletedMsg:
		if msg.appID != s.app.ID {
			return nil
		}
		return tea.Batch(s.load(), cmdOf(secretsChangedMsg{s.app.ID}), s.c.Notify(noticeSuccess, "Deleted the secret; tokens issued with it are revoked"))
	case appSavedMsg:
		if msg.app.ID == s.app.ID {
			s.app, s.dropped = msg.app, msg.dropped
			s.justCreated = false // an edit since the create (this screen opens after its save)
			s.rebuild()
		}
	case appDeletedMsg:
		if msg.id == s.app.ID && !s.deleted {
			s.deleted = true
			return s.c.PopScreen(s)
		}
	case sessionChangedMsg:
		if s.sessGen != s.c.SessionGen() && !s.deleted {
			s.deleted = true // another deployment: this app is not there
			return s.c.PopScreen(s)
		}
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.MouseClickMsg:
		if msg.Button == tea.MouseLeft {
			s.clickAt(msg.Y)
		}
	case tea.MouseWheelMsg:
		s.list.wheel(msg.Button)
	}
	return nil
}

func (s *appDetail) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	km := s.c.Keys
	if n := s.newborn; n != nil {
		switch {
		case key.Matches(msg, km.Copy):
			n.copied = true
			return s.c.Copy("the client secret", n.secret.ClientSecretFull)
		case key.Matches(msg, km.Reveal):
			n.revealed = !n.revealed
		case key.Matches(msg, km.KeepSecret):
			return s.keep(n.secret.ClientSecretFull)
		case msg.String() == "enter":
			return s.closeNewborn()
		}
		return nil
	}
	if s.list.handleKey(km, msg, len(s.items)) {
		return nil
	}
	item := s.selected()
	switch {
	case key.Matches(msg, km.CopyEndpoints):
		if item != nil && item.value != "" && item.secret == nil {
			return s.c.Copy(strings.ToLower(item.label), item.value)
		}
	case key.Matches(msg, km.NewSecret):
		return s.createSecret()
	case key.Matches(msg, km.DeleteSecret):
		if item == nil || item.secret == nil {
			return s.c.Notify(noticeInfo, "d deletes the selected secret: select one with ↑/↓ (D deletes the whole app)")
		}
		sec := *item.secret
		return s.c.Confirm("Delete secret …"+safe.Line(sec.ClientSecretTruncated)+"?",
			"Deleting a client secret revokes every token issued with it. Clients still using it can no longer refresh or exchange codes.",
			deleteSecretCmd(s.ctx, s.c.API(), s.app.ID, sec.ID))
	case key.Matches(msg, km.DeleteApp):
		return s.c.Confirm("Delete app "+s.name+"?", deleteAppWarning(s.name), deleteAppCmd(s.ctx, s.c, s.app.ID, s.name))
	case key.Matches(msg, km.Edit):
		s.justCreated = false
		a := s.app
		return s.c.Push(newAppForm(s.c, &a))
	case key.Matches(msg, km.Rotate):
		if s.app.ClientType == "public" {
			return s.c.Notify(noticeInfo, "A public client has no client secret to rotate")
		}
		return s.c.Push(newRotateScreen(s.c, s.app))
	case key.Matches(msg, km.TestRedirect):
		return s.c.Push(newRedirectTester(s.c, s.app))
	case key.Matches(msg, km.TryScope):
		return s.c.Push(newScopeTry(s.c, s.app))
	case key.Matches(msg, km.History):
		return s.c.Push(newAppHistory(s.c, s.app))
	case key.Matches(msg, km.StartFlow):
		return startFlowWith(s.c, s.app)
	case key.Matches(msg, km.Refresh):
		s.justCreated = false // the banner was for the moment of creation
		return s.load()
	}
	return nil
}

func (s *appDetail) selected() *detailItem {
	if s.list.cursor < len(s.items) {
		return &s.items[s.list.cursor]
	}
	return nil
}

// rebuild turns the app and its secrets into the selectable lines,
// sanitised once here rather than on every frame.
func (s *appDetail) rebuild() {
	a := s.app
	s.name = safe.Line(a.Name)
	s.items = []detailItem{
		{label: "Client ID", value: safe.Line(a.ID)},
		{label: "Authorization URL", value: safe.Line(a.Endpoints.Authorization)},
		{label: "Token URL", value: safe.Line(a.Endpoints.Token)},
	}
	if rev := firstNonEmpty(a.Endpoints.Revocation, a.Endpoints.TokenRevoke); rev != "" {
		s.items = append(s.items, detailItem{label: "Revocation URL", value: safe.Line(rev)})
	}
	if a.Endpoints.DeviceAuthorization != "" {
		s.items = append(s.items, detailItem{label: "Device auth URL", value: safe.Line(a.Endpoints.DeviceAuthorization)})
	}
	for i, u := range appRedirects(a) {
		label := "Redirect URI"
		if i == 0 {
			label = "Callback (default)"
		}
		s.items = append(s.items, detailItem{label: label, value: safe.Line(u)})
	}
	if a.Icon != "" {
		s.items = append(s.items, detailItem{label: "Icon", value: safe.Line(a.Icon)})
	}
	if a.Scope != "" {
		s.items = append(s.items, detailItem{label: "Scope", value: safe.Line(a.Scope)})
	}
	for i := range s.secrets {
		sec := s.secrets[i]
		s.items = append(s.items, detailItem{label: "Secret", value: "*****" + safe.Line(sec.ClientSecretTruncated), secret: &sec})
	}
	s.list.setLen(len(s.items))
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// detailTop is the row of the first item within the screen.
const detailTop = 2

func (s *appDetail) View() string {
	st := s.c.Styles
	var b strings.Builder
	title := st.Title.Render(s.name) + st.Subtle.Render("  OAuth2 app")
	lines, at := s.itemLines()
	s.scrollTo(at)
	vis := s.visibleLines()
	if len(lines) > vis {
		title += st.Faint.Render("  (" + itoa(s.offset+1) + "–" + itoa(min(s.offset+vis, len(lines))) + " of " + itoa(len(lines)) + " lines)")
	}
	b.WriteString(title + "\n")
	if s.justCreated && len(s.secrets) == 0 && s.loaded {
		b.WriteString(st.Info.Render("Created. Confidential clients need a secret: press n to generate one (shown once).") + "\n")
	} else {
		b.WriteString("\n")
	}
	for _, l := range s.droppedLines() {
		b.WriteString(st.Warn.Render(l) + "\n")
	}
	end := min(s.offset+vis, len(lines))
	b.WriteString(strings.Join(lines[s.offset:end], "\n") + "\n")
	if s.err != nil {
		b.WriteString("\n" + st.Error.Render(wrapText("✗ "+explainError(s.err), s.width-2)) + "\n")
	}
	out := b.String()
	if s.newborn != nil {
		out = overlay(fitBox(out, s.width, s.height), s.newbornView(), s.width, s.height)
	}
	return out
}

// droppedLines are the warnings for values the server did not keep, wrapped
// to the screen.
func (s *appDetail) droppedLines() []string {
	var out []string
	for _, d := range s.dropped {
		out = append(out, strings.Split(wrapText("! "+d, s.width-2), "\n")...)
	}
	return out
}

// validationLines lists a Coder validation error's fields, sanitised.
func validationLines(err error) []string {
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	var out []string
	for _, v := range ae.Validations {
		out = append(out, safe.Line(v.Field)+": "+safe.Line(v.Detail))
	}
	return out
}
