package ui

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// TestRequestsLogDetailAndHARExport records the session's exchanges against
// the sandbox, opens one, and exports the log: the file is 0600, valid HAR,
// never overwrites, and holds no session token.
func TestRequestsLogDetailAndHARExport(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	line := exchangeLine(client.Exchange{Method: "GET", URL: "http://x/api/v2/users/me", StatusCode: 200, Source: "check flow.pkce"})
	if !strings.Contains(line, "check flow.pkce") {
		t.Fatalf("%q", line)
	}
	if line := exchangeLine(client.Exchange{Method: "GET", URL: "http://x/"}); !strings.Contains(line, "—") {
		t.Fatalf("no source: %q", line)
	}
}

// requestsSample is one exchange of each kind the filter tells apart.
func requestsSample() []client.Exchange {
	at := time.Date(2026, 11, 22, 12, 0, 0, 123e6, time.Local)
	return []client.Exchange{
		{ID: 1, Method: "GET", URL: "https://h/api/v2/users/me", StatusCode: 200, Started: at},
		{ID: 2, Method: "POST", URL: "https://h/oauth2/tokens", StatusCode: 400, Source: "check token.bad-client-secret", Started: at},
		{ID: 3, Method: "POST", URL: "https://h/oauth2/authorize", StatusCode: 302, Source: "flow authorize", Started: at},
		{ID: 4, Method: "GET", URL: "https://h/api/v2/oauth2-provider/apps", StatusCode: 500, Started: at},
		{ID: 5, Method: "GET", URL: "https://h/broken", Err: "dial tcp: refused", Started: at},
	}
}

var requestsPaths = []string{"/api/v2/users/me", "/oauth2/tokens", "/oauth2/authorize", "/api/v2/oauth2-provider/apps", "/broken"}

// requireRequests checks that exactly the exchanges with these ids (1-based,
// as in requestsSample) are listed.
func requireRequests(t *testing.T, h *harness, filter string, ids ...int) {
	t.Helper()
	screen := h.screen()
	for i, p := range requestsPaths {
		want := slices.Contains(ids, i+1)
		if got := strings.Contains(screen, " "+p+" ") || strings.HasSuffix(strings.TrimRight(lineWith(screen, p), " "), p); got != want {
			t.Fatalf("filter %q: exchange %d (%s) listed %v, want %v:\n%s", filter, i+1, p, got, want, screen)
		}
	}
}

// lineWith is the first line of screen that contains s, or "".
func lineWith(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// / narrows the list as you type: a method, a status class or comparison,
// err, and text in the URL or the SOURCE column, every word at once; keys
// typed into the filter are text (2 is no tab switch), esc clears it, and
// exchanges arriving meanwhile are filtered too.
func TestRequestsFilter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 120, 30)
	h.key("6")
	h.send(exchangesLoadedMsg{requestsSample()})
	h.requireScreen("12:00:00.123", "HTTP exchanges  5 ·")
	requireRequests(t, h, "", 1, 2, 3, 4, 5)
	h.key("/")
	h.requireScreen("4xx", ">=400")
	for _, tc := range []struct {
		filter string
		ids    []int
	}{
		{"4xx", []int{2}},
		{">=400", []int{2, 4}},
		{"<300", []int{1}},
		{"err", []int{5}},
		{"post", []int{2, 3}},
		{"get post", []int{1, 2, 3, 4, 5}},
		{"POST bad-client", []int{2}},
		{"get apps", []int{4}},
		{"check", []int{2}},
		{"500", []int{4}},
		{"2", []int{1, 2, 3, 4}}, // text: /api/v2, /oauth2
		{"9", nil},
	} {
		h.send(keyMsg("ctrl+u"))
		if tc.filter != "" {
			h.typeText(tc.filter)
		}
		requireRequests(t, h, tc.filter, tc.ids...)
		if tab := h.m.top(); tab.Title() != "Requests" {
			t.Fatalf("typing %q left the tab for %s", tc.filter, tab.Title())
		}
	}
	h.requireScreen("No exchange matches “9”")
	h.send(keyMsg("ctrl+u"))
	h.typeText("4xx")
	h.key("enter") // keeps the filter; the list has the keys again
	h.requireScreen("1 of 5")
	h.send(exchangeMsg{client.Exchange{ID: 6, Method: "GET", URL: "https://h/api/v2/missing", StatusCode: 404}})
	h.send(exchangeMsg{client.Exchange{ID: 7, Method: "GET", URL: "https://h/api/v2/fine", StatusCode: 200}})
	h.requireScreen("/api/v2/missing", "2 of 7")
	if strings.Contains(h.screen(), "/api/v2/fine") {
		t.Fatalf("a 200 passed the 4xx filter:\n%s", h.screen())
	}
	h.key("esc")
	h.requireScreen("/api/v2/fine", "HTTP exchanges  7 ·")
	requireRequests(t, h, "", 1, 2, 3, 4, 5)
	if h.m.top().Title() != "Requests" {
		t.Fatal("esc with a filter left the tab instead of clearing it")
	}
}

