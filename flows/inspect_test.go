package flows

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"

	"oauthdeck/client/safe"
)

func TestInspectToken(t *testing.T) {
	t.Parallel()
	// Shapes as Coder issues them (values made up here).
	apiKey := "0yzg28d82c-" + strings.Repeat("D", 22)
	secret := "coder_rFPFD43tCo_" + strings.Repeat("x", 40)
	jwt := b64(`{"alg":"RS256","typ":"JWT"}`) + "." + b64(`{"sub":"alice","aud":"https://c.example"}`) + ".sig"

	if i := InspectToken(apiKey); i.Kind != TokenCoderAPIKey || i.KeyID != "0yzg28d82c" {
		t.Errorf("api key: %+v", i)
	}
	if i := InspectToken(secret); i.Kind != TokenCoderSecret || i.KeyID != "rFPFD43tCo" {
		t.Errorf("secret: %+v", i)
	}
	i := InspectToken(jwt)
	if i.Kind != TokenJWT || i.JWTClaims["sub"] != "alice" || i.JWTHeader["alg"] != "RS256" {
		t.Errorf("jwt: %+v", i)
	}
	for _, s := range []string{"abc", "a.b.c", "0yzg28d82c-short", "coder_x_y"} {
		if k := InspectToken(s).Kind; k != TokenOpaque {
			t.Errorf("%q: kind %s, want opaque", s, k)
		}
	}
}

func TestMaskRevealsOnlyThePublicPart(t *testing.T) {
	t.Parallel()
	apiSecret := strings.Repeat("S", 22)
	cases := map[string]string{
		"0yzg28d82c-" + apiSecret:                     "0yzg28d82c-",
		"coder_rFPFD43tCo_" + strings.Repeat("q", 40): "coder_rFPFD43tCo_",
		"short":                                 "",
		"an-opaque-token-of-some-length-123456": "an-o",
	}
	for in, prefix := range cases {
		m := safe.Mask(in)
		if !strings.HasPrefix(m, prefix) || !strings.Contains(m, "•") {
			t.Errorf("safe.Mask(%q) = %q", in, m)
		}
		if strings.Contains(m, apiSecret) || strings.Contains(m, "qqqq") {
			t.Errorf("safe.Mask(%q) leaks the secret part", in)
		}
	}
	if m := safe.Mask("0yzg28d82c-" + apiSecret); safe.Mask(m) != m {
		t.Error("Mask is not idempotent")
	}
	if m := safe.Mask(strings.Repeat("é", 20)); !utf8.ValidString(m) {
		t.Errorf("Mask broke UTF-8: %q", m)
	}
	// Looking partly masked is not being masked: a value with bullets inside is still hidden.
	if m := safe.Mask("abcd••real-secret-value-1234"); strings.Contains(m, "real-secret") {
		t.Errorf("Mask let a bulleted secret through: %q", m)
	}
	if safe.Mask("") != "" {
		t.Error("Mask of empty")
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
