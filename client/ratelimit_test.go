package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// A 429 with a short Retry-After is waited on (reported first) and sent
// again; a long one, or one past the retry bound, comes back as the 429.
// Every request is counted by endpoint, and the bypass header goes only
// with the session.
func TestRateLimitWaitsAndCounts(t *testing.T) {
	t.Parallel()
	var calls, bypassed, bypassedAnon atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(BypassRateLimitHeader) != "" {
			if r.Header.Get(SessionTokenHeader) != "" {
				bypassed.Add(1)
			} else {
				bypassedAnon.Add(1)
			}
		}
		switch r.URL.Path {
		case "/short":
			if calls.Add(1) <= 2 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
		case "/long":
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		case "/always":
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	var heard []RateLimitWait
	c, err := New(srv.URL, "sess", Options{OnRateLimit: func(w RateLimitWait) { heard = append(heard, w) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if r, err := c.Do(ctx, Request{Method: "GET", URL: "/short"}); err != nil || r.StatusCode != 200 {
		t.Fatalf("short Retry-After: %v %v", r, err)
	}
	if len(heard) != 2 || heard[0].Attempt != 1 || heard[1].Attempt != 2 || heard[0].URL != srv.URL+"/short" {
		t.Fatalf("heard %+v", heard)
	}
	if r, _ := c.Do(ctx, Request{Method: "GET", URL: "/long"}); r == nil || r.StatusCode != http.StatusTooManyRequests || len(heard) != 2 {
		t.Fatalf("a Retry-After past the bound was waited on: %v, heard %d", r, len(heard))
	}
	if r, _ := c.Do(ctx, Request{Method: "GET", URL: "/always"}); r == nil || r.StatusCode != http.StatusTooManyRequests || len(heard) != 2+maxRateLimitRetries {
		t.Fatalf("retries past the bound: %v, heard %d", r, len(heard))
	}
	c.SetRateLimitBypass(true)
	if _, err := c.Do(ctx, Request{Method: "GET", URL: "/ok", WithSession: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx, Request{Method: "GET", URL: "/ok"}); err != nil {
		t.Fatal(err)
	}
	if bypassed.Load() != 1 || bypassedAnon.Load() != 0 {
		t.Errorf("bypass header with the session %d, without %d; want 1 and 0", bypassed.Load(), bypassedAnon.Load())
	}
	tr := c.Traffic()
	if tr.Requests["GET /short"] != 3 || tr.Requests["GET /always"] != 1+maxRateLimitRetries || tr.Waits != 2+maxRateLimitRetries || !tr.Bypass {
		t.Errorf("traffic %+v", tr)
	}
	if tr.RateLimited != 2+1+1+maxRateLimitRetries {
		t.Errorf("429s counted %d", tr.RateLimited)
	}

	// Cancelled while waiting: the wait ends at once.
	c2, _ := New(srv.URL, "", Options{MaxRateLimitWait: time.Hour})
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if r, _ := c2.Do(cctx, Request{Method: "GET", URL: "/long"}); r != nil && r.StatusCode == 200 {
		t.Fatal("a cancelled wait went on")
	}
	if w := c2.Traffic().Waited; w > 5*time.Second {
		t.Errorf("waited %v after cancellation", w)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{"7": 7 * time.Second, "0": 0, "-3": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		"9223372037": maxRetryAfterSeconds * time.Second, "18446744074": maxRetryAfterSeconds * time.Second} {
		if got, ok := retryAfter(http.Header{"Retry-After": {v}}, now); !ok || got != want {
			t.Errorf("Retry-After %q = %v %v, want %v", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "soon", "1.5"} {
		if _, ok := retryAfter(http.Header{"Retry-After": {v}}, now); ok {
			t.Errorf("Retry-After %q accepted", v)
		}
	}
}

func TestEndpointOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://h/api/v2/oauth2-provider/apps/3f2504e0-4f89-11d3-9a0c-0305e82c3301/secrets": "/api/v2/oauth2-provider/apps/{id}/secrets",
		"http://h/oauth2/tokens?x=1": "/oauth2/tokens",
	} {
		u, _ := parseBaseURL("http://h")
		ref, _ := u.Parse(in)
		if got := endpointOf(ref); got != want {
			t.Errorf("endpointOf(%s) = %s, want %s", in, got, want)
		}
	}
}
