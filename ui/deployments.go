package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/keyring"
)

// deploymentsScreen lists the saved deployments (non-secret config), then
// the sessions used in this run that are not saved (the demo sandbox, a
// token from the environment), and the current one's state; it adds,
// switches and logs out.
type deploymentsScreen struct {
	base
	cfg    *keyring.Config // nil until the first load answers
	loaded bool
	list   listNav
	// unsaved are the sessions used in this run that the config does not
	// hold, kept here (never in the file) so the user can switch back.
	unsaved []*Session
}

// deployRow is one row of the list: a saved deployment, or an unsaved
// session (sess set).
type deployRow struct {
	keyring.Deployment
	sess *Session
}

type configLoadedMsg struct {
	cfg *keyring.Config
	err error
	// startup: the first load, which also opens the starting session. A
	// refresh only re-reads the file: re-opening would switch away from a
	// deployment the user chose since.
	startup bool
}

// sessionResolvedMsg is the result of looking up the token for a deployment.
type sessionResolvedMsg struct {
	url     string
	sess    keyring.Session
	store   string
	err     error
	initial bool
	taskID  int
}

// configSavedMsg reports a config/keyring change made by a Cmd.
type configSavedMsg struct {
	cfg    *keyring.Config
	notice string
	err    error
	use    *loginResult // switch to this session afterwards
	logout string       // deployment logged out of
}

func newDeploymentsScreen(c *Common) screen {
	return &deploymentsScreen{base: newBase(c)}
}

func (s *deploymentsScreen) Title() string { return "Deployments" }

func (s *deploymentsScreen) Init() tea.Cmd { return s.loadConfig(true) }

func (s *deploymentsScreen) loadConfig(startup bool) tea.Cmd {
	path := s.c.Deps.ConfigPath
	return func() tea.Msg {
		if path == "" {
			return configLoadedMsg{cfg: &keyring.Config{}, startup: startup}
		}
		cfg, err := keyring.LoadConfig(path)
		return configLoadedMsg{cfg: cfg, err: err, startup: startup}
	}
}

func (s *deploymentsScreen) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.Switch, km.New, km.Logout, km.Refresh, km.Up, km.Down}
}

func (s *deploymentsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case configLoadedMsg:
		s.loaded = true
		if msg.cfg == nil {
			msg.cfg = &keyring.Config{}
		}
		s.cfg = msg.cfg
		s.list.setLen(len(s.rows()))
		s.selectCurrent()
		var cmds []tea.Cmd
		if msg.err != nil {
			cmds = append(cmds, s.c.NotifyErr(msg.err))
		}
		if msg.startup {
			cmds = append(cmds, s.startupSession())
		}
		return tea.Batch(cmds...)
	case sessionChangedMsg:
		s.noteSession()
		return nil
	case sessionResolvedMsg:
		return s.applyResolved(msg)
	case configSavedMsg:
		return s.applySaved(msg)
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.MouseClickMsg:
		if i := msg.Y - deploymentsListTop; msg.Button == tea.MouseLeft && i >= 0 {
			s.list.clickRow(i)
		}
	case tea.MouseWheelMsg:
		s.list.wheel(msg.Button)
	}
	return nil
}

// afterFirstFrame is a little more than Bubble Tea's frame interval at its
// default 60 fps: the first frame is flushed on the renderer's first tick.
const afterFirstFrame = time.Second/60 + 4*time.Millisecond

// startupSession picks the session at start: the caller's (demo, env), or
// the config's current deployment, resolved from the store.
func (s *deploymentsScreen) startupSession() tea.Cmd {
	d := s.c.Deps
	if d.InitialURL != "" && d.InitialToken != "" {
		src := d.InitialSource
		if src == "" {
			src = "given at start"
		}
		sess, err := s.c.openSession(d.InitialURL, d.InitialToken, src, "memory")
		if err != nil {
			return s.c.NotifyErr(err)
		}
		// The session's loads (buildinfo, user, apps, and in the demo the
		// sandbox answering them) start once the first frame is out, so
		// they do not compete with it for the CPU.
		return tea.Tick(afterFirstFrame, func(time.Time) tea.Msg { return useSessionMsg{sess} })
	}
	if s.cfg.Current == "" {
		return nil
	}
	return s.resolve(s.cfg.Current, true)
}

