package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// TestRequestsLogDetailAndHARExport records the session's exchanges against
// the sandbox, opens one, and exports the log: the file is 0600, valid HAR,
// never overwrites, and holds no session token.
func TestRequestsLogDetailAndHARExport(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	rec := client.NewRecorder(500)
	h := newRealHarness(t, Deps{InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken(), Recorder: rec}, 120, 30)
	h.waitScreen("admin@")
	h.key("6")
	h.waitScreen("HTTP exchanges", "/api/v2/buildinfo", "/api/v2/users/me")
	if strings.Contains(h.screen(), srv.AdminSessionToken()) {
		t.Fatal("session token on the Requests screen")
	}
	h.key("g", "enter")
	h.waitScreen("Request", "GET "+srv.URL()+"/", "Response", "200 OK")
	if strings.Contains(h.screen(), srv.AdminSessionToken()) {
		t.Fatal("session token in the exchange detail")
	}
	h.key("esc")

	dir := t.TempDir()
	path := filepath.Join(dir, "trace.har")
	h.key("x")
	h.waitScreen("Export the session's HTTP log")
	h.send(keyMsg("ctrl+u"))
	h.typeText(path)
	h.key("enter")
	h.waitScreen("Exported")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("HAR file: %v %v", fi, err)
	}
	data, _ := os.ReadFile(path)
	var har struct {
		Log struct {
			Entries []json.RawMessage `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(data, &har); err != nil || len(har.Log.Entries) < 2 {
		t.Fatalf("HAR: %v, %d entries", err, len(har.Log.Entries))
	}
	if strings.Contains(string(data), srv.AdminSessionToken()) {
		t.Fatal("session token in the exported HAR")
	}

	// A second export to the same path refuses to overwrite.
	h.key("x")
	h.send(keyMsg("ctrl+u"))
	h.typeText(path)
	h.key("enter")
	h.waitScreen("file exists")
}

// An exchange's detail is a long document: G and g jump to its ends, as in
// the other document views.
func TestExchangeDetailJumpsToEnds(t *testing.T) {
	c := newCommon(t.Context(), Deps{})
	c.Styles = NewStyles(true)
	body := []byte(strings.Repeat("line of the response body\n", 200))
	s := newExchangeDetail(c, client.Exchange{ID: 1, Method: "GET", URL: "https://h/api/v2/x", StatusCode: 200, ResponseBody: body})
	s.SetSize(80, 20)
	if !s.vp.AtTop() {
		t.Fatal("the detail does not open at the top")
	}
	s.Update(keyMsg("G"))
	if !s.vp.AtBottom() {
		t.Fatal("G did not jump to the end")
	}
	s.Update(keyMsg("g"))
	if !s.vp.AtTop() {
		t.Fatal("g did not jump to the start")
	}
}

// Each exchange names what made it (a flow step, a check), or "—" for the
// console's own loading; a source is server-free text but still made safe.
func TestExchangeLineSource(t *testing.T) {
	line := exchangeLine(client.Exchange{Method: "GET", URL: "http://x/api/v2/users/me", StatusCode: 200, Source: "check flow.pkce"})
	if !strings.Contains(line, "check flow.pkce") {
		t.Fatalf("%q", line)
	}
	if line := exchangeLine(client.Exchange{Method: "GET", URL: "http://x/"}); !strings.Contains(line, "—") {
		t.Fatalf("no source: %q", line)
	}
}
