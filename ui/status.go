package ui

import (
	"strings"
	"time"

	"oauthdeck/client/safe"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// noticeTTL is how long a notice stays; errors stay longer so they can be read.
var noticeTTL = map[noticeKind]time.Duration{
	noticeInfo:    4 * time.Second,
	noticeSuccess: 4 * time.Second,
	noticeWarn:    8 * time.Second,
	noticeError:   10 * time.Second,
}

type task struct {
	id    int
	label string
}

// statusBar is the bottom line: deployment, user, running tasks with a
// spinner, and the latest notice (which replaces the key hints while shown).
type statusBar struct {
	spin     spinner.Model
	spinning bool
	tasks    []task
	nextTask int

	notice   noticeMsg
	noticeID int
	hasNote  bool
	// log keeps every notice of the session (the newest maxLoggedNotices),
	// so one that faded can be read again (the notices log, !).
	log []loggedNotice
}

type loggedNotice struct {
	at   time.Time
	kind noticeKind
	text string // already safe
}

const maxLoggedNotices = 500

func newStatusBar() *statusBar {
	return &statusBar{spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
}

func (s *statusBar) begin(label string) (int, tea.Cmd) {
	s.nextTask++
	s.tasks = append(s.tasks, task{id: s.nextTask, label: label})
	if s.spinning {
		return s.nextTask, nil
	}
	s.spinning = true
	return s.nextTask, s.spin.Tick
}

func (s *statusBar) end(id int) {
	for i, t := range s.tasks {
		if t.id == id {
			s.tasks = append(s.tasks[:i], s.tasks[i+1:]...)
			return
		}
	}
}

func (s *statusBar) busy() bool { return len(s.tasks) > 0 }

// setNotice shows n and returns the Cmd that clears it after its TTL.
func (s *statusBar) setNotice(n noticeMsg, at time.Time) tea.Cmd {
	n.text = safe.Line(n.text)
	s.notice, s.hasNote = n, true
	if len(s.log) == maxLoggedNotices {
		s.log = append(s.log[:0], s.log[1:]...)
	}
	s.log = append(s.log, loggedNotice{at: at, kind: n.kind, text: n.text})
	s.noticeID++
	id := s.noticeID
	return tea.Tick(noticeTTL[n.kind], func(time.Time) tea.Msg { return clearNoticeMsg{id} })
}

// current is the notice on show, if any.
func (s *statusBar) current() (noticeMsg, bool) { return s.notice, s.hasNote }

func (s *statusBar) clearNotice(id int) {
	if id == s.noticeID {
		s.hasNote = false
	}
}

func (s *statusBar) updateSpinner(msg spinner.TickMsg) tea.Cmd {
	if msg.ID != s.spin.ID() {
		return nil
	}
	if !s.busy() {
		s.spinning = false
		return nil
	}
	var cmd tea.Cmd
	s.spin, cmd = s.spin.Update(msg)
	return cmd
}

// view renders the status line at width w. hints is the short help, shown
// when no notice is up.
// hints renders the key hints for the room the bar has left for them.
func (s *statusBar) view(c *Common, w int, hints func(room int) string) string {
	st := c.Styles
	var left []string
	if sess := c.Session(); sess != nil {
		dep := hostOf(sess.URL)
		if sess.User != nil {
			dep = safe.Line(sess.User.Username) + "@" + dep
		}
		left = append(left, st.StatusKey.Render(" ◆ ")+st.StatusValue.Render(dep))
		if sess.Build != nil && sess.Build.Version != "" && w >= 100 { // narrow: the Deployments tab shows it
			left = append(left, st.StatusValue.Render(safe.Line(sess.Build.Version)))
		}
	} else {
		left = append(left, st.StatusKey.Render(" ◆ ")+st.StatusValue.Render("no deployment"))
	}
	if c.Deps.Demo {
		left = append(left, st.StatusKey.Render("demo"))
	}
	if s.busy() {
		t := s.tasks[len(s.tasks)-1]
		label := t.label
		if n := len(s.tasks); n > 1 {
			label += " (+" + itoa(n-1) + ")"
		}
		left = append(left, st.StatusKey.Render(s.spin.View())+st.StatusValue.Render(" "+label))
	}
	leftStr := strings.Join(left, st.StatusValue.Render("  "))
	if !s.hasNote {
		// The hints that are never dropped ("? help • q/esc back") keep
		// their room: a long task label or user@host is cut instead.
		if room := w - lipgloss.Width(hints(0)) - 2; lipgloss.Width(leftStr) > room {
			leftStr = ansi.Truncate(leftStr, max(room, 0), "…")
		}
	}

	var right string
	if s.hasNote {
		ns := st.StatusValue
		sym := "ℹ "
		switch s.notice.kind {
		case noticeSuccess:
			ns, sym = ns.Foreground(st.OK.GetForeground()), "✓ "
		case noticeWarn:
			ns, sym = ns.Foreground(st.Warn.GetForeground()), "! "
		case noticeError:
			ns, sym = ns.Foreground(st.Error.GetForeground()).Bold(true), "✗ "
		}
		right = ns.Render(sym + s.notice.text + " ")
	} else {
		right = st.StatusValue.Render(hints(max(w-lipgloss.Width(leftStr)-2, 0)) + " ")
	}
	return joinBar(st.StatusBar, w, leftStr, right)
}

// joinBar lays left and right out on one line of width w, truncating the
// right part first (notices are also shown in full in the help view).
func joinBar(bar lipgloss.Style, w int, left, right string) string {
	lw := lipgloss.Width(left)
	if lw > w {
		left = ansi.Truncate(left, w, "…")
		lw = lipgloss.Width(left)
	}
	room := w - lw - 1
	if room < 0 {
		room = 0
	}
	if lipgloss.Width(right) > room {
		right = ansi.Truncate(right, room, "…")
	}
	gap := w - lw - lipgloss.Width(right)
	if gap < 0 {
		gap = 0
	}
	return left + bar.Render(strings.Repeat(" ", gap)) + right
}
