package ui

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"oauthdeck/flows"
	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

// Browser consent from the Flow screen with a real browser (headless
// Debian chromium through chromedp): the screen opens the authorization
// URL, the browser signs in and clicks Allow, the loopback listener takes
// the callback and the flow runs on to a working token.
func TestFlowRealBrowserConsent(t *testing.T) {
	testenv.Tool(t, "chromium", "chromium")
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("headless", true),
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(t.TempDir()))...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	browserErr := make(chan error, 1)
	opened := make(chan string, 1)
	prev := openBrowser
	openBrowser = func(authURL string) error {
		opened <- authURL
		go func() {
			browserErr <- chromedp.Do(browserCtx,
				chromedp.Navigate(authURL),
				chromedp.WaitVisible("#email"),
				chromedp.SendKeys("#email", srv.AdminEmail()),
				chromedp.SendKeys("#password", srv.AdminPassword()),
				chromedp.Click("#sign-in"),
				chromedp.WaitVisible("#allow"),
				chromedp.Click("#allow"),
				chromedp.WaitVisible("#result"),
			)
		}()
		return nil
	}
	t.Cleanup(func() { openBrowser = prev })

	l := newFlowLoop(t, srv, 100, 30)
	l.startFlow(func() {
		l.key("tab", "right")
		l.waitScreen("(●) browser")
	})
	l.waitScreen("new app · browser consent")
	l.key("a")
	l.waitFor("token (or a browser failure)", func() bool {
		select {
		case err := <-browserErr:
			if err != nil {
				t.Fatalf("browser: %v", err)
			}
		default:
		}
		return l.idle() && (l.flowTab().run.tokens != nil || l.stepStatus(flows.StepAuthorize) == flows.StatusFailed)
	})
	if st := l.stepStatus(flows.StepAuthorize); st != flows.StatusPassed && st != flows.StatusWarned {
		t.Fatalf("authorize %s:\n%s", st, l.screen())
	}
	if got := <-opened; got != l.flowTab().run.authURL {
		t.Fatalf("opened %q, the screen shows %q", got, l.flowTab().run.authURL)
	}
	if st := l.stepStatus(flows.StepUse); st != flows.StatusPassed {
		t.Fatalf("use %s:\n%s", st, l.screen())
	}
	// The listener's checklist: the browser's callback, state checked, closed.
	l.key("g", "down", "down", "down")
	l.waitScreen("✓ callback", "✓ state", "✓ closed")
}
