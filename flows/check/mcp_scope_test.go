package check_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"oauthdeck/flows/check"
	"oauthdeck/sandbox"
)

// rpcMethod is the JSON-RPC method of an MCP request, read before the
// request is sent (its body is put back for the sandbox).
func rpcMethod(r *http.Request) string {
	if r.Body == nil || !isPath(r, "/api/experimental/mcp/") {
		return ""
	}
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var msg struct {
		Method string `json:"method"`
	}
	_ = json.Unmarshal(raw, &msg)
	return msg.Method
}

// The 2.38 sandbox challenges a narrow token on a read-only tool and lets
// the union of scopes through on one retry; the suite never calls a tool
// that may change anything; tokens of 24h are not waited out.
func TestCheckScopeChallengeAndStepUpOnMain(t *testing.T) {
	t.Parallel()
	srv, c, rec := startSandbox(t, sandbox.Options{})
	rep := runCheck(t, c, rec)
	st := statuses(rep)

	ch := st["mcp.scope-challenge"]
	if ch.Status != check.Pass || !strings.Contains(ch.Detail, "tools/call coder_list_workspaces") ||
		!strings.Contains(ch.Detail, `scope="workspace:read template:read"`) || !strings.Contains(ch.Detail, `"user:read_personal"`) {
		t.Errorf("mcp.scope-challenge: %s (%s)", ch.Status, ch.Detail)
	}
	for _, id := range []string{"server-scope-challenge-http-403", "server-scope-challenge-www-authenticate", "sep-2350-server-single-challenge"} {
		if !slices.Contains(ch.Conformance, id) {
			t.Errorf("mcp.scope-challenge lacks the alias %s: %v", id, ch.Conformance)
		}
	}
	if !slices.Contains(ch.Documents, "MCP 2026-07-28") || !slices.Contains(ch.Documents, "MCP 2025-11-25") {
		t.Errorf("mcp.scope-challenge documents %v", ch.Documents)
	}
	saw403 := false
	for _, ev := range ch.Evidence {
		saw403 = saw403 || ev.Status == http.StatusForbidden && strings.Contains(ev.ResponseHeader["Www-Authenticate"]+ev.ResponseHeader["WWW-Authenticate"], "insufficient_scope")
	}
	if !saw403 {
		t.Error("mcp.scope-challenge's evidence lacks the 403 challenge")
	}

	up := st["mcp.scope-step-up"]
	if up.Status != check.Pass || !strings.Contains(up.Detail, `"user:read_personal workspace:read template:read"`) || !slices.Contains(up.Conformance, "server-scope-challenge-upgraded-retry") {
		t.Errorf("mcp.scope-step-up: %s (%s) %v", up.Status, up.Detail, up.Conformance)
	}

	exp := st["mcp.expired-token"]
	if exp.Status != check.Skip || !regexp.MustCompile(`expires_in 86\d\d\d \(`).MatchString(exp.Detail) ||
		!strings.Contains(exp.Detail, "--token-lifetime") || !slices.Contains(exp.Conformance, "auth-expired-token-rejected") {
		t.Errorf("mcp.expired-token: %s (%s)", exp.Status, exp.Detail)
	}

	for _, r := range rep.Checks {
		for _, ev := range r.Evidence {
			if strings.Contains(ev.RequestBody, "coder_create_workspace") {
				t.Errorf("%s called a tool that is not read-only: %s", r.ID, ev.RequestBody)
			}
		}
	}
	assertNoSecrets(t, rep, srv.AdminSessionToken())
}

// Before 2.38 every token is coder:all: there is no narrow token to have,
// and the checks say so.
func TestCheckScopeChecksSkipBefore238(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		compat  sandbox.Compat
		version string
	}{{sandbox.CompatV230, "v2.30.0"}, {sandbox.CompatV236, "v2.36.0"}} {
		t.Run(string(tc.compat), func(t *testing.T) {
			t.Parallel()
			_, c, rec := startSandbox(t, sandbox.Options{Compat: tc.compat})
			st := statuses(runCheck(t, c, rec))
			if r := st["mcp.scope-challenge"]; r.Status != check.Skip || !strings.Contains(r.Detail, "Coder "+tc.version+" does not enforce token scopes") {
				t.Errorf("mcp.scope-challenge: %s (%s)", r.Status, r.Detail)
			}
			if r := st["mcp.scope-step-up"]; r.Status != check.Skip || !strings.Contains(r.Detail, "no scope challenge to answer") {
				t.Errorf("mcp.scope-step-up: %s (%s)", r.Status, r.Detail)
			}
			if r := st["mcp.expired-token"]; r.Status != check.Skip || !strings.Contains(r.Detail, "expires_in") {
				t.Errorf("mcp.expired-token: %s (%s)", r.Status, r.Detail)
			}
		})
	}
}

