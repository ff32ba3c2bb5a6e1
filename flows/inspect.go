package flows

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
)

// TokenKind is a recognised token format.
type TokenKind string

const (
	TokenCoderAPIKey TokenKind = "coder-api-key" // <10>-<22>: access tokens and session tokens
	TokenCoderSecret TokenKind = "coder-secret"  // coder_<10>_<secret>: codes, refresh tokens, client secrets
	TokenJWT         TokenKind = "jwt"
	TokenOpaque      TokenKind = "opaque"
)

// TokenInfo describes a token without revealing it.
type TokenInfo struct {
	Kind   TokenKind
	Masked string
	// KeyID is the public part: the API key id (<10>) or the secret's lookup prefix.
	KeyID string
	// JWTHeader and JWTClaims are decoded but NOT verified.
	JWTHeader map[string]any
	JWTClaims map[string]any
}

var (
	apiKeyRE      = regexp.MustCompile(`^([0-9A-Za-z]{10})-([0-9A-Za-z]{22})$`)
	coderSecretRE = regexp.MustCompile(`^coder_([0-9A-Za-z]{10})_([0-9A-Za-z]+)$`)
)

// InspectToken recognises Coder's formats and decodes JWTs (unverified).
func InspectToken(tok string) TokenInfo {
	info := TokenInfo{Kind: TokenOpaque, Masked: Mask(tok)}
	if m := apiKeyRE.FindStringSubmatch(tok); m != nil {
		info.Kind, info.KeyID = TokenCoderAPIKey, m[1]
		return info
	}
	if m := coderSecretRE.FindStringSubmatch(tok); m != nil {
		info.Kind, info.KeyID = TokenCoderSecret, m[1]
		return info
	}
	if h, c, ok := decodeJWT(tok); ok {
		info.Kind, info.JWTHeader, info.JWTClaims = TokenJWT, h, c
	}
	return info
}

func decodeJWT(tok string) (header, claims map[string]any, ok bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, nil, false
	}
	dec := func(s string, v *map[string]any) bool {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
		return err == nil && json.Unmarshal(b, v) == nil
	}
	if !dec(parts[0], &header) || !dec(parts[1], &claims) {
		return nil, nil, false
	}
	return header, claims, true
}

// maskDots ends every masked value, which is how Mask knows one.
const maskDots = "••••••••"

// Mask hides a secret for display. It keeps the public, non-secret part of
// Coder's formats (the API key id, the coder_<prefix>_ lookup prefix) so a
// token can be told apart from another, and at most 4 leading characters of
// anything else (nothing of short values).
func Mask(s string) string {
	if s == "" {
		return ""
	}
	if m := apiKeyRE.FindStringSubmatch(s); m != nil {
		return m[1] + "-" + maskDots
	}
	if m := coderSecretRE.FindStringSubmatch(s); m != nil {
		return "coder_" + m[1] + "_" + maskDots
	}
	if strings.HasSuffix(s, maskDots) {
		return s // already masked: keep Redacted idempotent
	}
	r := []rune(s)
	if len(r) < 16 {
		return maskDots
	}
	return string(r[:4]) + maskDots
}
