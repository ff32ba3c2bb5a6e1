package ui

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/cli/browser"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/keyring"
)

// start builds the flow in a Cmd (an existing app's secret may come from
// the keyring). Nothing is sent to the deployment until a step runs.
func (s *flowScreen) start(opts flowOptions) tea.Cmd {
	sess := s.c.Session()
	if sess == nil {
		return s.c.Notify(noticeWarn, "No deployment in use: pick one in the Deployments tab (1)")
	}
	if sess.Client == nil {
		return s.c.Notify(noticeError, "This deployment has no client the flow engine can use")
	}
	gen := s.nextGen()
	cl, url, store := sess.Client, sess.URL, s.c.Deps.Store
	rec := s.c.Deps.ClientOptions.Recorder
	if rec == nil {
		rec = s.c.Deps.Recorder
	}
	ctx := s.ctx
	events := make(chan flows.Event, 256)
	return func() tea.Msg {
		cfg := flows.Config{
			Client: cl, Recorder: rec, ClientMode: opts.Mode, Scope: opts.Scope, AuthMethod: opts.AuthMethod,
			CallbackURL: opts.CallbackURL, Cleanup: opts.Cleanup, Store: store, Target: opts.Target,
			OnEvent: func(ev flows.Event) {
				select { // never block the flow; a dropped event is only a live update
				case events <- ev:
				default:
				}
			},
		}
		switch strings.ToLower(opts.Resource) {
		case "":
		case "none":
			cfg.NoResource = true
		default:
			cfg.Resource = opts.Resource
		}
		if cfg.CallbackURL == "" && opts.Mode != flows.ClientExisting {
			cfg.CallbackURL = defaultCallback
		}
		switch opts.Consent {
		case consentAuto:
			cfg.Consent = flows.ConsentAuto
		case consentBrowser:
			cfg.Consent, cfg.OpenBrowser = flows.ConsentBrowser, openBrowser
		case consentPaste:
			cfg.Consent = flows.ConsentPaste
		}
		var note string
		if opts.Mode == flows.ClientExisting && opts.App != nil {
			cfg.ClientID, cfg.ClientSecret = opts.App.ID, opts.ClientSecret
			if cfg.ClientSecret == "" {
				secret, err := lookupClientSecret(ctx, store, url, opts.App.ID)
				switch {
				case err == nil:
					cfg.ClientSecret = secret
					note = "using the client secret kept in " + keptIn(store)
				case errors.Is(err, keyring.ErrNotFound):
					note = "no secret kept for this app: the token step will likely be refused (keep one from the app's detail with k)"
				default:
					note = "could not read the kept secret: " + explainError(err)
				}
			}
		}
		f, err := flows.New(cfg)
		return flowStartedMsg{gen: gen, flow: f, err: err, note: note, events: events}
	}
}

// lookupClientSecret is keyring.GetClientSecret, bounded: a keyring that
// hangs must not hold the flow's start.
func lookupClientSecret(ctx context.Context, store keyring.Store, url, appID string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return keyring.GetClientSecret(ctx, store, url, appID)
}

// headline is the header line as the flow ran: an edit of the last
// authorization request's resource or scope shows there, and the steps
// whose requests are edited now are named.
func (r *flowRun) headline() string {
	o := r.opts
	saved, _ := r.flow.Saved(time.Time{})
	for i := len(saved.Steps) - 1; i >= 0; i-- {
		if saved.Steps[i].Step != flows.StepAuthorize {
			continue
		}
		for _, e := range saved.Steps[i].Edits {
			val := "none (edited)"
			if e.Op == "set" && len(e.Values) > 0 {
				val = e.Values[0] + " (edited)"
			}
			switch {
			case e.Where != "param":
			case e.Name == "resource":
				o.Resource = val
			case e.Name == "scope":
				o.Scope = val
			}
		}
		break
	}
	line := summarize(o)
	var edited []string
	for _, id := range flowSteps {
		if r.edited[id] {
			edited = append(edited, string(id))
		}
	}
	if len(edited) > 0 {
		line += " · ✎ " + strings.Join(edited, ", ")
	}
	return line
}

// summarize is the header line: which client, consent, resource, scope.
func summarize(o flowOptions) string {
	parts := []string{}
	switch o.Mode {
	case flows.ClientExisting:
		name := "app"
		if o.App != nil {
			name = "app " + safe.Line(o.App.Name)
		}
		parts = append(parts, name)
	case flows.ClientRegister:
		parts = append(parts, "DCR client")
	default:
		parts = append(parts, "new app")
	}
	parts = append(parts, string(o.Consent)+" consent")
	res := o.Resource
	if res == "" {
		res = "deployment URL"
	}
	parts = append(parts, "resource "+safe.Line(res))
	if o.Scope != "" {
		parts = append(parts, "scope "+safe.Line(o.Scope))
	}
	return strings.Join(parts, " · ")
}

