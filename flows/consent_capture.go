package flows

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// CaptureRedirect is consent for the conformance suite against a server
// without a Coder session: it listens on redirectURI's loopback host and
// port, runs the consent command with authURL, and returns the first
// request that reaches the listener on any path, unjudged, whatever it
// carries (a code, an error, another path), since the probes judge it. The
// suite's probes need the answer exactly, so unlike Listen there is no
// state check here, and unlike Listen it never serves more than that one
// request. When nothing arrives it returns nil and why: the command failed
// (its status and output), or ended with nothing delivered, or the wait ran
// out. The listener binds 127.0.0.1 or ::1 only and is closed on return.
func CaptureRedirect(ctx context.Context, command, authURL, redirectURI string, timeout time.Duration) (*url.URL, string, error) {
	u, bind, err := parseLoopbackURI(redirectURI)
	if err != nil {
		return nil, "", err
	}
	ln, err := listenLoopback(ctx, net.JoinHostPort(bind, u.Port()))
	if err != nil {
		return nil, "", fmt.Errorf("listening on %s for the redirect: %w", u.Host, err)
	}
	got := make(chan *url.URL, 1)
	var once sync.Once
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen := false
		once.Do(func() {
			seen = true
			cp := *r.URL
			cp.Scheme, cp.Host = "http", u.Host
			got <- &cp
		})
		if !seen {
			http.Error(w, "already answered", http.StatusGone)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("oauthdeck: redirect received; you may close this window.\n"))
	})}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	cctx, stop := context.WithCancel(ctx)
	defer stop()
	run := startConsentCommand(cctx, command, authURL)
	defer run.stop() // nothing it started outlives the authorization
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case loc := <-got:
			return loc, "", nil
		case <-ctx.Done():
			return nil, "", ctx.Err()
		case <-deadline.C:
			status, out := run.result()
			return nil, fmt.Sprintf("nothing reached %s within %s (consent command: %s%s)", u.Host, timeout, status, outputSuffix(out)), nil
		case <-run.done:
			// A redirect may still be on its way (the command ended as it
			// was sent); a command that failed is given only a moment.
			status, out := run.result()
			grace := 500 * time.Millisecond
			if status != "exit status 0" {
				grace = 50 * time.Millisecond
			}
			select {
			case loc := <-got:
				return loc, "", nil
			case <-time.After(grace):
			}
			if status == "exit status 0" {
				return nil, "the consent command ended and nothing reached " + u.Host + outputSuffix(out), nil
			}
			return nil, "no redirect reached " + u.Host + " (consent command: " + status + outputSuffix(out) + ")", nil
		}
	}
}

func outputSuffix(out string) string {
	if out == "" {
		return ""
	}
	return "; its output: " + out
}
