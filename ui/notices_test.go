package ui

import (
	"strings"
	"testing"
	"time"
)

// TestNoticesLogKeepsWhatFaded: a notice that left the status bar is in the
// notices log (!), with its time, newest first; q goes back.
func TestNoticesLogKeepsWhatFaded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30)
	h.send(noticeMsg{kind: noticeInfo, text: "first notice"})
	h.send(noticeMsg{kind: noticeError, text: "second notice: \x1b[31mred\x1b[0m"})
	h.send(clearNoticeMsg{id: h.m.c.status.noticeID}) // faded from the status bar
	if strings.Contains(h.screen(), "second notice") {
		t.Fatalf("the notice did not fade:\n%s", h.screen())
	}
	h.key("!")
	h.waitScreen("Notices", "12:00:00 ✗ second notice", "12:00:00 · first notice")
	scr := h.screen()
	if strings.Index(scr, "second notice") > strings.Index(scr, "first notice") {
		t.Fatalf("not newest first:\n%s", scr)
	}
	if strings.Contains(scr, "\x1b[31m") {
		t.Fatal("a notice's escape sequence reached the screen")
	}
	h.key("q")
	if strings.Contains(h.screen(), "Notices  this session") {
		t.Fatalf("q did not go back:\n%s", h.screen())
	}
}

func TestNoticeTimeHasTheDateWhenNotToday(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	if got := noticeTime(now.Add(-time.Hour), now); got != "08:00:00" {
		t.Errorf("today: %q", got)
	}
	if got := noticeTime(now.Add(-24*time.Hour), now); got != "2026-12-03 09:00:00" {
		t.Errorf("yesterday: %q", got)
	}
}

// TestStatusBarNeverCutsHelp: on every tab, at 80 and 100 columns, the
// status bar's hints end with "? help" and "q/esc back" (the screen's own
// hints are dropped first); in a form, how to submit it stays.
func TestStatusBarNeverCutsHelp(t *testing.T) {
	t.Parallel()
	for _, w := range []int{80, 100} {
		api := newFakeAPI()
		seedApps(api, 3)
		h := newHarness(t, api, w, 24)
		for _, tab := range []string{"1", "2", "3", "4", "5", "6"} {
			h.key(tab)
			lines := strings.Split(h.screen(), "\n")
			if bar := lines[len(lines)-1]; !strings.Contains(bar, "? help • q/esc back") {
				t.Errorf("%d cols, tab %s: the status bar lost ? help: %q", w, tab, bar)
			}
		}
		h.key("2", "n") // the new-app form
		lines := strings.Split(h.screen(), "\n")
		if bar := lines[len(lines)-1]; !strings.Contains(bar, "save") || !strings.Contains(bar, "esc") {
			t.Errorf("%d cols: the form's status bar does not say how to submit: %q", w, bar)
		}
	}
}

// TestStatusBarKeepsHelpBesideALongTask: a running task's label is cut
// before "? help" is.
func TestStatusBarKeepsHelpBesideALongTask(t *testing.T) {
	t.Parallel()
	for _, w := range []int{60, 70, 80} {
		h := newHarness(t, newFakeAPI(), w, 24)
		h.m.c.status.begin("Fetching discovery documents from a deployment with a long name")
		lines := strings.Split(h.screen(), "\n")
		if bar := lines[len(lines)-1]; !strings.Contains(bar, "? help • q/esc back") {
			t.Errorf("%d cols: %q", w, bar)
		}
	}
}