func (s *deploymentsScreen) resolve(url string, initial bool) tea.Cmd {
	ctx := s.ctx
	storeKind := ""
	if d, ok := s.cfg.Find(url); ok {
		storeKind = d.TokenStore
	}
	store := s.storeFor(storeKind)
	id, spin := s.beginTask("Reading the session for " + hostOf(url))
	return tea.Batch(spin, func() tea.Msg {
		sess, err := keyring.ResolveSession(ctx, keyring.ResolveOptions{URL: url, Store: store})
		return sessionResolvedMsg{url: url, sess: sess, store: storeKind, err: err, initial: initial, taskID: id}
	})
}

func (s *deploymentsScreen) applyResolved(msg sessionResolvedMsg) tea.Cmd {
	s.endTask(msg.taskID)
	if msg.err != nil {
		return s.c.Notify(noticeError, "No usable session for "+msg.url+": "+explainError(msg.err))
	}
	sess, err := s.c.openSession(msg.sess.URL, msg.sess.Token, msg.sess.Source, msg.store)
	if err != nil {
		return s.c.NotifyErr(err)
	}
	use := cmdOf(useSessionMsg{sess})
	if msg.initial {
		return use
	}
	return tea.Batch(use, s.markCurrent(msg.url))
}

// markCurrent records url as the current deployment (and when it was last
// used) in the config file, so the next start opens it.
func (s *deploymentsScreen) markCurrent(url string) tea.Cmd {
	held, path, now, ctx := cloneConfig(s.cfg), s.c.Deps.ConfigPath, s.c.clock().UTC(), s.ctx
	return func() tea.Msg {
		cfg, err := changeConfig(ctx, path, held, func(cfg *keyring.Config) error {
			for i := range cfg.Deployments {
				if cfg.Deployments[i].URL == url {
					cfg.Deployments[i].LastUsed = now
				}
			}
			cfg.Current = url
			return nil
		})
		return configSavedMsg{cfg: cfg, err: err, notice: "Now using " + url}
	}
}

// changeConfig applies change to the config file under its lock, so another
// oauthdeck writing at the same time loses nothing; without a file, to held.
func changeConfig(ctx context.Context, path string, held *keyring.Config, change func(*keyring.Config) error) (*keyring.Config, error) {
	if path == "" {
		return held, change(held)
	}
	return keyring.UpdateConfig(ctx, path, change)
}

func (s *deploymentsScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	km := s.c.Keys
	if !s.loaded {
		return nil // nothing to act on before the config is read
	}
	if s.list.handleKey(km, msg, s.listHeight()) {
		return nil
	}
	switch {
	case key.Matches(msg, km.Switch):
		if d, ok := s.selected(); ok {
			return s.use(d)
		}
	case key.Matches(msg, km.New):
		return s.c.Push(newLoginForm(s.c, s.cfg, ""))
	case key.Matches(msg, km.Logout):
		d, ok := s.selected()
		if !ok {
			return nil
		}
		if d.sess != nil {
			return s.c.Notify(noticeInfo, "Nothing to log out of: "+d.URL+" is not saved (its token is in memory until the console ends)")
		}
		return s.c.Confirm("Log out of "+d.URL+"?",
			"The session token is deleted from "+keptIn(s.storeFor(d.TokenStore))+
				" and the deployment is removed from the list. Apps and tokens on the server are not touched.",
			s.logout(d.URL))
	case key.Matches(msg, km.Refresh):
		return tea.Batch(s.loadConfig(false), s.reconnect())
	}
	return nil
}

