package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows/check"
	"oauthdeck/sandbox"
)

// startSandbox runs a sandbox and returns it with an admin client that records.
func startSandbox(t testing.TB, opts sandbox.Options) (*sandbox.Server, *client.Client, *client.Recorder) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := sandbox.Start(ctx, opts)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	rec := client.NewRecorder(10000)
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{Recorder: rec, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return srv, c, rec
}

func runCheck(t *testing.T, c *client.Client, rec *client.Recorder) check.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var streamed []string
	rep, err := check.Run(ctx, check.Config{Client: c, Recorder: rec, OnResult: func(r check.Result) { streamed = append(streamed, r.ID) }})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(streamed) != len(rep.Checks) {
		t.Errorf("OnResult saw %d results, report has %d", len(streamed), len(rep.Checks))
	}
	for i, info := range check.Checks() {
		if i >= len(rep.Checks) || rep.Checks[i].ID != info.ID {
			t.Fatalf("report order differs from the registry at %d", i)
		}
	}
	return rep
}

func statuses(rep check.Report) map[string]check.Result {
	m := map[string]check.Result{}
	for _, r := range rep.Checks {
		m[r.ID] = r
	}
	return m
}

func dump(t *testing.T, rep check.Report) {
	t.Helper()
	var buf bytes.Buffer
	_ = check.WriteText(&buf, rep, check.TextStyles{})
	t.Log("\n" + buf.String())
}

// suiteAppsLeft lists apps whose name marks them as the suite's.
func suiteAppsLeft(t *testing.T, c *client.Client) []string {
	t.Helper()
	apps, err := c.Apps(context.Background())
	if err != nil {
		t.Fatalf("listing apps: %v", err)
	}
	var left []string
	for _, a := range apps {
		if strings.HasPrefix(a.Name, "oauthdeck-check-") {
			left = append(left, a.Name)
		}
	}
	return left
}

var (
	secretShape = regexp.MustCompile(`coder_[0-9A-Za-z]{10}_[0-9A-Za-z]{40}`)
	apiKeyShape = regexp.MustCompile(`\b[0-9A-Za-z]{10}-[0-9A-Za-z]{22}\b`)
)

// assertNoSecrets checks that no token, code or secret survives in the report.
func assertNoSecrets(t *testing.T, rep check.Report, session string) {
	t.Helper()
	var buf bytes.Buffer
	if err := check.WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if m := secretShape.FindString(out); m != "" {
		t.Errorf("a code, refresh token or client secret leaked into the report: %s…", m[:12])
	}
	if m := apiKeyShape.FindString(out); m != "" {
		t.Errorf("an access token leaked into the report: %s…", m[:4])
	}
	if strings.Contains(out, session) {
		t.Error("the admin session token leaked into the report")
	}
}

func TestCheckSandboxMain(t *testing.T) {
	t.Parallel()
	for _, dcr := range []bool{false, true} {
		t.Run(map[bool]string{false: "dcr-off", true: "dcr-on"}[dcr], func(t *testing.T) {
			t.Parallel()
			srv, c, rec := startSandbox(t, sandbox.Options{EnableDCR: dcr})
			rep := runCheck(t, c, rec)
			for _, r := range rep.Checks {
				// Coder refuses a wrong-audience token with 403 where the
				// spec wants 401 (coder-upstream-2026.md M13): a warning.
				if r.ID == "mcp.wrong-audience" && r.Status == check.Warn && strings.Contains(r.Detail, "403") {
					continue
				}
				// With DCR off and no CIMD, only pre-registered clients connect.
				if r.ID == "mcp.client-registration" && !dcr && r.Status == check.Warn {
					continue
				}
				if r.Status != check.Pass && r.Status != check.Skip {
					t.Errorf("%s: %s: %s", r.ID, r.Status, r.Detail)
				}
				if r.Status == check.Skip && r.Detail == "" {
					t.Errorf("%s skipped without a reason", r.ID)
				}
			}
			if rep.Failed() || testing.Verbose() {
				dump(t, rep)
			}
			st := statuses(rep)
			if got := st["dcr.redirect-rules"].Status; dcr && got != check.Pass || !dcr && got != check.Skip {
				t.Errorf("dcr.redirect-rules is %s with DCR %v", got, dcr)
			}
			if len(st["token.cache-control"].Evidence) == 0 {
				t.Error("token.cache-control has no evidence")
			}
			if left := suiteAppsLeft(t, c); len(left) > 0 {
				t.Errorf("apps left behind: %v", left)
			}
			assertNoSecrets(t, rep, srv.AdminSessionToken())
		})
	}
}

