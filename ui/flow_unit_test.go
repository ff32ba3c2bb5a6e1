package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/keyring"
)

// newUnitFlowScreen is a Flow screen with a flow that has not contacted
// anything (its deployment does not exist), for feeding synthetic messages.
func newUnitFlowScreen(t testing.TB) (*flowScreen, *time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := newCommon(ctx, Deps{Store: keyring.NewMemory()})
	c.Styles, c.Keys = NewStyles(true), DefaultKeyMap()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	s := newFlowScreen(c).(*flowScreen)
	s.SetSize(80, 22)
	s.Focus()
	f := newIdleFlow(t)
	events := make(chan flows.Event, 8)
	s.opts = flowOptions{Mode: flows.ClientCreate, Consent: consentBrowser}
	gen := s.nextGen()
	s.Update(flowStartedMsg{gen: gen, flow: f, events: events})
	if s.run == nil {
		t.Fatal("flow did not start")
	}
	return s, &now
}

// newIdleFlow is a flow whose deployment does not exist: it is never run.
func newIdleFlow(t testing.TB) *flows.Flow {
	t.Helper()
	cl, err := client.New("http://127.0.0.1:1", "session", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := flows.New(flows.Config{Client: cl, CallbackURL: "http://127.0.0.1:9876/callback"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func plain(s *flowScreen) string { return ansi.Strip(s.View()) }

func TestFlowUnitStepSelection(t *testing.T) {
	t.Parallel()
	s, _ := newUnitFlowScreen(t)
	if !strings.Contains(plain(s), "Discover metadata") {
		t.Fatalf("first step not selected:\n%s", plain(s))
	}
	s.Update(keyMsg("down"))
	s.Update(keyMsg("down"))
	if got := plain(s); !strings.Contains(got, "Prepare PKCE + state") || !strings.Contains(got, "sends no request") {
		t.Fatalf("prepare not shown:\n%s", got)
	}
	s.Update(keyMsg("down"))
	if got := plain(s); !strings.Contains(got, "Authorize (consent)") || !strings.Contains(got, "Not ready") {
		t.Fatalf("authorize not shown:\n%s", got)
	}
	s.Update(keyMsg("G"))
	if s.list.cursor != tokenRow || !strings.Contains(plain(s), "No token yet") {
		t.Fatalf("token row not selected:\n%s", plain(s))
	}
	// Editing a step whose request is not known yet is refused with a reason.
	s.Update(keyMsg("g"))
	for i := 0; i < 3; i++ {
		s.Update(keyMsg("down"))
	}
	if cmd := s.Update(keyMsg("e")); cmd == nil {
		t.Fatal("edit before prepare gave no notice")
	} else if n, ok := cmd().(noticeMsg); !ok || !strings.Contains(n.text, "Nothing to edit yet") {
		t.Fatalf("edit notice = %#v", cmd())
	}
}

// The listener status arrives as events; the countdown follows the clock on
// each tick, and the tick stops once the listener is closed.
func TestFlowUnitListenerCountdown(t *testing.T) {
	t.Parallel()
	s, now := newUnitFlowScreen(t)
	r := s.run
	r.running = flows.StepAuthorize
	r.stepCancel = func() {}
	s.list.cursor = stepIndex(flows.StepAuthorize)
	ls := flows.ListenerStatus{Addr: "127.0.0.1:9876", Path: "/callback", Deadline: now.Add(5 * time.Minute), Listening: true}
	cmd := s.Update(flowEventMsg{gen: r.gen, ev: flows.Event{Kind: flows.EventListener, Step: flows.StepAuthorize, Listener: &ls}})
	if cmd == nil || !s.ticking {
		t.Fatal("no countdown tick started")
	}
	if got := plain(s); !strings.Contains(got, "bound 127.0.0.1:9876  path /callback") || !strings.Contains(got, "5:00 left") {
		t.Fatalf("listener not shown:\n%s", got)
	}
	*now = now.Add(61 * time.Second)
	if cmd := s.Update(flowTickMsg{gen: r.gen}); cmd == nil {
		t.Fatal("tick did not re-arm while listening")
	}
	if got := plain(s); !strings.Contains(got, "3:59 left") {
		t.Fatalf("countdown did not move:\n%s", got)
	}
	// A refused request and then the callback.
	ls2 := ls
	ls2.Rejected = []flows.Rejection{{At: *now, Reason: &flows.CallbackError{Err: flows.ErrWrongPath, Detail: "expected path /callback"}}}
	ls2.Received, ls2.StateOK, ls2.Closed, ls2.Listening = true, true, true, false
	s.Update(flowEventMsg{gen: r.gen, ev: flows.Event{Kind: flows.EventListener, Step: flows.StepAuthorize, Listener: &ls2}})
	got := plain(s)
	for _, want := range []string{"✓ callback", "✓ state", "✓ closed", "! refused: request for a path"} {
		if !strings.Contains(got, want) {
			t.Fatalf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "left") {
		t.Fatalf("countdown still shown after the callback:\n%s", got)
	}
	s.ticking = false
	if cmd := s.Update(flowTickMsg{gen: r.gen}); cmd != nil {
		t.Fatal("tick re-armed with nothing to count down")
	}
	// Events and ticks of an older run are dropped.
	old := r.gen
	s.nextGen()
	s.run.gen = s.gen
	if cmd := s.Update(flowEventMsg{gen: old, ev: flows.Event{Kind: flows.EventListener, Listener: &ls}}); cmd != nil {
		t.Fatal("a stale event re-armed the reader")
	}
}

// A failed step: the row turns ✗, the selection goes to it, and the detail
// carries the explanation. Golden view at 80 columns.
func TestFlowUnitFailedStepGolden(t *testing.T) {
	t.Parallel()
	s, now := newUnitFlowScreen(t)
	r := s.run
	snap := flows.Snapshot{Current: flows.StepExchange}
	for _, id := range flowSteps {
		st := flows.StatusPending
		switch id {
		case flows.StepDiscover, flows.StepClient, flows.StepPrepare, flows.StepAuthorize:
			st = flows.StatusPassed
		case flows.StepExchange:
			st = flows.StatusFailed
		}
		snap.Steps = append(snap.Steps, flows.StepResult{Step: id, Status: st})
	}
	failed := flows.StepResult{Step: flows.StepExchange, Status: flows.StatusFailed,
		Verdict: "400 invalid_grant: The PKCE code verifier is invalid",
		Err:     &client.OAuth2Error{StatusCode: 400, Code: "invalid_grant", Description: "The PKCE code verifier is invalid\x1b[31m"},
		Explain: &flows.Explanation{Cause: "The code_verifier does not hash to the challenge.", Fix: "Send the verifier that made the challenge.", Basis: "RFC 7636 §4.6"},
		Request: &flows.Request{Method: "POST", URL: "http://127.0.0.1:1/oauth2/tokens", Params: map[string][]string{
			"grant_type": {"authorization_code"}, "code": {"coder_abcdefghij_secretsecretsecret"}, "code_verifier": {"wrong-verifier-wrong-verifier-wrong"}}},
		Started: *now, Finished: *now}
	snap.Steps[stepIndex(flows.StepExchange)] = failed
	r.running, r.stepCancel = flows.StepExchange, func() {}
	cmd := s.Update(flowStepDoneMsg{gen: r.gen, res: failed, snap: snap})
	if cmd == nil {
		t.Fatal("no notice for the failure")
	}
	if s.list.cursor != stepIndex(flows.StepExchange) {
		t.Fatalf("selection %d, want the failed step", s.list.cursor)
	}
	got := plain(s)
	if strings.Contains(got, "secretsecretsecret") || strings.Contains(got, "wrong-verifier-wrong") {
		t.Fatalf("secret parameter on screen:\n%s", got)
	}
	if strings.Contains(s.View(), "\x1b[31mThe") || strings.Contains(got, "\x1b") {
		t.Fatal("server text reached the screen unsanitised")
	}
	s.vp.PageDown()
	golden(t, "flow_failed_step", plain(s))
	s.Update(keyMsg("v"))
	if !strings.Contains(plain(s), "wrong-verifier-wrong") && !strings.Contains(ansi.Strip(s.vp.GetContent()), "wrong-verifier-wrong") {
		t.Fatal("reveal does not show the verifier")
	}
	// A late reply for an older run changes nothing.
	before := plain(s)
	s.Update(flowStepDoneMsg{gen: r.gen - 1, res: flows.StepResult{Step: flows.StepCleanup, Status: flows.StatusPassed}, snap: flows.Snapshot{}})
	if plain(s) != before {
		t.Fatal("a stale step result changed the screen")
	}
}

// esc while a step runs cancels it instead of leaving the screen.
func TestFlowUnitCancelRunning(t *testing.T) {
	t.Parallel()
	s, _ := newUnitFlowScreen(t)
	cancelled := false
	s.run.running, s.run.stepCancel = flows.StepAuthorize, func() { cancelled = true }
	if _, ok := s.Back(); !ok || !cancelled {
		t.Fatal("esc did not cancel the running step")
	}
	s.run.running = ""
	if _, ok := s.Back(); ok {
		t.Fatal("esc with nothing running was swallowed")
	}
	if !errors.Is(context.Canceled, context.Canceled) || explainFlowErr(context.Canceled) != "cancelled" {
		t.Fatal("cancel not explained")
	}
	_ = tea.Quit
}

// The token inspector counts the expiry down on each tick, masks tokens
// until revealed, and offers copy only when there is something to copy.
func TestFlowUnitTokenInspector(t *testing.T) {
	t.Parallel()
	s, now := newUnitFlowScreen(t)
	// One copy key: on the token row it copies the token, elsewhere the URL.
	s.list.cursor = tokenRow
	if cmd := s.Update(keyMsg("c")); cmd == nil {
		t.Fatal("c without a token gave no notice")
	} else if n, ok := cmd().(noticeMsg); !ok || !strings.Contains(n.text, "No token yet") {
		t.Fatalf("c notice on the token row = %#v", cmd())
	}
	s.list.cursor = 0
	if cmd := s.Update(keyMsg("c")); cmd == nil {
		t.Fatal("c without a URL gave no notice")
	} else if n, ok := cmd().(noticeMsg); !ok || !strings.Contains(n.text, "No authorization URL yet") {
		t.Fatalf("c notice = %#v", cmd())
	}
	access, refresh := "AbCdEfGhIj-0123456789abcdefghijkl", "coder_abcdefghij_"+strings.Repeat("z", 40)
	s.run.tokens = &flows.Tokens{AccessToken: access, TokenType: "Bearer", Scope: "coder:all",
		RefreshToken: refresh, Expiry: now.Add(time.Hour), Received: *now}
	s.list.cursor = tokenRow
	s.render()
	got := plain(s)
	for _, want := range []string{"Access token    AbCdEfGhIj-••••••••", "Coder API key (id AbCdEfGhIj)", "in 1:00:00", "✓ live", "coder_abcdefghij_••••••••"} {
		if !strings.Contains(got, want) {
			t.Fatalf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, access) || strings.Contains(got, refresh) {
		t.Fatal("a token is on screen unrevealed")
	}
	if cmd := s.tick(); cmd == nil && !s.ticking {
		t.Fatal("no tick while a token expires")
	}
	*now = now.Add(90 * time.Second)
	s.ticking = false
	s.Update(flowTickMsg{gen: s.run.gen})
	if got := plain(s); !strings.Contains(got, "in 58:30") {
		t.Fatalf("expiry did not count down:\n%s", got)
	}
	s.Update(keyMsg("v"))
	if got := plain(s); !strings.Contains(got, access) {
		t.Fatalf("reveal did not show the token:\n%s", got)
	}
	if cmd := s.Update(keyMsg("c")); cmd == nil {
		t.Fatal("c on the token row copied nothing")
	}
	*now = now.Add(2 * time.Hour)
	s.render()
	if got := plain(s); !strings.Contains(got, "expired") {
		t.Fatalf("expiry not shown as past:\n%s", got)
	}
}

// A tick that arrives after its run was closed must not leave the screen
// believing a tick is still in flight: the next run's countdown has to keep
// moving.
func TestFlowUnitStaleTickRearmsForNewRun(t *testing.T) {
	t.Parallel()
	s, now := newUnitFlowScreen(t)
	s.run.tokens = &flows.Tokens{AccessToken: "a", Expiry: now.Add(time.Hour), Received: *now}
	if s.tick() == nil {
		t.Fatal("no tick while a token expires")
	}
	oldGen := s.run.gen

	// The flow is restarted (new options) while that tick is in flight.
	s.Update(sessionChangedMsg{})
	gen := s.nextGen()
	s.Update(flowStartedMsg{gen: gen, flow: newIdleFlow(t), events: make(chan flows.Event, 8)})
	s.run.tokens = &flows.Tokens{AccessToken: "b", Expiry: now.Add(time.Hour), Received: *now}
	s.tick() // what a step result would do: nothing, a tick is believed in flight

	if cmd := s.Update(flowTickMsg{gen: oldGen}); cmd == nil {
		t.Fatal("the stale tick was dropped without re-arming one for the new run")
	}
}
