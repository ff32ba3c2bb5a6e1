package ui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/flows/audit"
)

// auditScreen reads the deployment's whole OAuth2 estate on demand (r) and
// lists the findings, gravest first, with the selected one's message, fix
// and basis below; enter opens the finding's app, p prunes the unused
// dynamically registered apps after a confirmation listing them. Findings
// are safe for the terminal already (package audit makes them so).
type auditScreen struct {
	base
	list    listNav
	report  *audit.Report
	estate  audit.Estate
	running bool
	pruning bool
	// stopPrune cancels the prune under way (esc).
	stopPrune context.CancelFunc
	stale     bool // apps changed since the audit ran
	err       error
	progress  *atomic.Int64 // apps whose secrets were read, in the running audit
	total     *atomic.Int64
}

type (
	auditDoneMsg struct {
		gen    uint64
		est    audit.Estate
		err    error
		taskID int
	}
	auditTickMsg      struct{ gen uint64 }
	pruneConfirmedMsg struct{ cands []audit.Candidate }
	pruneDoneMsg      struct {
		res    audit.PruneResult
		taskID int
	}
)

// auditHeaderLines: title, summary, column header; the detail below takes
// auditDetailLines.
const (
	auditHeaderLines = 3
	auditDetailLines = 4
	auditPruneAge    = 90 * 24 * time.Hour
)

func newAuditScreen(c *Common) screen {
	return &auditScreen{base: newBase(c), progress: &atomic.Int64{}, total: &atomic.Int64{}}
}

func (s *auditScreen) Title() string { return "Audit" }

func (s *auditScreen) KeyBindings() []key.Binding {
	km := s.c.Keys
	run := key.NewBinding(key.WithKeys(km.Refresh.Keys()...), key.WithHelp("r", "run the audit"))
	if s.report == nil {
		return []key.Binding{run}
	}
	return []key.Binding{run, km.Open, km.Prune, km.Rotate, deleteSecretKey(km), km.Up, km.Down, km.PageUp, km.PageDown}
}

func (s *auditScreen) Back() (tea.Cmd, bool) {
	switch {
	case s.running && s.reqCancel != nil:
		s.reqCancel()
		return s.c.Notify(noticeInfo, "Audit cancelled"), true
	case s.pruning && s.stopPrune != nil:
		// The app being deleted is named with its outcome unknown, the rest
		// as not tried (pruneOutcome).
		s.stopPrune()
		return s.c.Notify(noticeInfo, "Stopping the prune…"), true
	}
	return nil, false
}

func (s *auditScreen) run() tea.Cmd {
	sess := s.c.Session()
	switch {
	case s.running || s.pruning:
		return nil
	case sess == nil:
		return s.c.Notify(noticeWarn, "No deployment in use: pick one in the Deployments tab (1)")
	case sess.Client == nil:
		return s.c.Notify(noticeError, "This deployment has no client the audit can use")
	}
	gen := s.nextGen()
	ctx := s.freshCtx()
	s.running, s.err, s.stale = true, nil, false
	s.progress.Store(0)
	s.total.Store(0)
	done, total := s.progress, s.total
	id, spin := s.beginTask("Auditing apps and secrets")
	cl := sess.Client
	read := func() tea.Msg {
		est, err := audit.Read(ctx, cl, audit.Options{}, func(n, t int) { done.Store(int64(n)); total.Store(int64(t)) })
		return auditDoneMsg{gen: gen, est: est, err: err, taskID: id}
	}
	return tea.Batch(spin, s.c.await(read), s.tick(gen))
}

// tick redraws the progress while the audit runs.
func (s *auditScreen) tick(gen uint64) tea.Cmd {
	return s.c.await(tea.Tick(150*time.Millisecond, func(time.Time) tea.Msg { return auditTickMsg{gen: gen} }))
}

func (s *auditScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case sessionChangedMsg:
		s.nextGen()
		if s.reqCancel != nil {
			s.reqCancel()
		}
		s.running, s.report, s.err, s.stale = false, nil, nil, false
		s.list.setLen(0)
	case appsChangedMsg:
		s.stale = s.report != nil && !s.running // a run under way already sees the change
	case auditTickMsg:
		if s.current(msg.gen) && s.running {
			return s.tick(msg.gen)
		}
	case auditDoneMsg:
		s.endTask(msg.taskID)
		if !s.current(msg.gen) {
			return nil
		}
		s.running = false
		if msg.err != nil {
			s.err = msg.err
			if errors.Is(msg.err, context.Canceled) {
				return nil
			}
			return s.c.NotifyErr(msg.err)
		}
		rep := audit.Judge(msg.est, audit.Options{})
		s.estate, s.report = msg.est, &rep
		s.list.setLen(len(rep.Findings))
		sum := rep.Summary
		kind := noticeSuccess
		if sum.High+sum.Medium > 0 {
			kind = noticeWarn
		}
		return s.c.Notify(kind, "Audit done: "+itoa(sum.High)+" high, "+itoa(sum.Medium)+" medium, "+itoa(sum.Low)+" low")
	case auditSecretDeletedMsg:
		if msg.err != nil {
			return s.c.NotifyErr(msg.err)
		}
		return tea.Batch(s.c.Notify(noticeSuccess, "Deleted the secret; auditing again"), cmdOf(secretsChangedMsg{appID: msg.appID}), s.run())
	case pruneConfirmedMsg:
		return s.startPrune(msg.cands)
	case pruneDoneMsg:
		s.endTask(msg.taskID)
		s.pruning = false
		if s.stopPrune != nil {
			s.stopPrune()
			s.stopPrune = nil
		}
		text, kind := pruneOutcome(msg.res)
		return tea.Batch(s.c.Notify(kind, text), cmdOf(appsChangedMsg{}), s.run())
	case tea.KeyPressMsg:
		km := s.c.Keys
		if s.list.handleKey(km, msg, s.listHeight()) {
			return nil
		}
		switch {
		case key.Matches(msg, km.Refresh):
			return s.run()
		case key.Matches(msg, km.Open):
			return s.openApp()
		case key.Matches(msg, km.Prune):
			return s.prune()
		case key.Matches(msg, km.Rotate):
			return s.rotateApp()
		case key.Matches(msg, km.Delete):
			return s.deleteSecret()
		}
	case tea.MouseClickMsg:
		if msg.Button == tea.MouseLeft {
			s.list.clickRow(msg.Y - auditHeaderLines)
		}
	case tea.MouseWheelMsg:
		s.list.wheel(msg.Button)
	}
	return nil
}