// Each way a server can answer the narrow token and the step-up wrongly is
// reported by the check it concerns, saying what it saw.
func TestCheckScopeChallengeFaults(t *testing.T) {
	t.Parallel()
	challenge := func(r *http.Request, scope string) string {
		return `Bearer error="insufficient_scope", scope="` + scope + `", resource_metadata="http://` + r.URL.Host + `/.well-known/oauth-protected-resource"`
	}
	for _, tc := range []struct {
		name           string
		fault          faultFunc
		id             string
		want           check.Status
		inDetail       string
		stepUp         check.Status
		stepUpInDetail string
	}{
		{"no scope in the challenge", func(r *http.Request, _ url.Values, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			method := rpcMethod(r)
			resp, err := next(r)
			if err == nil && resp.StatusCode == http.StatusForbidden && method == "tools/call" {
				resp.Header.Set("WWW-Authenticate", `Bearer error="insufficient_scope", resource_metadata="http://`+r.URL.Host+`/.well-known/oauth-protected-resource"`)
			}
			return resp, err
		}, "mcp.scope-challenge", check.Warn, "no scope naming what to ask for", check.Skip, "no scope challenge to answer"},
		{"401 for a valid narrow token", func(r *http.Request, _ url.Values, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			method := rpcMethod(r)
			resp, err := next(r)
			if err == nil && resp.StatusCode == http.StatusForbidden && method == "tools/call" {
				resp.Body.Close()
				return jsonAnswer(r, http.StatusUnauthorized, `{"message":"no"}`), nil
			}
			return resp, err
		}, "mcp.scope-challenge", check.Warn, "answered 401", check.Skip, ""},
		{"two challenges", func(r *http.Request, _ url.Values, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			method := rpcMethod(r)
			resp, err := next(r)
			if err == nil && resp.StatusCode == http.StatusForbidden && method == "tools/call" {
				resp.Header.Add("WWW-Authenticate", challenge(r, "template:read"))
			}
			return resp, err
		}, "mcp.scope-challenge", check.Warn, "2 Bearer challenges", check.Skip, ""},
		{"no resource_metadata", func(r *http.Request, _ url.Values, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			method := rpcMethod(r)
			resp, err := next(r)
			if err == nil && resp.StatusCode == http.StatusForbidden && method == "tools/call" {
				resp.Header.Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="workspace:read template:read"`)
			}
			return resp, err
		}, "mcp.scope-challenge", check.Warn, "no resource_metadata", check.Pass, ""},
		{"never challenged", func(r *http.Request, _ url.Values, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			method := rpcMethod(r)
			resp, err := next(r)
			if err == nil && resp.StatusCode == http.StatusForbidden && method == "tools/call" {
				resp.Body.Close()
				return jsonAnswer(r, http.StatusOK, `{"jsonrpc":"2.0","id":3,"result":{"content":[]}}`), nil
			}
			return resp, err
		}, "mcp.scope-challenge", check.Skip, "coder_get_authenticated_user, coder_list_workspaces, coder_list_templates) all answered 200", check.Skip, ""},
		{"no read-only tools", func(r *http.Request, _ url.Values, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			method := rpcMethod(r)
			resp, err := next(r)
			if err == nil && resp.StatusCode == http.StatusOK && method == "tools/list" {
				resp = editJSON(resp, func(d map[string]any) {
					for _, tool := range d["result"].(map[string]any)["tools"].([]any) {
						delete(tool.(map[string]any), "annotations")
					}
				})
			}
			return resp, err
		}, "mcp.scope-challenge", check.Skip, "none of the 4 tools is annotated readOnlyHint: true", check.Skip, ""},
		{"step-up still refused", func(r *http.Request, _ url.Values, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			if rpcMethod(r) == "tools/call" && strings.Contains(r.Header.Get("Authorization"), "Bearer ") {
				resp := jsonAnswer(r, http.StatusForbidden, `{"message":"Forbidden."}`)
				resp.Header.Set("WWW-Authenticate", challenge(r, "workspace:read"))
				return resp, nil
			}
			return next(r)
		}, "mcp.scope-step-up", check.Warn, "refused again with 403 (now challenging scope \"workspace:read\")", check.Warn, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := statuses(runFaulty(t, tc.fault))
			if r := st[tc.id]; r.Status != tc.want || !strings.Contains(r.Detail, tc.inDetail) {
				t.Errorf("%s: %s (%s), want %s mentioning %q", tc.id, r.Status, r.Detail, tc.want, tc.inDetail)
			}
			if r := st["mcp.scope-step-up"]; r.Status != tc.stepUp || !strings.Contains(r.Detail, tc.stepUpInDetail) {
				t.Errorf("mcp.scope-step-up: %s (%s), want %s", r.Status, r.Detail, tc.stepUp)
			}
		})
	}
}

// With the sandbox's tokens living 2 s, mcp.expired-token waits one out and
// sees it refused with 401; a server that still takes it fails the check.
func TestCheckExpiredTokenWaitedOut(t *testing.T) {
	t.Parallel()
	opts := sandbox.Options{AccessTokenLifetime: 2 * time.Second, RateLimit: -1}
	r := statuses(runFaultyWith(t, opts, nil))["mcp.expired-token"]
	if r.Status != check.Pass || !regexp.MustCompile(`said expires_in [12], the token was refused with 401`).MatchString(r.Detail) {
		t.Errorf("mcp.expired-token: %s (%s)", r.Status, r.Detail)
	}

	accepted := func(req *http.Request, _ url.Values, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		resp, err := next(req)
		if err == nil && resp.StatusCode == http.StatusUnauthorized && isPath(req, "/api/experimental/mcp/") && req.Header.Get("Authorization") != "" {
			resp.Body.Close()
			return jsonAnswer(req, http.StatusOK, `{"jsonrpc":"2.0","id":1,"result":{}}`), nil
		}
		return resp, err
	}
	r = statuses(runFaultyWith(t, opts, accepted))["mcp.expired-token"]
	if r.Status != check.Fail || !strings.Contains(r.Detail, "still accepted the token") {
		t.Errorf("mcp.expired-token with an expired token accepted: %s (%s)", r.Status, r.Detail)
	}
}
