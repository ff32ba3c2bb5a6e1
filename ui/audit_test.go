package ui

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows/audit"
	"oauthdeck/sandbox"
)

// The Audit tab against the demo's estate: nothing is read until r; then
// the findings list gravest first, enter opens a finding's app, and p
// prunes exactly the unused dynamically registered app after confirming.
func TestAuditScreenRunOpenPrune(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain, EnableDCR: true})
	for _, spec := range sandbox.DemoApps(time.Now()) {
		srv.Seed(spec)
	}
	l := newFlowLoop(t, srv, 100, 30)
	l.send(switchTabMsg{screenAudit})
	l.waitScreen("Audit", "r audits every app and secret")
	s := tabScreen[*auditScreen](l.m, screenAudit)
	if s.report != nil {
		t.Fatal("the audit ran before it was asked")
	}
	l.key("r")
	l.waitFor("audit done", func() bool { return s.report != nil && !s.running })
	l.waitScreen("1 high", "high     redirect.http-remote", "legacy-portal", "fix: use https")
	if got := s.report.Findings[0].Rule; got != "redirect.http-remote" {
		t.Fatalf("first finding %s", got)
	}

	l.key("enter")
	l.waitScreen("legacy-portal", "http://portal.example.com/oauth/callback")
	l.key("esc")
	l.waitScreen("SEVERITY", "RULE")

	before := srv.AppNames("")
	l.key("p")
	l.waitScreen("Prune 1 unused dynamically registered app?", "claude-code", "revokes every token")
	l.key("y")
	l.waitFor("pruned and audited again", func() bool { return !s.pruning && !s.running && len(srv.AppNames("")) == len(before)-1 })
	want := slices.DeleteFunc(slices.Clone(before), func(n string) bool { return n == "claude-code" })
	if got := srv.AppNames(""); !slices.Equal(got, want) {
		t.Fatalf("apps after prune %q", got)
	}
	l.waitFor("re-audited", func() bool { return s.report != nil && !s.running && s.report.Apps == len(want) })
	if s.stale {
		t.Fatal("the audit run after its own prune says the apps changed since")
	}
	for _, f := range s.report.Findings {
		if f.Rule == "app.dcr-unused" {
			t.Fatalf("still found after the prune: %+v", f)
		}
	}
}

// On a secret finding, d deletes that secret after a confirmation and the
// audit runs again; R opens the rotation wizard for the finding's app.
func TestAuditScreenSecretActions(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	id, _ := srv.Seed(sandbox.AppSeed{Name: "unused", RedirectURIs: []string{"https://u.example.com/cb"}, Scope: "coder:workspaces.access",
		Secrets: []sandbox.SecretSeed{{}}})
	l := newFlowLoop(t, srv, 100, 30)
	l.send(switchTabMsg{screenAudit})
	s := tabScreen[*auditScreen](l.m, screenAudit)
	l.key("r")
	l.waitFor("audit done", func() bool { return s.report != nil && !s.running })
	l.waitScreen("secret.never-used", "unused")
	for i, f := range s.report.Findings {
		if f.Rule == "secret.never-used" {
			s.list.cursor = i
		}
	}
	l.key("R")
	l.waitScreen("Rotate the client secret of unused")
	l.key("esc")
	l.waitScreen("SEVERITY")
	l.key("d")
	l.waitScreen("Delete this secret of unused?")
	l.key("y")
	l.waitFor("secret gone and audited again", func() bool {
		secrets, err := l.c.Session().API.AppSecrets(context.Background(), id)
		return err == nil && len(secrets) == 0 && s.report != nil && !s.running
	})
	l.waitFor("re-audited", func() bool {
		for _, f := range s.report.Findings {
			if f.Rule == "app.no-secret" && f.AppName == "unused" {
				return true
			}
		}
		return false
	})
}

// A prune that did not delete everything names each app it left and why.
func TestPruneOutcomeNamesWhatIsLeft(t *testing.T) {
	t.Parallel()
	text, kind := pruneOutcome(audit.PruneResult{Deleted: []audit.Candidate{{Name: "a"}}})
	if text != "Pruned 1 app" || kind != noticeSuccess {
		t.Fatalf("%q %v", text, kind)
	}
	text, kind = pruneOutcome(audit.PruneResult{
		Deleted: []audit.Candidate{{Name: "a"}},
		Gone:    []audit.Candidate{{Name: "g"}},
		Failed:  []audit.PruneFailure{{Candidate: audit.Candidate{Name: "b"}, Error: "403 forbidden"}},
		Left:    []audit.Candidate{{Name: "c"}, {Name: "d"}},
		Unknown: []audit.Candidate{{Name: "u"}},
	})
	want := "Pruned 1 app (1 already gone); not deleted: b (403 forbidden), u (interrupted while being deleted: audit again to see), c (not tried: interrupted), d (not tried: interrupted)"
	if text != want || kind != noticeWarn {
		t.Fatalf("%q %v\nwant %q", text, kind, want)
	}
}

// Esc while a prune waits on the server stops it: the app whose delete was
// under way is named, its outcome unknown (here nothing reached the server).
func TestAuditPruneStopsOnEsc(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain, EnableDCR: true})
	for _, spec := range sandbox.DemoApps(time.Now()) {
		srv.Seed(spec)
	}
	deleting := make(chan struct{}, 1)
	hang := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodDelete {
			deleting <- struct{}{}
			<-r.Context().Done() // a server that never answers the delete
			return nil, r.Context().Err()
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	l := newFlowLoopWith(t, srv, srv.URL(), client.Options{Timeout: 30 * time.Second, Transport: hang}, 100, 30)
	l.send(switchTabMsg{screenAudit})
	l.waitScreen("Audit", "r audits every app and secret")
	s := tabScreen[*auditScreen](l.m, screenAudit)
	l.key("r")
	l.waitFor("audit done", func() bool { return s.report != nil && !s.running })
	before := srv.AppNames("")
	l.key("p")
	l.waitScreen("Prune 1 unused dynamically registered app?", "claude-code")
	l.key("y")
	select {
	case <-deleting:
	case <-time.After(20 * time.Second):
		t.Fatal("the prune sent no delete")
	}
	l.key("esc")
	l.waitFor("prune stopped", func() bool { return !s.pruning })
	l.waitFor("the outcome", func() bool {
		return strings.Contains(l.c.status.notice.text, "not deleted: claude-code (interrupted while being deleted: audit again to see)")
	})
	if got := srv.AppNames(""); !slices.Equal(got, before) {
		t.Fatalf("apps after a stopped prune %q, want %q", got, before)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
