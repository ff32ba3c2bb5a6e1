package ui

import (
	"context"
	"errors"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client/safe"
	"oauthdeck/flows/check"
)

// checkScreen runs the conformance suite (flows/check) and shows results
// streaming into a table; enter opens a check's evidence. esc cancels a run
// (the suite still removes the apps it created).
type checkScreen struct {
	base
	rows    []checkRow
	list    listNav
	running bool
	cancel  context.CancelFunc
	runCtx  context.Context
	results chan check.Result
	taskID  int
	server  check.ServerInfo
	traffic check.Traffic // what the last run sent and waited
	grades  []check.Grade // the last run's, per MCP version
	err     error         // the run as a whole (cancelled, cleanup failed)
	ran     bool
	suite   *suiteRun     // the run in progress, for Close to wait on
	report  *check.Report // the last finished run, for export
	onlyBad bool          // show only failed and warned checks
	// exported is where the current report was exported, which b does not
	// compare it with.
	exported string
	shown    []int  // indices into rows, in order: what the list shows
	rerun    string // the one check being re-run (R), "" for the whole suite
}

// suiteRun is one run of the suite: done closes when check.Run returned
// (its cleanup included) and err is then its error.
type suiteRun struct {
	done chan struct{}
	err  error
}

// suiteCleanupWait bounds how long quitting waits for the suite to remove
// its test apps (check's own cleanup deadline is 15 s).
const suiteCleanupWait = 20 * time.Second

// checkRow is one check; res is nil until its result arrives (sanitised).
type checkRow struct {
	info check.Info
	res  *check.Result
}

type (
	checkResultMsg struct {
		gen uint64
		res check.Result
	}
	checkDoneMsg struct {
		gen    uint64
		report check.Report
		err    error
		taskID int
		only   string // the check re-run alone, "" for the whole suite
	}
)

func newCheckScreen(c *Common) screen {
	s := &checkScreen{base: newBase(c)}
	s.reset()
	return s
}

func (s *checkScreen) reset() {
	s.rows = s.rows[:0]
	for _, in := range check.Checks() {
		s.rows = append(s.rows, checkRow{info: in})
	}
	s.server, s.traffic, s.err, s.ran, s.grades, s.report = check.ServerInfo{}, check.Traffic{}, nil, false, nil, nil
	s.refilter()
}

// refilter recomputes which rows show (all, or only failures and warnings).
func (s *checkScreen) refilter() {
	s.shown = s.shown[:0]
	for i, r := range s.rows {
		if !s.onlyBad || r.res != nil && (r.res.Status == check.Fail || r.res.Status == check.Warn) {
			s.shown = append(s.shown, i)
		}
	}
	s.list.setLen(len(s.shown))
}

func (s *checkScreen) Title() string { return "Check" }

func (s *checkScreen) KeyBindings() []key.Binding {
	km, fk := s.c.Keys, s.c.Keys.Flow
	if s.running {
		return []key.Binding{fk.CancelRun, fk.Evidence, km.Up, km.Down}
	}
	return []key.Binding{fk.RunSuite, fk.RerunCheck, fk.Evidence, fk.NextFailure, fk.FailuresOnly, fk.ExportReport, fk.CompareSaved, km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom}
}

func (s *checkScreen) Back() (tea.Cmd, bool) {
	if s.running {
		s.cancel()
		what := "the suite"
		if s.rerun != "" {
			what = "the re-run of " + s.rerun
		}
		return s.c.Notify(noticeInfo, "Cancelling "+what+"; its test apps are being removed…"), true
	}
	return nil, false
}

// Close runs as the console ends, however it ends (q, ctrl+c, a signal, the
// terminal closing): a running suite is cancelled and its cleanup awaited,
// bounded, so no test app with a live secret is left behind unannounced.
func (s *checkScreen) Close() {
	s.base.Close()
	if s.cancel != nil {
		s.cancel()
	}
	run := s.suite
	if run == nil || !s.running {
		return
	}
	select {
	case <-run.done:
		var ce *check.CleanupError
		if errors.As(run.err, &ce) {
			s.c.noteOnExit("the interrupted conformance suite could not remove all its test apps: " +
				safe.Line(ce.Err.Error()) + "; remove each with 'oauthdeck apps delete ID --yes'")
		}
	case <-time.After(suiteCleanupWait):
		s.c.noteOnExit("the interrupted conformance suite had not removed its test apps after " +
			suiteCleanupWait.String() + "; find them with 'oauthdeck apps list' (names start oauthdeck-check-) and remove each with 'oauthdeck apps delete ID --yes'")
	}
}

