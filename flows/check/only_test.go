package check_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"oauthdeck/flows/check"
	"oauthdeck/sandbox"
)

// Each check run alone (Config.Only) gives the verdict it gives in a whole
// run, on every profile: what it needs from earlier checks (Needs) runs
// first, unreported, and nothing is left behind.
func TestOnlyGivesTheWholeRunsVerdict(t *testing.T) {
	t.Parallel()
	for _, opts := range []sandbox.Options{
		// 46 runs in a row would wait on the token endpoint's rate limit
		// (per IP, which the owner's bypass does not lift).
		{Compat: sandbox.CompatMain, EnableDCR: true, RateLimit: -1},
		{Compat: sandbox.CompatV236},
		{Compat: sandbox.CompatV230},
	} {
		t.Run(string(opts.Compat), func(t *testing.T) {
			t.Parallel()
			_, c, rec := startSandbox(t, opts)
			whole := statuses(runCheck(t, c, rec))
			for _, info := range check.Checks() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				var streamed []string
				before := c.Traffic()
				rep, err := check.Run(ctx, check.Config{Client: c, Recorder: rec, Only: []string{info.ID},
					OnResult: func(r check.Result) { streamed = append(streamed, r.ID) }})
				cancel()
				if err != nil {
					t.Fatalf("%s alone: %v", info.ID, err)
				}
				if len(rep.Checks) != 1 || rep.Checks[0].ID != info.ID || len(streamed) != 1 || streamed[0] != info.ID {
					t.Fatalf("%s alone reported %d checks and streamed %v", info.ID, len(rep.Checks), streamed)
				}
				if got, want := rep.Checks[0], whole[info.ID]; got.Status != want.Status {
					t.Errorf("%s alone: %s (%s); in the whole run %s (%s)", info.ID, got.Status, got.Detail, want.Status, want.Detail)
				}
				if rep.Grades != nil || rep.Summary != check.Summarize(rep.Checks) {
					t.Errorf("%s alone: grades %v, summary %+v", info.ID, rep.Grades, rep.Summary)
				}
				made := c.Traffic().Requests["POST /api/v2/oauth2-provider/apps"] - before.Requests["POST /api/v2/oauth2-provider/apps"]
				if needsApps := contains(check.Needs(info.ID), "setup.apps"); needsApps != (made > 0) && info.ID != "setup.apps" {
					t.Errorf("%s alone created %d apps; Needs %v", info.ID, made, check.Needs(info.ID))
				}
			}
			if left := suiteAppsLeft(t, c); len(left) > 0 {
				t.Errorf("apps left behind: %v", left)
			}
		})
	}
}

func TestOnlyRefusesAnUnknownID(t *testing.T) {
	t.Parallel()
	_, c, rec := startSandbox(t, sandbox.Options{})
	before := c.Traffic().Total
	_, err := check.Run(context.Background(), check.Config{Client: c, Recorder: rec, Only: []string{"flow.pkce", "flow.nonesuch"}})
	if err == nil || !strings.Contains(err.Error(), "flow.nonesuch") {
		t.Fatalf("err %v", err)
	}
	if sent := c.Traffic().Total - before; sent != 0 {
		t.Errorf("sent %d requests for a refused selection", sent)
	}
}

func TestNeedsIsInRunOrder(t *testing.T) {
	t.Parallel()
	got := strings.Join(check.Needs("authorize.error-state"), " ")
	want := "discovery.as-metadata setup.apps authorize.pkce-required authorize.plain-refused authorize.response-type"
	if got != want {
		t.Errorf("Needs(authorize.error-state) = %s, want %s", got, want)
	}
	if n := check.Needs("discovery.as-metadata"); len(n) != 0 {
		t.Errorf("the first check needs %v", n)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