func (s *deploymentsScreen) reconnect() tea.Cmd {
	if sess := s.c.Session(); sess != nil {
		return cmdOf(useSessionMsg{sess})
	}
	return nil
}

// storeFor is where a deployment's token lives: the plain file for the
// ones the user chose to keep there, else the console's store.
func (s *deploymentsScreen) storeFor(kind string) keyring.Store {
	if kind == keyring.TokenStoreFile && s.c.Deps.Store.Secure() {
		if p, err := keyring.DefaultSecretsFilePath(); err == nil {
			return keyring.NewFile(p)
		}
	}
	return s.c.Deps.Store
}

// storeLabel names, for the TOKEN IN column, where a saved deployment's
// token is: the store's own kind (memory in the demo and in tests), cut
// to its first words.
func (s *deploymentsScreen) storeLabel(kind string) string {
	k := s.c.Deps.Store.Kind()
	if kind == keyring.TokenStoreFile && s.c.Deps.Store.Secure() {
		k = "plain file" // storeFor's file, named without reading its path
	}
	for _, short := range []string{"OS keyring", "plain file"} {
		if strings.HasPrefix(k, short) {
			return short
		}
	}
	return k
}

func (s *deploymentsScreen) logout(url string) tea.Cmd {
	held := cloneConfig(s.cfg)
	kind := ""
	if d, ok := s.cfg.Find(url); ok {
		kind = d.TokenStore
	}
	store, path, ctx := s.storeFor(kind), s.c.Deps.ConfigPath, s.ctx
	return func() tea.Msg {
		cfg, err := changeConfig(ctx, path, held, func(cfg *keyring.Config) error {
			return keyring.DeleteSession(ctx, store, cfg, url)
		})
		return configSavedMsg{cfg: cfg, err: err, notice: "Logged out of " + url, logout: url}
	}
}

func (s *deploymentsScreen) applySaved(msg configSavedMsg) tea.Cmd {
	if msg.err != nil {
		return s.c.NotifyErr(msg.err)
	}
	s.cfg = msg.cfg
	s.list.setLen(len(s.rows()))
	cmds := []tea.Cmd{s.c.Notify(noticeSuccess, msg.notice)}
	if msg.use != nil {
		sess, err := s.c.openSession(msg.use.url, msg.use.token, msg.use.source, msg.use.store)
		if err != nil {
			return s.c.NotifyErr(err)
		}
		cmds = append(cmds, cmdOf(useSessionMsg{sess}))
		s.selectCurrent()
	}
	if msg.logout != "" {
		if cur := s.c.Session(); cur != nil && cur.URL == msg.logout {
			cmds = append(cmds, cmdOf(useSessionMsg{nil}))
		}
	}
	return tea.Batch(cmds...)
}

func (s *deploymentsScreen) selected() (deployRow, bool) {
	rows := s.rows()
	if s.list.cursor >= len(rows) {
		return deployRow{}, false
	}
	return rows[s.list.cursor], true
}

// selectCurrent puts the cursor on the deployment in use, else on the
// config's current one.
func (s *deploymentsScreen) selectCurrent() {
	want := s.cfg.Current
	if cur := s.c.Session(); cur != nil {
		want = cur.URL
	}
	for i, d := range s.rows() {
		if d.URL == want {
			s.list.cursor = i
		}
	}
}

// Rows above the list: title, blank, header.
const deploymentsListTop = 3

// cloneConfig copies cfg so a Cmd can change it without touching the model.
func cloneConfig(cfg *keyring.Config) *keyring.Config {
	if cfg == nil {
		return &keyring.Config{}
	}
	cp := *cfg
	cp.Deployments = append([]keyring.Deployment(nil), cfg.Deployments...)
	return &cp
}

var errNoDeployment = errors.New("no deployment in use: add or select one in the Deployments tab")
