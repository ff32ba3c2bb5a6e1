package flows

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// sameTokensOnRefresh is a transport that lets every request reach the
// sandbox but answers each refresh with the token response of the code
// exchange: a server that returns the same access and refresh tokens.
type sameTokensOnRefresh struct {
	mu    sync.Mutex
	first []byte
}

func (s *sameTokensOnRefresh) RoundTrip(r *http.Request) (*http.Response, error) {
	grant := ""
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/oauth2/tokens") && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil {
			grant = form.Get("grant_type")
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || grant == "" || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case grant == "authorization_code":
		s.first = got
	case grant == "refresh_token" && s.first != nil:
		got = s.first
	}
	resp.Body = io.NopCloser(bytes.NewReader(got))
	resp.ContentLength = int64(len(got))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestRefreshVerdictStatesOnlyWhatWasTested: when the refresh returns the
// same tokens there is no old token to try, so the verdict says so and no
// finding claims a proof.
func TestRefreshVerdictStatesOnlyWhatWasTested(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.CompatV230).srv
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{Timeout: 5 * time.Second, Transport: &sameTokensOnRefresh{}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(Config{Client: c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, id := range []StepID{StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange, StepRefresh} {
		if r := f.Run(testCtx(t), id); r.Status == StatusFailed {
			t.Fatalf("%s failed: %v", id, r.Err)
		}
	}
	r := f.Result(StepRefresh)
	if strings.Contains(r.Verdict, "proven dead") || !strings.Contains(r.Verdict, "the same access and refresh tokens came back: no old token to prove dead") {
		t.Errorf("refresh verdict %q", r.Verdict)
	}
	for _, fd := range r.Findings {
		if fd.ID == "refresh.old-access" || fd.ID == "refresh.old-refresh" {
			t.Errorf("a proof was claimed for a token that was never replaced: %+v", fd)
		}
	}
	if !hasFinding([]StepResult{r}, "refresh.rotated", SeverityWarn) {
		t.Errorf("the unrotated refresh token is not reported: %+v", r.Findings)
	}
}

func TestRefreshVerdictText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		proven, unchecked, unchanged []string
		want                         string
	}{
		{[]string{"the old access token", "the old refresh token"}, nil, nil,
			"refreshed; the old access token and the old refresh token proven dead"},
		{[]string{"the old access token"}, nil, []string{"refresh"},
			"refreshed; the refresh token came back unchanged; the old access token proven dead"},
		{nil, []string{"the old access token"}, []string{"refresh"},
			"refreshed; the refresh token came back unchanged; the old access token not checked"},
		{nil, nil, []string{"access", "refresh"},
			"refreshed, but the same access and refresh tokens came back: no old token to prove dead"},
	} {
		if got := refreshVerdict(deathProofs{proven: c.proven, unchecked: c.unchecked}, c.unchanged); got != c.want {
			t.Errorf("refreshVerdict(%v, %v, %v) = %q, want %q", c.proven, c.unchecked, c.unchanged, got, c.want)
		}
	}
}

// TestDeadProofNeedsARefusal: only invalid_grant or a 401 proves a token
// dead; a 403, a 404 or a network error leaves it "not checked".
func TestDeadProofNeedsARefusal(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err   error
		sev   Severity
		dead  bool
		alive bool
	}{
		{nil, SeverityFail, false, true},
		{&client.OAuth2Error{StatusCode: 400, Code: "invalid_grant"}, SeverityPass, true, false},
		{&client.SessionError{StatusCode: 401}, SeverityPass, true, false},
		{&client.APIError{StatusCode: 401}, SeverityPass, true, false},
		{&client.APIError{StatusCode: 404, Message: "Route not found."}, SeverityInfo, false, false},
		{&client.APIError{StatusCode: 403, Message: "insufficient_scope"}, SeverityInfo, false, false},
		{&client.OAuth2Error{StatusCode: 401, Code: "invalid_client"}, SeverityInfo, false, false},
		{io.ErrUnexpectedEOF, SeverityInfo, false, false},
	} {
		var fs []Finding
		p := deathProofs{findings: &fs}
		p.prove("x", "the token", "after the step", c.err, "basis")
		dead, alive := len(p.proven) == 1, len(p.alive) == 1
		if len(fs) != 1 || fs[0].Severity != c.sev || dead != c.dead || alive != c.alive || (p.err() != nil) != c.alive {
			t.Errorf("%v: %+v dead=%v alive=%v err=%v", c.err, fs, dead, alive, p.err())
		}
	}
}
