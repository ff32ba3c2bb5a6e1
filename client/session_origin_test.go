package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
)

// The session token goes only to the deployment it belongs to: a URL taken
// from metadata that points elsewhere gets an error and the other host sees
// no request at all.
func TestSessionNeverSentToAnotherOrigin(t *testing.T) {
	t.Parallel()
	var deploymentGot, otherHits atomic.Int32
	deployment := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(SessionTokenHeader) == "s3ss10n-t0ken" {
			deploymentGot.Add(1)
		}
		w.WriteHeader(http.StatusFound)
	}))
	defer deployment.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
	}))
	defer other.Close()

	c, err := New(deployment.URL, "s3ss10n-t0ken", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	_, err = c.Do(ctx, Request{Method: http.MethodPost, URL: other.URL + "/oauth2/authorize", WithSession: true})
	var cross *CrossOriginSessionError
	if !errors.As(err, &cross) {
		t.Fatalf("Do to another origin with the session: err = %v, want CrossOriginSessionError", err)
	}
	if otherHits.Load() != 0 {
		t.Fatal("the other host received a request")
	}
	if cross.Target == cross.Deployment {
		t.Fatalf("error names the same origin twice: %v", err)
	}

	// Without the session the same URL is fine (probes of other servers).
	if _, err := c.Do(ctx, Request{Method: http.MethodGet, URL: other.URL + "/x"}); err != nil {
		t.Fatalf("sessionless request to another origin: %v", err)
	}
	if otherHits.Load() != 1 {
		t.Fatalf("other host hits = %d, want 1", otherHits.Load())
	}

	// The deployment itself, spelled absolutely or relatively, gets the session.
	for _, ref := range []string{deployment.URL + "/oauth2/authorize", "/oauth2/authorize"} {
		if _, err := c.Do(ctx, Request{Method: http.MethodPost, URL: ref, WithSession: true}); err != nil {
			t.Fatalf("Do %s: %v", ref, err)
		}
	}
	if deploymentGot.Load() != 2 {
		t.Fatalf("deployment saw the session %d times, want 2", deploymentGot.Load())
	}
}

func TestOriginComparison(t *testing.T) {
	t.Parallel()
	same := [][2]string{
		{"https://Coder.Example.com", "https://coder.example.com:443/oauth2/authorize"},
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000/x"},
		{"http://[::1]:80", "http://[::1]/x"},
	}
	for _, p := range same {
		a, _ := url.Parse(p[0])
		b, _ := url.Parse(p[1])
		if origin(a) != origin(b) {
			t.Errorf("%s and %s: %s != %s", p[0], p[1], origin(a), origin(b))
		}
	}
	differ := [][2]string{
		{"https://coder.example.com", "http://coder.example.com"},
		{"https://coder.example.com", "https://coder.example.com.evil.test"},
		{"http://127.0.0.1:3000", "http://127.0.0.1:3001"},
		{"http://127.0.0.1:3000", "http://localhost:3000"},
	}
	for _, p := range differ {
		a, _ := url.Parse(p[0])
		b, _ := url.Parse(p[1])
		if origin(a) == origin(b) {
			t.Errorf("%s and %s share origin %s", p[0], p[1], origin(a))
		}
	}
}
