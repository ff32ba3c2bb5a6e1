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
