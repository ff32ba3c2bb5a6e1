package client

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"oauthdeck/client/safe"
)

// Rate limits: Coder 2.38 allows 60 requests a minute on each /oauth2
// endpoint and discovery document. The client counts what it sends per
// endpoint, sends X-Coder-Bypass-Ratelimit with an owner's session when
// asked (SetRateLimitBypass), and on a 429 waits for Retry-After when that
// is short enough, then sends again: a 429 means the request was not
// handled, so repeating it is safe. Every wait is reported (OnRateLimit)
// and summed (Traffic), never silent.

// BypassRateLimitHeader is the header with which a Coder owner skips the rate limit.
const BypassRateLimitHeader = "X-Coder-Bypass-Ratelimit"

// DefaultMaxRateLimitWait bounds one wait for Retry-After.
const DefaultMaxRateLimitWait = 65 * time.Second

// maxRateLimitRetries bounds the attempts after a 429.
const maxRateLimitRetries = 3

// maxRetryAfterSeconds caps a Retry-After read (a day): past any wait bound.
const maxRetryAfterSeconds = 86400

// DefaultMaxRateLimitTotal bounds all the client's waits together, so a
// server that limits every request cannot stretch a run without end.
const DefaultMaxRateLimitTotal = 5 * time.Minute

// RateLimitWait is one wait on a 429's Retry-After.
type RateLimitWait struct {
	Method, URL string // URL redacted
	Wait        time.Duration
	Attempt     int // 1 for the first retry
}

// Traffic is what the client sent: requests per endpoint ("POST
// /oauth2/tokens"; ids in paths become {id}), the 429s it got, and the
// time it waited on them.
type Traffic struct {
	Requests    map[string]int
	Total       int
	RateLimited int
	Waits       int
	Waited      time.Duration
	Bypass      bool // X-Coder-Bypass-Ratelimit was sent with the session
}

// traffic is shared by the client and its transport.
type traffic struct {
	bypass atomic.Bool
	sent   atomic.Bool // the bypass header went out at least once

	mu       sync.Mutex
	requests map[string]int
	total    int
	limited  int
	waits    int
	waited   time.Duration
}

func (t *traffic) count(req *http.Request, status int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.requests == nil {
		t.requests = map[string]int{}
	}
	t.requests[req.Method+" "+endpointOf(req.URL)]++
	t.total++
	if status == http.StatusTooManyRequests {
		t.limited++
	}
}

func (t *traffic) waitedFor(d time.Duration) {
	t.mu.Lock()
	t.waits++
	t.waited += d
	t.mu.Unlock()
}

var idSegment = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]+)$`)
})

// endpointOf is u's path with ids replaced, so counts group by endpoint.
func endpointOf(u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if idSegment().MatchString(s) {
			segs[i] = "{id}"
		}
	}
	return safe.Line(strings.Join(segs, "/"))
}

// trafficTransport counts every exchange (x/oauth2's too) and adds the
// bypass header to requests that carry the session.
type trafficTransport struct {
	next http.RoundTripper
	t    *traffic
}

func (tt *trafficTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if tt.t.bypass.Load() && req.Header.Get(SessionTokenHeader) != "" && req.Header.Get(BypassRateLimitHeader) == "" {
		req = req.Clone(req.Context())
		req.Header.Set(BypassRateLimitHeader, "true")
		tt.t.sent.Store(true)
	}
	resp, err := tt.next.RoundTrip(req)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	tt.t.count(req, status)
	return resp, err
}

// SetRateLimitBypass turns the owner's bypass header on or off. Only an
// owner's session may bypass; Coder ignores the header from anyone else.
func (c *Client) SetRateLimitBypass(on bool) { c.traffic.bypass.Store(on) }

// Traffic returns the counts so far.
func (c *Client) Traffic() Traffic {
	t := c.traffic
	t.mu.Lock()
	defer t.mu.Unlock()
	out := Traffic{Requests: make(map[string]int, len(t.requests)), Total: t.total, RateLimited: t.limited,
		Waits: t.waits, Waited: t.waited, Bypass: t.sent.Load()}
	for k, v := range t.requests {
		out.Requests[k] = v
	}
	return out
}

// retryAfter reads Retry-After (delay-seconds or an HTTP date, RFC 9110 §10.2.3).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		// Clamped before multiplying: a huge value must not wrap to a short wait.
		return time.Duration(min(max(secs, 0), maxRetryAfterSeconds)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// waitForRetry decides whether a 429 is worth waiting on, waits, and says
// whether to send again. It reports the wait before it starts.
func (c *Client) waitForRetry(ctx context.Context, method, safeURL string, resp *http.Response, attempt int) bool {
	return c.WaitOnRateLimit(ctx, method, safeURL, resp.StatusCode, resp.Header, attempt)
}

// WaitOnRateLimit is the client's 429 policy for requests it does not send
// itself (x/oauth2's exchange): for a 429 whose Retry-After is within the
// bound, it reports and waits, and returns true to send again (attempt
// counts from 1).
func (c *Client) WaitOnRateLimit(ctx context.Context, method, safeURL string, status int, header http.Header, attempt int) bool {
	if status != http.StatusTooManyRequests || attempt > maxRateLimitRetries {
		return false
	}
	wait, ok := retryAfter(header, time.Now())
	limit := c.opts.MaxRateLimitWait
	if limit == 0 {
		limit = DefaultMaxRateLimitWait
	}
	if !ok || limit < 0 || wait > limit {
		return false
	}
	total := c.opts.MaxRateLimitTotal
	if total == 0 {
		total = DefaultMaxRateLimitTotal
	}
	if c.Traffic().Waited+wait > total {
		return false // the 429 goes to the caller, which says so
	}
	wait = max(wait, 100*time.Millisecond)
	if c.opts.OnRateLimit != nil {
		c.opts.OnRateLimit(RateLimitWait{Method: method, URL: safeURL, Wait: wait, Attempt: attempt})
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	start := time.Now()
	select {
	case <-ctx.Done():
		c.traffic.waitedFor(time.Since(start))
		return false
	case <-timer.C:
		c.traffic.waitedFor(wait)
		return true
	}
}
