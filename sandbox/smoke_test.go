package sandbox

import (
	"net/http"
	"net/url"
	"testing"
)

func TestSmokeFullFlowBothModes(t *testing.T) {
	t.Parallel()
	for _, c := range []Compat{CompatV230, CompatMain} {
		t.Run(string(c), func(t *testing.T) {
			s := startSandbox(t, Options{Compat: c})
			f := newFixture(t, s, "http://127.0.0.1:9876/callback")
			tok := f.flow(t, url.Values{"resource": {s.URL()}})
			if !reAPIKey.MatchString(tok.AccessToken) || !reFormatted.MatchString(tok.RefreshToken) || tok.TokenType != "Bearer" {
				t.Fatalf("token shapes: %+v", tok)
			}
			expect(t, me(t, s, tok.AccessToken), http.StatusOK, "")
			r := f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {f.appID}, "client_secret": {f.secret}})
			expect(t, r, http.StatusOK, "")
			expect(t, me(t, s, tok.AccessToken), http.StatusUnauthorized, "")
		})
	}
}
