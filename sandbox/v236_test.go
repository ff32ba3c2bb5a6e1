package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oauthdeck/pkce"
)

// TestV236RawPairs holds every raw pair of coder-v2.36-observed.md, and the
// pairs behind the verdicts in which v2.36 differs from v2.30: one row each,
// status, headers and body as the real v2.36.0 answered.
func TestV236RawPairs(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV236})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	pair := pkce.New()
	withPKCE := func(v url.Values) url.Values {
		v.Set("code_challenge", pair.Challenge)
		v.Set("code_challenge_method", "S256")
		return v
	}
	type row struct {
		name   string
		send   func() resp
		status int
		body   string // exact, when set
		check  func(t *testing.T, r resp)
	}
	rows := []row{
		{name: "AS metadata advertises Basic and post, no none",
			send:   func() resp { return call(t, s, req{path: "/.well-known/oauth-authorization-server"}) },
			status: http.StatusOK,
			check: func(t *testing.T, r resp) {
				var doc map[string]any
				r.decode(t, &doc)
				if got, _ := json.Marshal(doc["token_endpoint_auth_methods_supported"]); string(got) != `["client_secret_basic","client_secret_post"]` {
					t.Errorf("token_endpoint_auth_methods_supported %s", got)
				}
				for _, k := range []string{"registration_endpoint", "revocation_endpoint", "scopes_supported"} {
					if doc[k] == nil {
						t.Errorf("%s missing", k)
					}
				}
				if doc["authorization_response_iss_parameter_supported"] != nil {
					t.Error("v2.36 does not advertise RFC 9207 iss")
				}
			}},
		{name: "protected resource metadata",
			send:   func() resp { return call(t, s, req{path: "/.well-known/oauth-protected-resource"}) },
			status: http.StatusOK,
			check: func(t *testing.T, r resp) {
				if !strings.Contains(r.text(), `"bearer_methods_supported":["header","query"]`) || !strings.Contains(r.text(), `"authorization_servers":["`+s.URL()+`"]`) {
					t.Errorf("body %s", r.body)
				}
			}},
		{name: "HEAD users/me without credentials is challenged",
			send:   func() resp { return call(t, s, req{method: http.MethodHead, path: "/api/v2/users/me"}) },
			status: http.StatusUnauthorized,
			check: func(t *testing.T, r resp) {
				if h := r.header.Get("WWW-Authenticate"); !strings.Contains(h, `resource_metadata="`+s.URL()+`/.well-known/oauth-protected-resource"`) {
					t.Errorf("WWW-Authenticate %q", h)
				}
			}},
		{name: "GET tokens with no parameters",
			send:   func() resp { return call(t, s, req{path: "/oauth2/tokens"}) },
			status: http.StatusBadRequest, body: `{"error":"invalid_request","error_description":"Missing client_id parameter"}`},
		{name: "POST tokens without a client, and no Cache-Control",
			send: func() resp {
				return call(t, s, req{method: "POST", path: "/oauth2/tokens", form: url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}})
			},
			status: http.StatusBadRequest, body: `{"error":"invalid_request","error_description":"Missing client_id parameter"}`,
			check: func(t *testing.T, r resp) {
				if cc := r.header.Get("Cache-Control"); cc != "" {
					t.Errorf("Cache-Control %q: v2.36 sends none", cc)
				}
			}},
		{name: "experiments",
			send:   func() resp { return call(t, s, req{path: "/api/v2/experiments", session: s.AdminSessionToken()}) },
			status: http.StatusOK, body: `["oauth2","mcp-server-http"]`},
		{name: "create drops redirect_uris and scope",
			send: func() resp {
				return call(t, s, req{method: "POST", path: "/api/v2/oauth2-provider/apps", session: s.AdminSessionToken(), json: map[string]any{
					"name": "probe-x", "callback_url": "http://127.0.0.1:9876/callback", "icon": "",
					"redirect_uris": []string{"http://127.0.0.1:9876/callback", "http://127.0.0.1:1/x"}, "scope": "user:read_personal"}})
			},
			status: http.StatusCreated,
			check: func(t *testing.T, r resp) {
				var a map[string]any
				r.decode(t, &a)
				if _, ok := a["redirect_uris"]; ok {
					t.Error("redirect_uris kept")
				}
				if _, ok := a["scope"]; ok {
					t.Error("scope kept")
				}
				ep, _ := a["endpoints"].(map[string]any)
				if v, ok := ep["device_authorization"]; !ok || v != "" {
					t.Errorf("endpoints.device_authorization %v (want present and empty)", v)
				}
			}},
		{name: "apps list is an array of the v2.30 shape",
			send: func() resp {
				return call(t, s, req{path: "/api/v2/oauth2-provider/apps", session: s.AdminSessionToken()})
			},
			status: http.StatusOK,
			check: func(t *testing.T, r resp) {
				var apps []map[string]any
				r.decode(t, &apps)
				for _, a := range apps {
					if len(a) != 5 || a["callback_url"] == nil {
						t.Errorf("app %v: want {callback_url, endpoints, icon, id, name}", a)
					}
				}
			}},
		{name: "authorize without code_challenge",
			send:   func() resp { return f.authorize(t, url.Values{"response_type": {"code"}}) },
			status: http.StatusBadRequest,
			body:   `{"error":"invalid_request","error_description":"Invalid query params: field: code_challenge detail: Query param \"code_challenge\" is required and cannot be empty"}`},
		{name: "authorize with response_type=token",
			send:   func() resp { return f.authorize(t, withPKCE(url.Values{"response_type": {"token"}})) },
			status: http.StatusBadRequest,
			body:   `{"error":"unsupported_response_type","error_description":"Only response_type=code is supported"}`},
		{name: "authorize with another loopback port",
			send: func() resp {
				return f.authorize(t, withPKCE(url.Values{"response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9877/callback"}}))
			},
			status: http.StatusBadRequest,
			body:   `{"error":"invalid_request","error_description":"Invalid query params: field: redirect_uri detail: Query param \"redirect_uri\" must exactly match http://127.0.0.1:9876/callback"}`},
		{name: "authorize with a sub-path of the callback",
			send: func() resp {
				return f.authorize(t, withPKCE(url.Values{"response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9876/callback/other"}}))
			},
			status: http.StatusBadRequest,
			body:   `{"error":"invalid_request","error_description":"Invalid query params: field: redirect_uri detail: Query param \"redirect_uri\" must exactly match http://127.0.0.1:9876/callback"}`},
		{name: "token with another redirect_uri than authorize",
			send: func() resp {
				code := f.code(t, withPKCE(url.Values{"response_type": {"code"}, "redirect_uri": {f.callback}}))
				return f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {f.appID},
					"client_secret": {f.secret}, "code_verifier": {pair.Verifier}, "redirect_uri": {f.callback + "/other"}})
			},
			status: http.StatusBadRequest,
			body:   `{"error":"invalid_request","error_description":"The request is missing required parameters or is otherwise malformed"}`},
		{name: "Basic and body credentials that disagree",
			send: func() resp {
				return call(t, s, req{method: "POST", path: "/oauth2/tokens", headers: map[string]string{"Authorization": basicAuth(f.appID, "coder_wrong")},
					form: url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {f.appID}, "client_secret": {f.secret}}})
			},
			status: http.StatusBadRequest,
			body:   `{"error":"invalid_request","error_description":"Conflicting client credentials between Authorization header and request body"}`},
		{name: "exchange with HTTP Basic only",
			send: func() resp {
				code := f.code(t, withPKCE(url.Values{"response_type": {"code"}}))
				return call(t, s, req{method: "POST", path: "/oauth2/tokens", headers: map[string]string{"Authorization": basicAuth(f.appID, f.secret)},
					form: url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {pair.Verifier}}})
			},
			status: http.StatusOK,
			check: func(t *testing.T, r resp) {
				var tok tokenJSON
				r.decode(t, &tok)
				if !reAPIKey.MatchString(tok.AccessToken) || tok.Scope != "" || r.header.Get("Cache-Control") != "" {
					t.Errorf("token response %s, Cache-Control %q: want a key, no scope, no Cache-Control", r.body, r.header.Get("Cache-Control"))
				}
			}},
		{name: "no client secret",
			send: func() resp {
				return f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {f.appID}})
			},
			status: http.StatusBadRequest, body: `{"error":"invalid_request","error_description":"Missing required parameter: client_secret"}`},
		{name: "settings endpoint does not exist (DCR is always open)",
			send: func() resp {
				return call(t, s, req{path: "/api/v2/oauth2-provider/settings", session: s.AdminSessionToken()})
			},
			status: http.StatusNotFound},
		{name: "buildinfo",
			send:   func() resp { return call(t, s, req{path: "/api/v2/buildinfo"}) },
			status: http.StatusOK,
			check: func(t *testing.T, r resp) {
				var bi map[string]any
				r.decode(t, &bi)
				if bi["version"] != "v2.36.0" || bi["oauth2_provider"] != nil {
					t.Errorf("buildinfo %s: want v2.36.0 and no oauth2_provider field", r.body)
				}
			}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			r := row.send()
			expect(t, r, row.status, row.body)
			if row.check != nil {
				row.check(t, r)
			}
		})
	}
}

