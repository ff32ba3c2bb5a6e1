package flows

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ListenOptions configures the loopback callback listener.
type ListenOptions struct {
	// RedirectURI is http://127.0.0.1:<port>/<path> (localhost is bound as
	// 127.0.0.1; [::1] as itself). Port 0 binds an ephemeral port; read the
	// real URI from Listener.RedirectURI. Default DefaultCallbackURL.
	RedirectURI string
	// Expect holds the state and issuer the callback must carry; its
	// RedirectURI is ignored (the listener's own is used).
	Expect   Expect
	Timeout  time.Duration // default DefaultListenTimeout
	OnStatus func(ListenerStatus)
	Now      func() time.Time
}

// Listener is a one-shot loopback HTTP server for the authorization
// response (RFC 8252 §7.3). It accepts GET on the callback path only, with a
// Host of the bound literal or localhost:port, validates state (and iss),
// answers a static page, and closes after the first callback, on timeout, on
// ctx cancel, or on Close.
type Listener struct {
	opts    ListenOptions
	ln      net.Listener
	srv     *http.Server
	uri     string
	path    string
	hosts   map[string]bool // acceptable Host header values, lower-case
	done    chan struct{}   // closed once result is set
	stopped chan struct{}   // closed once the server has shut down

	mu     sync.Mutex
	status ListenerStatus
	result Callback
	err    error
	once   sync.Once

	// notifyMu keeps OnStatus calls in the order their snapshots were
	// taken: handlers, finish and shutdown notify from different goroutines,
	// and a reader keeping the last status must not end on a stale one.
	notifyMu sync.Mutex
}

// maxRejections bounds the refused requests kept in the status: a local
// page can send as many as it likes, and each status copy carries them all.
const maxRejections = 20

// Listen binds the listener and starts serving. A busy port gives a
// *CallbackError wrapping ErrPortInUse.
func Listen(ctx context.Context, opts ListenOptions) (*Listener, error) {
	if opts.RedirectURI == "" {
		opts.RedirectURI = DefaultCallbackURL
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultListenTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	u, bindHost, err := parseLoopbackURI(opts.RedirectURI)
	if err != nil {
		return nil, err
	}
	ln, err := listenLoopback(ctx, net.JoinHostPort(bindHost, u.Port()))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, &CallbackError{Err: ErrPortInUse, Detail: fmt.Sprintf("%s:%s (another flow or program is listening; close it or pick another port)", bindHost, u.Port())}
		}
		return nil, fmt.Errorf("binding callback listener on %s: %w", net.JoinHostPort(bindHost, u.Port()), err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	u.Host = net.JoinHostPort(u.Hostname(), port)
	l := &Listener{
		opts: opts, ln: ln, uri: u.String(), path: pathOf(u),
		hosts:   map[string]bool{strings.ToLower(net.JoinHostPort(bindHost, port)): true, "localhost:" + port: true},
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	l.srv = &http.Server{Handler: http.HandlerFunc(l.serve), ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes: 16 << 10}
	l.status = ListenerStatus{Addr: ln.Addr().String(), Path: l.path, RedirectURI: l.uri,
		Deadline: opts.Now().Add(opts.Timeout), Listening: true}
	go func() { _ = l.srv.Serve(ln) }()
	timer := time.NewTimer(opts.Timeout)
	go func() {
		defer timer.Stop()
		select {
		case <-timer.C:
			l.finish(Callback{}, &CallbackError{Err: ErrListenTimeout, Detail: fmt.Sprintf("waited %s on %s; open the URL again or paste the redirect URL", opts.Timeout, l.uri)}, nil)
		case <-ctx.Done():
			l.finish(Callback{}, &CallbackError{Err: ErrListenerClosed, Detail: ctx.Err().Error()}, nil)
		case <-l.done:
		}
	}()
	l.notify()
	return l, nil
}

// parseLoopbackURI checks a loopback http redirect URI and says which literal to bind.
func parseLoopbackURI(raw string) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Port() == "" {
		return nil, "", &CallbackError{Err: ErrNotLoopback, Detail: fmt.Sprintf("%q", raw)}
	}
	if _, err := strconv.ParseUint(u.Port(), 10, 16); err != nil {
		return nil, "", &CallbackError{Err: ErrNotLoopback, Detail: "bad port in " + fmt.Sprintf("%q", raw)}
	}
	if bind, ok := listenerHosts[strings.ToLower(u.Hostname())]; ok {
		return u, bind, nil
	}
	return nil, "", &CallbackError{Err: ErrNotLoopback, Detail: fmt.Sprintf("%q", raw)}
}

// listenerHosts are the redirect URI hosts the listener serves, and the
// address it binds for each (never a wildcard: RFC 8252 §7.3, §8.3).
var listenerHosts = map[string]string{"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1", "::1": "::1"}

// ListenerURIProblem is "" when the listener can take raw as its redirect
// URI, else what is wrong, in words for a form (the listener's own rule).
func ListenerURIProblem(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Port() == "" {
		return "must be http://127.0.0.1:<port>/<path>: the listener binds loopback only"
	}
	if _, err := strconv.ParseUint(u.Port(), 10, 16); err != nil {
		return "the port must be a number from 0 to 65535"
	}
	if _, ok := listenerHosts[strings.ToLower(u.Hostname())]; !ok {
		return "the host must be 127.0.0.1, localhost or [::1]"
	}
	return ""
}

// RedirectURI is the redirect URI with the bound port.
func (l *Listener) RedirectURI() string { return l.uri }

// Status returns a copy of the live status.
func (l *Listener) Status() ListenerStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statusCopyLocked()
}

