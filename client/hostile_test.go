package client_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"oauthdeck/client"
)

// hostile starts a loopback server with handler and a client for it.
func hostile(t *testing.T, handler http.HandlerFunc, opts client.Options) *client.Client {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, "sess-token-value", opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHTMLInsteadOfJSON(t *testing.T) {
	t.Parallel()
	page := "<!doctype html><html><head><title>Coder</title></head><body>" + strings.Repeat("<div>spa</div>", 100) + "</body></html>"
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	}, client.Options{})
	_, err := c.Apps(context.Background())
	var ue *client.UnexpectedResponseError
	if !errors.As(err, &ue) {
		t.Fatalf("want UnexpectedResponseError, got %T: %v", err, err)
	}
	if !strings.Contains(ue.Reason, "text/html") {
		t.Errorf("reason %q does not name the content type", ue.Reason)
	}
	if n := len([]rune(ue.Excerpt)); n == 0 || n > 200 {
		t.Errorf("excerpt has %d characters, want 1..200: %q", n, ue.Excerpt)
	}
	if !strings.HasPrefix(ue.Excerpt, "<!doctype html>") {
		t.Errorf("excerpt does not start with the body: %q", ue.Excerpt)
	}
	if !strings.Contains(err.Error(), "list OAuth2 apps") {
		t.Errorf("error does not say what was being done: %v", err)
	}
}

func TestTruncatedJSON(t *testing.T) {
	t.Parallel()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"id":"3382578a-f435-42f8-9490-124605cccac2","name":"ref`)
	}, client.Options{})
	_, err := c.Apps(context.Background())
	var ue *client.UnexpectedResponseError
	if !errors.As(err, &ue) || !strings.Contains(ue.Reason, "truncated") {
		t.Fatalf("want UnexpectedResponseError about truncated JSON, got %T: %v", err, err)
	}
}

