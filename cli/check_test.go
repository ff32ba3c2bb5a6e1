package cli_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"oauthdeck/sandbox"
)

type checkJSON struct {
	Checks []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"checks"`
	Summary struct{ Pass, Fail, Warn, Skip int } `json:"summary"`
}

func TestCheckMainPasses(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	r := h.run("", "check", "-o", "json")
	if r.code != 0 {
		t.Fatalf("check against the main sandbox: exit %d\n%s\n%s", r.code, r.stderr, r.stdout)
	}
	var rep checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Fail != 0 || rep.Summary.Pass == 0 || len(rep.Checks) == 0 {
		t.Fatalf("summary = %+v", rep.Summary)
	}
	// The suite removed what it created.
	var apps []appJSON
	json.Unmarshal([]byte(h.ok("", "apps", "list", "-o", "json")), &apps)
	if len(apps) != 0 {
		t.Fatalf("check left %d apps behind", len(apps))
	}
}

func TestCheckV230Fails(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	h := newHarness(t)
	h.loginEnv(srv)
	line := h.fail(1, "", "check")
	mustContain(t, line, "checks failed", "token.cache-control")

	r := h.run("", "check", "-o", "junit")
	if r.code != 1 {
		t.Fatalf("junit run: exit %d", r.code)
	}
	var suite struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal([]byte(r.stdout), &suite); err != nil {
		t.Fatalf("-o junit is not XML: %v\n%s", err, r.stdout)
	}
}

func TestCheckConnectionErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mustContain(t, h.fail(2, "", "check", "http://127.0.0.1:1"), "no Coder session")

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	h.env["CODER_URL"] = closed.URL
	h.env["CODER_SESSION_TOKEN"] = "abcdefghij-abcdefghijabcdefghij12"
	mustContain(t, h.fail(2, "", "check"), "nothing is listening")
	mustContain(t, h.fail(2, "", "check", "-o", "xml"), "unknown output format")
}

// On a rate-limited 2.38 deployment the owner's run sends the bypass and
// meets no 429; with --no-rate-limit-bypass it waits on Retry-After, says so
// on stderr as it happens, and still exits 0 with the waits in the report.
func TestCheckRateLimited(t *testing.T) {
	t.Parallel()
	type traffic struct {
		Requests map[string]int `json:"requests"`
		Limited  int            `json:"rate_limited"`
		Waits    int            `json:"waits"`
		Waited   float64        `json:"waited_seconds"`
		Bypass   bool           `json:"rate_limit_bypass"`
	}
	var rep struct {
		checkJSON
		Traffic traffic `json:"traffic"`
	}
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	if err := json.Unmarshal([]byte(h.ok("", "check", "-o", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Traffic.Bypass || rep.Traffic.Limited != 0 || srv.RateLimited() != 0 || rep.Traffic.Requests["POST /oauth2/tokens"] == 0 {
		t.Fatalf("with the owner's bypass: %+v, the server refused %d", rep.Traffic, srv.RateLimited())
	}

	slow := startSandbox(t, sandbox.Options{RateLimit: 8, RateWindow: time.Second})
	h.loginEnv(slow)
	r := h.run("", "check", "-o", "json", "--no-rate-limit-bypass")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Traffic.Bypass || rep.Traffic.Waits == 0 || rep.Traffic.Waited <= 0 || rep.Summary.Fail != 0 {
		t.Fatalf("paced: %+v %+v", rep.Traffic, rep.Summary)
	}
	if n := strings.Count(r.stderr, "! rate limited (429) at POST "); n != rep.Traffic.Waits {
		t.Errorf("%d waits, %d notices on stderr:\n%s", rep.Traffic.Waits, n, r.stderr)
	}
}
