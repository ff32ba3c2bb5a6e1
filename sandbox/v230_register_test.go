package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestV230DynamicRegistration(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	body := map[string]any{
		"client_name": "dcr-client", "redirect_uris": []string{"http://127.0.0.1:9876/callback", "http://127.0.0.1:9877/cb"},
		"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"},
		"token_endpoint_auth_method": "client_secret_post", "scope": "coder:all",
	}
	r := call(t, s, req{method: "POST", path: "/oauth2/register", json: body})
	var reg struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		RegToken     string `json:"registration_access_token"`
		RegURI       string `json:"registration_client_uri"`
	}
	r.decode(t, &reg)
	registered := string(r.body)
	want := regexp.MustCompile(fmt.Sprintf(`^\{"client_id":"[0-9a-f-]{36}","client_secret":"coder_[0-9A-Za-z]{10}_[0-9A-Za-z]{40}","client_id_issued_at":\d{10},"redirect_uris":\["http://127.0.0.1:9876/callback","http://127.0.0.1:9877/cb"\],"client_name":"dcr-client","grant_types":\["authorization_code","refresh_token"\],"response_types":\["code"\],"token_endpoint_auth_method":"client_secret_post","scope":"coder:all","registration_access_token":"[0-9A-Za-z]{40}","registration_client_uri":"%s/oauth2/clients/[0-9a-f-]{36}"\}\n$`, regexp.QuoteMeta(s.URL())))
	if r.status != 201 || !want.Match(r.body) || reg.RegURI != s.URL()+"/oauth2/clients/"+reg.ClientID {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	// The DCR app shows up in the apps list; only the first URI works.
	r = call(t, s, req{path: "/api/v2/oauth2-provider/apps/" + reg.ClientID, session: s.AdminSessionToken()})
	expect(t, r, 200, appBody(s, reg.ClientID, "dcr-client", "http://127.0.0.1:9876/callback", ""))
	f := fixture{s: s, appID: reg.ClientID, secret: reg.ClientSecret, callback: "http://127.0.0.1:9876/callback"}
	expect(t, f.authorize(t, url.Values{"response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9877/cb"}}), 400,
		`{"error":"invalid_request","error_description":"Invalid query params: field: redirect_uri detail: Query param \"redirect_uri\" must be a subset of http://127.0.0.1:9876/callback"}`)
	expect(t, me(t, s, f.flow(t, url.Values{}).AccessToken), 200, "")

	// "none" still gets a secret in v2.30, and the token endpoint wants it.
	r = call(t, s, req{method: "POST", path: "/oauth2/register", json: map[string]any{"redirect_uris": []string{"http://127.0.0.1:9876/callback"}, "token_endpoint_auth_method": "none"}})
	var pub struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	r.decode(t, &pub)
	if r.status != 201 || !reFormatted.MatchString(pub.ClientSecret) {
		t.Fatalf("none: %d %s", r.status, r.body)
	}
	pf := fixture{s: s, appID: pub.ClientID, callback: "http://127.0.0.1:9876/callback"}
	expect(t, pf.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {pf.code(t, url.Values{"response_type": {"code"}})}, "client_id": {pub.ClientID}}),
		400, `{"error":"invalid_request","error_description":"Missing required parameter: client_secret"}`)

	for _, c := range []struct {
		uris []string
		desc string
	}{
		{nil, "redirect_uris is required for authorization code flow"},
		{[]string{"http://example.com/cb"}, "invalid redirect_uris: redirect URI at index 0 must use https scheme for non-localhost URLs"},
		{[]string{"http://127.0.0.1:9876/cb#frag"}, "invalid redirect_uris: redirect URI at index 0 must not contain a fragment component"},
	} {
		r := call(t, s, req{method: "POST", path: "/oauth2/register", json: map[string]any{"redirect_uris": c.uris}})
		expect(t, r, 400, fmt.Sprintf(`{"error":"invalid_client_metadata","error_description":%q}`, c.desc))
		if r.header.Get("Content-Type") != "application/json" {
			t.Errorf("registration error Content-Type %q", r.header.Get("Content-Type"))
		}
	}

	// RFC 7592 management.
	client := "/oauth2/clients/" + reg.ClientID
	bearer := map[string]string{"Authorization": "Bearer " + reg.RegToken}
	r = call(t, s, req{path: client, headers: bearer})
	// The same document, in the same field order, without the two secrets.
	wantCfg := strings.Replace(registered, `"client_secret":"`+reg.ClientSecret+`",`, "", 1)
	wantCfg = strings.Replace(wantCfg, `"registration_access_token":"`+reg.RegToken+`",`, "", 1)
	expect(t, r, 200, strings.TrimSuffix(wantCfg, "\n"))
	var cfg map[string]any
	r.decode(t, &cfg)
	if _, ok := cfg["client_secret"]; ok || cfg["registration_access_token"] != nil || cfg["client_name"] != "dcr-client" {
		t.Errorf("client config: %s", r.body)
	}
	expect(t, call(t, s, req{path: client}), 401, `{"error":"invalid_token","error_description":"Missing Authorization header"}`)
	expect(t, call(t, s, req{path: client, headers: map[string]string{"Authorization": "Bearer wrong"}}), 401, `{"error":"invalid_token","error_description":"Invalid registration access token"}`)
	expect(t, call(t, s, req{path: "/oauth2/clients/nope", headers: bearer}), 400, `{"error":"invalid_client_id","error_description":"Invalid client ID format"}`)
	admin := newFixture(t, s, "http://127.0.0.1:9876/callback")
	expect(t, call(t, s, req{path: "/oauth2/clients/" + admin.appID, headers: bearer}), 403, `{"error":"invalid_token","error_description":"Client was not dynamically registered"}`)

	put := map[string]any{"client_name": "renamed", "redirect_uris": []string{"http://127.0.0.1:9876/callback"}, "token_endpoint_auth_method": "client_secret_post"}
	r = call(t, s, req{method: "PUT", path: client, headers: bearer, json: put})
	expect(t, r, 200, "")
	cfg = nil
	r.decode(t, &cfg)
	if _, ok := cfg["scope"]; ok || cfg["client_name"] != "renamed" {
		t.Errorf("PUT dropped scope? %s", r.body)
	}
	expect(t, call(t, s, req{method: "DELETE", path: client, headers: bearer}), http.StatusNoContent, "")
	expect(t, call(t, s, req{path: client, headers: bearer}), 401, `{"error":"invalid_token","error_description":"Client not found"}`)
}
