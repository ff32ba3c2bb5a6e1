package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"oauthdeck/flows/check"
	"oauthdeck/sandbox"
)

// finishedRun puts a finished run with these statuses (in registry order,
// the rest without result) on the unit screen.
func finishedRun(t *testing.T, s *checkScreen, statuses ...check.Status) []check.Result {
	t.Helper()
	var results []check.Result
	for i, st := range statuses {
		in := check.Checks()[i]
		results = append(results, check.Result{ID: in.ID, Title: in.Title, Level: in.Level, Basis: in.Basis, Status: st, Detail: "detail of " + in.ID})
	}
	s.reset() // as start does
	s.ran = true
	gen := s.nextGen()
	s.running, s.cancel = true, func() {}
	s.Update(checkDoneMsg{gen: gen, report: check.Report{Checks: results, Summary: check.Summarize(results)}})
	return results
}

// cellOf is the screen column where sub starts in line (-1 if absent).
func cellOf(line, sub string) int {
	i := strings.Index(line, sub)
	if i < 0 {
		return -1
	}
	return ansi.StringWidth(line[:i])
}

// The header's columns start where the rows' do, at every width, for a
// result, a pending row and the running one (a review found STATUS and
// TITLE one cell left of their column).
func TestCheckColumnsLineUp(t *testing.T) {
	t.Parallel()
	for _, w := range []int{80, 120} {
		s := newUnitCheckScreen(t)
		s.SetSize(w, 22)
		finishedRun(t, s, check.Pass, check.Fail, check.Warn)
		s.running, s.rerun = true, check.Checks()[1].ID
		lines := strings.Split(ansi.Strip(s.View()), "\n")
		header := lines[2]
		want := []int{cellOf(header, "CHECK"), cellOf(header, "STATUS"), cellOf(header, "TITLE")}
		for i, in := range check.Checks()[:5] {
			row := lines[3+i]
			status := strings.TrimSpace(row[len(row)-len(strings.TrimLeft(row[strings.Index(row, in.ID)+len(in.ID):], " ")):])
			got := []int{cellOf(row, in.ID), cellOf(row, status[:3]), cellOf(row, in.Title[:12])}
			if !slices.Equal(got, want) {
				t.Errorf("width %d: row %q starts its columns at %v, the header %q at %v", w, row, got, header, want)
			}
		}
	}
}

// n moves to the next failed check below the selection, wrapping, and says
// so when there is no other (or none).
func TestCheckNextFailure(t *testing.T) {
	t.Parallel()
	s := newUnitCheckScreen(t)
	if msg := s.Update(keyMsg("n"))().(noticeMsg); !strings.Contains(msg.text, "No failing check yet") {
		t.Fatalf("before a run: %q", msg.text)
	}
	finishedRun(t, s, check.Pass, check.Fail, check.Warn, check.Fail, check.Skip)
	for _, want := range []int{1, 3, 1} {
		if cmd := s.Update(keyMsg("n")); cmd != nil {
			t.Fatalf("n to %d gave a notice: %#v", want, cmd())
		}
		if s.list.cursor != want {
			t.Fatalf("n went to %d, want %d", s.list.cursor, want)
		}
	}
	s.Update(keyMsg("f")) // failures and warnings only: still the next failure, over the warning
	s.list.cursor = 0
	s.Update(keyMsg("n"))
	if got := s.rows[s.shown[s.list.cursor]].info.ID; got != check.Checks()[3].ID {
		t.Fatalf("failures only: n went to %s", got)
	}
	s.Update(keyMsg("f"))

	finishedRun(t, s, check.Pass, check.Fail, check.Pass)
	s.list.cursor = 1
	if msg := s.Update(keyMsg("n"))().(noticeMsg); !strings.Contains(msg.text, "only failing") || s.list.cursor != 1 {
		t.Fatalf("the only failure: %q at %d", msg.text, s.list.cursor)
	}
	finishedRun(t, s, check.Pass, check.Warn)
	s.list.cursor = 0
	if msg := s.Update(keyMsg("n"))().(noticeMsg); msg.text != "No failing check" || s.list.cursor != 0 {
		t.Fatalf("no failure: %q at %d", msg.text, s.list.cursor)
	}
}