func TestExchangeFilterSyntax(t *testing.T) {
	t.Parallel()
	row := func(method string, code int, url, source string) exchangeRow {
		return exchangeRow{ex: client.Exchange{StatusCode: code}, method: method, text: strings.ToLower(url + " " + source)}
	}
	for _, tc := range []struct {
		q    string
		r    exchangeRow
		want bool
	}{
		{"4XX", row("GET", 404, "/x", ""), true},
		{"4xx", row("GET", 500, "/x", ""), false},
		{"!=200", row("GET", 0, "/x", ""), false}, // no response: only err
		{"<=302", row("GET", 302, "/x", ""), true},
		{">302", row("GET", 302, "/x", ""), false},
		{"=201", row("GET", 201, "/x", ""), true},
		{"delete", row("DELETE", 204, "/x", ""), true},
		{"Flow.PKCE", row("POST", 200, "/oauth2/tokens", "check flow.pkce"), true},
		{"40", row("GET", 404, "/x", ""), false},   // text, not a code
		{"40", row("GET", 200, "/x/40", ""), true}, // in the URL
		{">=4x", row("GET", 404, "/x", ""), false},
	} {
		if got := parseExchangeFilter(tc.q).match(tc.r); got != tc.want {
			t.Errorf("%q on %+v: %v, want %v", tc.q, tc.r, got, tc.want)
		}
	}
}

// A long URL in the exchange detail wraps onto the next lines instead of
// being cut, and no line is wider than the screen.
func TestExchangeDetailWrapsLongURLs(t *testing.T) {
	t.Parallel()
	c := newCommon(t.Context(), Deps{})
	c.Styles, c.Keys = NewStyles(true), DefaultKeyMap()
	url := "https://coder.example.com/oauth2/authorize?client_id=0a1b2c3d-4e5f-6789-abcd-ef0123456789&redirect_uri=http%3A%2F%2F127.0.0.1%3A9876%2Fcallback&state=tail-of-the-url"
	s := newExchangeDetail(c, client.Exchange{ID: 1, Method: "GET", URL: url, StatusCode: 302, Started: time.Date(2026, 11, 22, 12, 0, 0, 456e6, time.Local),
		ResponseHeader: http.Header{"Location": {url + "&code=x"}}})
	s.SetSize(60, 20)
	view := ansi.Strip(s.View())
	var joined strings.Builder
	for _, l := range strings.Split(view, "\n") {
		if w := ansi.StringWidth(l); w > 60 {
			t.Fatalf("a line of %d cells on a 60-cell screen: %q", w, l)
		}
		joined.WriteString(strings.TrimRight(l, " "))
	}
	if !strings.Contains(joined.String(), "GET "+url) || !strings.Contains(view, "state=tail-of-the-url") || !strings.Contains(view, "12:00:00.456") {
		t.Fatalf("the URL is not shown whole:\n%s", view)
	}
}

// C clears the view without a crash, and the selection stays on the same
// exchange while others arrive out of order or push the oldest out.
func TestRequestsClearAndStableSelection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 120, 30)
	h.key("6")
	h.send(exchangesLoadedMsg{requestsSample()})
	h.key("g", "down", "down") // exchange 3
	s := tabScreen[*requestsScreen](h.m, screenRequests)
	if got := s.selectedID(); got != 3 {
		t.Fatalf("selected %d", got)
	}
	at := time.Date(2026, 11, 22, 12, 0, 1, 0, time.Local)
	for _, id := range []int64{7, 0, 6} { // 0 sorts first: every row moves under shown
		h.send(exchangeMsg{client.Exchange{ID: id, Method: "GET", URL: "https://h/x", StatusCode: 200, Started: at}})
	}
	if got := s.selectedID(); got != 3 {
		t.Fatalf("the selection moved to %d", got)
	}
	h.key("C")
	h.requireScreen("Cleared the view")
	if got := s.selectedID(); got != -1 || len(s.shown) != 0 {
		t.Fatalf("after C: selected %d, %d shown", got, len(s.shown))
	}
	h.send(exchangeMsg{client.Exchange{ID: 8, Method: "GET", URL: "https://h/y", StatusCode: 200, Started: at}})
	h.requireScreen("/y")
}
