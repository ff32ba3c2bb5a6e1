package flows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

// A real browser (headless Debian chromium through chromedp) opens the
// authorization URL, signs in on the sandbox's /login page, clicks Allow on
// the consent page, and the flow's loopback listener receives the code.
func TestFlowRealBrowser(t *testing.T) {
	t.Parallel()
	requireChromium(t)
	for _, compat := range []sandbox.Compat{sandbox.CompatV230, sandbox.CompatMain} {
		t.Run(string(compat), func(t *testing.T) {
			env := startSandbox(t, compat)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()

			browserCtx := newBrowser(t, ctx)

			pageText := make(chan string, 1)
			browserErr := make(chan error, 1)
			open := func(authURL string) error {
				go func() {
					err := chromedp.Do(browserCtx,
						chromedp.Navigate(authURL),
						chromedp.WaitVisible("#email"),
						chromedp.SendKeys("#email", env.srv.AdminEmail()),
						chromedp.SendKeys("#password", env.srv.AdminPassword()),
						chromedp.Click("#sign-in"),
						chromedp.WaitVisible("#allow"),
						chromedp.Click("#allow"),
						chromedp.WaitVisible("#result"),
					)
					if err != nil {
						browserErr <- err
						return
					}
					txt, err := chromedp.Run(browserCtx, chromedp.Text("#result"))
					if err != nil {
						browserErr <- err
						return
					}
					pageText <- txt
				}()
				return nil
			}
			f, err := New(Config{Client: env.c, Recorder: env.rec, CallbackURL: "http://127.0.0.1:0/callback",
				Consent: ConsentBrowser, OpenBrowser: open, ListenTimeout: 60 * time.Second, Cleanup: true})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// A broken browser script must fail fast instead of waiting out the listener.
			var scriptErr error
			watcherDone := make(chan struct{})
			go func() {
				defer close(watcherDone)
				select {
				case scriptErr = <-browserErr:
					cancel()
				case <-ctx.Done():
				}
			}()
			defer func() { cancel(); <-watcherDone }()
			results := f.RunAll(ctx)
			select {
			case <-watcherDone:
				if scriptErr != nil {
					t.Fatalf("browser: %v", scriptErr)
				}
			default:
			}
			for _, r := range results {
				if r.Status == StatusFailed {
					t.Fatalf("%s failed: %v", r.Step, r.Err)
				}
			}
			select {
			case txt := <-pageText:
				if txt != "Signed in" {
					t.Fatalf("callback page says %q", txt)
				}
			case <-ctx.Done():
				t.Fatal("the browser never showed the callback page")
			}
			if r := f.Result(StepUse); r.Status != StatusPassed {
				t.Fatalf("use step %s", r.Status)
			}
		})
	}
}

func requireChromium(t *testing.T) {
	t.Helper()
	testenv.Tool(t, "chromium", "chromium")
}

// newBrowser starts headless chromium with a throwaway profile; it exits with ctx.
func newBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("headless", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	return browserCtx
}

// Cancel on the consent page reaches the listener as error=access_denied
// (with state on newer Coder), and the flow says the user refused.
func TestFlowRealBrowserCancel(t *testing.T) {
	t.Parallel()
	requireChromium(t)
	env := startSandbox(t, sandbox.CompatMain)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	browserCtx := newBrowser(t, ctx)
	browserErr := make(chan error, 1)
	open := func(authURL string) error {
		go func() {
			browserErr <- chromedp.Do(browserCtx,
				chromedp.Navigate(authURL),
				chromedp.WaitVisible("#email"),
				chromedp.SendKeys("#email", env.srv.AdminEmail()),
				chromedp.SendKeys("#password", env.srv.AdminPassword()),
				chromedp.Click("#sign-in"),
				chromedp.WaitVisible("#cancel-link"),
				chromedp.Click("#cancel-link"),
				chromedp.WaitVisible("#result"),
			)
		}()
		return nil
	}
	f, err := New(Config{Client: env.c, Consent: ConsentBrowser, OpenBrowser: open, CallbackURL: "http://127.0.0.1:0/callback",
		ListenTimeout: 45 * time.Second, Cleanup: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare)
	r := f.Run(ctx, StepAuthorize)
	var ce *CallbackError
	if !errors.As(r.Err, &ce) || ce.Code != "access_denied" || r.Explain == nil || r.Explain.Code != "access_denied" {
		t.Fatalf("authorize = %s %v %+v", r.Status, r.Err, r.Explain)
	}
	if err := <-browserErr; err != nil {
		t.Fatalf("browser: %v", err)
	}
}
