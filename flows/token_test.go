package flows

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
)

const (
	tcID     = "client-1"
	tcSecret = "coder_abcdefghij_" + "0123456789012345678901234567890123456789"
)

// tokenServer is a real loopback token endpoint whose answer the test picks.
func tokenServer(t *testing.T, h http.HandlerFunc) (TokenClient, *client.Client) {
	return tokenServerWithin(t, 10*time.Second, h)
}

// tokenServerWithin is tokenServer with a client that gives up after d
// (short only where the timeout is what the test expects).
func tokenServerWithin(t *testing.T, d time.Duration, h http.HandlerFunc) (TokenClient, *client.Client) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, "", client.Options{Timeout: d, MaxBodyBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	return TokenClient{HTTP: c, TokenURL: srv.URL + "/token", RevocationURL: srv.URL + "/revoke", ClientID: tcID, ClientSecret: tcSecret}, c
}

func okToken(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"access_token":"0yzg28d82c-DDDDDDDDDDDDDDDDDDDDDD","token_type":"Bearer","expires_in":86399,"refresh_token":"coder_rrrrrrrrrr_RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR","expiry":"2030-01-01T00:00:00Z"}`))
}

func TestTokenClientAuthMethods(t *testing.T) {
	t.Parallel()
	var got url.Values
	var basicID, basicSecret string
	var basicOK bool
	tc, _ := tokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got = r.PostForm
		basicID, basicSecret, basicOK = r.BasicAuth()
		okToken(w)
	})
	ctx := context.Background()

	toks, err := tc.Exchange(ctx, "the-code", "http://127.0.0.1:9876/callback", "verifier-verifier-verifier-verifier-verif", "http://c.example")
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("client_secret") != tcSecret || got.Get("client_id") != tcID || basicOK ||
		got.Get("code_verifier") == "" || got.Get("resource") != "http://c.example" || got.Get("redirect_uri") == "" {
		t.Fatalf("post form %v basic=%v", got, basicOK)
	}
	if toks.ExpiresIn != 86399 || toks.Expiry.IsZero() || toks.TokenType != "Bearer" || toks.RefreshToken == "" {
		t.Fatalf("tokens %+v", toks)
	}

	tc.Method = AuthBasic
	if _, err := tc.Exchange(ctx, "the-code", "", "", ""); err != nil {
		t.Fatal(err)
	}
	if !basicOK || basicID != tcID || basicSecret != tcSecret || got.Has("client_secret") {
		t.Fatalf("basic: ok=%v id=%q form=%v", basicOK, basicID, got)
	}

	tc.Method, tc.ClientSecret = AuthAuto, ""
	if _, err := tc.Refresh(ctx, "coder_rrrrrrrrrr_x", ""); err != nil {
		t.Fatal(err)
	}
	if got.Get("grant_type") != "refresh_token" || got.Get("client_id") != tcID || got.Has("client_secret") || basicOK {
		t.Fatalf("public refresh form %v", got)
	}
}

// An edited form that x/oauth2 cannot express is sent exactly as written.
func TestTokenClientSendsEditedFormAsWritten(t *testing.T) {
	t.Parallel()
	var got url.Values
	tc, _ := tokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got = r.PostForm
		okToken(w)
	})
	form := url.Values{"code": {"c"}, "extra": {"1", "2"}, "client_id": {tcID}}
	if _, err := tc.Token(context.Background(), form); err != nil {
		t.Fatal(err)
	}
	if got.Has("grant_type") || len(got["extra"]) != 2 {
		t.Fatalf("sent %v", got)
	}
}

// Bad answers become typed errors with no secret in their text.
func TestTokenClientBadAnswers(t *testing.T) {
	t.Parallel()
	var release chan struct{} // frees hanging handlers before their server closes
	cases := map[string]struct {
		h     http.HandlerFunc
		check func(error) bool
	}{
		"html 200": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>login</html>"))
		}, func(err error) bool {
			var e *client.UnexpectedResponseError
			return errors.As(err, &e) && e.StatusCode == 200
		}},
		"oauth2 error": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"The PKCE code verifier is invalid"}`))
		}, func(err error) bool {
			var e *client.OAuth2Error
			return errors.As(err, &e) && e.Code == "invalid_grant"
		}},
		"coder 500": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"message":"Failed to exchange token","detail":"db"}`))
		}, func(err error) bool { var e *client.APIError; return errors.As(err, &e) && e.StatusCode == 500 }},
		"experiment off": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"message":"OAuth2 Provider Functionality functionality requires enabling the 'oauth2' experiment."}`))
		}, func(err error) bool { var e *client.ProviderDisabledError; return errors.As(err, &e) }},
		"huge body": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"` + strings.Repeat("a", 10000) + `"}`))
		}, func(err error) bool { var e *client.BodyTooLargeError; return errors.As(err, &e) }},
		"hang": {func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}, func(err error) bool { var e *client.TimeoutError; return errors.As(err, &e) }},
		"200 without token": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"token_type":"Bearer"}`))
		}, func(err error) bool { var e *client.UnexpectedResponseError; return errors.As(err, &e) }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			release = make(chan struct{})
			within := 10 * time.Second
			if name == "hang" {
				within = 300 * time.Millisecond // the timeout is the outcome under test
			}
			c, _ := tokenServerWithin(t, within, tc.h)
			t.Cleanup(func() { close(release) })
			for _, run := range []func() error{
				func() error { _, err := c.Exchange(context.Background(), "secret-code-value", "", "", ""); return err },
				func() error {
					_, err := c.Token(context.Background(), url.Values{"grant_type": {"authorization_code"}, "code": {"secret-code-value"}, "x": {"1", "2"}})
					return err
				},
			} {
				err := run()
				if err == nil || !tc.check(err) {
					t.Fatalf("err = %T %v", err, err)
				}
				if strings.Contains(err.Error(), tcSecret) || strings.Contains(err.Error(), "secret-code-value") {
					t.Fatalf("error text leaks a secret: %v", err)
				}
				if Explain(err) == nil {
					t.Fatal("no explanation")
				}
			}
		})
	}
}