// rerunSelected runs the selected check again, alone (with what it needs
// from earlier checks, which are not shown), keeping every other result.
func (s *checkScreen) rerunSelected() tea.Cmd {
	if len(s.shown) == 0 {
		return nil
	}
	return s.start(s.rows[s.shown[s.list.cursor]].info.ID)
}

// run starts the suite (only: just that check) in a Cmd; results stream
// through a channel read by a re-arming Cmd, so they arrive in order.
func (s *checkScreen) start(only string) tea.Cmd {
	sess := s.c.Session()
	switch {
	case s.running:
		return nil
	case sess == nil:
		return s.c.Notify(noticeWarn, "No deployment in use: pick one in the Deployments tab (1)")
	case sess.Client == nil:
		return s.c.Notify(noticeError, "This deployment has no client the suite can use")
	}
	gen := s.nextGen()
	if only == "" {
		s.reset()
	}
	s.running, s.ran, s.rerun = true, true, only
	ctx, cancel := context.WithCancel(s.ctx)
	s.cancel, s.runCtx = cancel, ctx
	results := make(chan check.Result, len(s.rows)+8)
	s.results = results
	rec := s.c.Deps.ClientOptions.Recorder
	if rec == nil {
		rec = s.c.Deps.Recorder
	}
	cfg := check.Config{Client: sess.Client, Recorder: rec, OnResult: func(r check.Result) {
		select { // buffered for every check: never blocks the suite
		case results <- r:
		default:
		}
	}}
	label := "Conformance suite"
	if only != "" {
		cfg.Only, label = []string{only}, "Re-running "+only
	}
	id, spin := s.beginTask(label)
	s.taskID = id
	run := &suiteRun{done: make(chan struct{})}
	s.suite = run
	runCmd := func() tea.Msg {
		rep, err := check.Run(ctx, cfg)
		run.err = err
		close(run.done)
		return checkDoneMsg{gen: gen, report: rep, err: err, taskID: id, only: only}
	}
	return tea.Batch(spin, s.c.await(runCmd), s.waitResult(ctx, gen, results))
}

func (s *checkScreen) waitResult(ctx context.Context, gen uint64, ch chan check.Result) tea.Cmd {
	return s.c.await(func() tea.Msg {
		select {
		case r := <-ch:
			return checkResultMsg{gen: gen, res: r}
		case <-ctx.Done():
			return nil
		}
	})
}

func (s *checkScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case sessionChangedMsg:
		if s.cancel != nil {
			s.cancel()
		}
		s.nextGen()
		s.running, s.rerun = false, ""
		s.reset()
		return nil
	case baselineLoadedMsg:
		if msg.err != nil {
			return s.c.NotifyErr(msg.err)
		}
		if s.report == nil {
			return nil
		}
		return s.c.Push(newCheckCompare(s.c, msg.path, check.Compare(msg.rep, *s.report)))
	case checkExportedMsg:
		if msg.err != nil {
			return s.c.NotifyErr(msg.err)
		}
		s.exported = msg.paths[0]
		return s.c.Notify(noticeSuccess, "Exported the report to "+msg.paths[0]+" and "+msg.paths[1]+" (--baseline takes the json)")
	case checkResultMsg:
		if !s.current(msg.gen) || !s.running {
			return nil
		}
		s.apply(msg.res)
		return s.waitResult(s.runCtx, msg.gen, s.results)
	case checkDoneMsg:
		s.endTask(msg.taskID)
		if !s.current(msg.gen) {
			return nil
		}
		s.running, s.rerun = false, ""
		s.cancel() // stops the result reader
		for _, r := range msg.report.Checks {
			s.apply(r)
		}
		if msg.only != "" {
			return s.finishRerun(msg)
		}
		s.server = sanitizeServer(msg.report.Server)
		s.traffic, s.grades = msg.report.Traffic, msg.report.Grades
		rep := msg.report
		s.report, s.exported = &rep, ""
		s.refilter()
		s.err = msg.err
		sum := msg.report.Summary
		text := "Suite done: " + itoa(sum.Pass) + " pass, " + itoa(sum.Warn) + " warn, " + itoa(sum.Fail) + " fail, " + itoa(sum.Skip) + " skip"
		switch {
		case errors.Is(msg.err, context.Canceled):
			return s.c.Notify(noticeWarn, "Suite cancelled after "+itoa(len(msg.report.Checks))+" checks; its test apps were removed")
		case msg.err != nil:
			return s.c.Notify(noticeError, explainFlowErr(msg.err))
		case sum.Fail > 0:
			return s.c.Notify(noticeError, text)
		}
		return s.c.Notify(noticeSuccess, text)
	case tea.KeyPressMsg:
		km, fk := s.c.Keys, s.c.Keys.Flow
		if s.list.handleKey(km, msg, s.tableHeight()) {
			return nil
		}
		switch {
		case key.Matches(msg, fk.RunSuite):
			return s.start("")
		case key.Matches(msg, fk.RerunCheck):
			return s.rerunSelected()
		case key.Matches(msg, fk.NextFailure):
			return s.nextFailure()
		case key.Matches(msg, fk.FailuresOnly):
			s.onlyBad = !s.onlyBad
			s.refilter()
			return nil
		case key.Matches(msg, fk.ExportReport):
			return s.export()
		case key.Matches(msg, fk.CompareSaved):
			return s.compareWithSaved()
		case key.Matches(msg, fk.Evidence):
			if len(s.shown) == 0 {
				return nil
			}
			row := s.rows[s.shown[s.list.cursor]]
			if row.res == nil {
				return s.c.Notify(noticeInfo, "No result for "+row.info.ID+" yet")
			}
			return s.c.Push(newCheckDetail(s.c, *row.res))
		}
	case tea.MouseClickMsg:
		if msg.Button == tea.MouseLeft {
			s.list.clickRow(msg.Y - checkHeaderLines)
		}
	case tea.MouseWheelMsg:
		s.list.wheel(msg.Button)
	}
	return nil
}

