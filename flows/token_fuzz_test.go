package flows

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"oauthdeck/client"
)

// FuzzDecodeTokenResponse: whatever a token endpoint answers with 200, the
// decoder returns tokens with an access token and an expiry that is never
// in the past for a positive expires_in, or an error whose text is one
// terminal-safe line that names no raw access token.
func FuzzDecodeTokenResponse(f *testing.F) {
	for _, s := range []string{
		`{"access_token":"a","token_type":"Bearer","expires_in":3600}`,
		`{"access_token":"a","expires_in":"3600"}`,
		`{"access_token":"a","expires_in":9223372036854775807}`,
		`{"access_token":"a","expires_in":1e30}`,
		`{"access_token":7}`, `[]`, `null`, `<html>`, `{"access_token":"a","expiry":"2030-01-01T00:00:00Z"}`,
		`{"access_token":"a\u001b[2J","scope":"x"}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := &client.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: body, URL: "http://127.0.0.1:1/oauth2/tokens"}
		tok, err := decodeTokenResponse(resp, now)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\x1b\n\r") || !utf8.ValidString(msg) {
				t.Fatalf("error text is not one safe line: %q", msg)
			}
			return
		}
		if tok.AccessToken == "" {
			t.Fatal("tokens without an access token")
		}
		if tok.ExpiresIn > 0 && !tok.Expiry.After(now) {
			t.Fatalf("expires_in %d gave an expiry %v not after %v", tok.ExpiresIn, tok.Expiry, now)
		}
	})
}
