package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"oauthdeck/flows/check"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

func newUnitCheckScreen(t testing.TB) *checkScreen {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := newCommon(ctx, Deps{Store: keyring.NewMemory()})
	c.Styles, c.Keys = NewStyles(true), DefaultKeyMap()
	s := newCheckScreen(c).(*checkScreen)
	s.SetSize(80, 22)
	return s
}

// Results stream in as messages: rows fill in order, the summary counts,
// late results of an older run are dropped, server text is sanitised.
func TestCheckUnitStreaming(t *testing.T) {
	t.Parallel()
	s := newUnitCheckScreen(t)
	if got := ansi.Strip(s.View()); !strings.Contains(got, "r runs") || !strings.Contains(got, "· pending") {
		t.Fatalf("idle view:\n%s", got)
	}
	gen := s.nextGen()
	s.running, s.ran = true, true
	s.cancel = func() {}
	s.runCtx = context.Background()
	// The golden view must not change when the suite gains checks: keep five.
	s.rows = s.rows[:5]
	s.list.setLen(5)
	ids := check.Checks()[:5]
	s.Update(checkResultMsg{gen: gen, res: check.Result{ID: ids[0].ID, Status: check.Pass, Title: ids[0].Title, Level: ids[0].Level, Basis: ids[0].Basis, Detail: "issuer and endpoints present"}})
	s.Update(checkResultMsg{gen: gen, res: check.Result{ID: ids[1].ID, Status: check.Fail, Title: ids[1].Title,
		Detail: "issuer \x1b[2Jwrong", Evidence: []check.Evidence{{Method: "GET", URL: "http://x/.well-known", Status: 200, ResponseBody: `{"issuer":"http://y"}`}}}})
	got := ansi.Strip(s.View())
	for _, want := range []string{"✓ 1 pass", "✗ 1 fail", "running 2/" + itoa(len(ids)), "✓ pass", "✗ fail", "… running"} {
		if !strings.Contains(got, want) {
			t.Fatalf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(s.View(), "\x1b[2J") {
		t.Fatal("server text reached the screen unsanitised")
	}
	s.Update(checkResultMsg{gen: gen - 1, res: check.Result{ID: ids[2].ID, Status: check.Pass}})
	if s.rows[2].res != nil {
		t.Fatal("a result of an older run was applied")
	}
	golden(t, "check_streaming", got)

	// The evidence of the failed check opens on enter.
	s.Update(keyMsg("down"))
	cmd := s.Update(keyMsg("enter"))
	if cmd == nil {
		t.Fatal("enter on a result opened nothing")
	}
	push, ok := cmd().(pushScreenMsg)
	if !ok {
		t.Fatalf("enter gave %T", cmd())
	}
	d := push.s.(*checkDetail)
	d.SetSize(80, 22)
	if v := ansi.Strip(d.View()); !strings.Contains(v, "Evidence 1") || !strings.Contains(v, "GET http://x/.well-known") || !strings.Contains(v, `"issuer": "http://y"`) {
		t.Fatalf("evidence view:\n%s", v)
	}
}

// The real suite against the sandbox streams every result, and esc during
// a run cancels it (the suite still cleans up after itself).
func TestCheckSandboxRunAndCancel(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain, EnableDCR: true})
	l := newFlowLoop(t, srv, 100, 30)
	l.send(switchTabMsg{screenCheck})
	l.waitScreen("Conformance suite", "r runs")
	s := tabScreen[*checkScreen](l.m, screenCheck)
	l.key("r")
	l.waitFor("suite done", func() bool { return s.ran && !s.running })
	if s.err != nil {
		t.Fatalf("suite error: %v", s.err)
	}
	for _, r := range s.rows {
		if r.res == nil {
			t.Fatalf("no result for %s", r.info.ID)
		}
	}
	l.waitScreen("Suite done", "pass")
	// The run's traffic stays in the summary: how many requests, and the
	// owner's bypass of 2.38's rate limits.
	l.waitScreen(itoa(s.traffic.Total)+" requests", "owner's rate-limit bypass sent")
	if s.traffic.Total == 0 || !s.traffic.Bypass {
		t.Fatalf("traffic %+v", s.traffic)
	}
	l.key("enter")
	l.waitScreen("Evidence 1")
	l.key("esc")
	l.waitScreen("Conformance suite")

	// Cancel: the next run stops early with a clear notice.
	// (keys sent back to back: the sandbox suite is fast)
	_, cmd := l.m.Update(keyMsg("r"))
	l.start(cmd)
	if !s.running {
		t.Fatal("second run did not start")
	}
	_, cmd = l.m.Update(keyMsg("esc"))
	l.start(cmd)
	l.waitFor("cancelled", func() bool { return !s.running })
	l.waitScreen("cancelled")
	apps, err := l.c.Session().API.Apps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		if strings.HasPrefix(a.Name, "oauthdeck-check-") {
			t.Fatalf("the cancelled suite left app %s behind", a.Name)
		}
	}
}