func (l *Listener) statusCopyLocked() ListenerStatus {
	s := l.status
	s.Rejected = append([]Rejection(nil), l.status.Rejected...)
	return s
}

// Done is closed when the listener has a result (callback, error, timeout or close).
func (l *Listener) Done() <-chan struct{} { return l.done }

// Wait blocks until the callback arrives, the listener fails, or ctx ends
// (which closes the listener).
func (l *Listener) Wait(ctx context.Context) (Callback, error) {
	select {
	case <-l.done:
	case <-ctx.Done():
		l.finish(Callback{}, &CallbackError{Err: ErrListenerClosed, Detail: ctx.Err().Error()}, nil)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.result, l.err
}

// Deliver completes the wait with a redirect URL pasted by the user (SSH
// sessions), validated like a real callback. A URL for another host or path,
// or one that does not parse, is refused without ending the wait.
func (l *Listener) Deliver(rawURL string) error {
	exp := l.opts.Expect
	exp.RedirectURI = l.uri
	cb, err := ParseRedirectURL(rawURL, exp)
	if errors.Is(err, ErrMalformedURL) || errors.Is(err, ErrWrongHost) || errors.Is(err, ErrWrongPath) {
		return err
	}
	if u, perr := url.Parse(strings.TrimSpace(rawURL)); perr == nil {
		if detail, reason := stateRefusal(u.Query(), exp); reason != nil {
			// A pasted URL of another sign-in: said so, and the wait goes on.
			l.record(reason, "pasted: "+detail)
			return &CallbackError{Err: reason, Detail: detail + "; paste the redirect of this sign-in"}
		}
	}
	if !l.finish(cb, err, func(s *ListenerStatus) { markReceived(s, exp, cb) }) {
		return &CallbackError{Err: ErrListenerClosed, Detail: l.endedBecause()}
	}
	return err
}

// endedBecause says why a late pasted URL cannot be taken: a timeout
// deserves another answer than a callback that already arrived.
func (l *Listener) endedBecause() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		return "a callback was already taken"
	}
	return "the wait already ended (" + l.err.Error() + ")"
}

// Close stops the listener (a pending Wait returns ErrListenerClosed) and
// waits for the server to shut down.
func (l *Listener) Close() error {
	l.finish(Callback{}, &CallbackError{Err: ErrListenerClosed}, nil)
	<-l.stopped
	return nil
}

