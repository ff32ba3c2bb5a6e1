package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/flows"
)

// noticesScreen is the notices log (!): every notice and error of the
// session with its time, newest first, so a notice that faded from the
// status bar can still be read. It is pushed over the screen it was opened
// from; q/esc goes back.
type noticesScreen struct {
	base
	offset int // first line shown
}

func newNoticesScreen(c *Common) screen { return &noticesScreen{base: newBase(c)} }

func (s *noticesScreen) Title() string { return "Notices" }

func (s *noticesScreen) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.Up, km.Down, km.PageUp, km.PageDown}
}

func (s *noticesScreen) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	keys, page := s.c.Keys, max(s.height-3, 1)
	switch {
	case key.Matches(km, keys.Down):
		s.offset++
	case key.Matches(km, keys.Up):
		s.offset--
	case key.Matches(km, keys.PageDown):
		s.offset += page
	case key.Matches(km, keys.PageUp):
		s.offset -= page
	}
	s.offset = min(max(s.offset, 0), max(len(s.lines())-page, 0))
	return nil
}

// lines are the log, newest first, one line a notice (the text is safe).
func (s *noticesScreen) lines() []string {
	st, log, now := s.c.Styles, s.c.status.log, s.c.clock()
	out := make([]string, 0, len(log))
	for i := len(log) - 1; i >= 0; i-- {
		n := log[i]
		sym, style := "·", st.Subtle
		switch n.kind {
		case noticeSuccess:
			sym, style = "✓", st.OK
		case noticeWarn:
			sym, style = "!", st.Warn
		case noticeError:
			sym, style = "✗", st.Error
		}
		out = append(out, st.Faint.Render(noticeTime(n.at, now))+" "+style.Render(sym)+" "+n.text)
	}
	return out
}

// noticeTime is the clock time, with the date when it is not today.
func noticeTime(at, now time.Time) string { return flows.ClockTime(at, now) }

func (s *noticesScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	lines := s.lines()
	b.WriteString(st.Title.Render("Notices") + st.Subtle.Render("  this session, newest first · q/esc back") + "\n\n")
	if len(lines) == 0 {
		b.WriteString(st.Subtle.Render("No notices yet: what the status bar shows for a few seconds is kept here."))
		return fitHeight(b.String(), s.height)
	}
	end := min(s.offset+max(s.height-3, 1), len(lines))
	for _, l := range lines[s.offset:end] {
		b.WriteString(ansi.Truncate(l, s.width, "…") + "\n")
	}
	return fitHeight(strings.TrimSuffix(b.String(), "\n"), s.height)
}
