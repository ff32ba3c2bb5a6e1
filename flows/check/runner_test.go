package check_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"oauthdeck/flows/check"
	"oauthdeck/sandbox"
)

// What differs from run to run whatever the order: ids, the suite's random
// names, secrets' markers, times.
var runVarying = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|oauthdeck-check-[a-z]+-[A-Za-z0-9]+|\[[^\]]*redacted[^\]]*\]|\d+(\.\d+)?(ms|µs|s)\b`)

// A URL's query values (states, challenges, ids) differ from run to run.
var queryValues = regexp.MustCompile(`=[^&]*`)

// shape is what a result says, with what varies between any two runs taken out.
func shape(r check.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n  %s\n", r.ID, r.Status, r.Level, runVarying.ReplaceAllString(r.Detail, "…"))
	for _, ev := range r.Evidence {
		fmt.Fprintf(&b, "  %s %s → %d | %s\n", ev.Method, runVarying.ReplaceAllString(queryValues.ReplaceAllString(ev.URL, "=…"), "…"), ev.Status, runVarying.ReplaceAllString(ev.Note, "…"))
	}
	return b.String()
}

// A parallel run gives what a sequential one gives, check by check, on
// every sandbox profile: verdicts, details, the evidence's requests and
// their answers, in registry order, streamed in that order too.
func TestParallelRunMatchesSequential(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts sandbox.Options
	}{
		{"main", sandbox.Options{RateLimit: -1}},
		{"main-dcr", sandbox.Options{RateLimit: -1, EnableDCR: true}},
		{"v2.36", sandbox.Options{Compat: sandbox.CompatV236}},
		{"v2.30", sandbox.Options{Compat: sandbox.CompatV230}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, c, rec := startSandbox(t, tc.opts)
			run := func(parallelism int) check.Report {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				var streamed []string
				rep, err := check.Run(ctx, check.Config{Client: c, Recorder: rec, Parallelism: parallelism,
					OnResult: func(r check.Result) { streamed = append(streamed, r.ID) }})
				if err != nil {
					t.Fatalf("parallelism %d: %v", parallelism, err)
				}
				for i, info := range check.Checks() {
					if i >= len(rep.Checks) || rep.Checks[i].ID != info.ID || i >= len(streamed) || streamed[i] != info.ID {
						t.Fatalf("parallelism %d: report or stream differs from the registry at %d: %v", parallelism, i, streamed)
					}
				}
				if len(streamed) != len(rep.Checks) {
					t.Fatalf("parallelism %d: streamed %d, reported %d", parallelism, len(streamed), len(rep.Checks))
				}
				if left := suiteAppsLeft(t, c); len(left) > 0 {
					t.Fatalf("parallelism %d left apps behind: %v", parallelism, left)
				}
				return rep
			}
			seq := run(1)
			for _, n := range []int{0, 8, 8} {
				par := run(n)
				if par.Summary != seq.Summary {
					t.Errorf("parallelism %d: summary %+v, sequential %+v", n, par.Summary, seq.Summary)
				}
				for i := range seq.Checks {
					if got, want := shape(par.Checks[i]), shape(seq.Checks[i]); got != want {
						t.Errorf("parallelism %d differs from the sequential run:\n%s\nsequential:\n%s", n, got, want)
					}
				}
			}
		})
	}
}

// Only with parallelism: the selection and what it needs, nothing else.
func TestParallelOnly(t *testing.T) {
	t.Parallel()
	_, c, rec := startSandbox(t, sandbox.Options{RateLimit: -1})
	for _, only := range [][]string{{"token.body-limit"}, {"discovery.cacheable", "authorize.error-state"}, {"mcp.scope-step-up", "transport.no-store"}} {
		var seq, par check.Report
		for _, n := range []int{1, 8} {
			rep, err := check.Run(context.Background(), check.Config{Client: c, Recorder: rec, Only: only, Parallelism: n})
			if err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				seq = rep
			} else {
				par = rep
			}
		}
		if len(par.Checks) != len(only) || len(seq.Checks) != len(only) {
			t.Fatalf("%v: %d and %d results", only, len(seq.Checks), len(par.Checks))
		}
		for i := range seq.Checks {
			if got, want := shape(par.Checks[i]), shape(seq.Checks[i]); got != want {
				t.Errorf("%v: parallel\n%s\nsequential\n%s", only, got, want)
			}
		}
	}
}

// Cancelled midway, a parallel run reports an in-order prefix of the
// registry, each result streamed once, and removes its apps.
func TestParallelCancel(t *testing.T) {
	t.Parallel()
	_, c, rec := startSandbox(t, sandbox.Options{RateLimit: -1})
	for _, after := range []string{"setup.apps", "mcp.tools-list", "code.single-use", "revoke.rfc7009"} {
		ctx, cancel := context.WithCancel(context.Background())
		var streamed []string
		rep, err := check.Run(ctx, check.Config{Client: c, Recorder: rec, Parallelism: 8, OnResult: func(r check.Result) {
			streamed = append(streamed, r.ID)
			if r.ID == after {
				cancel()
			}
		}})
		cancel()
		if err == nil || ctx.Err() == nil {
			t.Fatalf("cancelled after %s: err %v", after, err)
		}
		if len(streamed) != len(rep.Checks) {
			t.Errorf("cancelled after %s: streamed %d, reported %d", after, len(streamed), len(rep.Checks))
		}
		for i, r := range rep.Checks {
			if r.ID != check.Checks()[i].ID {
				t.Fatalf("cancelled after %s: result %d is %s", after, i, r.ID)
			}
		}
		if left := suiteAppsLeft(t, c); len(left) > 0 {
			t.Fatalf("cancelled after %s: apps left %v", after, left)
		}
	}
}