// R re-runs only the selected check against the sandbox, with the checks
// it builds on and no other; every other result stays as it was, and the
// report (export, compare) takes the new result.
func TestCheckRerunSelected(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain, RateLimit: -1}) // two runs in a minute
	l := newFlowLoop(t, srv, 100, 30)
	l.send(switchTabMsg{screenCheck})
	s := tabScreen[*checkScreen](l.m, screenCheck)
	l.key("r")
	l.waitFor("suite done", func() bool { return s.ran && !s.running })
	// The evidence has every response header (Date is no verdict's), cookies redacted.
	var dated, cookies int
	for _, r := range s.rows {
		for _, ev := range r.res.Evidence {
			if ev.ResponseHeader["Date"] != "" {
				dated++
			}
			if c := ev.ResponseHeader["Set-Cookie"]; c != "" {
				cookies++
				if !strings.Contains(c, "=‹redacted") {
					t.Errorf("%s: Set-Cookie %q", r.info.ID, c)
				}
			}
		}
	}
	if dated == 0 || cookies == 0 {
		t.Errorf("evidence with a Date header: %d, with Set-Cookie: %d", dated, cookies)
	}

	// Pretend the last run failed token.cache-control, to see R replace it.
	const id = "token.cache-control"
	at := slices.IndexFunc(s.rows, func(r checkRow) bool { return r.info.ID == id })
	stale := *s.rows[at].res
	stale.Status, stale.Detail = check.Fail, "stale failure"
	s.rows[at].res = &stale
	s.report.Checks[at] = stale
	others := map[string]string{}
	for _, r := range s.rows {
		if r.info.ID != id {
			others[r.info.ID] = string(r.res.Status) + " " + r.res.Detail
		}
	}
	s.list.cursor = slices.Index(s.shown, at)
	lastID := l.c.Deps.Recorder.LastID()

	_, cmd := l.m.Update(keyMsg("R"))
	if !s.running || s.rerun != id {
		t.Fatalf("R did not start a re-run of %s", id)
	}
	l.requireScreen("re-running "+id, "… running")
	l.start(cmd)
	l.waitFor("re-run done", func() bool { return !s.running })
	l.waitScreen("Re-ran " + id + ": pass")

	if got := s.rows[at].res; got.Status != check.Pass || got.Detail == "stale failure" {
		t.Fatalf("the re-run result: %s %q", got.Status, got.Detail)
	}
	for _, r := range s.rows {
		if want, ok := others[r.info.ID]; ok && string(r.res.Status)+" "+r.res.Detail != want {
			t.Errorf("%s changed: %s %q", r.info.ID, r.res.Status, r.res.Detail)
		}
	}
	if s.report.Checks[at].Status != check.Pass || s.report.Summary.Fail != 0 {
		t.Errorf("the report after the re-run: %s, summary %+v", s.report.Checks[at].Status, s.report.Summary)
	}
	allowed := append(check.Needs(id), id)
	ran := map[string]bool{}
	for _, ex := range l.c.Deps.Recorder.Exchanges() {
		if ex.ID > lastID && strings.HasPrefix(ex.Source, "check ") {
			ran[strings.TrimPrefix(ex.Source, "check ")] = true
		}
	}
	for got := range ran {
		if !slices.Contains(allowed, got) {
			t.Errorf("the re-run of %s ran %s too (it needs %v)", id, got, allowed)
		}
	}
	if !ran["flow.pkce"] || !ran["setup.apps"] {
		t.Errorf("the re-run did not run what %s judges: %v", id, ran)
	}
}
