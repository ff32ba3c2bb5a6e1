package cli_test

import (
	"encoding/json"
	"encoding/xml"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"oauthdeck/sandbox"
)

// demoEstate starts a sandbox on a profile with the demo's apps.
func demoEstate(t *testing.T, compat sandbox.Compat) (*sandbox.Server, *harness) {
	t.Helper()
	srv := startSandbox(t, sandbox.Options{Compat: compat, EnableDCR: true})
	for _, spec := range sandbox.DemoApps(time.Now()) {
		srv.Seed(spec)
	}
	h := newHarness(t)
	h.loginEnv(srv)
	return srv, h
}

type auditJSON struct {
	Apps     int `json:"apps"`
	Findings []struct {
		Rule, Severity, Message string
		AppName                 string `json:"app_name"`
	} `json:"findings"`
	Summary    map[string]int `json:"summary"`
	Incomplete []string       `json:"incomplete"`
}

func auditFindings(t *testing.T, h *harness, args ...string) (auditJSON, []string) {
	t.Helper()
	var rep auditJSON
	if err := json.Unmarshal([]byte(h.ok("", append([]string{"audit", "-o", "json"}, args...)...)), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Rule+" "+f.AppName)
	}
	sort.Strings(got)
	return rep, got
}

// The demo's estate holds one finding of each kind; the audit finds each
// once and nothing else, and where the servers differ (2.38's app fields,
// public clients, scopes, recorded secret use; what an upgrade from v2.30
// changes) so do the findings.
func TestAuditFindsTheDemoEstate(t *testing.T) {
	t.Parallel()
	common := []string{
		"app.lookalike-name clitool",
		"app.no-secret no-secret-app",
		"deployment.dcr-open ",
		"redirect.custom-scheme-no-path desktop-app",
		"redirect.http-remote legacy-portal",
		"redirect.refused fragment-app",
		"redirect.wildcard-host wildcard-app",
	}
	want := map[sandbox.Compat][]string{
		sandbox.CompatMain: append([]string{
			"app.dcr-unused claude-code",
			"app.public mcp-inspector",
			"app.scope-grants-nothing blank-scope",
			"app.scope-unrestricted ci-runner",
			"app.scope-unrestricted cli-tool",
			"redirect.duplicate dup-uris",
			"redirect.many many-uris",
			"secret.never-used unused-secret",
			"secret.rotation-unfinished rotating-app",
			"secret.stale stale-secret",
		}, common...),
		sandbox.CompatV230: append([]string{
			"app.no-secret mcp-inspector", // no public clients: a confidential app without a secret
			"deployment.upgrade ",         // what 2.38 changes
			"secret.use-not-recorded ",    // v2.30 keeps last_used_at null: no rule on secret use applies
		}, common...),
		// The 2.3x line answers as v2.30 does here (no 2.38 app fields,
		// no recorded secret use); its upgrade no longer brings PKCE.
		sandbox.CompatV236: append([]string{"app.no-secret mcp-inspector", "deployment.upgrade ", "secret.use-not-recorded "}, common...),
	}
	for compat, w := range want {
		t.Run(string(compat), func(t *testing.T) {
			_, h := demoEstate(t, compat)
			rep, got := auditFindings(t, h)
			sort.Strings(w)
			if !slices.Equal(got, w) {
				t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
			}
			if rep.Apps != len(sandbox.DemoApps(time.Now())) || len(rep.Incomplete) != 0 {
				t.Fatalf("apps %d, incomplete %q", rep.Apps, rep.Incomplete)
			}
			// --fail-on sets the exit status: there is a high finding.
			if up := findingOf(rep, "deployment.upgrade"); (compat == sandbox.CompatV230) != strings.Contains(up, "PKCE becomes required") {
				t.Errorf("%s upgrade finding: %s", compat, up)
			}
			if r := h.run("", "audit", "--fail-on", "high"); r.code != 1 || !strings.Contains(r.stdout, "HIGH   redirect.http-remote  legacy-portal") {
				t.Fatalf("--fail-on high: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// A deployment with nothing to find passes --fail-on low; junit output is
// XML with one failing testcase per rule that found something at the floor.
func TestAuditFailOnAndJUnit(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	srv.Seed(sandbox.AppSeed{Name: "tidy", RedirectURIs: []string{"https://tidy.example.com/cb"}, Scope: "coder:workspaces.access",
		Secrets: []sandbox.SecretSeed{{LastUsed: time.Now().Add(-time.Hour)}}})
	h := newHarness(t)
	h.loginEnv(srv)
	if out := h.ok("", "audit", "--fail-on", "low"); !strings.Contains(out, "No findings.") {
		t.Fatalf("clean estate:\n%s", out)
	}

	// The same estate on a deployment run without rate limits.
	off := startSandbox(t, sandbox.Options{RateLimit: -1})
	off.Seed(sandbox.AppSeed{Name: "tidy", RedirectURIs: []string{"https://tidy.example.com/cb"}, Scope: "coder:workspaces.access",
		Secrets: []sandbox.SecretSeed{{LastUsed: time.Now().Add(-time.Hour)}}})
	hOff := newHarness(t)
	hOff.loginEnv(off)
	if _, got := auditFindings(t, hOff); !slices.Equal(got, []string{"deployment.rate-limit-off "}) {
		t.Fatalf("rate limits off: %q", got)
	}

	_, h = demoEstate(t, sandbox.CompatMain)
	r := h.run("", "audit", "-o", "junit", "--fail-on", "medium")
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suite    struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 1 {
		t.Fatalf("exit %d, %v:\n%s", r.code, err, r.stdout)
	}
	var failed []string
	for _, c := range doc.Suite.Cases {
		if c.Failure != nil {
			failed = append(failed, strings.SplitN(c.Name, ":", 2)[0])
			if c.Failure.Type != "high" && c.Failure.Type != "medium" {
				t.Errorf("%s fails at %s", c.Name, c.Failure.Type)
			}
		}
	}
	// high: http-remote; medium: 8 rules in the demo estate.
	if doc.Failures != 9 || len(failed) != 9 || !slices.Contains(failed, "redirect.http-remote") || slices.Contains(failed, "app.public") {
		t.Fatalf("failures %d: %q", doc.Failures, failed)
	}
}

// A dry run lists and deletes nothing; the real run deletes exactly the
// listed apps and leaves the rest; without a terminal and --yes it
// refuses; --dcr where the server does not say which apps registered
// themselves is an error.
func TestPrune(t *testing.T) {
	t.Parallel()
	srv, h := demoEstate(t, sandbox.CompatMain)
	before := srv.AppNames("")

	out := h.ok("", "apps", "prune", "--unused-for", "30d", "--dry-run")
	for _, name := range []string{"stale-secret", "unused-secret", "no-secret-app", "claude-code"} {
		if !strings.Contains(out, name) {
			t.Errorf("dry run does not list %s:\n%s", name, out)
		}
	}
	if strings.Contains(out, "rotating-app") || strings.Contains(out, "mcp-inspector") {
		t.Errorf("dry run lists an app in use or a public client:\n%s", out)
	}
	if after := srv.AppNames(""); !slices.Equal(after, before) {
		t.Fatalf("the dry run deleted: %q", after)
	}

	if r := h.run("", "apps", "prune", "--dcr", "--unused-for", "30d"); r.code != 2 || !slices.Equal(srv.AppNames(""), before) {
		t.Fatalf("without --yes and no terminal: exit %d; apps %q", r.code, srv.AppNames(""))
	}

	var rep struct {
		Candidates []struct{ Name string }
		Result     struct {
			Deleted []struct{ Name string }
		}
	}
	if err := json.Unmarshal([]byte(h.ok("", "apps", "prune", "--dcr", "--unused-for", "30d", "--yes", "-o", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Candidates) != 1 || rep.Candidates[0].Name != "claude-code" || len(rep.Result.Deleted) != 1 {
		t.Fatalf("prune --dcr --unused-for 30d: %+v", rep)
	}
	want := slices.DeleteFunc(slices.Clone(before), func(n string) bool { return n == "claude-code" })
	if after := srv.AppNames(""); !slices.Equal(after, want) {
		t.Fatalf("apps left %q, want %q", after, want)
	}

	h.fail(2, "", "apps", "prune")
	_, old := demoEstate(t, sandbox.CompatV230)
	if msg := old.fail(1, "", "apps", "prune", "--dcr", "--dry-run"); !strings.Contains(msg, "dynamically_registered") {
		t.Fatalf("--dcr on v2.30: %s", msg)
	}
	if msg := old.fail(1, "", "apps", "prune", "--unused-for", "30d", "--dry-run"); !strings.Contains(msg, "does not record") {
		t.Fatalf("--unused-for on v2.30: %s", msg)
	}
}

func findingOf(rep auditJSON, rule string) string {
	for _, f := range rep.Findings {
		if f.Rule == rule {
			return f.Message
		}
	}
	return ""
}