func TestTokenClientRevoke(t *testing.T) {
	t.Parallel()
	var got url.Values
	status := 200
	tc, _ := tokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got = r.PostForm
		if status != 200 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"Invalid token format"}`))
		}
	})
	if err := tc.Revoke(context.Background(), "coder_rrrrrrrrrr_x", "refresh_token"); err != nil {
		t.Fatal(err)
	}
	if got.Get("token") != "coder_rrrrrrrrrr_x" || got.Get("token_type_hint") != "refresh_token" || got.Get("client_id") != tcID {
		t.Fatalf("revoke form %v", got)
	}
	status = 400
	var oe *client.OAuth2Error
	if err := tc.Revoke(context.Background(), "garbage", ""); !errors.As(err, &oe) || oe.Code != "invalid_request" {
		t.Fatalf("err = %v", err)
	}
	tc.RevocationURL = ""
	if err := tc.Revoke(context.Background(), "x", ""); err == nil {
		t.Fatal("revoke without an endpoint succeeded")
	}
}

func TestChooseAuthMethod(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		methods []string
		secret  bool
		want    AuthMethod
	}{
		{[]string{"client_secret_post"}, true, AuthPost},
		{[]string{"client_secret_basic", "client_secret_post", "none"}, true, AuthBasic}, // RFC 6749 §2.3.1: basic is the one every server supports
		{[]string{"client_secret_post", "client_secret_basic"}, true, AuthBasic},
		{[]string{"client_secret_basic"}, true, AuthBasic},
		{[]string{"private_key_jwt"}, true, AuthBasic},
		{nil, true, AuthBasic}, // RFC 8414 §2: absent means client_secret_basic
		{[]string{"client_secret_post"}, false, AuthNone},
	} {
		if got := ChooseAuthMethod(tc.methods, tc.secret); got != tc.want {
			t.Errorf("ChooseAuthMethod(%v, %v) = %s, want %s", tc.methods, tc.secret, got, tc.want)
		}
	}
}

func TestParseAuthMethod(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]AuthMethod{"": AuthAuto, "basic": AuthBasic, "client_secret_basic": AuthBasic,
		"POST": AuthPost, "client_secret_post": AuthPost, "none": AuthNone, "public": AuthNone} {
		if got, err := ParseAuthMethod(in); err != nil || got != want {
			t.Errorf("ParseAuthMethod(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseAuthMethod("private_key_jwt"); err == nil || !strings.Contains(err.Error(), "basic") {
		t.Errorf("an unsupported method: err = %v", err)
	}
}

// TestTokenClientExpiresIn: expires_in is read as x/oauth2 reads it on both
// token paths (a number or a numeric string, whole seconds, capped so a huge
// value cannot wrap the expiry into the past), and a wrong one is named.
func TestTokenClientExpiresIn(t *testing.T) {
	t.Parallel()
	const access = `"access_token":"0yzg28d82c-DDDDDDDDDDDDDDDDDDDDDD","token_type":"Bearer"`
	for _, c := range []struct {
		value   string
		secs    int64  // when accepted
		problem string // when refused
	}{
		{`3600`, 3600, ""},
		{`"3600"`, 3600, ""},
		{`9223372036854775807`, maxInt32, ""},
		{`99999999999999999999`, 0, "expires_in is 99999999999999999999: out of range"},
		{`4294967296`, maxInt32, ""},
		{`1.5`, 0, "expires_in is 1.5: not a whole number of seconds"},
		{`1e30`, 0, "expires_in is 1e30: not a whole number of seconds"},
		{`"soon"`, 0, "expires_in is \"soon\": not a number of seconds"},
		{`true`, 0, "expires_in is true: not a number of seconds"},
	} {
		t.Run(c.value, func(t *testing.T) {
			tc, _ := tokenServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{` + access + `,"expires_in":` + c.value + `}`))
			})
			start := time.Now()
			for path, run := range map[string]func() (Tokens, error){
				"x/oauth2": func() (Tokens, error) { return tc.Exchange(context.Background(), "the-code", "", "", "") },
				"raw": func() (Tokens, error) {
					return tc.Token(context.Background(), url.Values{"grant_type": {"authorization_code"}, "code": {"the-code"}, "x": {"1", "2"}})
				},
			} {
				tok, err := run()
				if c.problem != "" {
					if err == nil || !strings.Contains(err.Error(), c.problem) {
						t.Errorf("%s: err = %v, want it to say %q", path, err, c.problem)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if tok.ExpiresIn != c.secs || !tok.Expiry.After(start.Add(time.Duration(c.secs-5)*time.Second)) {
					t.Errorf("%s: expires_in %d, expiry %v", path, tok.ExpiresIn, tok.Expiry)
				}
			}
		})
	}
}

