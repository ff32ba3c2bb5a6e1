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
	t.Parallel()
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

// spoilWhere answers the requests that match itself and passes the rest.
type spoilWhere struct {
	match func(r *http.Request) bool
	spoil func(r *http.Request) (*http.Response, error)
}

func (s spoilWhere) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.match(r) {
		return s.spoil(r)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// refreshGrant matches a refresh at the token endpoint (the form is read
// and put back).
func refreshGrant(r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.Path != "/oauth2/tokens" || r.Body == nil {
		return false
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return strings.Contains(string(body), "grant_type=refresh_token")
}

// TestFlowLaterStepsMisbehave: the discover, client, authorize, use,
// refresh and revoke steps each meet a spoiled answer (a hang, an HTML
// page, a 502, a drip) and end with their own explanation; the console
// stays responsive.
func TestFlowLaterStepsMisbehave(t *testing.T) {
	t.Parallel()
	hang := func(r *http.Request) (*http.Response, error) { <-r.Context().Done(); return nil, r.Context().Err() }
	for _, c := range []struct {
		name  string
		match func(r *http.Request) bool
		spoil func(r *http.Request) (*http.Response, error)
		key   string // "" = the run to the token reaches the step
		step  flows.StepID
		want  string
	}{
		{"discover hangs", func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/.well-known/") }, hang,
			"", flows.StepDiscover, "did not answer"},
		{"client creation answers HTML", func(r *http.Request) bool {
			return r.Method == http.MethodPost && r.URL.Path == "/api/v2/oauth2-provider/apps"
		}, func(r *http.Request) (*http.Response, error) {
			return answer(r, 200, "text/html", strings.NewReader("<html>maintenance</html>")), nil
		}, "", flows.StepClient, "not JSON"},
		{"consent answers 502", func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/oauth2/authorize" },
			func(r *http.Request) (*http.Response, error) {
				return answer(r, http.StatusBadGateway, "text/plain", strings.NewReader("upstream down")), nil
			}, "", flows.StepAuthorize, "502"},
		{"use hangs", func(r *http.Request) bool {
			return r.URL.Path == "/api/v2/users/me" && strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")
		}, hang, "", flows.StepUse, "did not answer"},
		{"refresh answers HTML", refreshGrant, func(r *http.Request) (*http.Response, error) {
			return answer(r, 200, "text/html", strings.NewReader("<html>proxy login</html>")), nil
		}, "R", flows.StepRefresh, "not JSON"},
		{"revoke drips", func(r *http.Request) bool { return r.URL.Path == "/oauth2/revoke" }, func(r *http.Request) (*http.Response, error) {
			return answer(r, 200, "text/plain", dripBody{r}), nil
		}, "x", flows.StepRevoke, "did not answer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatV230})
			l := newFlowLoopWith(t, srv, srv.URL(), client.Options{Timeout: time.Second, Transport: spoilWhere{c.match, c.spoil}}, 120, 36)
			l.startFlow(nil)
			l.key("a")
			if c.key != "" {
				l.waitFor("run to token", func() bool { return l.idle() && l.flowTab().run.tokens != nil })
				l.key(c.key)
			}
			l.waitFor(string(c.step)+" fails", func() bool { return l.idle() && l.stepStatus(c.step) == flows.StatusFailed })
			l.waitScreen(c.want)
			l.key("?")
			l.waitScreen("quit")
			l.key("?")
		})
	}
}
