package flows

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const testState = "state-0123456789abcdef0123456789abcdef"

func startListener(t *testing.T, opts ListenOptions) *Listener {
	t.Helper()
	if opts.RedirectURI == "" {
		opts.RedirectURI = "http://127.0.0.1:0/callback"
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Expect.State == "" {
		opts.Expect.State = testState
	}
	l, err := Listen(context.Background(), opts)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// noRedirect is an HTTP client that talks to the listener like a browser would, minus redirects.
var noRedirect = &http.Client{Timeout: 5 * time.Second}

// answer is what a test reads of a response whose body get has read and closed.
type answer struct {
	StatusCode int
	Header     http.Header
}

func get(t *testing.T, method, rawURL, host string) (answer, string) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{StatusCode: resp.StatusCode, Header: resp.Header}, string(b)
}

func callbackURL(l *Listener, q url.Values) string { return l.RedirectURI() + "?" + q.Encode() }

// assertClosed dials the bound address: after the listener ends nothing may accept.
func assertClosed(t *testing.T, l *Listener) {
	t.Helper()
	<-l.stopped
	addr := l.Status().Addr
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("listener still accepts connections on %s", addr)
	}
	if !l.Status().Closed {
		t.Fatal("status does not say closed")
	}
}

func waitErr(t *testing.T, l *Listener) (Callback, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return l.Wait(ctx)
}

func TestListenerAcceptsOneValidCallback(t *testing.T) {
	t.Parallel()
	var statuses []ListenerStatus
	l := startListener(t, ListenOptions{OnStatus: func(s ListenerStatus) { statuses = append(statuses, s) }})
	if !strings.HasPrefix(l.Status().Addr, "127.0.0.1:") {
		t.Fatalf("bound %s, want 127.0.0.1", l.Status().Addr)
	}
	resp, body := get(t, "GET", callbackURL(l, url.Values{"code": {"the-code-value"}, "state": {testState}}), "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for k, want := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if strings.Contains(body, "the-code-value") || strings.Contains(body, "http") && strings.Contains(body, "src=") {
		t.Fatalf("page echoes the code or loads resources: %s", body)
	}
	cb, err := waitErr(t, l)
	if err != nil || cb.Code != "the-code-value" || cb.State != testState {
		t.Fatalf("Wait = %+v, %v", cb, err)
	}
	if strings.Contains(cb.URL, "the-code-value") {
		t.Fatalf("Callback.URL leaks the code: %s", cb.URL)
	}
	assertClosed(t, l)
	st := l.Status()
	if !st.Received || !st.StateOK || st.Listening {
		t.Fatalf("status %+v", st)
	}
	// A second callback cannot even connect.
	if resp, err := noRedirect.Get(callbackURL(l, url.Values{"code": {"x"}, "state": {testState}})); err == nil {
		resp.Body.Close()
		t.Fatal("second callback was answered")
	}
}

// A callback without this flow's state is refused (400), counted, and does
// not end the wait: a stray page or a forged <img> cannot abort the flow.
// The real callback still gets through afterwards.
func TestListenerRefusesForeignState(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		q    string
		want error
	}{
		"wrong state":            {url.Values{"code": {"c"}, "state": {"other"}}.Encode(), ErrStateMismatch},
		"missing state":          {url.Values{"code": {"c"}}.Encode(), ErrStateMissing},
		"repeated state":         {"code=c&state=" + testState + "&state=" + testState, ErrStateMismatch},
		"error without state":    {url.Values{"error": {"access_denied"}, "error_description": {"user said no"}}.Encode(), ErrStateMissing},
		"error with wrong state": {url.Values{"error": {"access_denied"}, "state": {"x"}}.Encode(), ErrStateMismatch},
		"bare path":              {"", ErrStateMissing},
	} {
		t.Run(name, func(t *testing.T) {
			l := startListener(t, ListenOptions{})
			u, _ := url.Parse(l.RedirectURI())
			u.RawQuery = tc.q
			resp, body := get(t, "GET", u.String(), "")
			if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "user said no") {
				t.Fatalf("status %d, body %q", resp.StatusCode, body)
			}
			select {
			case <-l.Done():
				t.Fatal("a callback without this flow's state ended the wait")
			default:
			}
			rej := l.Status().Rejected
			if len(rej) != 1 || !errors.Is(rej[0].Reason, tc.want) {
				t.Fatalf("rejections %+v, want one %v", rej, tc.want)
			}
			if st := l.Status(); st.Received || st.StateOK {
				t.Fatalf("status %+v after a refusal", st)
			}
			get(t, "GET", callbackURL(l, url.Values{"code": {"c"}, "state": {testState}}), "")
			if cb, err := waitErr(t, l); err != nil || cb.Code != "c" {
				t.Fatalf("the real callback after a refusal: %+v %v", cb, err)
			}
			assertClosed(t, l)
		})
	}
}

