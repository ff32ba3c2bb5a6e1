package check_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"oauthdeck/flows/check"
)

// nth picks the n-th request that m picks, counting from 1.
func nth(n int32, m match) match {
	var seen atomic.Int32
	return func(r *http.Request, form url.Values) bool { return m(r, form) && seen.Add(1) == n }
}

// bodyHas picks requests whose body contains s (the body is put back).
func bodyHas(s string, m match) match {
	return func(r *http.Request, form url.Values) bool {
		if !m(r, form) || r.Body == nil {
			return false
		}
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		return strings.Contains(string(raw), s)
	}
}

// stepUp applies onRetry to the MCP requests that carry mcp.scope-step-up's
// token: the one issued for the union of scopes, the only authorization
// request whose scope has more than one.
func stepUp(onRetry faultFunc) faultFunc {
	var mu sync.Mutex
	codes, tokens := map[string]bool{}, map[string]bool{}
	return func(r *http.Request, form url.Values, next sendFunc) (*http.Response, error) {
		mu.Lock()
		code, token := codes[form.Get("code")] && isPath(r, "/oauth2/tokens"), tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		mu.Unlock()
		if token {
			return onRetry(r, form, next)
		}
		resp, err := next(r)
		switch {
		case err != nil:
		case isPath(r, "/oauth2/authorize") && strings.Contains(r.URL.Query().Get("scope"), " "):
			if loc, lerr := url.Parse(resp.Header.Get("Location")); lerr == nil {
				mu.Lock()
				codes[loc.Query().Get("code")] = true
				mu.Unlock()
			}
		case code:
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(raw))
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			_ = json.Unmarshal(raw, &tok)
			mu.Lock()
			tokens[tok.AccessToken] = true
			mu.Unlock()
		}
		return resp, err
	}
}

const mcp = "/api/experimental/mcp/"

