package flows

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Whatever is pasted, parsing never panics, never accepts a wrong state,
// and never puts the code in the displayed URL.
func FuzzParseRedirectURL(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:9876/callback?code=c&state=" + testState,
		"http://127.0.0.1:9876/callback?error=access_denied",
		"http://[::1]:9876/callback?code=%zz",
		"javascript:alert(1)", "", "\x00", "http://127.0.0.1:9876/callback?state=" + testState + "&state=x&code=c",
	} {
		f.Add(s)
	}
	exp := Expect{RedirectURI: "http://127.0.0.1:9876/callback", State: testState}
	f.Fuzz(func(t *testing.T, raw string) {
		cb, err := ParseRedirectURL(raw, exp)
		if err == nil {
			if cb.State != testState || cb.Code == "" {
				t.Fatalf("accepted %q as %+v", raw, cb)
			}
			// The code must not be the displayed URL's code (it may appear
			// elsewhere by chance: "4567" is inside this test's state).
			if u, err := url.Parse(cb.URL); err != nil || u.Query().Get("code") == cb.Code {
				t.Fatalf("displayed URL shows the code: %q", cb.URL)
			}
			return
		}
		var ce *CallbackError
		if !errors.As(err, &ce) {
			t.Fatalf("untyped error %T %v", err, err)
		}
	})
}

// The listener binds [::1] when the redirect URI names it (RFC 8252 §7.3:
// do not assume IPv4).
func TestListenerIPv6Loopback(t *testing.T) {
	t.Parallel()
	probe, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	probe.Close()
	l, err := Listen(context.Background(), ListenOptions{RedirectURI: "http://[::1]:0/callback", Expect: Expect{State: testState}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !strings.HasPrefix(l.Status().Addr, "[::1]:") {
		t.Fatalf("bound %s", l.Status().Addr)
	}
	get(t, "GET", callbackURL(l, url.Values{"code": {"c6"}, "state": {testState}}), "")
	if cb, err := waitErr(t, l); err != nil || cb.Code != "c6" {
		t.Fatalf("Wait = %+v, %v", cb, err)
	}
	assertClosed(t, l)
}
