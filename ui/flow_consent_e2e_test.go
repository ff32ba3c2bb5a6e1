package ui

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"oauthdeck/client/safe"
	"oauthdeck/sandbox/testenv"
)

// Each demo flow with browser or paste consent reaches a token in a real
// terminal, with a real chromium as the person's browser: the console opens
// the URL through xdg-open (a stand-in that hands the URL to the test),
// the browser signs in with the demo's one-click sign-in and clicks Allow.
// With browser consent the callback reaches the console's loopback
// listener; with paste consent the browser "elsewhere" never reaches it
// (the test's browser fails the callback request, as a browser on another
// machine would) and the person types the URL it landed on.
func TestFlowE2EDemoBrowserAndPasteConsent(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "chromium", "chromium")
	bin := oauthdeckBinary(t)
	opener := t.TempDir()
	opened := filepath.Join(opener, "opened")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> " + safe.ShellQuote(opened) + "\n"
	if err := os.WriteFile(filepath.Join(opener, "xdg-open"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()))...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil { // start chromium once, for every case
		t.Fatalf("starting chromium: %v", err)
	}

	clients := []struct {
		name, header string
		pick         func(p *tmuxSession)
		// callback: a free port instead of the app's registered 9876, which
		// another program may hold (the port of a loopback URI may differ).
		callback bool
	}{
		{"existing app", "app cli-tool", pickDemoCliTool, true},
		{"new app", "new app", openFlowForm, false},
		{"dynamic registration", "DCR client", func(p *tmuxSession) {
			openFlowForm(p)
			p.keys("Right")
			p.waitFor("(●) dynamic registration")
		}, false},
	}
	for _, consent := range []string{"browser", "paste"} {
		for _, c := range clients {
			t.Run(consent+"/"+c.name, func(t *testing.T) {
				_ = os.Remove(opened)
				// PATH through env(1): tmux gives a new session the client's PATH, not -e's.
				p := startTmux(t, 120, 34, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, "env", "PATH="+opener+":"+os.Getenv("PATH"), bin, "demo")
				c.pick(p)
				p.keys("Tab", "Right")
				if consent == "paste" {
					p.keys("Right")
				}
				p.waitFor("(●) " + map[string]string{"browser": "browser", "paste": "paste redirect URL"}[consent])
				p.waitFor("signs you in as its admin in one click") // said before start
				if c.callback {
					p.keys("Tab", "Tab", "Tab")
					p.text("http://127.0.0.1:0/callback")
				}
				p.keys("C-s")
				p.waitFor(c.header + " · " + consent + " consent")
				p.keys("a")
				if consent == "paste" {
					p.waitFor("redirect URL ›")
					p.keys("Escape", "o") // leave the prompt, open the URL, as a person on this machine would
				}
				authURL := waitOpened(t, opened)
				tab, closeTab := chromedp.NewContext(browser)
				defer closeTab()
				landed := make(chan string, 1)
				if _, err := chromedp.Call(tab, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
					t.Fatalf("browser: %v", err)
				}
				if consent == "paste" {
					blockOtherOrigins(t, tab, authURL, landed)
				}
				err := chromedp.Do(tab,
					chromedp.Navigate(authURL),
					chromedp.WaitVisible("#demo-sign-in"),
					chromedp.Click("#demo-sign-in"),
					chromedp.WaitVisible("#allow"),
					chromedp.Click("#allow"))
				if err != nil {
					t.Fatalf("browser: %v\n%s", err, p.capture())
				}
				if consent == "paste" {
					var where string
					select {
					case where = <-landed:
					case <-time.After(30 * time.Second):
						t.Fatalf("the browser never left for the callback\n%s", p.capture())
					}
					if cb, err := url.Parse(where); err != nil || cb.Query().Get("code") == "" || cb.Query().Get("state") == "" {
						t.Fatalf("landed on %q", where)
					}
					if strings.Contains(p.capture(), "Token inspector ✓") {
						t.Fatal("the token arrived before the paste: the callback reached the listener")
					}
					p.keys("p")
					p.text(where)
					p.keys("Enter")
				}
				p.waitForWithin(30*time.Second, "Token inspector", "✓ live", "token works")
				p.keys("q")
				if code := p.exitCode(); code != "0" {
					t.Fatalf("exit code %s", code)
				}
				p.requireRestored()
			})
		}
	}
}

// waitOpened returns the URL the console handed to xdg-open.
func waitOpened(t *testing.T, file string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(file); err == nil {
			if line, _, ok := strings.Cut(string(b), "\n"); ok && line != "" {
				return line
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the console opened no URL in the browser")
	return ""
}

// blockOtherOrigins lets the tab reach only the authorization server's
// origin; the first request elsewhere (the redirect to the callback) is
// failed and its URL sent on landed.
func blockOtherOrigins(t *testing.T, tab context.Context, authURL string, landed chan<- string) {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	origin := u.Scheme + "://" + u.Host + "/"
	paused := chromedp.Events(tab, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return // the tab closed
			}
			if strings.HasPrefix(ev.Request.URL, origin) {
				_, _ = chromedp.Call(tab, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
				continue
			}
			select {
			case landed <- ev.Request.URL:
			default:
			}
			_, _ = chromedp.Call(tab, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionRefused})
		}
	}()
	if _, err := chromedp.Call(tab, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		t.Fatalf("intercepting the tab's requests: %v", err)
	}
}
