package check_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/flows/check"
	"oauthdeck/sandbox"
)

// A response's evidence keeps every header it had, not only those verdicts
// turn on; sensitive ones stay redacted (a cookie's name and attributes
// kept, its value not), with and without a recorder. The text report still
// lists only the verdict's headers.
func TestEvidenceKeepsEveryResponseHeaderRedacted(t *testing.T) {
	t.Parallel()
	srv, _, _ := startSandbox(t, sandbox.Options{})
	session := srv.AdminSessionToken()
	hook := faultTransport(t, func(r *http.Request, _ url.Values, next sendFunc) (*http.Response, error) {
		resp, err := next(r)
		if err == nil && r.URL.Path == "/api/v2/users/me" && resp.StatusCode == http.StatusUnauthorized {
			resp.Header.Add("Set-Cookie", "coder_session_token="+session+"; Path=/; HttpOnly")
			resp.Header.Set("X-Served-By", "edge-7")
			resp.Header.Set("X-Evil", hostileHeader)
		}
		return resp, err
	})
	for _, recorded := range []bool{true, false} {
		opts := client.Options{Transport: hook}
		if recorded {
			opts.Recorder = client.NewRecorder(100)
		}
		c, err := client.New(srv.URL(), session, opts)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := check.Run(context.Background(), check.Config{Client: c, Recorder: opts.Recorder, Only: []string{"token.www-authenticate"}})
		if err != nil {
			t.Fatal(err)
		}
		var hdr map[string]string
		for _, ev := range rep.Checks[0].Evidence {
			if ev.Status == http.StatusUnauthorized && strings.HasSuffix(ev.URL, "/api/v2/users/me") {
				hdr = ev.ResponseHeader
			}
		}
		cookie := hdr["Set-Cookie"]
		switch {
		case hdr == nil:
			t.Fatalf("recorded %v: no evidence of the 401: %+v", recorded, rep.Checks[0].Evidence)
		case hdr["X-Served-By"] != "edge-7" || hdr["WWW-Authenticate"] == "":
			t.Errorf("recorded %v: headers %v", recorded, hdr)
		case strings.Contains(cookie, session) || !strings.Contains(cookie, "coder_session_token=‹redacted") || !strings.Contains(cookie, "Path=/"):
			t.Errorf("recorded %v: Set-Cookie %q", recorded, cookie)
		case strings.ContainsAny(hdr["X-Evil"], "\x1b\x07"):
			t.Errorf("recorded %v: a header value drives the terminal: %q", recorded, hdr["X-Evil"])
		}

		rep.Checks[0].Status = check.Fail // the text report shows a failure's evidence
		var text bytes.Buffer
		if err := check.WriteText(&text, rep, check.TextStyles{}); err != nil {
			t.Fatal(err)
		}
		if out := text.String(); !strings.Contains(out, "< WWW-Authenticate: Bearer") || strings.Contains(out, "X-Served-By") {
			t.Errorf("recorded %v: the text report lists:\n%s", recorded, out)
		}
	}
}

const hostileHeader = "evil\x1b]52;c;cHduZWQ=\x07"
