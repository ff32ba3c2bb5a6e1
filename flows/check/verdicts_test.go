package check_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows/check"
	"oauthdeck/sandbox"
)

// A verdict case runs one check (Config.Only, so only its own requests and
// those of the checks it builds on pass the fault) against a server that
// misbehaves in one way, and wants the verdict line that names the fault:
// its status and a phrase of its detail only that line writes.
type verdictCase struct {
	id     string
	want   check.Status
	detail string // parts the detail has in this order, split at " … "
	fault  faultFunc
	// tokenLife, when set, is the sandbox's access token lifetime (mcp.expired-token waits one out).
	tokenLife time.Duration
	// host, when set, is the deployment URL's host; its requests reach the sandbox.
	host string
}

func runVerdictCases(t *testing.T, cases []verdictCase) {
	t.Helper()
	// Without a fault no check says what its case wants: the fault is what makes it.
	baseline := statuses(runFaulty(t, nil))
	for _, tc := range cases {
		t.Run(tc.id+": "+tc.detail, func(t *testing.T) {
			t.Parallel()
			if b := baseline[tc.id]; b.Status == tc.want && containsInOrder(b.Detail, tc.detail) {
				t.Fatalf("without the fault %s already says %s (%s)", tc.id, b.Status, b.Detail)
			}
			got := runOnlyFaulty(t, tc)
			if got.Status != tc.want || !containsInOrder(got.Detail, tc.detail) {
				t.Errorf("%s: %s (%s), want %s saying %q", tc.id, got.Status, got.Detail, tc.want, tc.detail)
			}
		})
	}
}

// containsInOrder reports whether detail has want's parts (split at " … ") in order.
func containsInOrder(detail, want string) bool {
	for _, part := range strings.Split(want, " … ") {
		i := strings.Index(detail, part)
		if i < 0 {
			return false
		}
		detail = detail[i+len(part):]
	}
	return true
}