func (s *checkScreen) apply(r check.Result) {
	r = sanitizeResult(r)
	for i := range s.rows {
		if s.rows[i].info.ID == r.ID {
			s.rows[i].res = &r
			return
		}
	}
	// A check the registry listing did not know (should not happen): keep it.
	s.rows = append(s.rows, checkRow{info: check.Info{ID: r.ID, Title: r.Title, Basis: r.Basis, Level: r.Level}, res: &r})
	s.refilter()
}

// finishRerun folds a re-run check's result into the last report (summary
// and grades counted again, so export and compare see it) and says how it
// came out.
func (s *checkScreen) finishRerun(msg checkDoneMsg) tea.Cmd {
	id := msg.only
	if s.server.URL == "" {
		s.server = sanitizeServer(msg.report.Server)
	}
	if s.report != nil && len(msg.report.Checks) == 1 {
		rep := *s.report
		rep.Checks = slices.Clone(rep.Checks)
		for i := range rep.Checks {
			if rep.Checks[i].ID == id {
				rep.Checks[i] = msg.report.Checks[0]
			}
		}
		rep.Summary, rep.Grades = check.Summarize(rep.Checks), check.Grades(rep.Checks)
		s.report, s.grades, s.exported = &rep, rep.Grades, ""
	}
	s.refilter()
	switch {
	case errors.Is(msg.err, context.Canceled):
		return s.c.Notify(noticeWarn, "Re-run of "+id+" cancelled; its test apps were removed")
	case msg.err != nil:
		return s.c.Notify(noticeError, explainFlowErr(msg.err))
	case len(msg.report.Checks) != 1:
		return s.c.Notify(noticeWarn, "Re-ran "+id+" and got no result")
	}
	st := msg.report.Checks[0].Status
	text := "Re-ran " + id + ": " + string(st)
	if n := len(check.Needs(id)); n > 0 {
		text += " (after the " + itoa(n) + " checks it builds on, not shown)"
	}
	kind := map[check.Status]noticeKind{check.Pass: noticeSuccess, check.Fail: noticeError, check.Warn: noticeWarn}[st] // skip: noticeInfo, the zero
	return s.c.Notify(kind, text)
}

// nextFailure moves the selection to the next failed check, wrapping.
func (s *checkScreen) nextFailure() tea.Cmd {
	n := len(s.shown)
	for step := 1; step <= n; step++ {
		vi := (s.list.cursor + step) % n
		if r := s.rows[s.shown[vi]].res; r != nil && r.Status == check.Fail {
			s.list.cursor = vi
			if step == n {
				return s.c.Notify(noticeInfo, "This is the only failing check")
			}
			return nil
		}
	}
	if !s.ran {
		return s.c.Notify(noticeInfo, "No failing check yet: r runs the suite")
	}
	return s.c.Notify(noticeInfo, "No failing check")
}