// finish records the first outcome, closes the socket at once (so no second
// callback can connect), and drains the server in the background. mark, when
// set, records what the outcome proved; it runs only for the first outcome, so
// a losing concurrent callback cannot overwrite the winner's marks. It
// reports whether this call set the outcome.
func (l *Listener) finish(cb Callback, err error, mark func(*ListenerStatus)) bool {
	first := false
	l.once.Do(func() {
		first = true
		_ = l.ln.Close()
		l.mu.Lock()
		l.result, l.err = cb, err
		if mark != nil {
			mark(&l.status)
		}
		l.status.Listening = false
		if err != nil {
			l.status.Err = err.Error()
		}
		l.mu.Unlock()
		close(l.done)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if l.srv.Shutdown(ctx) != nil {
				_ = l.srv.Close()
			}
			l.mu.Lock()
			l.status.Closed = true
			l.mu.Unlock()
			l.notify()
			close(l.stopped)
		}()
	})
	if first {
		l.notify()
	}
	return first
}

// notify hands OnStatus a fresh snapshot. OnStatus must not call Close
// (Close waits for the shutdown's own notify).
func (l *Listener) notify() {
	if l.opts.OnStatus == nil {
		return
	}
	l.notifyMu.Lock()
	defer l.notifyMu.Unlock()
	l.opts.OnStatus(l.Status())
}

func (l *Listener) reject(w http.ResponseWriter, code int, reason error, detail string) {
	l.record(reason, detail)
	writePage(w, code, "Not here", "This address only accepts the OAuth2 callback.")
}

// record keeps a refused request in the status (at most maxRejections).
func (l *Listener) record(reason error, detail string) {
	l.mu.Lock()
	kept := len(l.status.Rejected) < maxRejections
	if kept {
		l.status.Rejected = append(l.status.Rejected, Rejection{At: l.opts.Now(), Reason: &CallbackError{Err: reason, Detail: detail}})
	}
	l.mu.Unlock()
	if kept {
		l.notify()
	}
}

func (l *Listener) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	if !l.hosts[strings.ToLower(r.Host)] {
		// DNS rebinding: a page on another name must not reach the listener.
		l.reject(w, http.StatusMisdirectedRequest, ErrWrongHost, "Host "+quoteShort(r.Host))
		return
	}
	if r.URL.Path != l.path {
		l.reject(w, http.StatusNotFound, ErrWrongPath, "path "+quoteShort(r.URL.Path))
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		l.reject(w, http.StatusMethodNotAllowed, ErrWrongMethod, "method "+quoteShort(r.Method))
		return
	}
	select {
	case <-l.done:
		writePage(w, http.StatusGone, "Already done", "This sign-in was already completed or cancelled. You can close this tab.")
		return
	default:
	}
	q := r.URL.Query()
	if detail, reason := stateRefusal(q, l.opts.Expect); reason != nil {
		// Not an answer to this flow's request (a stray page, a forged
		// <img>, a stale tab, Coder v2.30's stateless Cancel): refused and
		// counted, and the wait goes on for the one that has the state.
		l.record(reason, detail)
		writePage(w, http.StatusBadRequest, "Not this sign-in", "This response does not carry the state of the sign-in oauthdeck is waiting for, so it was ignored. Return to the terminal for details.")
		return
	}
	cb, err := CheckCallback(q, l.opts.Expect)
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	cb.URL = redactedCallbackURL(&u)
	if !l.finish(cb, err, func(s *ListenerStatus) { markReceived(s, l.opts.Expect, cb) }) {
		writePage(w, http.StatusGone, "Already done", "This sign-in was already completed or cancelled. You can close this tab.")
		return
	}
	if err != nil {
		writePage(w, http.StatusBadRequest, "Sign-in not completed", "oauthdeck received the response but could not accept it. Return to the terminal for details. You can close this tab.")
		return
	}
	writePage(w, http.StatusOK, "Signed in", "oauthdeck received the authorization response. You can close this tab and return to the terminal.")
}

// writePage answers with a small static page: no scripts, no third-party
// resources, nothing from the request echoed, never cached, no referrer.
func writePage(w http.ResponseWriter, code int, title, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(code)
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>oauthdeck: %s</title><style>body{font-family:sans-serif;max-width:36em;margin:4em auto}</style></head><body><h1 id="result">%s</h1><p>%s</p></body></html>`, title, title, text)
}

// quoteShort quotes the first 80 bytes of a request's value for a rejection
// (CallbackError.Error sanitises the whole message).
func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return fmt.Sprintf("%q", s)
}
