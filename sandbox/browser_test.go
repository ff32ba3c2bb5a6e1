package sandbox

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"oauthdeck/pkce"
	"oauthdeck/sandbox/testenv"
)

// TestRealBrowserConsent drives headless chromium through the sandbox's
// login and consent pages (in main mode that is the cookie session plus the
// CSRF form token) and receives the code on a real loopback callback.
func TestRealBrowserConsent(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "chromium", "chromium")
	for _, compat := range []Compat{CompatV230, CompatMain} {
		t.Run(string(compat), func(t *testing.T) {
			s := startSandbox(t, Options{Compat: compat})
			got := make(chan url.Values, 2)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			cbSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/callback" { // e.g. the browser's favicon request
					http.NotFound(w, r)
					return
				}
				got <- r.URL.Query()
				_, _ = w.Write([]byte(`<!DOCTYPE html><p id="result">done</p>`))
			})}
			go func() { _ = cbSrv.Serve(ln) }()
			t.Cleanup(func() { _ = cbSrv.Close() })
			f := newFixture(t, s, "http://"+ln.Addr().String()+"/callback")

			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
				chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()))...)
			defer cancelAlloc()
			browser, cancelBrowser := chromedp.NewContext(alloc)
			defer cancelBrowser()

			p := pkce.New()
			q := url.Values{"client_id": {f.appID}, "response_type": {"code"}, "redirect_uri": {f.callback},
				"state": {"browser-state"}, "code_challenge": {p.Challenge}, "code_challenge_method": {"S256"}}
			err = chromedp.Do(browser,
				chromedp.Navigate(s.URL()+"/oauth2/authorize?"+q.Encode()),
				chromedp.WaitVisible("#email"),
				chromedp.SendKeys("#email", s.AdminEmail()),
				chromedp.SendKeys("#password", s.AdminPassword()),
				chromedp.Click("#sign-in"),
				chromedp.WaitVisible("#allow"),
				chromedp.Click("#allow"),
				chromedp.WaitVisible("#result"),
			)
			if err != nil {
				t.Fatalf("browser: %v", err)
			}
			var cb url.Values
			select {
			case cb = <-got:
			case <-ctx.Done():
				t.Fatal("callback never hit")
			}
			if cb.Get("state") != "browser-state" || !reFormatted.MatchString(cb.Get("code")) {
				t.Fatalf("callback query %v", cb)
			}
			r := f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")}, "client_id": {f.appID},
				"client_secret": {f.secret}, "code_verifier": {p.Verifier}, "redirect_uri": {f.callback}})
			expect(t, r, 200, "")

			// Cancel goes back with access_denied.
			err = chromedp.Do(browser,
				chromedp.Navigate(s.URL()+"/oauth2/authorize?"+q.Encode()),
				chromedp.WaitVisible("#cancel-link"),
				chromedp.Click("#cancel-link"),
				chromedp.WaitVisible("#result"),
			)
			if err != nil {
				t.Fatalf("browser cancel: %v", err)
			}
			if cb = <-got; cb.Get("error") != "access_denied" || cb.Get("code") != "" {
				t.Fatalf("cancel query %v", cb)
			}
		})
	}
}
