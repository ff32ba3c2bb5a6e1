package ui

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/sandbox"
)

// spoilTokens passes every request to the real sandbox except POST
// /oauth2/tokens, which it answers itself with spoil.
type spoilTokens struct {
	spoil func(r *http.Request) (*http.Response, error)
}

func (s spoilTokens) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.URL.Path == "/oauth2/tokens" {
		return s.spoil(r)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func answer(r *http.Request, status int, contentType string, body io.Reader) *http.Response {
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(body), ContentLength: -1, Request: r}
}

// dripBody yields one byte every 50 ms until its request is cancelled.
type dripBody struct{ r *http.Request }

func (d dripBody) Read(p []byte) (int, error) {
	select {
	case <-d.r.Context().Done():
		return 0, d.r.Context().Err()
	case <-time.After(50 * time.Millisecond):
	}
	p[0] = ' '
	return 1, nil
}

// TestFlowTokenEndpointMisbehaves runs the console's flow against the
// sandbox with the token endpoint's answer spoiled one way each time: the
// exchange step fails with its specific explanation, nothing hangs past
// the request timeout, and the screen still answers keys.
func TestFlowTokenEndpointMisbehaves(t *testing.T) {
	for _, c := range []struct {
		name  string
		spoil func(r *http.Request) (*http.Response, error)
		want  string
	}{
		{"HTML", func(r *http.Request) (*http.Response, error) {
			return answer(r, 200, "text/html", strings.NewReader("<html><body>Sign in</body></html>")), nil
		}, "not JSON"},
		{"huge body", func(r *http.Request) (*http.Response, error) {
			return answer(r, 200, "application/json", bytes.NewReader([]byte(`{"access_token":"`+strings.Repeat("a", 9<<20)+`"}`))), nil
		}, "larger than"},
		{"hang", func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}, "did not answer"},
		{"drip", func(r *http.Request) (*http.Response, error) {
			return answer(r, 200, "application/json", dripBody{r}), nil
		}, "did not answer"},
		{"wrong status", func(r *http.Request) (*http.Response, error) {
			return answer(r, http.StatusTeapot, "text/plain", strings.NewReader("short and stout")), nil
		}, "418"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatV230})
			l := newFlowLoopWith(t, srv, srv.URL(), client.Options{Timeout: time.Second, Transport: spoilTokens{c.spoil}}, 120, 36)
			l.startFlow(nil)
			l.key("a")
			l.waitFor("exchange fails", func() bool { return l.idle() && l.stepStatus(flows.StepExchange) == flows.StatusFailed })
			l.waitScreen("✗ exchange", c.want)
			l.key("?") // still alive: the help view opens
			l.waitScreen("quit")
			l.key("?")
		})
	}
}
