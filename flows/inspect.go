package flows

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"oauthdeck/client/safe"
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

// InspectToken recognises Coder's formats and decodes JWTs (unverified).
func InspectToken(tok string) TokenInfo {
	info := TokenInfo{Kind: TokenOpaque, Masked: safe.Mask(tok)}
	if id, shape, ok := safe.CoderKeyID(tok); ok {
		info.Kind, info.KeyID = TokenCoderSecret, id
		if shape == safe.ShapeAPIKey {
			info.Kind = TokenCoderAPIKey
		}
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