var browserOnce sync.Once

// quietOpenBrowser opens url in the system browser without letting the
// helper program write over the terminal UI.
func quietOpenBrowser(url string) error {
	browserOnce.Do(func() { browser.Stdout, browser.Stderr = io.Discard, io.Discard })
	return browser.OpenURL(url)
}

func (s *flowScreen) started(msg flowStartedMsg) tea.Cmd {
	if !s.current(msg.gen) {
		if msg.flow != nil {
			f := msg.flow
			return func() tea.Msg { return flowClosedMsg{f.Close()} }
		}
		return nil
	}
	if msg.err != nil {
		return s.c.Notify(noticeError, "Cannot start the flow: "+explainFlowErr(msg.err))
	}
	ctx, cancel := context.WithCancel(s.ctx)
	r := &flowRun{gen: msg.gen, flow: msg.flow, opts: s.opts, note: msg.note,
		ctx: ctx, cancel: cancel, edited: map[flows.StepID]bool{}, current: flows.StepDiscover}
	r.events = msg.events
	for _, id := range flowSteps {
		r.steps = append(r.steps, flows.StepResult{Step: id, Status: flows.StatusPending})
	}
	s.run = r
	s.list.cursor, s.list.offset = 0, 0
	s.render()
	hint := "Flow ready: enter runs the selected step, a runs to the token, e edits a request first"
	return tea.Batch(s.waitEvent(), s.c.Notify(noticeInfo, hint))
}

// waitEvent reads the next flow event. It re-arms itself from Update, so
// events reach the screen in the order the flow emitted them.
func (s *flowScreen) waitEvent() tea.Cmd {
	r := s.run
	gen, ch, ctx := r.gen, r.events, r.ctx
	return s.c.await(func() tea.Msg {
		select {
		case ev := <-ch:
			return flowEventMsg{gen: gen, ev: ev}
		case <-ctx.Done():
			return nil
		}
	})
}

func (s *flowScreen) event(msg flowEventMsg) tea.Cmd {
	r := s.run
	if r == nil || msg.gen != r.gen {
		return nil
	}
	var cmds []tea.Cmd
	switch ev := msg.ev; ev.Kind {
	case flows.EventStepStarted:
		// Only while it still runs: the reader may lag behind the step's result.
		if i := stepIndex(ev.Step); i >= 0 && r.running == ev.Step {
			r.steps[i].Status = flows.StatusRunning
		}
	case flows.EventListener:
		if ev.Listener != nil && r.running == flows.StepAuthorize {
			ls := *ev.Listener
			r.listener = &ls
			cmds = append(cmds, s.tick())
		}
	case flows.EventAuthURL:
		r.authURL = ev.Message
		if ev.Step == flows.StepAuthorize && r.opts.Consent == consentPaste && !s.pasting {
			s.pasting = true
			cmds = append(cmds, s.paste.Focus(), s.c.Notify(noticeInfo, "Open the URL on any machine (c copies it), then paste where the browser lands"))
		}
	}
	s.render()
	return tea.Batch(append(cmds, s.waitEvent())...)
}

// runStep runs step id in a Cmd with its own cancellable context.
func (s *flowScreen) runStep(id flows.StepID) tea.Cmd {
	r := s.run
	if r.running != "" {
		return s.c.Notify(noticeWarn, "The "+string(r.running)+" step is running: esc cancels it")
	}
	ctx, cancel := context.WithCancel(r.ctx)
	r.running, r.stepCancel = id, cancel
	if i := stepIndex(id); i >= 0 {
		r.steps[i].Status = flows.StatusRunning
	}
	taskID, spin := s.beginTask("Flow: " + string(id))
	r.taskID = taskID
	f, gen := r.flow, r.gen
	s.render()
	// A step may wait minutes for a browser: it awaits.
	return tea.Batch(spin, s.c.await(func() tea.Msg {
		res := f.Run(ctx, id)
		out := flowStepDoneMsg{gen: gen, res: res, snap: f.Snapshot(), taskID: taskID}
		if t, ok := f.Tokens(); ok {
			out.tokens = &t
		}
		return out
	}))
}