func TestCheckTrafficText(t *testing.T) {
	t.Parallel()
	for want, tr := range map[string]check.Traffic{
		"80 requests · waited 60s on Retry-After (1×429)": {Total: 80, Waits: 1, WaitedSeconds: 60, RateLimited: 1},
		"12 requests · 3×429, not waited on":              {Total: 12, RateLimited: 3},
		"77 requests · owner's rate-limit bypass sent":    {Total: 77, Bypass: true},
	} {
		if got := trafficText(tr); got != want {
			t.Errorf("trafficText(%+v) = %q, want %q", tr, got, want)
		}
	}
}

// f shows only failed and warned checks (and back); x writes the last
// report as JSON and JUnit next to the config; c in a check's evidence
// copies the exchange as curl.
func TestCheckFailuresOnlyAndExport(t *testing.T) {
	t.Parallel()
	s := newUnitCheckScreen(t)
	s.c.Deps.ConfigPath = filepath.Join(t.TempDir(), "config.json")
	ids := check.Checks()
	var results []check.Result
	for i, in := range ids[:4] {
		st := []check.Status{check.Pass, check.Fail, check.Warn, check.Skip}[i]
		results = append(results, check.Result{ID: in.ID, Title: in.Title, Status: st,
			Evidence: []check.Evidence{{Method: "GET", URL: "http://x/" + in.ID, RequestHeader: map[string]string{"Accept": "application/json"}}}})
	}
	gen := s.nextGen()
	s.running, s.cancel = true, func() {}
	s.Update(checkDoneMsg{gen: gen, report: check.Report{Checks: results, Summary: check.Summarize(results)}})
	s.Update(keyMsg("f"))
	got := ansi.Strip(s.View())
	if !strings.Contains(got, ids[1].ID) || !strings.Contains(got, ids[2].ID) || strings.Contains(got, ids[0].ID+" ") || strings.Contains(got, ids[3].ID+" ") {
		t.Fatalf("failures only:\n%s", got)
	}
	s.Update(keyMsg("f"))
	if got := ansi.Strip(s.View()); !strings.Contains(got, ids[0].ID) {
		t.Fatalf("all again:\n%s", got)
	}
	msg := s.Update(keyMsg("x"))()
	if m, ok := msg.(checkExportedMsg); !ok || m.err != nil || len(m.paths) != 2 {
		t.Fatalf("export: %#v", msg)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(s.c.Deps.ConfigPath), "checks", "check-*"))
	if len(files) != 2 {
		t.Fatalf("exported %q", files)
	}
	if curl := evidenceCurl(results[1].Evidence[0]); !strings.Contains(curl, "curl") || !strings.Contains(curl, "http://x/"+ids[1].ID) {
		t.Fatalf("curl: %s", curl)
	}

	// A later run where the passing check fails: b compares it with the
	// exported one and lists the regression.
	results[0].Status = check.Fail
	gen = s.nextGen()
	s.running, s.cancel = true, func() {}
	s.Update(checkDoneMsg{gen: gen, report: check.Report{Checks: results, Summary: check.Summarize(results)}})
	loaded := s.Update(keyMsg("b"))()
	push, ok := s.Update(loaded)().(pushScreenMsg)
	if !ok {
		t.Fatalf("b gave %#v", loaded)
	}
	cmp := push.s.(*checkCompare)
	cmp.SetSize(100, 20)
	if v := ansi.Strip(cmp.View()); !strings.Contains(v, "1 regressions") || !strings.Contains(v, "new-failure") || !strings.Contains(v, ids[0].ID) {
		t.Fatalf("comparison:\n%s", v)
	}
}
