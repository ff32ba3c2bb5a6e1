package ui

import (
	"errors"
	"io"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client/safe"
	"oauthdeck/flows/check"
)

// checkCompare shows what changed between a saved run (a report exported
// with x, or written by 'oauthdeck check -o json') and the last one, as
// 'oauthdeck check --baseline' prints it.
type checkCompare struct {
	base
	from string // the baseline file, for the title
	cmp  check.Comparison
	list listNav
}

type baselineLoadedMsg struct {
	path string
	rep  check.Report
	err  error
}

// exportDir is where the Check tab exports reports (and looks for them).
func (s *checkScreen) exportDir() string { return s.c.savedDir("checks") }

// compareWithSaved loads the newest exported report, not this run's own
// export, and compares the current run with it.
func (s *checkScreen) compareWithSaved() tea.Cmd {
	if s.report == nil || s.running {
		return s.c.Notify(noticeInfo, "No finished run to compare: r runs the suite")
	}
	dir, own := s.exportDir(), s.exported
	return s.c.await(func() tea.Msg {
		var rep check.Report
		path, err := readNewest(dir, "check-*.json", own, func(r io.Reader) (err error) {
			rep, err = check.ReadReport(r)
			return err
		})
		if errors.Is(err, errNoSavedFile) {
			err = errors.New("no saved report in " + dir + " to compare with: x exports this run, and the next run compares with it")
		}
		return baselineLoadedMsg{path: path, rep: rep, err: err}
	})
}

func newCheckCompare(c *Common, path string, cmp check.Comparison) *checkCompare {
	s := &checkCompare{base: newBase(c), from: safe.Line(filepath.Base(path)), cmp: cmp}
	s.list.setLen(len(cmp.Changes))
	return s
}

func (s *checkCompare) Title() string { return "Compared with " + s.from }

func (s *checkCompare) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.Up, km.Down, km.PageUp, km.PageDown}
}

func (s *checkCompare) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		s.list.handleKey(s.c.Keys, k, s.height-3)
	}
	return nil
}

func (s *checkCompare) View() string {
	st := s.c.Styles
	var b strings.Builder
	head := "Compared with " + s.from + ": " + itoa(len(s.cmp.Changes)) + " changed, " + itoa(s.cmp.Regressions()) + " regressions"
	b.WriteString(st.Title.Render(head) + "\n")
	if len(s.cmp.Changes) == 0 {
		b.WriteString(st.OK.Render("✓ Every check has the outcome it had.") + "\n")
		return fitBox(b.String(), s.width, s.height)
	}
	b.WriteString(st.Header.Render("  "+padRight("CHANGE", 13)+padRight("CHECK", 30)+padRight("BEFORE → NOW", 16)+"DETAIL") + "\n")
	from, to := s.list.window(s.height - 2)
	for i := from; i < to; i++ {
		ch := s.cmp.Changes[i]
		sty := st.Subtle
		switch ch.Kind {
		case check.NewFailure:
			sty = st.Error
		case check.Fixed:
			sty = st.OK
		case check.SkippedNow, check.Changed:
			sty = st.Warn
		}
		move := string(ch.Old) + " → " + string(ch.New)
		line := sty.Render(padRight(string(ch.Kind), 13)) + padRight(ch.ID, 30) + padRight(move, 16) + ch.Detail
		b.WriteString(s.list.renderRow(st, i, line, s.width) + "\n")
	}
	return fitBox(b.String(), s.width, s.height)
}