// TestV236ExperimentOff answers like the experiment era with oauth2 off:
// the experiment's 403, and the experiments list says why.
func TestV236ExperimentOff(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV236, ProviderDisabled: true})
	r := call(t, s, req{path: "/api/v2/oauth2-provider/apps", session: s.AdminSessionToken()})
	if r.status != http.StatusForbidden || !strings.Contains(r.text(), "oauth2") {
		t.Errorf("apps: %d %s", r.status, r.body)
	}
	expect(t, call(t, s, req{path: "/api/v2/experiments", session: s.AdminSessionToken()}), http.StatusOK, `["mcp-server-http"]`)
}

func TestParseCompat(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Compat{"": CompatMain, "main": CompatMain, "v2.38": CompatMain, "2.38.0": CompatMain,
		"v2.36": CompatV236, "2.36.0": CompatV236, "v2.37": CompatV236, "V2.30": CompatV230, "v2.30.0": CompatV230} {
		if got, err := ParseCompat(in); err != nil || got != want {
			t.Errorf("ParseCompat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"v2.31", "2.3", "latest", "v2.30.1"} {
		if _, err := ParseCompat(bad); err == nil {
			t.Errorf("ParseCompat(%q) accepted", bad)
		}
	}
	for _, p := range Profiles() {
		if _, ok := profileBehaviours[p]; !ok {
			t.Errorf("profile %q has no behaviours", p)
		}
	}
}