// Checks that could not be carried out fail, saying what they could not
// do: the session refused at one consent, the API failing, a connection
// dropped at the probe itself, a prerequisite token refused.
func TestCheckBrokenVerdictsAreReached(t *testing.T) {
	t.Parallel()
	refused := func(why string) string { return `{"error":"invalid_grant","error_description":"` + why + `"}` }
	runVerdictCases(t, []verdictCase{
		// The admin's session refused at just the probe's consent.
		{id: "authorize.pkce-required", want: check.Fail, detail: "could not check PKCE enforcement: the admin session was not accepted",
			fault: answer(authorizeWith("code_challenge", ""), toLogin)},
		{id: "authorize.plain-refused", want: check.Fail, detail: "could not check the plain method: the admin session was not accepted",
			fault: answer(authorizeWith("code_challenge_method", "plain"), toLogin)},
		{id: "authorize.response-type", want: check.Fail, detail: "could not check response_type handling: the admin session was not accepted",
			fault: answer(authorizeWith("response_type", "token"), toLogin)},
		{id: "authorize.redirect-mismatch", want: check.Fail, detail: "could not check redirect_uri matching: the admin session was not accepted",
			fault: answer(authorizeWith("redirect_uri", "http://127.0.0.1:9876/oauthdeck-unregistered"), toLogin)},
		{id: "authorize.loopback-port", want: check.Fail, detail: "could not check loopback port handling: the admin session was not accepted",
			fault: answer(authorizeWith("redirect_uri", "http://127.0.0.1:9877/callback"), toLogin)},

		// The API failing when asked whether a token still works.
		{id: "revoke.client-auth", want: check.Fail, detail: "could not use the access token: the API answered 500",
			fault: answerJSON(bearerAt("/api/v2/users/me"), http.StatusInternalServerError, `{"message":"internal error"}`)},
		{id: "revoke.rfc7009", want: check.Fail, detail: "could not use the access token: the API answered 502",
			fault: answerJSON(bearerAt("/api/v2/users/me"), http.StatusBadGateway, `{"message":"bad gateway"}`)},

		// A token the check needs refused.
		{id: "mcp.expired-token", want: check.Fail, detail: "could not obtain a token for resource … the fresh token's code was refused", tokenLife: 2 * time.Second,
			fault: answerJSON(nth(2, grant("authorization_code")), http.StatusBadRequest, refused("the fresh token's code was refused"))},
		{id: "mcp.scope-step-up", want: check.Fail, detail: "could not obtain a token for scope user:read_personal workspace:read template:read … the step-up code was refused",
			fault: answerJSON(nth(2, grant("authorization_code")), http.StatusBadRequest, refused("the step-up code was refused"))},

		// The connection dropped at the probe.
		{id: "dcr.redirect-rules", want: check.Fail, detail: "could not send the registration request … connection reset by peer",
			fault: cut(at("/oauth2/register"))},
		{id: "dcr.redirect-rules", want: check.Fail, detail: "could not send the registration request … connection reset at the control registration",
			fault: cutAs("connection reset at the control registration", bodyHas(check.DefaultRedirectURI, at("/oauth2/register")))},
		{id: "flow.pkce", want: check.Fail, detail: "could not exchange the code",
			fault: cut(grant("authorization_code"))},
		{id: "token.bearer-use", want: check.Fail, detail: "could not call the API with the token",
			fault: cut(bearerAt("/api/v2/users/me"))},
		{id: "token.audience-binding", want: check.Fail, detail: "could not send the authorization request",
			fault: cut(authorizeWith("resource", "https://oauthdeck-check.invalid/mcp"))},
		{id: "token.audience-binding", want: check.Fail, detail: "could not call the API with the token",
			fault: cut(bearerAt("/api/v2/users/me"))},
		{id: "code.single-use", want: check.Fail, detail: "could not replay the code",
			fault: cut(again("code", grant("authorization_code")))},
		{id: "mcp.bearer-use", want: check.Fail, detail: "could not call the MCP endpoint",
			fault: cut(bearerAt(mcp))},
		{id: "mcp.tools-list", want: check.Fail, detail: "could not open an MCP session",
			fault: cut(rpcCall("initialize"))},
		{id: "mcp.tools-list", want: check.Fail, detail: "could not call tools/list",
			fault: cut(rpcCall("tools/list"))},
		{id: "mcp.unknown-token", want: check.Fail, detail: "could not call the MCP endpoint",
			fault: cut(bearerAt(mcp))},
		{id: "mcp.wrong-audience", want: check.Fail, detail: "could not call the MCP endpoint",
			fault: cut(bearerAt(mcp))},
		{id: "mcp.expired-token", want: check.Fail, detail: "could not call the MCP endpoint … connection reset before the token expired", tokenLife: 2 * time.Second,
			fault: cutAs("connection reset before the token expired", nth(1, bearerAt(mcp)))},
		{id: "mcp.expired-token", want: check.Fail, detail: "could not call the MCP endpoint … connection reset after the token expired", tokenLife: 2 * time.Second,
			fault: cutAs("connection reset after the token expired", nth(2, bearerAt(mcp)))},
		{id: "mcp.scope-challenge", want: check.Fail, detail: "could not call tools/list",
			fault: cut(rpcCall("tools/list"))},
		{id: "mcp.scope-challenge", want: check.Fail, detail: "could not call tools/call coder_get_authenticated_user",
			fault: cut(rpcCall("tools/call"))},
		{id: "mcp.scope-step-up", want: check.Fail, detail: "could not retry tools/call coder_list_workspaces",
			fault: stepUp(cut(at("/")))},
		{id: "refresh.rotation", want: check.Fail, detail: "could not refresh",
			fault: cut(grant("refresh_token"))},
		{id: "refresh.rotation", want: check.Fail, detail: "could not reuse the old refresh token",
			fault: cut(again("refresh_token", grant("refresh_token")))},
		{id: "refresh.client-auth", want: check.Fail, detail: "could not refresh",
			fault: cut(grant("refresh_token"))},
		{id: "revoke.client-auth", want: check.Fail, detail: "could not send the revocation request",
			fault: cut(at("/oauth2/revoke"))},
		{id: "revoke.rfc7009", want: check.Fail, detail: "could not send the revocation request",
			fault: cut(at("/oauth2/revoke"))},
		{id: "revoke.rfc7009", want: check.Fail, detail: "could not refresh",
			fault: cut(grant("refresh_token"))},
		{id: "discovery.cacheable", want: check.Fail, detail: "could not fetch http:// … /.well-known/oauth-protected-resource: … connection reset by peer",
			fault: cut(nth(2, at("/.well-known/oauth-protected-resource")))},
	})
}
