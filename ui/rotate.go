package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
	"oauthdeck/flows/rotation"
)

// rotateScreen is the secret-rotation wizard of one app (flows/rotation):
// enter moves to the next stage (create, prove), the hand-over refreshes
// the secrets' last use every few seconds, f finishes (deletes the old
// secrets after a confirmation) and a aborts. The state is saved next to
// the config after each stage (in memory for the console's life when there
// is no config, as in the demo), so closing the screen and coming back
// resumes.
type rotateScreen struct {
	base
	app      client.App
	name     string // sanitised
	store    rotation.Store
	st       *rotation.State
	secret   string // the new secret's value, while this screen knows it
	shown    string // secret sanitised for the screen
	revealed bool
	kept     bool
	uses     []rotation.SecretUse
	recorded bool // the server records secret use
	busy     string
	err      error
	done     string // the finished or aborted outcome
	lastTail string // the new secret's tail, kept after the state is gone
}

type (
	rotateLoadedMsg struct {
		gen   uint64
		st    *rotation.State
		kept  string // the kept secret, when the keyring holds the new one
		uses  []rotation.SecretUse
		err   error
		label string // what the step that answered did, for the notice
	}
	rotateTickMsg struct{ gen uint64 }
)

// rotateRefresh is how often the hand-over rereads the secrets.
const rotateRefresh = 5 * time.Second

func newRotateScreen(c *Common, app client.App) *rotateScreen {
	s := &rotateScreen{base: newBase(c), app: app, name: safe.Line(app.Name)}
	if sess := c.Session(); sess != nil && sess.Build != nil {
		s.recorded = coder.EraOf(sess.Build.Version).RecordsSecretUse()
	}
	s.store = c.rotationStore()
	return s
}

func (s *rotateScreen) Title() string { return "Rotate " + s.name }

func (s *rotateScreen) KeyBindings() []key.Binding {
	km := s.c.Keys
	next := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", s.nextLabel()))
	out := []key.Binding{next}
	if s.secret != "" {
		out = append(out, km.Reveal, km.Copy, km.KeepSecret)
	}
	if s.st != nil {
		out = append(out, km.Finish, km.Abort)
	}
	return out
}

func (s *rotateScreen) nextLabel() string {
	switch {
	case s.done != "":
		return "close"
	case s.st == nil:
		return "create the new secret"
	case s.st.Stage == rotation.StageCreated:
		return "prove it"
	}
	return "refresh"
}

// Init reads a rotation under way (resume) and the secrets.
func (s *rotateScreen) Init() tea.Cmd { return s.load("") }

func (s *rotateScreen) client() (*client.Client, string) {
	sess := s.c.Session()
	if sess == nil || sess.Client == nil {
		return nil, ""
	}
	return sess.Client, sess.URL
}

// load reads the saved state (if any), the keyring's secret for the app
// and the hand-over; label names what ran before, for the notice.
func (s *rotateScreen) load(label string) tea.Cmd {
	cl, _ := s.client()
	if cl == nil {
		return s.c.NotifyErr(errNoDeployment)
	}
	gen, ctx, store, keys, appID, cur := s.nextGen(), s.freshCtx(), s.store, s.c.Deps.Store, s.app.ID, s.st
	return s.c.await(func() tea.Msg {
		msg := rotateLoadedMsg{gen: gen, label: label, st: cur}
		if cur == nil {
			st, ok, err := store.Load(cl.BaseURL(), appID)
			if err != nil {
				msg.err = err
				return msg
			}
			if ok {
				msg.st = &st
			}
		}
		if msg.st != nil {
			msg.kept, _ = rotation.KeptSecret(ctx, keys, *msg.st)
			msg.uses, msg.err = rotation.Handover(ctx, cl, *msg.st)
		}
		return msg
	})
}

// advance runs the next stage in a Cmd; the result comes back as a load.
func (s *rotateScreen) advance() tea.Cmd {
	cl, _ := s.client()
	if cl == nil || s.busy != "" {
		return nil
	}
	ctx, appID := s.ctx, s.app.ID
	switch {
	case s.done != "":
		return s.c.PopScreen(s)
	case s.st == nil:
		s.busy = "creating the new secret"
		store := s.store
		return s.c.await(func() tea.Msg {
			st, full, err := rotation.Start(ctx, cl, appID, time.Now())
			msg := rotateCreatedMsg{st: st, full: full, err: err}
			if err == nil {
				msg.saveErr = store.Save(st) // at once: the secret exists even if no screen gets this message
			}
			return msg
		})
	case s.st.Stage == rotation.StageCreated:
		if s.secret == "" {
			return s.c.Notify(noticeWarn, "The new secret is not known here any more (it was not kept): finish this rotation with 'oauthdeck apps secrets rotate "+safe.Line(appID)+"' (it reads the secret from stdin), or press a to abort")
		}
		s.busy = "proving the new secret"
		st, secret := *s.st, s.secret
		store := s.store
		return s.c.await(func() tea.Msg {
			err := rotation.Prove(ctx, cl, &st, secret, time.Now())
			msg := rotateProvedMsg{st: st, err: err}
			if err == nil {
				msg.saveErr = store.Save(st)
			}
			return msg
		})
	}
	return s.load("")
}

type (
	rotateCreatedMsg struct {
		st      rotation.State
		full    client.AppSecretFull
		err     error
		saveErr error
	}
	rotateProvedMsg struct {
		st      rotation.State
		err     error
		saveErr error
	}
	rotateEndedMsg struct {
		text string
		err  error
	}
	// rotateConfirmedMsg: the user said yes to finishing (or aborting).
	rotateConfirmedMsg struct{ abort bool }
)