func TestWrongJSONShape(t *testing.T) {
	t.Parallel()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"id":"x"}`) // an object where a list is expected
	}, client.Options{})
	_, err := c.Apps(context.Background())
	var ue *client.UnexpectedResponseError
	if !errors.As(err, &ue) {
		t.Fatalf("want UnexpectedResponseError, got %T: %v", err, err)
	}
}

// hugeBody streams 50 MB, counting what it managed to write.
func hugeBody(announce bool, written *atomic.Int64) http.HandlerFunc {
	const total = 50 << 20
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if announce {
			w.Header().Set("Content-Length", "52428800")
		}
		chunk := []byte(strings.Repeat("a", 64<<10))
		for sent := 0; sent < total; sent += len(chunk) {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

func TestFiftyMegabyteBody(t *testing.T) {
	// Not parallel: it measures the whole process's allocations.
	for _, announce := range []bool{true, false} {
		name := "chunked"
		if announce {
			name = "content-length"
		}
		t.Run(name, func(t *testing.T) {
			var written atomic.Int64
			rec := client.NewRecorder(10)
			c := hostile(t, hugeBody(announce, &written), client.Options{MaxBodyBytes: 1 << 20, Recorder: rec})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := c.BuildInfo(context.Background())
			runtime.ReadMemStats(&after)
			var tl *client.BodyTooLargeError
			if !errors.As(err, &tl) {
				t.Fatalf("want BodyTooLargeError, got %T: %v", err, err)
			}
			if tl.Limit != 1<<20 {
				t.Errorf("limit %d", tl.Limit)
			}
			// Bounded memory: the client may allocate a few times the 1 MiB
			// limit while reading, never anything near the 50 MB sent.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 12<<20 {
				t.Errorf("allocated %d bytes reading a body capped at 1 MiB", alloc)
			}
			ex := rec.Exchanges()
			if len(ex) != 1 || len(ex[0].ResponseBody) > client.RecordedBodyLimit || !ex[0].ResponseTruncated {
				t.Errorf("recorder: %d exchanges, body %d bytes", len(ex), len(ex[0].ResponseBody))
			}
		})
	}
}

// TestGzipBomb: the limit applies to the decompressed body, so 8 MB of
// zeros sent as ~8 KB of gzip is refused at a 1 MiB limit.
func TestGzipBomb(t *testing.T) {
	t.Parallel()
	var compressed bytes.Buffer
	zw := gzip.NewWriter(&compressed)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 8; i++ {
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(compressed.Bytes())
	}, client.Options{MaxBodyBytes: 1 << 20})
	_, err := c.BuildInfo(context.Background())
	var tl *client.BodyTooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("want BodyTooLargeError, got %T: %v", err, err)
	}
}

func TestEmptyIDsAreRefused(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }, client.Options{})
	ctx := context.Background()
	errs := []error{c.DeleteApp(ctx, ""), c.DeleteAppSecret(ctx, "a", " ")}
	_, err := c.App(ctx, "")
	errs = append(errs, err)
	_, err = c.UpdateApp(ctx, "", client.AppRequest{Name: "n"})
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "empty ID") {
			t.Errorf("%d: %v", i, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("server was called %d times", hits.Load())
	}
}

func TestServerNeverAnswers(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, client.Options{Timeout: 300 * time.Millisecond})
	defer close(release)
	_, err := c.Me(context.Background())
	var te *client.TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("want TimeoutError, got %T: %v", err, err)
	}
	if te.After != 300*time.Millisecond || !strings.Contains(err.Error(), "300ms") {
		t.Errorf("timeout error does not name the configured timeout: %v", err)
	}
}

func TestHeadersThenStalledBody(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		_, _ = io.WriteString(w, `[{"id":`)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, client.Options{Timeout: 300 * time.Millisecond})
	defer close(release)
	_, err := c.Apps(context.Background())
	var te *client.TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("want TimeoutError, got %T: %v", err, err)
	}
}

func TestCallerCancellationIsNotATimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, client.Options{Timeout: 10 * time.Second})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err := c.Me(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %T: %v", err, err)
	}
}

func TestRedirectToAnotherHost(t *testing.T) {
	t.Parallel()
	var otherHits atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		_, _ = io.WriteString(w, `[]`)
	}))
	defer other.Close()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	}, client.Options{})
	_, err := c.Apps(context.Background())
	var re *client.RedirectError
	if !errors.As(err, &re) {
		t.Fatalf("want RedirectError, got %T: %v", err, err)
	}
	if re.StatusCode != http.StatusFound || !strings.HasPrefix(re.Location, other.URL) {
		t.Errorf("redirect error %+v", re)
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the other host received %d requests", n)
	}
}

func TestSeeOtherToLogin(t *testing.T) {
	t.Parallel()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/login?message=You+are+signed+out&redirect=%2Fapi%2Fv2%2Fusers%2Fme")
		w.WriteHeader(http.StatusSeeOther)
	}, client.Options{})
	_, err := c.Me(context.Background())
	var se *client.SessionError
	if !errors.As(err, &se) {
		t.Fatalf("want SessionError, got %T: %v", err, err)
	}
}

func TestWrongStatusEmptyBody(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusOK, http.StatusInternalServerError, http.StatusBadGateway, http.StatusTeapot} {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }, client.Options{})
		err := c.DeleteApp(context.Background(), "3382578a-f435-42f8-9490-124605cccac2")
		var ue *client.UnexpectedResponseError
		if !errors.As(err, &ue) {
			t.Fatalf("%d: want UnexpectedResponseError, got %T: %v", status, err, err)
		}
		if ue.StatusCode != status || !strings.Contains(ue.Reason, "empty body") {
			t.Errorf("%d: %+v", status, ue)
		}
	}
}

func TestEscapeSequencesAreSanitised(t *testing.T) {
	t.Parallel()
	evil := "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202egnp.exe\u009b31m\r\nforged line"
	bodies := []struct {
		name, contentType, body string
		status                  int
	}{
		{"coder", "application/json", `{"message":"` + jsonEscape(evil) + `","detail":"` + jsonEscape(evil) + `","validations":[{"field":"name","detail":"` + jsonEscape(evil) + `"}]}`, 400},
		{"oauth2", "application/json", `{"error":"` + jsonEscape(evil) + `","error_description":"` + jsonEscape(evil) + `"}`, 400},
		{"html", "text/html", "<html>" + evil + "</html>", 502},
		{"session", "application/json", `{"message":"You are signed out or your session has expired.","detail":"` + jsonEscape(evil) + `"}`, 401},
		{"redirect", "", "", 302},
	}
	for _, b := range bodies {
		t.Run(b.name, func(t *testing.T) {
			c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
				if b.status == 302 {
					w.Header()["Location"] = []string{"https://evil.example/" + evil}
				}
				if b.contentType != "" {
					w.Header().Set("Content-Type", b.contentType)
				}
				w.WriteHeader(b.status)
				_, _ = io.WriteString(w, b.body)
			}, client.Options{})
			_, err := c.CreateApp(context.Background(), client.AppRequest{Name: "x", CallbackURL: "http://127.0.0.1:1/cb"})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\r", "\n"} {
				if strings.Contains(msg, bad) {
					t.Errorf("error text contains %q: %q", bad, msg)
				}
			}
		})
	}
}

func jsonEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == '"' || r == '\\' || (r >= 0x7f && r <= 0x9f) {
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestGarbageNeverPanics throws odd answers at every call.
func TestGarbageNeverPanics(t *testing.T) {
	t.Parallel()
	answers := []struct {
		status int
		body   string
	}{
		{200, ""}, {200, "null"}, {200, "[]"}, {200, "{}"}, {200, "\x00\xff\xfe"}, {201, `{"session_token":null}`},
		{204, ""}, {400, "{"}, {401, `{"message":5}`}, {403, `[]`}, {404, `"Route not found."`},
		{301, ""}, {307, "x"}, {500, strings.Repeat("{", 10000)}, {200, `{"oauth2_provider":{"enabled":"yes"}}`},
	}
	for _, a := range answers {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			if a.status >= 300 && a.status < 400 {
				w.Header().Set("Location", "::not a url")
			}
			w.WriteHeader(a.status)
			_, _ = io.WriteString(w, a.body)
		}, client.Options{Timeout: 2 * time.Second})
		ctx := context.Background()
		var errs []error
		errs = append(errs, errOf(c.BuildInfo(ctx)))
		errs = append(errs, errOf(c.Me(ctx)))
		errs = append(errs, errOf(c.MeWithBearer(ctx, "tok")))
		errs = append(errs, errOf(c.Login(ctx, "a@b.c", "pw")))
		errs = append(errs, errOf(c.Apps(ctx)))
		errs = append(errs, errOf(c.App(ctx, "id")))
		errs = append(errs, errOf(c.CreateApp(ctx, client.AppRequest{Name: "n", RedirectURIs: []string{"http://127.0.0.1/cb"}})))
		errs = append(errs, errOf(c.UpdateApp(ctx, "id", client.AppRequest{Name: "n"})))
		errs = append(errs, c.DeleteApp(ctx, "id"))
		errs = append(errs, errOf(c.AppSecrets(ctx, "id")))
		errs = append(errs, errOf(c.CreateAppSecret(ctx, "id")))
		errs = append(errs, c.DeleteAppSecret(ctx, "id", "sid"))
		errs = append(errs, errOf(c.AuthorizationServerMetadata(ctx, "")))
		errs = append(errs, errOf(c.ProtectedResourceMetadata(ctx, "", "")))
		_, _ = c.ProbeResource(ctx, http.MethodPost, c.BaseURL()+"/mcp") // any status is a probe's answer
		errs = append(errs, errOf(c.RegisterClient(ctx, "", client.ClientRegistrationRequest{})))
		errs = append(errs, errOf(c.GetClientRegistration(ctx, c.BaseURL()+"/oauth2/clients/x", "rat")))
		errs = append(errs, errOf(c.UpdateClientRegistration(ctx, c.BaseURL()+"/oauth2/clients/x", "rat", client.ClientRegistrationRequest{})))
		errs = append(errs, c.DeleteClientRegistration(ctx, c.BaseURL()+"/oauth2/clients/x", "rat"))
		if resp, err := c.Do(ctx, client.Request{URL: "/oauth2/tokens", Form: map[string][]string{"a": {"b"}}}); err == nil {
			_ = resp.OAuth2Error()
			_, _ = resp.Location()
			_ = resp.Error(http.StatusOK)
		}
		// A redirect or an error status is never a success, and whatever
		// the server sent, no error text carries its raw bytes.
		for i, err := range errs {
			if a.status >= 300 && err == nil {
				t.Errorf("status %d %.40q: call %d succeeded", a.status, a.body, i)
			}
			if err != nil && strings.ContainsAny(err.Error(), "\x00\x1b\ufffe") {
				t.Errorf("status %d: call %d error carries raw bytes: %q", a.status, i, err)
			}
			// Every failure is one of the typed errors a caller can act on.
			if a.status >= 300 && err != nil && !typedClientError(err) {
				t.Errorf("status %d %.40q: call %d failed untyped: %T %v", a.status, a.body, i, err, err)
			}
		}
		// A 200 whose body is not JSON is refused by every call that
		// decodes one, as such.
		if a.status == 200 && a.body == "\x00\xff\xfe" {
			for i, err := range errs[:6] { // BuildInfo … App: each decodes a JSON body
				var ue *client.UnexpectedResponseError
				if !errors.As(err, &ue) {
					t.Errorf("garbage 200: call %d: want UnexpectedResponseError, got %T %v", i, err, err)
				}
			}
		}
	}
}

// typedClientError reports an error of one of the client's own types.
func typedClientError(err error) bool {
	var (
		redirect   *client.RedirectError
		unexpected *client.UnexpectedResponseError
		api        *client.APIError
		oauth      *client.OAuth2Error
		session    *client.SessionError
		disabled   *client.ProviderDisabledError
		tooLarge   *client.BodyTooLargeError
	)
	return errors.As(err, &redirect) || errors.As(err, &unexpected) || errors.As(err, &api) || errors.As(err, &oauth) ||
		errors.As(err, &session) || errors.As(err, &disabled) || errors.As(err, &tooLarge)
}

// errOf drops a call's value and keeps its error.
func errOf[T any](_ T, err error) error { return err }

// TestNotModifiedIsNamed: a 304 (a 3xx with no Location) is told as what it
// is, not as a redirect "to " nowhere.
func TestNotModifiedIsNamed(t *testing.T) {
	t.Parallel()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}, client.Options{})
	_, err := c.Apps(context.Background())
	if err == nil || strings.Contains(err.Error(), "redirected") ||
		!strings.Contains(err.Error(), "server answered 304 Not Modified with no Location") {
		t.Fatalf("304: %T %v", err, err)
	}
}

// The apps list as newer Coder builds may answer it: {"apps": [...],
// "count": N}, a page at a time. Every page is read, with offset; a server
// whose count never comes true stops at an empty page.
func TestAppsPagedObject(t *testing.T) {
	t.Parallel()
	const total, pageSize = 7, 3
	var offsets []string
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		offsets = append(offsets, r.URL.Query().Get("offset"))
		var apps []string
		for i := off; i < min(off+pageSize, total); i++ {
			apps = append(apps, fmt.Sprintf(`{"id":"app-%d","name":"a%d","callback_url":"http://127.0.0.1/cb","client_type":"public","dynamically_registered":true}`, i, i))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"apps":[%s],"count":%d}`, strings.Join(apps, ","), total)
	}, client.Options{})
	apps, err := c.Apps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != total || apps[6].ID != "app-6" || apps[0].ClientType != "public" || apps[0].DynamicallyRegistered == nil || !*apps[0].DynamicallyRegistered {
		t.Fatalf("got %d apps: %+v", len(apps), apps)
	}
	if strings.Join(offsets, ",") != ",3,6" {
		t.Errorf("offsets %v", offsets)
	}

	liar := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("offset") == "" {
			_, _ = io.WriteString(w, `{"apps":[{"id":"x","name":"x"}],"count":1000000}`)
			return
		}
		_, _ = io.WriteString(w, `{"apps":[],"count":1000000}`)
	}, client.Options{})
	if apps, err := liar.Apps(context.Background()); err != nil || len(apps) != 1 {
		t.Fatalf("a count that never comes true: %d apps, %v", len(apps), err)
	}

	// A server that ignores offset answers the same page forever: two asks, then stop.
	var asked int
	deaf := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		asked++
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"apps":[{"id":"x","name":"x"},{"id":"y","name":"y"}],"count":1000000}`)
	}, client.Options{})
	if apps, err := deaf.Apps(context.Background()); err != nil || len(apps) != 2 || asked != 2 {
		t.Fatalf("a server that ignores offset: %d apps, %d requests, %v", len(apps), asked, err)
	}
}