func (s *auditScreen) selected() (audit.Finding, bool) {
	if s.report == nil || len(s.report.Findings) == 0 {
		return audit.Finding{}, false
	}
	return s.report.Findings[s.list.cursor], true
}

// openApp pushes the detail of the selected finding's app, as read.
func (s *auditScreen) openApp() tea.Cmd {
	f, ok := s.selected()
	if !ok {
		return nil
	}
	if f.AppID == "" {
		return s.c.Notify(noticeInfo, "This finding is about the deployment, not one app")
	}
	for _, a := range s.estate.Apps {
		if a.App.ID == f.AppID {
			return s.c.Push(newAppDetail(s.c, a.App))
		}
	}
	return nil
}

func (s *auditScreen) listHeight() int {
	return max(s.height-auditHeaderLines-auditDetailLines, 1)
}

func (s *auditScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	title := st.Title.Render("Audit")
	if sess := s.c.Session(); sess == nil {
		title += "  " + st.Warn.Render("no deployment in use")
	} else if s.report != nil {
		title += "  " + st.Subtle.Render(s.report.Server.URL+" · "+itoa(s.report.Apps)+" apps, "+itoa(s.report.Secrets)+" secrets")
	}
	b.WriteString(truncate(title, s.width) + "\n")
	b.WriteString(truncate(s.summaryLine(), s.width) + "\n")
	h := s.listHeight()
	if s.report == nil {
		b.WriteString("\n")
		return fitBox(b.String(), s.width, s.height)
	}
	ruleW, sevW := 31, 9
	b.WriteString(st.Header.Render(padRight("  SEVERITY", sevW+2)+padRight("RULE", ruleW)+"SUBJECT") + "\n")
	from, to := s.list.window(h)
	for i := from; i < to; i++ {
		f := s.report.Findings[i]
		subject := f.AppName
		if subject == "" {
			subject = "deployment"
		}
		line := sevStyle(st, f.Severity).Render(padRight(string(f.Severity), sevW)) + padRight(f.Rule, ruleW) + subject
		b.WriteString(s.list.renderRow(st, i, line, s.width) + "\n")
	}
	for i := to - from; i < h; i++ {
		b.WriteString("\n")
	}
	b.WriteString(s.detail())
	return fitBox(b.String(), s.width, s.height)
}

// detail is the selected finding: message (wrapped), fix, basis.
func (s *auditScreen) detail() string {
	st := s.c.Styles
	f, ok := s.selected()
	if !ok {
		return st.OK.Render("✓ No findings: every app and secret passed every rule.")
	}
	lines := strings.Split(ansi.Wrap(f.Message, max(s.width-2, 10), " "), "\n")
	if len(lines) > auditDetailLines-2 {
		lines = append(lines[:auditDetailLines-2], "")
		lines[auditDetailLines-3] = truncate(lines[auditDetailLines-3]+" …", s.width)
	}
	out := append(lines[:min(len(lines), auditDetailLines-2)], truncate(st.Info.Render("fix: ")+f.Fix, s.width),
		truncate(st.Faint.Render(audit.Subject(f)+" · "+f.Basis), s.width))
	return strings.Join(out, "\n")
}

func (s *auditScreen) summaryLine() string {
	st := s.c.Styles
	switch {
	case s.running:
		n, t := s.progress.Load(), s.total.Load()
		text := "reading apps…"
		if t > 0 {
			text = "reading secrets: " + itoa(int(n)) + " of " + itoa(int(t)) + " apps"
		}
		return st.Info.Render(text + " · esc cancels")
	case s.pruning:
		return st.Info.Render("pruning…")
	case s.err != nil && errors.Is(s.err, context.Canceled):
		return st.Warn.Render("cancelled · r runs it again")
	case s.err != nil:
		return st.Error.Render("✗ " + explainFlowErr(s.err))
	case s.report == nil:
		return st.Subtle.Render("r audits every app and secret of this deployment (reads only; one request per app)")
	}
	sum := s.report.Summary
	line := st.Error.Render(itoa(sum.High)+" high") + "  " + st.Warn.Render(itoa(sum.Medium)+" medium") + "  " +
		st.Info.Render(itoa(sum.Low)+" low") + "  " + st.Faint.Render(itoa(sum.Info)+" info")
	if len(s.report.Incomplete) > 0 {
		line += "  " + st.Warn.Render("incomplete: "+itoa(len(s.report.Incomplete))+" parts not read")
	}
	if s.stale {
		line += "  " + st.Warn.Render("apps changed since · r re-runs")
	}
	return line
}

// countOf is "1 app", "2 apps".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}

func sevStyle(st *Styles, sev audit.Severity) lipgloss.Style {
	switch sev {
	case audit.High:
		return st.Error
	case audit.Medium:
		return st.Warn
	case audit.Low:
		return st.Info
	}
	return st.Faint
}