func (s *rotateScreen) finish(abort bool) tea.Cmd {
	if s.st == nil || s.busy != "" {
		return nil
	}
	st := *s.st
	if abort {
		return s.c.Confirm("Abort the rotation of "+s.name+"?", "The new secret (…"+safe.Line(st.NewSecretTail)+") is deleted; the old ones stay.",
			cmdOf(rotateConfirmedMsg{abort: true}))
	}
	if st.Stage != rotation.StageProven {
		return s.c.Notify(noticeWarn, "The new secret is not proven yet: nothing is deleted before it is (enter proves it)")
	}
	body := "Deleting a secret revokes every token issued with it."
	if s.recorded && !rotation.Moved(s.uses, *s.st) {
		body = "The new secret has not been used since the old ones were: a client may still hold an old one. " + body
	}
	return s.c.Confirm("Delete the old secrets of "+s.name+"?", body, cmdOf(rotateConfirmedMsg{}))
}

// endRotation finishes or aborts in a Cmd; busy keeps a second one (or a
// refresh putting the state back) from starting meanwhile.
func (s *rotateScreen) endRotation(abort bool) tea.Cmd {
	cl, _ := s.client()
	if cl == nil || s.st == nil || s.busy != "" {
		return nil
	}
	s.nextGen() // a refresh under way would put the state back
	ctx, st, store, keys := s.ctx, *s.st, s.store, s.c.Deps.Store
	if abort {
		s.busy = "deleting the new secret"
		return s.c.await(func() tea.Msg {
			err := rotation.Abort(ctx, cl, st)
			if err == nil {
				rotation.ForgetDeleted(ctx, keys, st, true) // the new secret no longer works
				err = store.Remove(st.Deployment, st.AppID)
			}
			return rotateEndedMsg{text: "Rotation aborted: the new secret was deleted; the old ones stay", err: err}
		})
	}
	s.busy = "deleting the old secrets"
	return s.c.await(func() tea.Msg {
		deleted, err := rotation.Finish(ctx, cl, st)
		if err == nil {
			rotation.ForgetDeleted(ctx, keys, st, false) // an old secret, deleted
			err = store.Remove(st.Deployment, st.AppID)
		}
		return rotateEndedMsg{text: "Rotation done: " + countOf(len(deleted), "old secret") + " deleted; the app has the new one (…" + safe.Line(st.NewSecretTail) + ")", err: err}
	})
}

func (s *rotateScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case sessionChangedMsg:
		return s.c.PopScreen(s)
	case rotateLoadedMsg:
		if !s.current(msg.gen) || s.done != "" {
			return nil
		}
		s.err = msg.err
		if msg.st != nil {
			s.st, s.uses, s.lastTail = msg.st, msg.uses, msg.st.NewSecretTail
		}
		if msg.kept != "" && s.secret == "" {
			s.secret, s.shown, s.kept = msg.kept, safe.Line(msg.kept), true
		}
		cmds := []tea.Cmd{s.c.NotifyErr(msg.err)}
		if s.st != nil && s.st.Stage == rotation.StageProven && s.done == "" {
			cmds = append(cmds, s.c.await(tea.Tick(rotateRefresh, func(time.Time) tea.Msg { return rotateTickMsg{gen: msg.gen} })))
		}
		return tea.Batch(cmds...)
	case rotateTickMsg:
		if s.current(msg.gen) && s.busy == "" && s.done == "" {
			return s.load("")
		}
	case rotateCreatedMsg:
		s.busy, s.err = "", msg.err
		if msg.err != nil {
			return s.c.NotifyErr(msg.err)
		}
		s.st, s.secret, s.shown = &msg.st, msg.full.ClientSecretFull, safe.Line(msg.full.ClientSecretFull)
		s.lastTail = msg.st.NewSecretTail
		return tea.Batch(s.c.Notify(noticeSuccess, "New secret created: copy it (c) or keep it (k) now; it is shown only here"),
			s.c.NotifyErr(msg.saveErr), cmdOf(secretsChangedMsg{appID: s.app.ID}), s.load(""))
	case rotateProvedMsg:
		s.busy = ""
		if msg.err != nil {
			s.err = msg.err
			return s.c.NotifyErr(msg.err)
		}
		s.st, s.err = &msg.st, nil
		return tea.Batch(s.c.Notify(noticeSuccess, "Proven: "+msg.st.Proof), s.c.NotifyErr(msg.saveErr), s.load(""))
	case rotateConfirmedMsg:
		return s.endRotation(msg.abort)
	case rotateEndedMsg:
		s.busy = ""
		s.nextGen()
		if msg.err != nil {
			return tea.Batch(s.c.NotifyErr(msg.err), s.load(""))
		}
		s.done, s.st, s.secret, s.shown = msg.text, nil, "", ""
		return tea.Batch(s.c.Notify(noticeSuccess, msg.text), cmdOf(secretsChangedMsg{appID: s.app.ID}))
	case secretKeptMsg:
		if msg.appID == s.app.ID {
			s.kept = msg.err == nil
			return s.c.NotifyErr(msg.err)
		}
	case tea.KeyPressMsg:
		km := s.c.Keys
		switch {
		case msg.String() == "enter":
			return s.advance()
		case key.Matches(msg, km.Finish):
			return s.finish(false)
		case key.Matches(msg, km.Abort):
			return s.finish(true)
		case s.secret != "" && key.Matches(msg, km.Reveal):
			s.revealed = !s.revealed
		case s.secret != "" && key.Matches(msg, km.Copy):
			return s.c.Copy("client secret", s.secret)
		case s.secret != "" && key.Matches(msg, km.KeepSecret):
			return s.keep()
		}
	}
	return nil
}

func (s *rotateScreen) keep() tea.Cmd {
	_, url := s.client()
	return keepSecretCmd(s.ctx, s.c.Deps.Store, url, s.app.ID, s.secret)
}