// A callback with this flow's state ends the wait, whatever it says: an
// error= with the matching state is the server's answer.
func TestListenerMatchingStateEndsWait(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		q    url.Values
		want error
	}{
		"no code": {url.Values{"state": {testState}}, ErrCodeMissing},
		"error callback": {url.Values{"error": {"access_denied"}, "error_description": {"user said no"},
			"state": {testState}}, ErrAuthorization},
	} {
		t.Run(name, func(t *testing.T) {
			l := startListener(t, ListenOptions{})
			resp, body := get(t, "GET", callbackURL(l, tc.q), "")
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if strings.Contains(body, "user said no") {
				t.Fatal("page echoes server text")
			}
			_, err := waitErr(t, l)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var ce *CallbackError
			if !errors.As(err, &ce) {
				t.Fatalf("err %T is not a *CallbackError", err)
			}
			if errors.Is(tc.want, ErrAuthorization) && (ce.Code != "access_denied" || ce.Description != "user said no") {
				t.Fatalf("callback error %+v", ce)
			}
			assertClosed(t, l)
		})
	}
}

func TestListenerIssuer(t *testing.T) {
	t.Parallel()
	exp := Expect{State: testState, Issuer: "http://127.0.0.1:3000", RequireIss: true}
	l := startListener(t, ListenOptions{Expect: exp})
	get(t, "GET", callbackURL(l, url.Values{"code": {"c"}, "state": {testState}}), "")
	if _, err := waitErr(t, l); !errors.Is(err, ErrIssMissing) {
		t.Fatalf("err = %v, want ErrIssMissing", err)
	}
	l = startListener(t, ListenOptions{Expect: exp})
	get(t, "GET", callbackURL(l, url.Values{"code": {"c"}, "state": {testState}, "iss": {"https://evil.example"}}), "")
	if _, err := waitErr(t, l); !errors.Is(err, ErrIssMismatch) {
		t.Fatalf("err = %v, want ErrIssMismatch", err)
	}
	l = startListener(t, ListenOptions{Expect: exp})
	get(t, "GET", callbackURL(l, url.Values{"code": {"c"}, "state": {testState}, "iss": {exp.Issuer}}), "")
	if cb, err := waitErr(t, l); err != nil || cb.Iss != exp.Issuer || !l.Status().IssChecked {
		t.Fatalf("Wait = %+v, %v; status %+v", cb, err, l.Status())
	}
}

// Wrong path, method or Host is refused and recorded; the wait goes on
// until a real callback (here: a timeout), then the port is closed.
func TestListenerRejectsWithoutEndingWait(t *testing.T) {
	for name, tc := range map[string]struct {
		method, path, host string
		status             int
		want               error
	}{
		"wrong path": {"GET", "/favicon.ico", "", http.StatusNotFound, ErrWrongPath},
		"POST":       {"POST", "/callback", "", http.StatusMethodNotAllowed, ErrWrongMethod},
		"wrong host": {"GET", "/callback", "evil.example", http.StatusMisdirectedRequest, ErrWrongHost},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Long enough that the refused request is answered well before it.
			l := startListener(t, ListenOptions{Timeout: 2 * time.Second})
			u, _ := url.Parse(l.RedirectURI())
			u.Path = tc.path
			u.RawQuery = url.Values{"code": {"c"}, "state": {testState}}.Encode()
			host := tc.host
			if host != "" {
				host += ":" + u.Port()
			}
			resp, _ := get(t, tc.method, u.String(), host)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			rej := l.Status().Rejected
			if len(rej) != 1 || !errors.Is(rej[0].Reason, tc.want) {
				t.Fatalf("rejections %+v, want one %v", rej, tc.want)
			}
			select {
			case <-l.Done():
				t.Fatal("a refused request ended the wait")
			default:
			}
			_, err := waitErr(t, l)
			if !errors.Is(err, ErrListenTimeout) {
				t.Fatalf("err = %v, want timeout", err)
			}
			assertClosed(t, l)
		})
	}
}