// runOnlyFaulty runs tc's check alone against a sandbox with tc's fault in the way.
func runOnlyFaulty(t *testing.T, tc verdictCase) check.Result {
	t.Helper()
	srv, _, _ := startSandbox(t, sandbox.Options{RateLimit: -1, EnableDCR: true, AccessTokenLifetime: tc.tokenLife})
	sandboxURL, _ := url.Parse(srv.URL())
	base := srv.URL()
	if tc.host != "" {
		base = "http://" + tc.host
	}
	fault := func(r *http.Request, form url.Values, next sendFunc) (*http.Response, error) {
		if r.URL.Host == tc.host {
			r = r.Clone(r.Context())
			r.URL.Host = sandboxURL.Host // the Host header still names tc.host
		}
		return tc.fault(r, form, next)
	}
	c, err := client.New(base, srv.AdminSessionToken(), client.Options{Transport: faultTransport(t, fault)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := check.Run(ctx, check.Config{Client: c, Only: []string{tc.id}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return statuses(rep)[tc.id]
}

// match picks the requests a fault acts on.
type match func(r *http.Request, form url.Values) bool

type sendFunc = func(*http.Request) (*http.Response, error)

// responder is an answer made up for a request.
type responder func(r *http.Request) *http.Response

// answer sends resp instead of the sandbox to the requests m picks.
func answer(m match, resp responder) faultFunc {
	return func(r *http.Request, form url.Values, next sendFunc) (*http.Response, error) {
		if m(r, form) {
			return resp(r), nil
		}
		return next(r)
	}
}

func answerJSON(m match, status int, body string) faultFunc {
	return answer(m, func(r *http.Request) *http.Response { return jsonAnswer(r, status, body) })
}

// cut breaks the connection of the requests m picks.
func cut(m match) faultFunc { return cutAs("connection reset by peer", m) }

// cutAs is cut with why as the error.
func cutAs(why string, m match) faultFunc {
	return func(r *http.Request, form url.Values, next sendFunc) (*http.Response, error) {
		if m(r, form) {
			return nil, errors.New(why)
		}
		return next(r)
	}
}

// edit changes the sandbox's answer to the requests m picks.
func edit(m match, change func(*http.Response) *http.Response) faultFunc {
	return func(r *http.Request, form url.Values, next sendFunc) (*http.Response, error) {
		pick := m(r, form) // before next: a matcher may read the body
		resp, err := next(r)
		if err == nil && pick {
			resp = change(resp)
		}
		return resp, err
	}
}

func editBody(m match, change func(map[string]any)) faultFunc {
	return edit(m, func(resp *http.Response) *http.Response { return editJSON(resp, change) })
}

func editHeader(m match, name, value string) faultFunc {
	return edit(m, func(resp *http.Response) *http.Response {
		if value == "" {
			resp.Header.Del(name)
		} else {
			resp.Header.Set(name, value)
		}
		return resp
	})
}

// The matchers.

func grant(grantType string) match {
	return func(r *http.Request, form url.Values) bool {
		return isPath(r, "/oauth2/tokens") && form.Get("grant_type") == grantType
	}
}

func at(path string) match {
	return func(r *http.Request, _ url.Values) bool { return isPath(r, path) }
}

// authorizeWith picks consent POSTs whose query has name=value ("" for absent).
func authorizeWith(name, value string) match {
	return func(r *http.Request, _ url.Values) bool {
		return isPath(r, "/oauth2/authorize") && r.Method == http.MethodPost && r.URL.Query().Get(name) == value
	}
}

// bearerAt picks requests to path with an access token (not the admin session).
func bearerAt(path string) match {
	return func(r *http.Request, _ url.Values) bool {
		return isPath(r, path) && strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
}

// anonymousAt picks requests to path without credentials of any kind.
func anonymousAt(path string) match {
	return func(r *http.Request, _ url.Values) bool {
		return isPath(r, path) && r.Header.Get("Authorization") == "" && r.Header.Get(client.SessionTokenHeader) == ""
	}
}

func rpcCall(method string) match {
	return func(r *http.Request, _ url.Values) bool { return rpcMethod(r) == method }
}

func formHas(name, suffix string, m match) match {
	return func(r *http.Request, form url.Values) bool {
		return m(r, form) && strings.HasSuffix(form.Get(name), suffix)
	}
}

// again picks what m picks whose form field was already seen in one: a
// replayed code, a reused refresh token.
func again(field string, m match) match {
	var mu sync.Mutex
	seen := map[string]bool{}
	return func(r *http.Request, form url.Values) bool {
		if !m(r, form) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		v := form.Get(field)
		if seen[v] {
			return true
		}
		seen[v] = true
		return false
	}
}

// toLogin is a consent POST answered as if the admin's session were gone.
func toLogin(r *http.Request) *http.Response {
	return &http.Response{StatusCode: http.StatusSeeOther, Request: r, Body: http.NoBody,
		Header: http.Header{"Location": {"http://" + r.URL.Host + "/login?redirect=%2Foauth2%2Fauthorize"}}}
}

// toCallback is a consent POST answered with a redirect to the request's
// redirect_uri carrying its state and, after '#', fragment.
func toCallback(params, fragment string) responder {
	return func(r *http.Request) *http.Response {
		q := r.URL.Query()
		loc := q.Get("redirect_uri") + "?" + params + "&state=" + url.QueryEscape(q.Get("state"))
		if fragment != "" {
			loc = q.Get("redirect_uri") + "#" + fragment + "&state=" + url.QueryEscape(q.Get("state"))
		}
		return &http.Response{StatusCode: http.StatusFound, Request: r, Body: http.NoBody, Header: http.Header{"Location": {loc}}}
	}
}

const serverError = `{"error":"server_error"}`

// Rules broken the way a faulty server breaks them, each caught by the
// verdict line no other test reaches.
func TestCheckFailureVerdictsAreReached(t *testing.T) {
	t.Parallel()
	runVerdictCases(t, []verdictCase{
		// Discovery and the challenges.
		{id: "discovery.as-metadata", want: check.Fail, detail: "response_types_supported does not list code",
			fault: editBody(at("/.well-known/oauth-authorization-server"), func(d map[string]any) { d["response_types_supported"] = []string{"token"} })},
		{id: "discovery.issuer", want: check.Fail, detail: "does not use https", host: "coder.oauthdeck.test",
			fault: editBody(at("/.well-known/oauth-authorization-server"), func(d map[string]any) { d["issuer"] = "http://coder.oauthdeck.test" })},
		{id: "discovery.pkce-methods", want: check.Fail, detail: "code_challenge_methods_supported is absent",
			fault: editBody(at("/.well-known/oauth-authorization-server"), func(d map[string]any) { delete(d, "code_challenge_methods_supported") })},
		{id: "token.www-authenticate", want: check.Fail, detail: "401 without a WWW-Authenticate header",
			fault: editHeader(anonymousAt("/api/v2/users/me"), "WWW-Authenticate", "")},
		{id: "token.www-authenticate", want: check.Fail, detail: `WWW-Authenticate "Basic realm=\"coder\"" has no Bearer challenge`,
			fault: editHeader(anonymousAt("/api/v2/users/me"), "WWW-Authenticate", `Basic realm="coder"`)},
		{id: "token.www-authenticate", want: check.Fail, detail: "the Bearer challenge has no resource_metadata parameter",
			fault: editHeader(anonymousAt("/api/v2/users/me"), "WWW-Authenticate", `Bearer realm="coder"`)},
		{id: "mcp.www-authenticate", want: check.Fail, detail: "the 401 has no Bearer challenge with resource_metadata",
			fault: editHeader(anonymousAt("/api/experimental/mcp/"), "WWW-Authenticate", `Bearer realm="coder"`)},

		// The good path.
		{id: "setup.apps", want: check.Fail, detail: "the admin session was refused",
			fault: answer(func(r *http.Request, _ url.Values) bool {
				return r.Method == http.MethodPost && r.URL.Path == "/api/v2/oauth2-provider/apps"
			}, toLogin)},
		{id: "flow.pkce", want: check.Fail, detail: "the admin session was not accepted at the authorization endpoint: 303 redirect to the login page",
			fault: answer(authorizeWith("code_challenge_method", "S256"), toLogin)},
		{id: "flow.pkce", want: check.Fail, detail: "authorization with an S256 challenge was refused: 302 redirect to",
			fault: answer(authorizeWith("code_challenge_method", "S256"), toCallback("error=access_denied", ""))},
		{id: "flow.pkce", want: check.Fail, detail: `token_type is "mac", not Bearer`,
			fault: editBody(grant("authorization_code"), func(d map[string]any) { d["token_type"] = "mac" })},
		{id: "authorize.state", want: check.Fail, detail: "the redirect carries no state although the request sent one",
			fault: edit(at("/oauth2/authorize"), func(resp *http.Response) *http.Response {
				return editLocation(resp, func(q url.Values) { q.Del("state") })
			})},
		{id: "token.cache-control", want: check.Fail, detail: `Cache-Control is "private, max-age=300", without no-store`,
			fault: editHeader(grant("authorization_code"), "Cache-Control", "private, max-age=300")},

		// MCP.
		{id: "mcp.tools-list", want: check.Fail, detail: "tools/list with the token answered 500",
			fault: answerJSON(rpcCall("tools/list"), http.StatusInternalServerError, `{"message":"internal error"}`)},
		{id: "mcp.tools-list", want: check.Fail, detail: "tools/list answered a JSON-RPC error: Method not found",
			fault: answerJSON(rpcCall("tools/list"), http.StatusOK, `{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"Method not found"}}`)},
		{id: "mcp.tools-list", want: check.Fail, detail: "tools/list answered 200 without a result",
			fault: answerJSON(rpcCall("tools/list"), http.StatusOK, `{"jsonrpc":"2.0","id":2}`)},
		{id: "mcp.wrong-audience", want: check.Fail, detail: "the MCP endpoint accepted a token issued for https://oauthdeck-check.invalid/mcp",
			fault: answerJSON(bearerAt("/api/experimental/mcp/"), http.StatusOK, `{"jsonrpc":"2.0","id":1,"result":{}}`)},
		{id: "mcp.expired-token", want: check.Fail, detail: "the token was refused, but with 403", tokenLife: 2 * time.Second,
			fault: edit(bearerAt("/api/experimental/mcp/"), func(resp *http.Response) *http.Response {
				if resp.StatusCode == http.StatusUnauthorized {
					resp.Body.Close()
					return jsonAnswer(resp.Request, http.StatusForbidden, `{"message":"Forbidden."}`)
				}
				return resp
			})},
		{id: "mcp.scope-challenge", want: check.Warn, detail: "neither a result nor a scope challenge",
			fault: answerJSON(rpcCall("tools/call"), http.StatusBadRequest, `{"message":"bad request"}`)},
		{id: "mcp.scope-challenge", want: check.Warn, detail: "answered 403 without a Bearer challenge",
			fault: editHeader(rpcCall("tools/call"), "WWW-Authenticate", "")},
		{id: "mcp.scope-step-up", want: check.Warn, detail: "the authorization server refused a token for \"user:read_personal workspace:read template:read\"",
			fault: edit(func(r *http.Request, _ url.Values) bool {
				return isPath(r, "/oauth2/authorize") && strings.Contains(r.URL.Query().Get("scope"), " ")
			}, func(resp *http.Response) *http.Response {
				return editLocation(resp, func(q url.Values) { q.Del("code"); q.Set("error", "invalid_scope") })
			})},
		{id: "mcp.scope-step-up", want: check.Warn, detail: "one retry of tools/call coder_list_workspaces answered 400",
			fault: stepUp(answerJSON(at("/"), http.StatusBadRequest, `{"message":"bad request"}`))},
		{id: "mcp.scope-step-up", want: check.Warn, detail: "one retry of tools/call coder_list_workspaces answered 200 without a result",
			fault: stepUp(answerJSON(rpcCall("tools/call"), http.StatusOK, `{"jsonrpc":"2.0","id":3}`))},

		// Negative probes at the authorization endpoint.
		{id: "token.pkce-downgrade", want: check.Fail, detail: "unexpected answer: 500 server_error",
			fault: func(r *http.Request, form url.Values, next sendFunc) (*http.Response, error) {
				switch {
				case authorizeWith("code_challenge", "")(r, form): // a code without PKCE,
					return toCallback("code=oauthdeck-fake-code", "")(r), nil
				case form.Get("code") == "oauthdeck-fake-code": // whose exchange fails
					return jsonAnswer(r, http.StatusInternalServerError, serverError), nil
				}
				return next(r)
			}},
		{id: "authorize.response-type", want: check.Fail, detail: "an access token was returned in the redirect fragment (implicit grant)",
			fault: answer(authorizeWith("response_type", "token"), toCallback("", "access_token=fake-access&token_type=bearer"))},
		// A token in the query, even beside an error, is caught.
		{id: "authorize.response-type", want: check.Fail, detail: "an access token was returned in the redirect's query",
			fault: answer(authorizeWith("response_type", "token"), toCallback("error=unsupported_response_type&access_token=fake-access", ""))},
		{id: "authorize.response-type", want: check.Fail, detail: "an access token was returned in the redirect's query",
			fault: answer(authorizeWith("response_type", "token"), toCallback("error=unsupported_response_type&access_token=fake-access;x", ""))},
		{id: "authorize.redirect-mismatch", want: check.Fail, detail: "a code was issued for the unregistered redirect_uri http://127.0.0.1:9876/oauthdeck-unregistered",
			fault: func(r *http.Request, form url.Values, next sendFunc) (*http.Response, error) {
				if q := r.URL.Query(); isPath(r, "/oauth2/authorize") && strings.HasSuffix(q.Get("redirect_uri"), "/oauthdeck-unregistered") {
					q.Set("redirect_uri", check.DefaultRedirectURI) // the registered one is used instead
					r = r.Clone(r.Context())
					r.URL.RawQuery = q.Encode()
				}
				return next(r)
			}},
		{id: "authorize.error-state", want: check.Fail, detail: `the error redirect carries state "tampered-state", not the one sent`,
			fault: edit(at("/oauth2/authorize"), func(resp *http.Response) *http.Response {
				return editLocation(resp, func(q url.Values) {
					if q.Has("error") {
						q.Set("state", "tampered-state")
					}
				})
			})},

		// Negative probes at the token endpoint.
		{id: "token.redirect-mismatch", want: check.Fail, detail: "unexpected answer: 500 server_error",
			fault: answerJSON(formHas("redirect_uri", "/other", grant("authorization_code")), http.StatusInternalServerError, serverError)},
		{id: "token.resource-mismatch", want: check.Fail, detail: "unexpected answer: 500 server_error",
			fault: answerJSON(formHas("resource", "/oauthdeck-other", grant("authorization_code")), http.StatusInternalServerError, serverError)},
		{id: "code.single-use", want: check.Fail, detail: "unexpected answer to the replay: 500 server_error",
			fault: answerJSON(again("code", grant("authorization_code")), http.StatusInternalServerError, serverError)},
		{id: "code.client-binding", want: check.Fail, detail: "unexpected answer with app B's client_id and secret: 500 server_error",
			fault: answerJSON(grant("authorization_code"), http.StatusInternalServerError, serverError)},
		{id: "token.unsupported-grant", want: check.Fail, detail: "unexpected answer: 500 server_error",
			fault: answerJSON(grant("password"), http.StatusInternalServerError, serverError)},

		// Refresh and revocation.
		{id: "refresh.rotation", want: check.Warn, detail: "the refresh response has no new refresh token",
			fault: editBody(grant("refresh_token"), func(d map[string]any) { delete(d, "refresh_token") })},
		{id: "refresh.rotation", want: check.Warn, detail: "the old refresh token still works after rotation",
			fault: answerJSON(again("refresh_token", grant("refresh_token")), http.StatusOK, fakeTokens)},
		{id: "refresh.rotation", want: check.Warn, detail: "unexpected answer to the old refresh token: 500 server_error",
			fault: answerJSON(again("refresh_token", grant("refresh_token")), http.StatusInternalServerError, serverError)},
		{id: "refresh.client-auth", want: check.Fail, detail: "unexpected answer with app A's client_id and a wrong secret: 500 server_error",
			fault: answerJSON(grant("refresh_token"), http.StatusInternalServerError, serverError)},
		{id: "revoke.rfc7009", want: check.Fail, detail: "revocation answered 500 server_error, not 200",
			fault: answerJSON(at("/oauth2/revoke"), http.StatusInternalServerError, serverError)},
	})
}