func TestCheckSandboxV230(t *testing.T) {
	t.Parallel()
	srv, c, rec := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	rep := runCheck(t, c, rec)
	st := statuses(rep)
	// The deviations of Coder v2.30.0 recorded in coder-v2.30-observed.md.
	wantFail := map[string]string{
		"token.cache-control":     "Cache-Control",
		"code.client-binding":     "app B",
		"refresh.client-auth":     "wrong secret",
		"revoke.client-auth":      "wrong client secret",
		"authorize.response-type": "code",
	}
	for id, inDetail := range wantFail {
		r := st[id]
		if r.Status != check.Fail {
			t.Errorf("%s: %s (%s), want fail", id, r.Status, r.Detail)
			continue
		}
		if !strings.Contains(r.Detail, inDetail) {
			t.Errorf("%s: detail %q does not mention %q", id, r.Detail, inDetail)
		}
		if len(r.Evidence) == 0 {
			t.Errorf("%s: no evidence", id)
		}
	}
	for _, id := range []string{"discovery.as-metadata", "discovery.protected-resource", "flow.pkce", "flow.pkce-wrong-verifier",
		"flow.resource", "token.bearer-use", "token.www-authenticate", "code.single-use", "refresh.rotation", "revoke.rfc7009"} {
		if st[id].Status != check.Pass {
			t.Errorf("%s: %s (%s), want pass", id, st[id].Status, st[id].Detail)
		}
	}
	if !rep.Failed() {
		t.Error("v2.30 must fail the run")
	}
	if left := suiteAppsLeft(t, c); len(left) > 0 {
		t.Errorf("apps left behind: %v", left)
	}
	assertNoSecrets(t, rep, srv.AdminSessionToken())
	if testing.Verbose() {
		dump(t, rep)
	}

	// The evidence of a failure shows the exchange that proves it.
	var js bytes.Buffer
	_ = check.WriteJSON(&js, rep)
	var doc struct {
		Checks []struct {
			ID       string `json:"id"`
			Evidence []struct {
				URL            string            `json:"url"`
				Status         int               `json:"status"`
				ResponseHeader map[string]string `json:"response_header"`
			} `json:"evidence"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Checks {
		if c.ID != "token.cache-control" {
			continue
		}
		found := false
		for _, ev := range c.Evidence {
			if strings.HasSuffix(ev.URL, "/oauth2/tokens") && ev.Status == 200 {
				found = true
				if _, ok := ev.ResponseHeader["Cache-Control"]; ok {
					t.Error("v2.30 evidence shows a Cache-Control header the server does not send")
				}
			}
		}
		if !found {
			t.Error("token.cache-control evidence lacks the 200 token response")
		}
	}
}

// unmeasured are the checks added after the v2.30.0 and v2.36.0
// measurements: no verdict of a real release to compare with, so none is
// claimed (each has its own tests). README.md names them.
var unmeasured = map[string]bool{"transport.no-store": true, "discovery.cacheable": true, "token.body-limit": true,
	"mcp.tools-list": true, "mcp.prm-discovery": true, "mcp.wrong-audience": true, "mcp.client-registration": true, "mcp.unknown-token": true,
	"mcp.expired-token": true, "mcp.scope-challenge": true, "mcp.scope-step-up": true}

// TestCheckSandboxV236MatchesRealCoder runs the suite against the v2.36
// profile and compares every check's verdict with what the real Coder
// v2.36.0 gave (testdata/coder-v2.36.0-verdicts.txt, from the reference).
func TestCheckSandboxV236MatchesRealCoder(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/coder-v2.36.0-verdicts.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]check.Status{}
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, verdict, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("fixture line %q", line)
		}
		want[id] = check.Status(verdict)
	}
	for _, info := range check.Checks() {
		if _, ok := want[info.ID]; !ok && !unmeasured[info.ID] {
			t.Errorf("%s has no recorded verdict for v2.36.0: measure it and add it to the fixture", info.ID)
		}
	}
	srv, c, rec := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV236})
	rep := runCheck(t, c, rec)
	for _, r := range rep.Checks {
		if w, ok := want[r.ID]; ok && r.Status != w {
			t.Errorf("%s: %s (%s), real v2.36.0 gave %s", r.ID, r.Status, r.Detail, w)
		}
	}
	if rep.Server.Version != "v2.36.0" {
		t.Errorf("report server version %q", rep.Server.Version)
	}
	if left := suiteAppsLeft(t, c); len(left) > 0 {
		t.Errorf("apps left behind: %v", left)
	}
	assertNoSecrets(t, rep, srv.AdminSessionToken())
	if t.Failed() || testing.Verbose() {
		dump(t, rep)
	}
}

// Coder 2.38's rate limits: with the owner's bypass the suite meets no 429;
// with the bypass off it waits on Retry-After (shown in the report) and
// still gives every verdict it gives without limits.
func TestCheckRateLimits(t *testing.T) {
	t.Parallel()
	_, free, freeRec := startSandbox(t, sandbox.Options{RateLimit: -1})
	want := statuses(runCheck(t, free, freeRec))
	for _, tc := range []struct {
		name   string
		bypass bool
	}{{"owner bypass", true}, {"paced on Retry-After", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Coder's 60 a minute: a run stays under it on the endpoints the
			// session does not sign (tokens, per IP). Without the bypass, 8 a
			// second makes the suite's 23 authorizations and 27 exchanges wait.
			opts := sandbox.Options{}
			if !tc.bypass {
				opts = sandbox.Options{RateLimit: 8, RateWindow: time.Second}
			}
			srv, c, rec := startSandbox(t, opts)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			rep, err := check.Run(ctx, check.Config{Client: c, Recorder: rec, NoRateLimitBypass: !tc.bypass})
			if err != nil {
				t.Fatal(err)
			}
			tr := rep.Traffic
			if tc.bypass {
				if !tr.Bypass || tr.RateLimited != 0 || srv.RateLimited() != 0 {
					t.Errorf("with the bypass: traffic %+v, the server refused %d", tr, srv.RateLimited())
				}
			} else if tr.Bypass || tr.Waits == 0 || tr.WaitedSeconds <= 0 || tr.RateLimited != srv.RateLimited() {
				t.Errorf("without the bypass: traffic %+v, the server refused %d", tr, srv.RateLimited())
			}
			if tr.Requests["POST /oauth2/authorize"] == 0 || tr.Requests["POST /oauth2/tokens"] == 0 {
				t.Errorf("requests per endpoint %v", tr.Requests)
			}
			for id, r := range statuses(rep) {
				if r.Status != want[id].Status {
					t.Errorf("%s: %s, without rate limits %s (%s)", id, r.Status, want[id].Status, r.Detail)
				}
			}
			var text bytes.Buffer
			if err := check.WriteText(&text, rep, check.TextStyles{}); err != nil {
				t.Fatal(err)
			}
			line := "sent X-Coder-Bypass-Ratelimit"
			if !tc.bypass {
				line = "on Retry-After"
			}
			if !strings.Contains(text.String(), line) {
				t.Errorf("the text report does not say %q:\n%s", line, text.String())
			}
		})
	}
}

// The report's server.features, per profile, from what the server showed.
func TestCheckReportsServerFeatures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		compat                     sandbox.Compat
		era                        string
		rateLimit                  int
		scopes, basic, redirectURI bool
	}{
		{sandbox.CompatMain, "flag", sandbox.DefaultRateLimit, true, true, true},
		{sandbox.CompatV236, "experiment", 0, false, true, false},
		{sandbox.CompatV230, "v2.30", 0, false, false, false},
	} {
		t.Run(string(tc.compat), func(t *testing.T) {
			t.Parallel()
			_, c, rec := startSandbox(t, sandbox.Options{Compat: tc.compat})
			rep := runCheck(t, c, rec)
			f := rep.Server.Features
			if rep.Server.Kind != "coder" || string(rep.Server.Era) != tc.era || f.RateLimit != tc.rateLimit ||
				f.ScopesEnforced != tc.scopes || f.BasicAuth != tc.basic || f.RedirectURIList != tc.redirectURI || !f.Metadata {
				t.Errorf("server %+v", rep.Server)
			}
			var out bytes.Buffer
			if err := check.WriteJSON(&out, rep); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), `"features": {`) || !strings.Contains(out.String(), `"scopes_enforced": `) {
				t.Errorf("json lacks server.features:\n%.600s", out.String())
			}
		})
	}
}