func (s *flowScreen) stepDone(msg flowStepDoneMsg) tea.Cmd {
	s.endTask(msg.taskID)
	r := s.run
	if r == nil || msg.gen != r.gen {
		return nil
	}
	r.stepCancel()
	r.running = ""
	res := msg.res
	for i, st := range msg.snap.Steps {
		if i < len(r.steps) {
			r.steps[i] = st
		}
	}
	if i := stepIndex(res.Step); i >= 0 && r.steps[i].Status != res.Status {
		// Refused before it ran (order, closed flow): show why on the row.
		r.steps[i] = res
	}
	r.current = msg.snap.Current
	if msg.snap.Listener != nil {
		r.listener = msg.snap.Listener
	}
	if msg.snap.AuthURL != "" {
		r.authURL = msg.snap.AuthURL
	}
	r.tokens = msg.tokens
	ok := res.Status == flows.StatusPassed || res.Status == flows.StatusWarned || res.Status == flows.StatusSkipped
	r.tokensDead = msg.snap.TokensDead
	if def, _ := flows.Step(res.Step); def.Restarts {
		r.edited = map[flows.StepID]bool{} // the flow dropped the edits of later steps
	}
	if res.Step == flows.StepUse || res.Step == flows.StepRefresh || res.Step == flows.StepRevoke {
		r.lastToken = res.Step
	}
	// The flow added or removed an app: the Apps tab shows it without r.
	// (A failed client step may still have created one: reload either way.)
	appsChanged := res.Step == flows.StepCleanup || res.Step == flows.StepClient && r.opts.Mode != flows.ClientExisting
	if s.pasting && res.Step == flows.StepAuthorize {
		s.pasting = false
		s.paste.Blur()
		s.paste.SetValue("")
	}
	var cmds []tea.Cmd
	if !ok {
		r.runTo = ""
		if s.list.cursor != tokenRow {
			s.list.cursor = max(stepIndex(res.Step), 0)
		}
		switch res.Status {
		case flows.StatusRefused:
			cmds = append(cmds, s.c.Notify(noticeSuccess, string(res.Step)+": "+safe.Line(res.Verdict)))
		case flows.StatusPending: // cancelled by the user
			cmds = append(cmds, s.c.Notify(noticeInfo, string(res.Step)+" "+safe.Line(res.Verdict)))
		default:
			cmds = append(cmds, s.c.Notify(noticeError, string(res.Step)+": "+stepErrorLine(res)))
		}
	} else if s.list.cursor == stepIndex(res.Step) && stepIndex(r.current) > stepIndex(res.Step) {
		s.list.cursor = stepIndex(r.current) // walk on: enter again runs the next step
	}
	if ok && r.runTo != "" {
		if next := r.current; next != "" && stepIndex(next) <= stepIndex(r.runTo) && r.ctx.Err() == nil {
			cmds = append(cmds, s.runStep(next))
		} else {
			r.runTo = ""
			if r.tokens != nil {
				s.list.cursor = tokenRow
				cmds = append(cmds, s.c.Notify(noticeSuccess, "Token in hand: "+s.c.Keys.Flow.tokenActions(s.c.Keys)))
			}
		}
	}
	if appsChanged {
		cmds = append(cmds, cmdOf(appsChangedMsg{}))
	}
	cmds = append(cmds, s.tick())
	s.render()
	return tea.Batch(cmds...)
}

// stepErrorLine is one line on why a step failed.
func stepErrorLine(res flows.StepResult) string {
	if res.Err != nil {
		return explainFlowErr(res.Err)
	}
	return safe.Line(res.Verdict)
}

// explainFlowErr says what went wrong, with the network cases spelled out.
func explainFlowErr(err error) string {
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	if exp := flows.Explain(err); exp != nil && exp.Cause != "" && !flows.Unreachable(err) && !errors.Is(err, context.DeadlineExceeded) {
		return safe.Line(err.Error()) + " — " + safe.Line(exp.Cause)
	}
	return explainError(err)
}

// closeRun ends the current run: its Cmds are cancelled and the flow is
// closed (listener, created client) in a Cmd.
func (s *flowScreen) closeRun() tea.Cmd {
	r := s.run
	if r == nil {
		return nil
	}
	s.run, s.pasting = nil, false
	s.nextGen()
	r.cancel()
	return func() tea.Msg { return flowClosedMsg{r.flow.Close()} }
}

// tick re-renders once a second while something counts down (listener
// deadline, token expiry); it stops by itself when nothing does.
func (s *flowScreen) tick() tea.Cmd {
	if s.ticking || !s.visible || !s.needsTick() {
		return nil
	}
	s.ticking = true
	gen := s.run.gen
	return s.c.await(tea.Tick(time.Second, func(time.Time) tea.Msg { return flowTickMsg{gen} }))
}

func (s *flowScreen) needsTick() bool {
	r := s.run
	if r == nil {
		return false
	}
	if l := r.listener; l != nil && l.Listening && !l.Closed {
		return true
	}
	return r.tokens != nil && !r.tokens.Expiry.IsZero() && !r.tokensDead
}

// flowSteps are the engine's steps, in order: the Flow screen's rows.
var flowSteps = flows.StepIDs()

func stepIndex(id flows.StepID) int { return slices.Index(flowSteps, id) }

// keptIn names where a kept secret lives, for a sentence ("memory (this
// session only)", "the OS keyring", "plain file (…)").
func keptIn(store keyring.Store) string {
	switch k := store.Kind(); {
	case k == "memory":
		return "memory (this session only)"
	case strings.HasPrefix(k, "plain file"):
		return "a " + k
	default:
		return "the " + k
	}
}