const maxInt32 = 1<<31 - 1

// TestTokenClientBodyOverOAuth2Limit: x/oauth2 reads 1 MiB of a token
// response; a longer one (under the client's own limit) is "larger than",
// not "not JSON".
func TestTokenClientBodyOverOAuth2Limit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"` + strings.Repeat("a", 2<<20) + `"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, "", client.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tc := TokenClient{HTTP: c, TokenURL: srv.URL + "/token", ClientID: tcID, ClientSecret: tcSecret}
	_, err = tc.Exchange(context.Background(), "the-code", "", "", "")
	var tl *client.BodyTooLargeError
	if !errors.As(err, &tl) || tl.Limit != oauth2BodyLimit {
		t.Fatalf("err = %T %v, want a BodyTooLargeError at 1 MiB", err, err)
	}
}

// A 429 at the token endpoint is waited on and sent again whatever its body
// (Coder's {"message"} shape, plain text, OAuth2's), on x/oauth2's path too.
func TestTokenClientRetriesRateLimits(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{"coder": `{"message":"rate limited"}`, "text": "slow down", "oauth2": `{"error":"temporarily_unavailable"}`} {
		t.Run(name, func(t *testing.T) {
			var calls int
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if calls == 1 {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(http.StatusTooManyRequests)
					_, _ = w.Write([]byte(body))
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"access_token":"a","token_type":"bearer"}`))
			}))
			defer srv.Close()
			c, err := client.New(srv.URL, "", client.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tc := TokenClient{HTTP: c, TokenURL: srv.URL + "/token", ClientID: "id", ClientSecret: "s", Method: AuthBasic}
			tok, err := tc.Exchange(context.Background(), "code", "http://127.0.0.1/cb", "", "")
			if err != nil || tok.AccessToken != "a" || calls != 2 {
				t.Fatalf("tokens %+v, err %v, %d calls", tok, err, calls)
			}
			if c.Traffic().Waits != 1 {
				t.Errorf("traffic %+v", c.Traffic())
			}
		})
	}
}
