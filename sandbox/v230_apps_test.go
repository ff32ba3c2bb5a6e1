package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const signedOut401 = `{"message":"You are signed out or your session has expired. Please sign in again to continue.","detail":"Cookie \"coder_session_token\" or query parameter must be provided."}`

// appBody is the observed app object with the id replaced.
func appBody(s *Server, id, name, callback, icon string) string {
	return fmt.Sprintf(`{"id":%q,"name":%q,"callback_url":%q,"icon":%q,"endpoints":{"authorization":"%[5]s/oauth2/authorize","token":"%[5]s/oauth2/tokens","token_revoke":"%[5]s/oauth2/revoke","device_authorization":""}}`,
		id, name, callback, icon, s.URL())
}

func TestV230AppsAPI(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	tok := s.AdminSessionToken()
	apps := "/api/v2/oauth2-provider/apps"

	r := call(t, s, req{path: apps})
	expect(t, r, http.StatusUnauthorized, signedOut401)
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="coder"`) {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	expect(t, call(t, s, req{path: apps, session: tok}), http.StatusOK, `[]`)

	create := map[string]string{"name": "ref-client-a", "callback_url": "http://127.0.0.1:9876/callback", "icon": ""}
	r = call(t, s, req{method: "POST", path: apps, session: tok, json: create})
	var a struct{ ID string }
	r.decode(t, &a)
	if !reUUID.MatchString(a.ID) {
		t.Fatalf("id %q", a.ID)
	}
	expect(t, r, http.StatusCreated, appBody(s, a.ID, "ref-client-a", "http://127.0.0.1:9876/callback", ""))
	// Names are not unique.
	r = call(t, s, req{method: "POST", path: apps, session: tok, json: create})
	var dup struct{ ID string }
	r.decode(t, &dup)
	expect(t, r, http.StatusCreated, appBody(s, dup.ID, "ref-client-a", "http://127.0.0.1:9876/callback", ""))

	expect(t, call(t, s, req{method: "POST", path: apps, session: tok, json: map[string]string{"name": "bad name!", "callback_url": "not a url"}}),
		http.StatusBadRequest, `{"message":"Validation failed.","validations":[{"field":"name","detail":"Validation failed for tag \"oauth2_app_name\" with value: \"bad name!\""},{"field":"callback_url","detail":"Validation failed for tag \"http_url\" with value: \"not a url\""}]}`)
	for _, bad := range []string{"new", "create", "-x", "a--b", strings.Repeat("a", 33)} {
		r := call(t, s, req{method: "POST", path: apps, session: tok, json: map[string]string{"name": bad, "callback_url": "http://x/cb"}})
		expect(t, r, http.StatusBadRequest, "")
	}
	r = call(t, s, req{method: "POST", path: apps, session: tok, raw: "{not json"})
	expect(t, r, http.StatusBadRequest, "")
	if !strings.Contains(r.text(), `"message":"Request body must be valid JSON."`) {
		t.Errorf("bad JSON body: %s", r.body)
	}

	expect(t, call(t, s, req{path: apps + "/" + a.ID, session: tok}), http.StatusOK, appBody(s, a.ID, "ref-client-a", "http://127.0.0.1:9876/callback", ""))
	expect(t, call(t, s, req{path: apps + "/00000000-0000-0000-0000-000000000000", session: tok}), http.StatusNotFound, `{"message":"OAuth2 application not found."}`)
	expect(t, call(t, s, req{path: apps + "/not-a-uuid", session: tok}), http.StatusBadRequest, `{"message":"Invalid UUID \"not-a-uuid\".","detail":"invalid UUID length: 10"}`)

	put := map[string]string{"name": "ref-client-a-renamed", "callback_url": "http://127.0.0.1:9876/callback", "icon": "/icon/code.svg"}
	expect(t, call(t, s, req{method: "PUT", path: apps + "/" + a.ID, session: tok, json: put}), http.StatusOK,
		appBody(s, a.ID, "ref-client-a-renamed", "http://127.0.0.1:9876/callback", "/icon/code.svg"))

	// Ordered by name: the renamed app sorts after the duplicate.
	r = call(t, s, req{path: apps, session: tok})
	if idx := strings.Index(r.text(), dup.ID); idx < 0 || idx > strings.Index(r.text(), a.ID) {
		t.Errorf("list not ordered by name: %s", r.body)
	}

	// ?user_id=: null while the admin holds no tokens, then the app.
	admin := adminID(t, s)
	expect(t, call(t, s, req{path: apps + "?user_id=" + admin, session: tok}), http.StatusOK, `null`)
	expect(t, call(t, s, req{path: apps + "?user_id=bad", session: tok}), http.StatusBadRequest, `{"message":"Invalid user UUID","detail":"queried user_id=\"00000000-0000-0000-0000-000000000000\""}`)
	// An empty user_id is no filter at all: the full list.
	all := call(t, s, req{path: apps, session: tok})
	if r := call(t, s, req{path: apps + "?user_id=", session: tok}); r.status != http.StatusOK || r.text() != all.text() || !strings.Contains(all.text(), dup.ID) {
		t.Errorf("?user_id= gave %d %s, want the full list %s", r.status, r.body, all.body)
	}
	r = call(t, s, req{method: "POST", path: apps + "/" + a.ID + "/secrets", session: tok})
	var sec struct {
		Full string `json:"client_secret_full"`
	}
	r.decode(t, &sec)
	f := fixture{s: s, appID: a.ID, secret: sec.Full, callback: "http://127.0.0.1:9876/callback"}
	access := f.flow(t, url.Values{}).AccessToken
	expect(t, call(t, s, req{path: apps + "?user_id=" + admin, session: tok}), http.StatusOK,
		"["+appBody(s, a.ID, "ref-client-a-renamed", "http://127.0.0.1:9876/callback", "/icon/code.svg")+"]")

	// Delete kills the app's tokens.
	expect(t, call(t, s, req{method: "DELETE", path: apps + "/" + a.ID, session: tok}), http.StatusNoContent, "")
	r = me(t, s, access)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.text(), `"detail":"API key is invalid."`) {
		t.Errorf("token after app delete: %d %s", r.status, r.body)
	}
	expect(t, call(t, s, req{method: "DELETE", path: apps + "/" + a.ID, session: tok}), http.StatusNotFound, `{"message":"OAuth2 application not found."}`)
	expect(t, call(t, s, req{path: apps + "/" + a.ID, session: tok}), http.StatusNotFound, `{"message":"OAuth2 application not found."}`)
}

func adminID(t testing.TB, s *Server) string {
	t.Helper()
	var u struct{ ID string }
	call(t, s, req{path: "/api/v2/users/me", session: s.AdminSessionToken()}).decode(t, &u)
	return u.ID
}

func TestMembersReadOnly(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	_, member, err := s.CreateUser("member@example.com", "member", "pw-member-1", false)
	if err != nil {
		t.Fatal(err)
	}
	apps := "/api/v2/oauth2-provider/apps"
	expect(t, call(t, s, req{path: apps, session: member}), http.StatusOK, "")
	expect(t, call(t, s, req{path: apps + "/" + f.appID, session: member}), http.StatusOK, "")
	for _, q := range []req{
		{method: "POST", path: apps, json: map[string]string{"name": "x", "callback_url": "http://x/cb"}},
		{method: "PUT", path: apps + "/" + f.appID, json: map[string]string{"name": "x", "callback_url": "http://x/cb"}},
		{method: "DELETE", path: apps + "/" + f.appID},
		{method: "POST", path: apps + "/" + f.appID + "/secrets"},
	} {
		q.session = member
		expect(t, call(t, s, q), http.StatusForbidden, `{"message":"Forbidden."}`)
	}
	if _, _, err := s.CreateUser("member@example.com", "other", "pw", false); err == nil {
		t.Error("duplicate email accepted")
	}
}

var reSecretList = regexp.MustCompile(`^\[\{"id":"[0-9a-f-]{36}","last_used_at":null,"client_secret_truncated":"[0-9A-Za-z]{6}"\},\{"id":"[0-9a-f-]{36}","last_used_at":null,"client_secret_truncated":"[0-9A-Za-z]{6}"\}\]\n$`)

func TestV230Secrets(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	tok := s.AdminSessionToken()
	base := "/api/v2/oauth2-provider/apps/" + f.appID + "/secrets"
	r := call(t, s, req{method: "POST", path: base, session: tok})
	var second struct {
		ID   string `json:"id"`
		Full string `json:"client_secret_full"`
	}
	r.decode(t, &second)
	expect(t, r, http.StatusCreated, fmt.Sprintf(`{"id":%q,"client_secret_full":%q}`, second.ID, second.Full))
	if !reFormatted.MatchString(second.Full) {
		t.Fatalf("secret shape %q", second.Full)
	}
	r = call(t, s, req{path: base, session: tok})
	if r.status != 200 || !reSecretList.Match(r.body) || !strings.Contains(r.text(), `"client_secret_truncated":"`+second.Full[len(second.Full)-6:]+`"`) {
		t.Fatalf("secret list: %d %s", r.status, r.body)
	}

	// A token issued with the first secret dies with it; last_used_at stays null.
	access := f.flow(t, url.Values{}).AccessToken
	var list []struct{ ID string }
	call(t, s, req{path: base, session: tok}).decode(t, &list)
	if !reSecretList.Match(call(t, s, req{path: base, session: tok}).body) {
		t.Error("last_used_at must stay null in v2.30")
	}
	firstID := list[0].ID
	if firstID == second.ID {
		firstID = list[1].ID
	}
	expect(t, call(t, s, req{method: "DELETE", path: base + "/" + firstID, session: tok}), http.StatusNoContent, "")
	expect(t, me(t, s, access), http.StatusUnauthorized, "")
	expect(t, call(t, s, req{method: "DELETE", path: base + "/" + firstID, session: tok}), http.StatusNotFound, `{"message":"Resource not found or you do not have access to this resource"}`)

	other := newFixture(t, s, "http://127.0.0.1:9877/cb")
	expect(t, call(t, s, req{method: "DELETE", path: "/api/v2/oauth2-provider/apps/" + other.appID + "/secrets/" + second.ID, session: tok}),
		http.StatusBadRequest, `{"message":"App ID does not match secret app ID."}`)
}