func TestListenerAcceptsLocalhostHost(t *testing.T) {
	t.Parallel()
	l := startListener(t, ListenOptions{})
	u, _ := url.Parse(l.RedirectURI())
	resp, _ := get(t, "GET", callbackURL(l, url.Values{"code": {"c"}, "state": {testState}}), "localhost:"+u.Port())
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, err := waitErr(t, l); err != nil {
		t.Fatal(err)
	}
}

func TestListenerPortInUse(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, port, _ := net.SplitHostPort(busy.Addr().String())
	_, err = Listen(context.Background(), ListenOptions{RedirectURI: "http://127.0.0.1:" + port + "/callback"})
	if !errors.Is(err, ErrPortInUse) {
		t.Fatalf("err = %v, want ErrPortInUse", err)
	}
}

func TestListenerRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://0.0.0.0:9876/cb", "http://example.com:9876/cb", "https://127.0.0.1:9876/cb", "http://127.0.0.1/cb", "not a url"} {
		if _, err := Listen(context.Background(), ListenOptions{RedirectURI: u}); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("%s: err = %v, want ErrNotLoopback", u, err)
		}
	}
}

func TestListenerCancelAndClose(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	l, err := Listen(ctx, ListenOptions{RedirectURI: "http://127.0.0.1:0/cb", Expect: Expect{State: testState}})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := waitErr(t, l); !errors.Is(err, ErrListenerClosed) {
		t.Fatalf("err = %v", err)
	}
	assertClosed(t, l)

	l = startListener(t, ListenOptions{})
	_ = l.Close()
	if _, err := waitErr(t, l); !errors.Is(err, ErrListenerClosed) {
		t.Fatalf("err = %v", err)
	}
	assertClosed(t, l)
}

func TestListenerDeliverPastedURL(t *testing.T) {
	t.Parallel()
	l := startListener(t, ListenOptions{})
	u, _ := url.Parse(l.RedirectURI())
	// Wrong host or path: refused, still waiting.
	if err := l.Deliver("http://example.com:" + u.Port() + "/callback?code=c&state=" + testState); !errors.Is(err, ErrWrongHost) {
		t.Fatalf("err = %v", err)
	}
	if err := l.Deliver("http://127.0.0.1:" + u.Port() + "/other?code=c&state=" + testState); !errors.Is(err, ErrWrongPath) {
		t.Fatalf("err = %v", err)
	}
	if err := l.Deliver("garbage"); !errors.Is(err, ErrMalformedURL) {
		t.Fatalf("err = %v", err)
	}
	// localhost for 127.0.0.1 is the same loopback endpoint.
	if err := l.Deliver("  http://localhost:" + u.Port() + "/callback?code=pasted&state=" + testState + "\n"); err != nil {
		t.Fatal(err)
	}
	cb, err := waitErr(t, l)
	if err != nil || cb.Code != "pasted" {
		t.Fatalf("Wait = %+v, %v", cb, err)
	}
	assertClosed(t, l)
}

func TestParseRedirectURL(t *testing.T) {
	t.Parallel()
	exp := Expect{RedirectURI: "http://127.0.0.1:9876/callback", State: testState}
	cases := map[string]error{
		"http://127.0.0.1:9876/callback?code=c&state=" + testState:              nil,
		"http://[::1]:9876/callback?code=c&state=" + testState:                  nil,
		"http://127.0.0.1:9877/callback?code=c&state=" + testState:              ErrWrongHost,
		"http://127.0.0.1:9876/callbackx?code=c&state=" + testState:             ErrWrongPath,
		"http://127.0.0.1:9876/callback?code=c&state=nope":                      ErrStateMismatch,
		"http://127.0.0.1:9876/callback?code=c":                                 ErrStateMissing,
		"http://127.0.0.1:9876/callback?error=access_denied&state=" + testState: ErrAuthorization,
		"/callback?code=c": ErrMalformedURL,
		"http://127.0.0.1:9876/callback?code=c&state=" + testState + "&state=" + testState: ErrMalformedURL,
		"http://127.0.0.1:9876/callback?code=c&code=d&state=" + testState:                  ErrMalformedURL,
		"%zz": ErrMalformedURL,
		"http://127.0.0.1:9876/callback?code=c&state=" + testState + "&x=%zz": ErrMalformedURL,
	}
	for raw, want := range cases {
		_, err := ParseRedirectURL(raw, exp)
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", raw, err, want)
		}
	}
}
